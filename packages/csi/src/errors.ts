// CSI answers errors with the spec's gRPC status codes. Handlers throw CsiError (or anything else,
// which becomes INTERNAL); `unary` turns a promise-returning handler into grpc-js's callback form
// and logs refusals with the request's secrets stripped.
import * as grpc from '@grpc/grpc-js';

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

export type Log = (line: string) => void;

/**
 * grpc-js unary handler from an async function; errors keep their CSI code. The call is passed
 * too, for handlers that wait and should stop when the caller gives up (its deadline, a cancel).
 */
export function unary<Req, Res>(
  name: string, log: Log, fn: (req: Req, call: grpc.ServerUnaryCall<Req, Res>) => Promise<Res>,
): grpc.handleUnaryCall<Req, Res> {
  return (call, callback) => {
    fn(call.request, call).then(
      (res) => callback(null, res),
      (e: unknown) => {
        const code = e instanceof CsiError ? e.code : grpc.status.INTERNAL;
        const message = e instanceof Error ? e.message : String(e);
        log(`csi ${name} ${grpc.status[code]}: ${message} request=${JSON.stringify(redact(call.request))}`);
        callback({ code, details: message, metadata: new grpc.Metadata() } as grpc.ServiceError);
      },
    );
  };
}
