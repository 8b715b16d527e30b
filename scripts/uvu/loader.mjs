// The module resolve hook registered by ./preload.mjs: 'uvu' resolves to ./hooks.mjs, except from
// hooks.mjs itself, which gets the real uvu.
const HOOKS = new URL('./hooks.mjs', import.meta.url).href;

export async function resolve(specifier, context, nextResolve) {
  if (specifier === 'uvu' && context.parentURL !== HOOKS) return { url: HOOKS, shortCircuit: true };
  return nextResolve(specifier, context);
}
