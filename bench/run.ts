// `npm run bench -- NAME [NAME...]`: runs the named benchmarks (each bench/NAME.ts exports a
// default async function) and leaves their results in bench/results/NAME.json.
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const known = ['eventlog', 'scheduler', 'datapath', 'control-plane', 'backup', 'ui', 'replica-protocol'];
const names = process.argv.slice(2);
if (names.length === 0 || names.some((n) => !known.includes(n))) {
  console.error(`usage: npm run bench -- ${known.join('|')} [...]`);
  process.exit(2);
}
mkdirSync(fileURLToPath(new URL('../results/', import.meta.url)), { recursive: true });
for (const name of names) {
  const mod = (await import(`./${name}.js`)) as { default: () => Promise<void> };
  await mod.default();
}
