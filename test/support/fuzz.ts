// Seeded generators for the fuzz pass (issue 7, section 2): requests built from the proto
// definitions themselves (protobufjs reflection: every field of every request message, by its
// type), mutations of valid requests (one field at a time), and garbage bytes.
//
// One seed drives everything: it is printed at the start, and CAIRN_FUZZ_SEED=<n> replays a run.
// CAIRN_FUZZ_SCALE=<k> multiplies every iteration count for a long run.
import { join } from 'node:path';
import protobuf from 'protobufjs';
import { PROTO_DIR } from '@cairn/api';

export const FUZZ_SEED = process.env.CAIRN_FUZZ_SEED
  ? Number(process.env.CAIRN_FUZZ_SEED) >>> 0
  : (Date.now() ^ (process.pid << 16)) >>> 0;
export const FUZZ_SCALE = Math.max(0.01, Number(process.env.CAIRN_FUZZ_SCALE ?? 1));
/** An iteration count, scaled by CAIRN_FUZZ_SCALE. */
export const iterations = (n: number): number => Math.max(1, Math.round(n * FUZZ_SCALE));

/** A small, fast, seedable PRNG (mulberry32) with the helpers the generators need. */
export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  /** A float in [0, 1). */
  next(): number {
    this.s = (this.s + 0x6d2b79f5) >>> 0;
    let t = this.s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(xs: readonly T[]): T {
    if (xs.length === 0) throw new Error('pick from nothing');
    return xs[Math.floor(this.next() * xs.length)]!;
  }
  bytes(n: number): Buffer {
    const b = Buffer.allocUnsafe(n);
    for (let i = 0; i < n; i++) b[i] = Math.floor(this.next() * 256);
    return b;
  }
  /** A child generator with its own stream (so one phase's count does not shift another's). */
  fork(label: string): Rng {
    let h = this.s ^ 0x9e3779b9;
    for (const c of label) h = Math.imul(h ^ c.charCodeAt(0), 0x01000193);
    return new Rng(h >>> 0);
  }
}

/** The root generator of this run; each phase forks its own stream from it. */
export const fuzzRng = (label: string): Rng => new Rng(FUZZ_SEED).fork(label);

// ---- values ----------------------------------------------------------------------------------

/**
 * Strings that have broken parsers and validators before: empty, huge, unicode (combining, RTL,
 * astral, lone surrogates, NUL), path traversal, URL-ish, shell-ish (nothing may run them: the
 * marker file they would create is checked by the suite), and near-valid names.
 */
export const SHELL_MARKER = '/tmp/cairn-fuzz-shell-ran';
export function stringPool(extra: readonly string[] = []): string[] {
  return [
    '',
    ' ',
    'a',
    'A',
    '-',
    '.',
    '..',
    '_',
    '0',
    '-1',
    'null',
    'undefined',
    'true',
    '{}',
    '[]',
    '%s%n%x',
    '\\',
    '\n',
    '\t',
    '\r\n',
    'vol-0',
    'node-1',
    'disk-1',
    'x'.repeat(63),
    'x'.repeat(64),
    'a'.repeat(256),
    'Bad_Name!',
    'UPPER',
    'trailing-',
    '-leading',
    '\u0000',
    'nul\u0000byte',
    '\u00fc\u00f1\u00ee\u00e7\u00f8d\u00e9',
    '\u0645\u0631\u062d\u0628\u0627',
    '\u202eevil',
    '\ud83d\udca5',
    '\ud800',
    '\uffff',
    'e\u0301\u0301\u0301',
    '../../etc/passwd',
    '../..',
    './x',
    'a/../../b',
    '%2e%2e%2f%2e%2e%2f',
    '..\\..\\windows',
    '//',
    '/',
    '/..',
    '/../../etc/passwd',
    '/proc/self/mem',
    'nbd://127.0.0.1:1/none',
    'nbd+unix:///x?socket=/nonexistent',
    'nbds://[::1]:99999/x',
    'http://example.com/',
    'snap://vol-0/s1',
    'vol://vol-0',
    'snap://',
    'vol://../x',
    `$(touch ${SHELL_MARKER})`,
    `;touch ${SHELL_MARKER}`,
    `\`touch ${SHELL_MARKER}\``,
    '-o',
    '--help',
    '-F',
    '1e309',
    'NaN',
    '9223372036854775808',
    '-9223372036854775809',
    ...extra,
  ];
}

