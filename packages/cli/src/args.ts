// Command lines: each command declares its positional arguments and flags; parseCommand checks a
// command line against that declaration (every error names the flag or argument), and the value
// helpers turn flag text into typed values with errors that name the flag. No I/O here.
import { parseArgs } from 'node:util';
import { parseSize } from '@cairn/api';
import { UsageError } from './errors.js';

export interface FlagSpec {
  /** 'string' flags take a value (--size 1Gi or --size=1Gi); 'boolean' flags do not. */
  type: 'string' | 'boolean';
  short?: string;
  /** The placeholder shown in help, e.g. SIZE. */
  value?: string;
  /** Shown in the usage line; the command checks it (requireFlag) so that the error names it. */
  required?: boolean;
  /** A string flag that may be given more than once (--group a --group b): flagValues reads them all. */
  multiple?: boolean;
  help: string;
}

export interface CommandSpec {
  /** The words that name the command, e.g. "volume create". */
  path: string;
  /** Positional arguments in order: NAME is required, [NAME] optional. */
  args: string[];
  flags: Record<string, FlagSpec>;
  summary: string;
  /** Extra lines for --help. */
  notes?: string;
}

/** Flags every command accepts: where the manager is, how to authenticate, how to print. */
export const GLOBAL_FLAGS: Record<string, FlagSpec> = {
  output: { type: 'string', short: 'o', value: 'table|json', help: 'output format (default table)' },
  endpoint: { type: 'string', value: 'HOST:PORT', help: 'the manager\'s admin API (env CAIRN_ENDPOINT)' },
  token: { type: 'string', value: 'TOKEN', help: 'bearer token (env CAIRN_TOKEN)' },
  'token-file': { type: 'string', value: 'FILE', help: 'read the bearer token from FILE (env CAIRN_TOKEN_FILE)' },
  cluster: { type: 'string', value: 'PATH', help: 'cluster.json written by cairn up (env CAIRN_CLUSTER; default ./.cairn/cluster.json)' },
  'tls-ca': { type: 'string', value: 'FILE', help: 'PEM of the CA that signed the manager\'s certificate (env CAIRN_TLS_CA)' },
  timeout: { type: 'string', value: 'DURATION', help: 'deadline of each call, e.g. 30s, 2m (env CAIRN_TIMEOUT; default 60s)' },
  help: { type: 'boolean', short: 'h', help: 'print this help' },
};

export interface Parsed {
  /** Positional arguments by their declared name (without brackets). */
  args: Record<string, string | undefined>;
  /** Flags that were given: the text of string flags (the last, for a flag given twice), true for boolean flags. */
  flags: Record<string, string | true | undefined>;
  /** Every value of each `multiple` flag given, in order. */
  lists?: Record<string, string[]>;
}

const argName = (a: string): string => a.replace(/^\[|\]$/g, '');
const isOptional = (a: string): boolean => a.startsWith('[');

/** Checks argv (what follows the command's words) against the spec. */
export function parseCommand(spec: CommandSpec, argv: string[]): Parsed {
  const all = { ...GLOBAL_FLAGS, ...spec.flags };
  const options: Record<string, { type: 'string' | 'boolean'; short?: string }> = {};
  for (const [name, f] of Object.entries(all)) options[name] = f.short ? { type: f.type, short: f.short } : { type: f.type };
  // Lenient parsing with tokens, then our own checks: the errors then say what people need.
  const { tokens } = parseArgs({ args: argv, options, strict: false, allowPositionals: true, tokens: true });
  const flags: Parsed['flags'] = {};
  const lists: Record<string, string[]> = {};
  const positionals: string[] = [];
  for (const t of tokens) {
    if (t.kind === 'positional') {
      positionals.push(t.value);
      continue;
    }
    if (t.kind === 'option-terminator') continue;
    const f = all[t.name];
    if (!f) throw new UsageError(`unknown flag ${t.rawName} for "cairn ${spec.path}"`, spec.path);
    if (f.type === 'boolean') {
      if (t.inlineValue) throw new UsageError(`flag --${t.name} takes no value`, spec.path);
      flags[t.name] = true;
      continue;
    }
    if (t.value === undefined || (!t.inlineValue && t.value.startsWith('--'))) {
      throw new UsageError(`flag --${t.name} needs a value${f.value ? ` (${f.value})` : ''}`, spec.path);
    }
    flags[t.name] = t.value;
    if (f.multiple) (lists[t.name] ??= []).push(t.value);
  }
  const args: Parsed['args'] = {};
  if (flags['help']) return { args, flags, lists };
  spec.args.forEach((a, i) => {
    const v = positionals[i];
    if (v === undefined && !isOptional(a)) throw new UsageError(`missing ${argName(a)}: usage: ${usageLine(spec)}`, spec.path);
    if (v !== undefined && v === '') throw new UsageError(`${argName(a)} must not be empty`, spec.path);
    args[argName(a)] = v;
  });
  if (positionals.length > spec.args.length) {
    throw new UsageError(`unexpected argument "${positionals[spec.args.length]}" for "cairn ${spec.path}"`, spec.path);
  }
  return { args, flags, lists };
}

