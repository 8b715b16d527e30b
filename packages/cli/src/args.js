// Command lines: each command declares its positional arguments and flags; parseCommand checks a
// command line against that declaration (every error names the flag or argument), and the value
// helpers turn flag text into typed values with errors that name the flag. No I/O here.
import { parseArgs } from 'node:util';
import { parseSize } from '@cairn/api';
import { UsageError } from './errors.js';
/** Flags every command accepts: where the manager is, how to authenticate, how to print. */
export const GLOBAL_FLAGS = {
    output: { type: 'string', short: 'o', value: 'table|json', help: 'output format (default table)' },
    endpoint: { type: 'string', value: 'HOST:PORT', help: 'the manager\'s admin API (env CAIRN_ENDPOINT)' },
    token: { type: 'string', value: 'TOKEN', help: 'bearer token (env CAIRN_TOKEN)' },
    'token-file': { type: 'string', value: 'FILE', help: 'read the bearer token from FILE (env CAIRN_TOKEN_FILE)' },
    cluster: { type: 'string', value: 'PATH', help: 'cluster.json written by cairn up (env CAIRN_CLUSTER; default ./.cairn/cluster.json)' },
    'tls-ca': { type: 'string', value: 'FILE', help: 'PEM of the CA that signed the manager\'s certificate (env CAIRN_TLS_CA)' },
    timeout: { type: 'string', value: 'DURATION', help: 'deadline of each call, e.g. 30s, 2m (env CAIRN_TIMEOUT; default 60s)' },
    help: { type: 'boolean', short: 'h', help: 'print this help' },
};
const argName = (a) => a.replace(/^\[|\]$/g, '');
const isOptional = (a) => a.startsWith('[');
/** Checks argv (what follows the command's words) against the spec. */
export function parseCommand(spec, argv) {
    const all = { ...GLOBAL_FLAGS, ...spec.flags };
    const options = {};
    for (const [name, f] of Object.entries(all))
        options[name] = f.short ? { type: f.type, short: f.short } : { type: f.type };
    // Lenient parsing with tokens, then our own checks: the errors then say what people need.
    const { tokens } = parseArgs({ args: argv, options, strict: false, allowPositionals: true, tokens: true });
    const flags = {};
    const positionals = [];
    for (const t of tokens) {
        if (t.kind === 'positional') {
            positionals.push(t.value);
            continue;
        }
        if (t.kind === 'option-terminator')
            continue;
        const f = all[t.name];
        if (!f)
            throw new UsageError(`unknown flag ${t.rawName} for "cairn ${spec.path}"`, spec.path);
        if (f.type === 'boolean') {
            if (t.inlineValue)
                throw new UsageError(`flag --${t.name} takes no value`, spec.path);
            flags[t.name] = true;
            continue;
        }
        if (t.value === undefined || (!t.inlineValue && t.value.startsWith('--'))) {
            throw new UsageError(`flag --${t.name} needs a value${f.value ? ` (${f.value})` : ''}`, spec.path);
        }
        flags[t.name] = t.value;
    }
    const args = {};
    if (flags['help'])
        return { args, flags };
    spec.args.forEach((a, i) => {
        const v = positionals[i];
        if (v === undefined && !isOptional(a))
            throw new UsageError(`missing ${argName(a)}: usage: ${usageLine(spec)}`, spec.path);
        if (v !== undefined && v === '')
            throw new UsageError(`${argName(a)} must not be empty`, spec.path);
        args[argName(a)] = v;
    });
    if (positionals.length > spec.args.length) {
        throw new UsageError(`unexpected argument "${positionals[spec.args.length]}" for "cairn ${spec.path}"`, spec.path);
    }
    return { args, flags };
}
export function usageLine(spec) {
    const required = Object.entries(spec.flags)
        .filter(([, f]) => f.required)
        .map(([n, f]) => `--${n} ${f.value ?? ''}`.trimEnd());
    return ['cairn', spec.path, ...spec.args, ...required, Object.keys(spec.flags).length > required.length ? '[flags]' : '']
        .filter(Boolean)
        .join(' ');
}
function flagLines(flags) {
    const rows = Object.entries(flags).map(([n, f]) => [`${f.short ? `-${f.short}, ` : '    '}--${n}${f.value ? ` ${f.value}` : ''}`, f.help]);
    const w = Math.max(0, ...rows.map(([l]) => l.length));
    return rows.map(([l, h]) => `  ${l.padEnd(w)}  ${h}`);
}
export function commandHelp(spec) {
    const parts = [`usage: ${usageLine(spec)}`, '', spec.summary];
    if (spec.notes)
        parts.push('', spec.notes);
    if (Object.keys(spec.flags).length)
        parts.push('', 'flags:', ...flagLines(spec.flags));
    parts.push('', 'global flags:', ...flagLines(GLOBAL_FLAGS));
    return parts.join('\n') + '\n';
}
// ---- typed flag values -------------------------------------------------------------------------
function text(p, name) {
    const v = p.flags[name];
    return typeof v === 'string' ? v : undefined;
}
export function flagString(p, name, command = '') {
    const v = text(p, name);
    if (v !== undefined && v.trim() === '')
        throw new UsageError(`--${name} must not be empty`, command);
    return v;
}
export function requireFlag(p, name, command = '', example = '') {
    const v = flagString(p, name, command);
    if (v === undefined)
        throw new UsageError(`--${name} is required${example ? ` (e.g. --${name} ${example})` : ''}`, command);
    return v;
}
export function flagSize(p, name, command = '') {
    const v = text(p, name);
    if (v === undefined)
        return undefined;
    return sizeValue(v, `--${name}`, command);
}
export function sizeValue(v, what, command = '') {
    let n;
    try {
        n = parseSize(v);
    }
    catch (e) {
        throw new UsageError(`${what}: ${e.message}`, command);
    }
    return n;
}
export function flagInt(p, name, o = {}) {
    const v = text(p, name);
    if (v === undefined)
        return undefined;
    const min = o.min ?? 0;
    const max = o.max ?? Number.MAX_SAFE_INTEGER;
    if (!/^\d+$/.test(v.trim()) || Number(v) < min || Number(v) > max) {
        const range = o.max !== undefined ? `an integer from ${min} to ${max}` : `an integer of at least ${min}`;
        throw new UsageError(`--${name}: expected ${range}, got "${v}"`, o.command ?? '');
    }
    return Number(v);
}
export function flagBool(p, name, command = '') {
    const v = text(p, name);
    if (v === undefined)
        return undefined;
    const t = v.trim().toLowerCase();
    if (t === 'true')
        return true;
    if (t === 'false')
        return false;
    throw new UsageError(`--${name}: expected true or false, got "${v}"`, command);
}
/** A comma-separated list: "a,b" -> ['a', 'b']; "" -> [] (which clears a list on update). */
export function flagList(p, name) {
    const v = text(p, name);
    if (v === undefined)
        return undefined;
    return v.split(',').map((s) => s.trim()).filter((s) => s !== '');
}
export function flagEnum(p, name, allowed, command = '') {
    const v = text(p, name);
    if (v === undefined)
        return undefined;
    if (!allowed.includes(v)) {
        throw new UsageError(`--${name}: expected one of ${allowed.join(', ')}, got "${v}"`, command);
    }
    return v;
}
/** Durations for --timeout: 30s, 2m, 1h, 500ms, or plain seconds. */
export function parseDuration(v, what = '--timeout') {
    const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/.exec(v);
    if (!m || Number(m[1]) <= 0)
        throw new UsageError(`${what}: expected a duration such as 30s, 2m or 500ms, got "${v}"`);
    const mult = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] ?? 's'] ?? 1000;
    return Math.round(Number(m[1]) * mult);
}
//# sourceMappingURL=args.js.map