export function randomString(r: Rng, pool: readonly string[], small = false): string {
  const k = small ? r.next() * 0.85 : r.next();
  if (k < 0.55) return r.pick(pool);
  if (k < 0.75) {
    // Random printable and not-so-printable code points.
    const n = r.int(0, 40);
    let s = '';
    for (let i = 0; i < n; i++)
      s += String.fromCodePoint(
        r.chance(0.7) ? r.int(0x20, 0x7e) : r.pick([0, 1, 0x7f, 0xa0, 0x2028, 0xfeff, 0x1f600, r.int(0x80, 0xd7ff)]),
      );
    return s;
  }
  if (k < 0.85) return r.pick(pool) + r.pick(pool);
  if (k < 0.97) return r.pick(['a', '\u00e9', '/', '.', '-']).repeat(r.pick([100, 1000, 65_536]));
  return 'x'.repeat(r.pick([1_000_000, 3_000_000])); // close to the transports' limits
}

const INT64_EDGES = [
  '0',
  '1',
  '-1',
  '4096',
  '4095',
  '4097',
  '2147483647',
  '2147483648',
  '4294967295',
  '4294967296',
  '9007199254740991',
  '9007199254740993',
  '9223372036854775807',
  '-9223372036854775808',
  '1073741824',
  '1099511627776',
  '-4096',
];
const INT32_EDGES = [0, 1, -1, 2, 3, 20, 21, 99, 100, 101, 4096, 2147483647, -2147483648];
const UINT32_EDGES = [0, 1, 2, 3, 20, 21, 99, 100, 4096, 0x7fffffff, 0xffffffff];

function randomScalar(r: Rng, type: string, pool: readonly string[], small: boolean): unknown {
  switch (type) {
    case 'string':
      return randomString(r, pool, small);
    case 'bytes':
      return r.bytes(r.pick([0, 1, 16, 1000]));
    case 'bool':
      return r.chance(0.5);
    case 'double':
    case 'float':
      return r.pick([0, -0, 1.5, -1, 1e308, -1e308, Number.NaN, Infinity, -Infinity, 5e-324]);
    case 'int32':
    case 'sint32':
    case 'sfixed32':
      return r.chance(0.7) ? r.pick(INT32_EDGES) : r.int(-1e6, 1e6);
    case 'uint32':
    case 'fixed32':
      return r.chance(0.7) ? r.pick(UINT32_EDGES) : r.int(0, 1e6);
    case 'int64':
    case 'sint64':
    case 'sfixed64':
      return r.chance(0.7) ? r.pick(INT64_EDGES) : String(r.int(-1e9, 1e9) * 4096);
    case 'uint64':
    case 'fixed64':
      return r.chance(0.7) ? r.pick(INT64_EDGES.filter((x) => !x.startsWith('-'))) : String(r.int(0, 1e9));
    default:
      throw new Error(`unknown scalar type ${type}`);
  }
}

// ---- messages from their definitions -----------------------------------------------------------

export interface ProtoFile {
  root: protobuf.Root;
  /** Every service of the file (and its imports), by full name without the leading dot. */
  services: protobuf.Service[];
}

/** Loads a proto file (and its imports, from PROTO_DIR) for reflection. */
export function loadProto(file: string): ProtoFile {
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => (target.startsWith('google/protobuf/') ? target : join(PROTO_DIR, target));
  root.loadSync(file, { keepCase: false });
  root.resolveAll();
  const services: protobuf.Service[] = [];
  const walk = (ns: protobuf.NamespaceBase): void => {
    for (const o of ns.nestedArray) {
      if (o instanceof protobuf.Service) services.push(o);
      else if (o instanceof protobuf.Namespace || o instanceof protobuf.Type) walk(o);
    }
  };
  walk(root);
  return { root, services: services.filter((s) => s.filename === join(PROTO_DIR, file) || s.filename === file) };
}

export interface GenOptions {
  pool: readonly string[];
  /** Probability that a field is left out. */
  missing?: number;
  /**
   * Per field name (camelCase): a generator of one element that overrides the generic one some of
   * the time; per "Type.field": a generator of the whole field (a map, a list).
   */
  hints?: Record<string, (r: Rng) => unknown>;
  /** No huge strings (inside long repeated fields). */
  small?: boolean;
}

/** A random value for one field (singular or repeated/map). */
function randomField(r: Rng, f: protobuf.Field, o: GenOptions, depth: number): unknown {
  // A hint for the whole field ("Type.field"), e.g. a map of known keys.
  const whole = o.hints?.[`${f.parent?.name ?? ''}.${f.name}`];
  if (whole && r.chance(0.5)) return whole(r);
  if (f instanceof protobuf.MapField) {
    const out: Record<string, unknown> = {};
    for (let i = r.int(0, 3); i > 0; i--) {
      const v = randomSingle(r, f, o, depth);
      if (v !== null) out[randomString(r, o.pool, true)] = v;
    }
    return out;
  }
  if (f.repeated) {
    const many = r.chance(0.05);
    const n = many ? r.pick([100, 1000]) : r.int(0, 3);
    // Many elements, but not many huge ones: the message stays near the transports' limits.
    return Array.from({ length: n }, () => randomSingle(r, f, many ? { ...o, small: true } : o, depth)).filter(
      (v) => v !== null,
    );
  }
  return randomSingle(r, f, o, depth);
}