export function usageLine(spec: CommandSpec): string {
  const required = Object.entries(spec.flags)
    .filter(([, f]) => f.required)
    .map(([n, f]) => `--${n} ${f.value ?? ''}`.trimEnd());
  return ['cairn', spec.path, ...spec.args, ...required, Object.keys(spec.flags).length > required.length ? '[flags]' : '']
    .filter(Boolean)
    .join(' ');
}

function flagLines(flags: Record<string, FlagSpec>): string[] {
  const rows = Object.entries(flags).map(([n, f]) => [`${f.short ? `-${f.short}, ` : '    '}--${n}${f.value ? ` ${f.value}` : ''}`, f.help] as const);
  const w = Math.max(0, ...rows.map(([l]) => l.length));
  return rows.map(([l, h]) => `  ${l.padEnd(w)}  ${h}`);
}

export function commandHelp(spec: CommandSpec): string {
  const parts = [`usage: ${usageLine(spec)}`, '', spec.summary];
  if (spec.notes) parts.push('', spec.notes);
  if (Object.keys(spec.flags).length) parts.push('', 'flags:', ...flagLines(spec.flags));
  parts.push('', 'global flags:', ...flagLines(GLOBAL_FLAGS));
  return parts.join('\n') + '\n';
}

// ---- typed flag values -------------------------------------------------------------------------

function text(p: Parsed, name: string): string | undefined {
  const v = p.flags[name];
  return typeof v === 'string' ? v : undefined;
}

export function flagString(p: Parsed, name: string, command = ''): string | undefined {
  const v = text(p, name);
  if (v !== undefined && v.trim() === '') throw new UsageError(`--${name} must not be empty`, command);
  return v;
}

export function requireFlag(p: Parsed, name: string, command = '', example = ''): string {
  const v = flagString(p, name, command);
  if (v === undefined) throw new UsageError(`--${name} is required${example ? ` (e.g. --${name} ${example})` : ''}`, command);
  return v;
}

export function flagSize(p: Parsed, name: string, command = ''): number | undefined {
  const v = text(p, name);
  if (v === undefined) return undefined;
  return sizeValue(v, `--${name}`, command);
}

export function sizeValue(v: string, what: string, command = ''): number {
  let n: number;
  try {
    n = parseSize(v);
  } catch (e) {
    throw new UsageError(`${what}: ${(e as Error).message}`, command);
  }
  return n;
}

export function flagInt(p: Parsed, name: string, o: { min?: number; max?: number; command?: string } = {}): number | undefined {
  const v = text(p, name);
  if (v === undefined) return undefined;
  const min = o.min ?? 0;
  const max = o.max ?? Number.MAX_SAFE_INTEGER;
  if (!/^\d+$/.test(v.trim()) || Number(v) < min || Number(v) > max) {
    const range = o.max !== undefined ? `an integer from ${min} to ${max}` : `an integer of at least ${min}`;
    throw new UsageError(`--${name}: expected ${range}, got "${v}"`, o.command ?? '');
  }
  return Number(v);
}

export function flagBool(p: Parsed, name: string, command = ''): boolean | undefined {
  const v = text(p, name);
  if (v === undefined) return undefined;
  const t = v.trim().toLowerCase();
  if (t === 'true') return true;
  if (t === 'false') return false;
  throw new UsageError(`--${name}: expected true or false, got "${v}"`, command);
}

/** Every value of a `multiple` flag, each also split at commas ("a,b" -> a, b); undefined when not given. */
export function flagValues(p: Parsed, name: string): string[] | undefined {
  const vs = p.lists?.[name] ?? (typeof p.flags[name] === 'string' ? [p.flags[name] as string] : undefined);
  return vs?.flatMap((v) => v.split(',')).map((s) => s.trim()).filter((s) => s !== '');
}

/** A comma-separated list: "a,b" -> ['a', 'b']; "" -> [] (which clears a list on update). */
export function flagList(p: Parsed, name: string): string[] | undefined {
  const v = text(p, name);
  if (v === undefined) return undefined;
  return v.split(',').map((s) => s.trim()).filter((s) => s !== '');
}

export function flagEnum<T extends string>(p: Parsed, name: string, allowed: readonly T[], command = ''): T | undefined {
  const v = text(p, name);
  if (v === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(v)) {
    throw new UsageError(`--${name}: expected one of ${allowed.join(', ')}, got "${v}"`, command);
  }
  return v as T;
}

/** Durations for --timeout: 30s, 2m, 1h, 500ms, or plain seconds. */
export function parseDuration(v: string, what = '--timeout'): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/.exec(v);
  if (!m || Number(m[1]) <= 0) throw new UsageError(`${what}: expected a duration such as 30s, 2m or 500ms, got "${v}"`);
  const mult = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] ?? 's'] ?? 1000;
  return Math.round(Number(m[1]) * mult);
}
