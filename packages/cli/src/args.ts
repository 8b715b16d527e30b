// Command lines: each command declares its positional arguments and flags; parseCommand checks a
// command line against that declaration (every error names the flag or argument), and the value
// helpers turn flag text into typed values with errors that name the flag. No I/O here. The
// declaration and the parser are @cairn/api's command-line.ts (commander), shared by every entry point.
import { commandHelp as helpOf, parseCommandLine, parseSize, usageLine } from '@cairn/api';
import type { CommandSpec, FlagSpec, Parsed, SharedFlags } from '@cairn/api';
import { UsageError } from './errors.js';

export type { CommandSpec, FlagSpec, Parsed } from '@cairn/api';
export { usageLine };

/** Flags every command accepts: where the manager is, how to authenticate, how to print. */
export const GLOBAL_FLAGS: Record<string, FlagSpec> = {
  output: { type: 'string', short: 'o', value: 'table|json', help: 'output format (default table)' },
  endpoint: { type: 'string', value: 'HOST:PORT', help: "the manager's admin API (env CAIRN_ENDPOINT)" },
  token: { type: 'string', value: 'TOKEN', help: 'bearer token (env CAIRN_TOKEN)' },
  'token-file': { type: 'string', value: 'FILE', help: 'read the bearer token from FILE (env CAIRN_TOKEN_FILE)' },
  cluster: {
    type: 'string',
    value: 'PATH',
    help: 'cluster.json written by cairn up (env CAIRN_CLUSTER; default ./.cairn/cluster.json)',
  },
  'tls-ca': {
    type: 'string',
    value: 'FILE',
    help: "PEM of the CA that signed the manager's certificate (env CAIRN_TLS_CA)",
  },
  timeout: {
    type: 'string',
    value: 'DURATION',
    help: 'deadline of each call, e.g. 30s, 2m (env CAIRN_TIMEOUT; default 60s)',
  },
  help: { type: 'boolean', short: 'h', help: 'print this help' },
};

const GLOBALS: SharedFlags = { heading: 'global flags:', flags: GLOBAL_FLAGS };

/** Checks an admin command's argv (what follows the command's words) against its spec and the global flags. */
export function parseCommand(spec: CommandSpec, argv: string[]): Parsed {
  return parseCommandLine(spec, argv, GLOBALS);
}

/** An admin command's help: its flags, then the global ones. */
export function commandHelp(spec: CommandSpec): string {
  return helpOf(spec, GLOBALS);
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
  if (v === undefined)
    throw new UsageError(`--${name} is required${example ? ` (e.g. --${name} ${example})` : ''}`, command);
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

export function flagInt(
  p: Parsed,
  name: string,
  o: { min?: number; max?: number; command?: string } = {},
): number | undefined {
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
  return vs
    ?.flatMap((v) => v.split(','))
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/** A comma-separated list: "a,b" -> ['a', 'b']; "" -> [] (which clears a list on update). */
export function flagList(p: Parsed, name: string): string[] | undefined {
  const v = text(p, name);
  if (v === undefined) return undefined;
  return v
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

export function flagEnum<T extends string>(
  p: Parsed,
  name: string,
  allowed: readonly T[],
  command = '',
): T | undefined {
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
  if (!m || Number(m[1]) <= 0)
    throw new UsageError(`${what}: expected a duration such as 30s, 2m or 500ms, got "${v}"`);
  const mult = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] ?? 's'] ?? 1000;
  return Math.round(Number(m[1]) * mult);
}
