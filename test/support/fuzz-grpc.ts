// Raw gRPC calls for the fuzz pass: a request is bytes on the wire (so a generated message, a
// mutated one and plain garbage all go the same way), every call has a deadline, and each
// outcome is checked against the codes a refusal may carry. Also: garbage on the HTTP/2 socket
// itself, and malformed gRPC framing on a well-formed HTTP/2 stream.
import * as grpc from '@grpc/grpc-js';
import { connect as h2connect, constants as H2 } from 'node:http2';
import { connect as netConnect } from 'node:net';
import type protobuf from 'protobufjs';
import { preview } from './fuzz.js';
import type { Rng } from './fuzz.js';

export const CODE = grpc.status;
export const codeName = (c: number): string => grpc.status[c] ?? `code ${c}`;

export interface Outcome {
  code: number;
  details: string;
  ms: number;
  /** Decoded answer of a call that succeeded (unary), or the messages a stream sent. */
  answer?: unknown;
}

const identity = (b: Buffer): Buffer => b;

/** tlsCa: the cluster CA, for a manager that serves TLS (unix sockets: none). */
export function rawClient(address: string, tlsCa?: Buffer): grpc.Client {
  // A huge request must be refused by the server (RESOURCE_EXHAUSTED), not by our own client.
  return new grpc.Client(address, tlsCa ? grpc.credentials.createSsl(tlsCa) : grpc.credentials.createInsecure(), {
    'grpc.max_send_message_length': -1,
    'grpc.max_receive_message_length': -1,
  });
}

export function bearer(token: string): grpc.Metadata {
  const md = new grpc.Metadata();
  if (token) md.set('authorization', `Bearer ${token}`);
  return md;
}

/** One unary call with `body` as the request bytes; resolves with its status (never rejects). */
export function rawUnary(
  client: grpc.Client,
  path: string,
  body: Buffer,
  md: grpc.Metadata,
  timeoutMs: number,
  decode?: protobuf.Type,
): Promise<Outcome> {
  const t0 = Date.now();
  return new Promise((resolve) => {
    client.makeUnaryRequest(path, identity, identity, body, md, { deadline: Date.now() + timeoutMs }, (err, res) => {
      const ms = Date.now() - t0;
      if (err) resolve({ code: err.code ?? CODE.UNKNOWN, details: err.details ?? err.message, ms });
      else
        resolve({
          code: CODE.OK,
          details: '',
          ms,
          answer:
            decode && res
              ? decode.toObject(decode.decode(res), { longs: Number, enums: String, defaults: true })
              : undefined,
        });
    });
  });
}

/**
 * A server-streaming call: collects what the stream sends for at most `openMs`; a stream still
 * open then (a `follow` watch) is cancelled by us and counts as OK ("open").
 */
export function rawStream(
  client: grpc.Client,
  path: string,
  body: Buffer,
  md: grpc.Metadata,
  openMs: number,
  timeoutMs: number,
): Promise<Outcome & { open: boolean }> {
  const t0 = Date.now();
  return new Promise((resolve) => {
    const call = client.makeServerStreamRequest(path, identity, identity, body, md, {
      deadline: Date.now() + timeoutMs,
    });
    let n = 0;
    let cancelled = false;
    const timer = setTimeout(() => {
      cancelled = true;
      call.cancel();
    }, openMs);
    call.on('data', () => n++);
    call.on('error', () => undefined);
    call.on('status', (s: grpc.StatusObject) => {
      clearTimeout(timer);
      const ms = Date.now() - t0;
      if (cancelled && s.code === CODE.CANCELLED)
        resolve({ code: CODE.OK, details: `open after ${openMs} ms (${n} messages)`, ms, open: true, answer: n });
      else resolve({ code: s.code, details: s.details, ms, open: false, answer: n });
    });
  });
}

/** Codes a refusal of bad input may carry, per API. */
export const ADMIN_REFUSALS = new Set([
  CODE.INVALID_ARGUMENT,
  CODE.NOT_FOUND,
  CODE.ALREADY_EXISTS,
  CODE.FAILED_PRECONDITION,
  CODE.UNAUTHENTICATED,
]);
/** CSI's: the spec's codes, and UNAVAILABLE when a volume's NBD export cannot be reached (the CO retries). */
export const CSI_REFUSALS = new Set([
  CODE.INVALID_ARGUMENT,
  CODE.NOT_FOUND,
  CODE.ALREADY_EXISTS,
  CODE.FAILED_PRECONDITION,
  CODE.OUT_OF_RANGE,
  CODE.UNAVAILABLE,
]);
/** The Controller's answers per the spec also include ABORTED (a starting_token it never gave, an
 * operation on that volume in flight) and RESOURCE_EXHAUSTED (a volume that cannot be placed). */
export const CSI_CONTROLLER_REFUSALS = new Set([...CSI_REFUSALS, CODE.ABORTED, CODE.RESOURCE_EXHAUSTED]);

/** Counts outcomes per method and code, and collects what broke a rule (reported together at the end). */
export class Tally {
  readonly counts = new Map<string, Map<string, number>>();
  readonly failures: string[] = [];
  add(method: string, o: Outcome): void {
    this.addKey(method, codeName(o.code));
  }
  addKey(method: string, key: string): void {
    const m = this.counts.get(method) ?? new Map<string, number>();
    m.set(key, (m.get(key) ?? 0) + 1);
    this.counts.set(method, m);
  }
  fail(what: string): void {
    if (this.failures.length < 40) this.failures.push(what);
    else if (this.failures.length === 40) this.failures.push('... (more failures not shown)');
  }
  total(): number {
    let n = 0;
    for (const m of this.counts.values()) for (const v of m.values()) n += v;
    return n;
  }
  /** One line per method: "Method  OK 3, INVALID_ARGUMENT 40". */
  table(title: string): string {
    const lines = [...this.counts]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(
        ([m, cs]) =>
          `  ${m.padEnd(28)} ${[...cs]
            .sort(([a], [b]) => a.localeCompare(b))
            .map(([c, n]) => `${c} ${n}`)
            .join(', ')}`,
      );
    return `${title}: ${this.total()} calls\n${lines.join('\n')}`;
  }
}

