// The one logger of every cairn process (manager, node agent, the CSI servers they host, `cairn up`'s
// supervision), built on pino. Why one module: the format (JSON for log collectors, readable lines
// for people), the levels, the secrets that never reach a line and the flags' accepted values are
// decided here once; every other package takes a `Logger` and adds fields (`volume`, `replica`,
// `node`, `seq`, `reqId`) and a `component` through child loggers.
//
// Both formats write synchronously (pino.destination with sync: true; the readable format is
// pino-pretty's prettifier called in-line, not a worker-thread transport), so the last lines before
// an exit or a crash are not lost. The clock is injectable (`now`) so tests can fix the time.
import { pino } from 'pino';
import type { DestinationStream, Logger as PinoLogger } from 'pino';
import { prettyFactory } from 'pino-pretty';
import type { FlagSpec } from './command-line.js';

export type Logger = PinoLogger;

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export const LOG_FORMATS = ['json', 'pretty'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

/**
 * Fields that never reach a log line, whatever a caller passes: credentials by their usual names,
 * at the top level and one level down in a call's fields, at the top level in a child's. Messages
 * are text the caller wrote and are not scanned: never put a secret in one.
 */
export const REDACTED_FIELDS = [
  'token',
  'password',
  'secret',
  'secrets',
  'credentials',
  'authorization',
  'nodeKey',
  'key',
  'privateKey',
  'accessKeyId',
  'secretAccessKey',
  'sessionToken',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
] as const;
export const REDACTED = '[redacted]';
const SECRET_KEYS = new Set<string>(REDACTED_FIELDS);

/**
 * `fields` with the values of SECRET_KEYS replaced (the caller's object is not changed). One pass
 * over the keys: pino's own `redact` with a `*.key` path per name cost six times the rest of a
 * line (the manager logs every event it appends).
 */
function redactFields(fields: Record<string, unknown>, depth = 0): Record<string, unknown> {
  let out = fields;
  for (const k of Object.keys(fields)) {
    const v = fields[k];
    let w = v;
    if (SECRET_KEYS.has(k)) w = REDACTED;
    else if (
      depth === 0 &&
      v &&
      typeof v === 'object' &&
      !Array.isArray(v) &&
      !(v instanceof Error) &&
      !Buffer.isBuffer(v)
    ) {
      w = redactFields(v as Record<string, unknown>, 1);
    }
    if (w !== v) {
      if (out === fields) out = { ...fields };
      out[k] = w;
    }
  }
  return out;
}

/** Where lines go: a file descriptor (1: stdout) or anything with write(line). */
export type LogDestination = number | { write(line: string): unknown };

export interface LoggerOptions {
  /** The least level written (default info). */
  level?: LogLevel;
  /** json: one object per line (level, time, msg, fields); pretty: one readable line each. Default json. */
  format?: LogFormat;
  /** The process's name in every line (`name`), e.g. the manager or node id. */
  name?: string;
  /** Default 1 (stdout), written synchronously. */
  destination?: LogDestination;
  /** Milliseconds since the epoch (tests fix it). */
  now?: () => number;
}

export function createLogger(o: LoggerOptions = {}): Logger {
  const now = o.now ?? Date.now;
  const dest = o.destination ?? 1;
  const out: DestinationStream = typeof dest === 'number' ? pino.destination({ dest, sync: true }) : dest;
  return pino(
    {
      level: o.level ?? 'info',
      ...(o.name ? { name: o.name } : {}),
      // Level names, not pino's numbers: a collector and a reader both see "warn".
      formatters: { level: (label) => ({ level: label }), log: (o) => redactFields(o) },
      // A child's fields do not pass the log formatter: its secret keys are redacted by serializers.
      serializers: Object.fromEntries(REDACTED_FIELDS.map((k) => [k, () => REDACTED])),
      timestamp: () => `,"time":"${new Date(now()).toISOString()}"`,
    },
    (o.format ?? 'json') === 'pretty' ? prettyStream(out) : out,
  );
}

/**
 * pino's JSON lines turned into readable ones before they are written:
 * `2026-12-06 05:50:00.123 INFO: [manager-1] reconciler: placed r1 {"volume":"vol1","seq":12}` (UTC).
 */
function prettyStream(out: DestinationStream): DestinationStream {
  // Functions, not pino-pretty's template and date format: a third of the cost per line.
  const prettify = prettyFactory({
    colorize: false,
    singleLine: true,
    translateTime: false,
    ignore: 'pid,hostname,name,component',
    customPrettifiers: { time: (t) => String(t).replace('T', ' ').replace('Z', '') },
    messageFormat: (l) =>
      `${l['name'] ? `[${String(l['name'])}] ` : ''}${l['component'] ? `${String(l['component'])}: ` : ''}${oneLine(String(l['msg']))}`,
  });
  return { write: (line: string) => out.write(prettify(JSON.parse(line))) };
}

/** Control characters of a message (a refusal quoting what a client sent) escaped: one entry, one line. */
function oneLine(msg: string): string {
  let out = '';
  for (let i = 0; i < msg.length; i++) {
    const c = msg.charCodeAt(i);
    out += c < 0x20 || c === 0x7f ? `\\u${c.toString(16).padStart(4, '0')}` : msg[i];
  }
  return out;
}

/**
 * A logger that hands each entry to `onLine` as one readable line (the pretty format): for tests
 * that look for what was logged, and embedders that have their own sink.
 */
export function lineLogger(onLine: (line: string) => void, level: LogLevel = 'info'): Logger {
  return createLogger({ level, format: 'pretty', destination: { write: (l: string) => onLine(l.replace(/\n$/, '')) } });
}

/** A logger that writes nothing (tests that do not look at the log). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}

/** A flag's value checked against the accepted ones; the error names the flag and all of them. */
function oneOf<T extends string>(flag: string, accepted: readonly T[], value: string | undefined, fallback: T): T {
  if (value === undefined) return fallback;
  if ((accepted as readonly string[]).includes(value)) return value as T;
  throw new Error(`${flag} must be one of ${accepted.join(', ')}, got "${value}"`);
}

/** `--log-level`: trace, debug, info (default), warn or error. */
export function parseLogLevel(value: string | undefined, flag = '--log-level'): LogLevel {
  return oneOf(flag, LOG_LEVELS, value, 'info');
}

/** `--log-format`: json or pretty; by default pretty on a terminal, json elsewhere (a pod, a file). */
export function parseLogFormat(value: string | undefined, flag = '--log-format'): LogFormat {
  return oneOf(flag, LOG_FORMATS, value, process.stdout.isTTY ? 'pretty' : 'json');
}

/** The two flags, for the commands that take them (declared as command-line.ts reads them). */
export const LOG_FLAGS: Record<'log-level' | 'log-format', FlagSpec> = {
  'log-level': { type: 'string', value: LOG_LEVELS.join('|'), help: 'default info' },
  'log-format': {
    type: 'string',
    value: LOG_FORMATS.join('|'),
    help: 'json lines, or pretty ones (the default on a terminal)',
  },
};

/** The message of a thrown value, for a log field (`err` keeps the stack where it helps). */
export function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
