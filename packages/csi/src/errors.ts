// CSI answers errors with the spec's gRPC status codes. Handlers throw CsiError (or anything else,
// which becomes INTERNAL); `unary` turns a promise-returning handler into grpc-js's callback form
// and logs refusals with the request's secrets stripped.
import { randomBytes } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import type { Logger } from '@cairn/api';

export class CsiError extends Error {
  constructor(readonly code: grpc.status, message: string) {
    super(message);
  }
}

export const invalid = (m: string): CsiError => new CsiError(grpc.status.INVALID_ARGUMENT, m);
export const notFound = (m: string): CsiError => new CsiError(grpc.status.NOT_FOUND, m);

const STRIPPED = '***stripped***';

/**
 * A copy of a request fit for logs: every `secrets` map (any depth) has its values replaced, and
 * so do mount capabilities' `mountFlags` (the spec: they MAY contain sensitive information).
 */
export function redact(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redact);
  if (!value || typeof value !== 'object' || Buffer.isBuffer(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (k === 'secrets' && v && typeof v === 'object') {
      out[k] = Object.fromEntries(Object.keys(v as object).map((s) => [s, STRIPPED]));
    } else if (k === 'mountFlags' && Array.isArray(v)) {
      out[k] = v.map(() => STRIPPED);
    } else out[k] = redact(v);
  }
  return out;
}

/** The CSI servers' logger (@cairn/api): the hosting manager's or agent's, with component csi-*. */
export type Log = Logger;

/**
 * A status message cut to 2 KiB of UTF-8. Refusals quote the offending value, which can be
 * megabytes long; a grpc-message trailer that big exceeds the client's header-list limit and
 * wedges its connection (that call and every later one on it hang until the deadline).
 */
export function boundDetails(details: string, maxBytes = 2048): string {
  if (Buffer.byteLength(details) <= maxBytes) return details;
  let cut = details.slice(0, 1000);
  while (Buffer.byteLength(cut) > maxBytes - 64) cut = cut.slice(0, -1);
  if (/[\ud800-\udbff]$/.test(cut)) cut = cut.slice(0, -1); // no half of a surrogate pair
  return `${cut}... (${Buffer.byteLength(details)} bytes in all)`;
}

/**
 * grpc-js unary handler from an async function; errors keep their CSI code. The call is passed
 * too, for handlers that wait and should stop when the caller gives up (its deadline, a cancel).
 */
export function unary<Req, Res>(
  name: string, log: Log, fn: (req: Req, call: grpc.ServerUnaryCall<Req, Res>) => Promise<Res>,
): grpc.handleUnaryCall<Req, Res> {
  return (call, callback) => {
    // One id per call (reqId), with the CSI method and the volume it names, on every line the call logs.
    const volumeId = (call.request as { volumeId?: unknown } | null)?.volumeId;
    const callLog = log.child({ reqId: randomBytes(6).toString('hex'), method: name, ...(typeof volumeId === 'string' && volumeId ? { volume: volumeId.slice(0, 256) } : {}) });
    fn(call.request, call).then(
      (res) => {
        callLog.debug(`csi ${name} answered`);
        callback(null, res);
      },
      (e: unknown) => {
        const code = e instanceof CsiError ? e.code : grpc.status.INTERNAL;
        const message = e instanceof Error ? e.message : String(e);
        callLog.warn({ code: grpc.status[code] },
          `csi ${name} ${grpc.status[code]}: ${boundDetails(message)} request=${boundDetails(JSON.stringify(redact(call.request)), 8192)}`);
        callback({ code, details: boundDetails(message), metadata: new grpc.Metadata() } as grpc.ServiceError);
      },
    );
  };
}