/** The rule every answer obeys: within the deadline, and refused only with one of `refusals`. */
export function checkOutcome(
  t: Tally,
  method: string,
  req: unknown,
  o: Outcome,
  refusals: Set<number>,
  extra: Set<number> = new Set(),
): void {
  t.add(method, o);
  if (o.code === CODE.DEADLINE_EXCEEDED)
    t.fail(`${method} ${preview(req)}: no answer within the deadline (${o.ms} ms)`);
  else if (o.code !== CODE.OK && !refusals.has(o.code) && !extra.has(o.code))
    t.fail(`${method} ${preview(req)}: ${codeName(o.code)} "${o.details}"`);
}

// ---- below gRPC ---------------------------------------------------------------------------------

/** Writes garbage to a fresh TCP connection; resolves once the server closed it or after `waitMs`. */
export function tcpGarbage(host: string, port: number, bytes: Buffer, waitMs: number): Promise<'closed' | 'open'> {
  return new Promise((resolve) => {
    const s = netConnect(port, host);
    let done = false;
    const finish = (how: 'closed' | 'open'): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      s.destroy();
      resolve(how);
    };
    const timer = setTimeout(() => finish('open'), waitMs);
    s.on('connect', () => s.write(bytes));
    s.on('data', () => undefined);
    s.on('error', () => finish('closed'));
    s.on('close', () => finish('closed'));
  });
}

/**
 * A gRPC request with a malformed body framing on a well-formed HTTP/2 stream (e.g. a length
 * prefix larger than what follows, a compressed flag without an encoding). Resolves with the
 * grpc-status the server answered, or 'closed' / 'timeout'.
 */
export function h2Grpc(
  authority: string,
  path: string,
  body: Buffer,
  headers: Record<string, string>,
  timeoutMs: number,
  tlsCa?: Buffer,
): Promise<string> {
  return new Promise((resolve) => {
    const session = tlsCa ? h2connect(`https://${authority}`, { ca: tlsCa }) : h2connect(`http://${authority}`);
    let done = false;
    const finish = (r: string): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      session.destroy();
      resolve(r);
    };
    const timer = setTimeout(() => finish('timeout'), timeoutMs);
    session.on('error', () => finish('closed'));
    session.on('close', () => finish('closed'));
    const req = session.request({
      [H2.HTTP2_HEADER_METHOD]: 'POST',
      [H2.HTTP2_HEADER_PATH]: path,
      'content-type': 'application/grpc',
      te: 'trailers',
      ...headers,
    });
    let status = '';
    req.on('response', (h) => {
      if (h['grpc-status'] !== undefined) status = String(h['grpc-status']);
    });
    req.on('trailers', (h) => {
      if (h['grpc-status'] !== undefined) status = String(h['grpc-status']);
    });
    req.on('data', () => undefined);
    req.on('error', () => finish(status || 'closed'));
    req.on('close', () => finish(status || 'closed'));
    req.end(body);
  });
}

/** A gRPC length-prefixed message frame: compressed flag, 32-bit length, then the bytes. */
export function grpcFrame(payload: Buffer, opts: { compressed?: boolean; declaredLength?: number } = {}): Buffer {
  const h = Buffer.alloc(5);
  h[0] = opts.compressed ? 1 : 0;
  h.writeUInt32BE(opts.declaredLength ?? payload.length, 1);
  return Buffer.concat([h, payload]);
}

/** Malformed framings of `payload` for h2Grpc. */
export function badFramings(
  r: Rng,
  payload: Buffer,
): { what: string; body: Buffer; headers: Record<string, string> }[] {
  return [
    {
      what: 'length prefix larger than the body',
      body: grpcFrame(payload, { declaredLength: payload.length + r.int(1, 1000) }),
      headers: {},
    },
    { what: 'length prefix of 4 GiB', body: grpcFrame(payload, { declaredLength: 0xffffffff }), headers: {} },
    { what: 'compressed flag without an encoding', body: grpcFrame(payload, { compressed: true }), headers: {} },
    {
      what: 'gzip that is not gzip',
      body: grpcFrame(r.bytes(32), { compressed: true }),
      headers: { 'grpc-encoding': 'gzip' },
    },
    {
      what: 'unknown encoding',
      body: grpcFrame(payload, { compressed: true }),
      headers: { 'grpc-encoding': 'zstd-nonsense' },
    },
    { what: 'a truncated frame header', body: Buffer.from([0, 0, 0]), headers: {} },
    {
      what: 'two messages on a unary call',
      body: Buffer.concat([grpcFrame(payload), grpcFrame(payload)]),
      headers: {},
    },
    { what: 'no message at all', body: Buffer.alloc(0), headers: {} },
    { what: 'garbage after the frame', body: Buffer.concat([grpcFrame(payload), r.bytes(7)]), headers: {} },
    { what: 'a bad grpc-timeout', body: grpcFrame(payload), headers: { 'grpc-timeout': 'forever' } },
    { what: 'a wrong content-type', body: grpcFrame(payload), headers: { 'content-type': 'text/plain' } },
  ];
}