function randomSingle(r: Rng, f: protobuf.Field, o: GenOptions, depth: number): unknown {
  const hint = o.hints?.[f.name];
  if (hint && r.chance(0.4)) return hint(r);
  const t = f.resolvedType;
  if (t instanceof protobuf.Enum) {
    // A known name, or a number the enum does not define (a newer client, or garbage).
    return r.chance(0.7)
      ? r.pick(Object.keys(t.values))
      : r.pick([-1, 999, 0x7fffffff, ...Object.values(t.values).map((v) => v + 1)]);
  }
  if (t instanceof protobuf.Type) return depth > 4 || r.chance(0.1) ? null : randomObject(r, t, o, depth + 1);
  return randomScalar(r, f.type, o.pool, o.small ?? false);
}

/** A random plain object for message type `t`: each field present or missing, of its own type. */
export function randomObject(r: Rng, t: protobuf.Type, o: GenOptions, depth = 0): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of t.fieldsArray) {
    if (r.chance(o.missing ?? 0.35)) continue;
    const v = randomField(r, f, o, depth);
    if (v !== null) out[f.name] = v;
  }
  return out;
}

/** Encodes a plain object as message type `t` (what goes on the wire). */
export function encode(t: protobuf.Type, obj: Record<string, unknown>): Buffer {
  return Buffer.from(t.encode(t.fromObject(obj)).finish());
}

/**
 * A valid request with one field changed: dropped, set to a random value of its type, or (for a
 * nested message) one of its own fields changed the same way. Returns the object and a label.
 */
export function mutateOne(
  r: Rng,
  t: protobuf.Type,
  valid: Record<string, unknown>,
  o: GenOptions,
): { obj: Record<string, unknown>; what: string } {
  const obj = structuredClone(valid);
  const fields = t.fieldsArray;
  if (fields.length === 0) return { obj, what: '(no fields)' };
  const f = r.pick(fields);
  const cur = obj[f.name];
  if (cur !== undefined && r.chance(0.2)) {
    delete obj[f.name];
    return { obj, what: `${f.name} dropped` };
  }
  if (
    f.resolvedType instanceof protobuf.Type &&
    !f.repeated &&
    !(f instanceof protobuf.MapField) &&
    cur &&
    typeof cur === 'object' &&
    r.chance(0.6)
  ) {
    const inner = mutateOne(r, f.resolvedType, cur as Record<string, unknown>, o);
    obj[f.name] = inner.obj;
    return { obj, what: `${f.name}.${inner.what}` };
  }
  if (f.repeated && Array.isArray(cur) && cur.length > 0 && r.chance(0.5)) {
    const i = r.int(0, cur.length - 1);
    cur[i] = randomSingle(r, f, o, 1) ?? cur[i];
    return { obj, what: `${f.name}[${i}] changed` };
  }
  obj[f.name] = randomField(r, f, o, 1);
  return { obj, what: `${f.name} = ${preview(obj[f.name])}` };
}

/** Wire-level damage to an encoded message: flipped bits, truncation, inserted or appended junk. */
export function mutateBytes(r: Rng, b: Buffer): Buffer {
  const out = Buffer.from(b);
  switch (r.int(0, 4)) {
    case 0:
      for (let i = r.int(1, 4); i > 0 && out.length; i--) out[r.int(0, out.length - 1)]! ^= 1 << r.int(0, 7);
      return out;
    case 1:
      return out.subarray(0, r.int(0, Math.max(0, out.length - 1)));
    case 2: {
      const at = r.int(0, out.length);
      return Buffer.concat([out.subarray(0, at), r.bytes(r.int(1, 16)), out.subarray(at)]);
    }
    case 3:
      return Buffer.concat([out, r.bytes(r.int(1, 64))]);
    default:
      return r.bytes(r.int(0, 200));
  }
}

/** A short printable form of a value for failure messages. */
export function preview(v: unknown): string {
  const s = JSON.stringify(v, (_k, x) =>
    typeof x === 'string' && x.length > 40
      ? `${x.slice(0, 20)}...(${x.length} chars)`
      : Buffer.isBuffer(x)
        ? `<${x.length} bytes>`
        : x,
  );
  return s === undefined ? String(v) : s.length > 300 ? `${s.slice(0, 300)}...` : s;
}
