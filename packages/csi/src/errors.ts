// The CSI driver's errors and the one place that turns anything thrown into the spec's status.
// A refusal is a CsiError with the spec's gRPC code and a message for the CO that names what is
// wrong; build one with the constructors below (one per code). Anything else thrown (a command
// that failed, a bug) is a fault of this plugin: its whole message, which may name host paths,
// goes to the plugin's log only, and the CO gets INTERNAL with an error id to find it there.
// Errors of the manager's admin API become CsiErrors in fromAdmin, by their code, never by text.
import { randomBytes } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import { boundDetails, isGrpcError } from '@cairn/api';
import type { Logger } from '@cairn/api';

export { boundDetails };

export class CsiError extends Error {
  constructor(
    readonly code: grpc.status,
    message: string,
  ) {
    super(message);
    this.name = 'CsiError';
  }
}

export const invalid = (m: string): CsiError => new CsiError(grpc.status.INVALID_ARGUMENT, m);
export const notFound = (m: string): CsiError => new CsiError(grpc.status.NOT_FOUND, m);
export const alreadyExists = (m: string): CsiError => new CsiError(grpc.status.ALREADY_EXISTS, m);
export const failedPrecondition = (m: string): CsiError => new CsiError(grpc.status.FAILED_PRECONDITION, m);
export const outOfRange = (m: string): CsiError => new CsiError(grpc.status.OUT_OF_RANGE, m);
export const exhausted = (m: string): CsiError => new CsiError(grpc.status.RESOURCE_EXHAUSTED, m);
export const aborted = (m: string): CsiError => new CsiError(grpc.status.ABORTED, m);
/** What the request needs is not reachable now (the volume's NBD export, the manager): the CO retries. */
export const unavailable = (m: string): CsiError => new CsiError(grpc.status.UNAVAILABLE, m);
export const unimplemented = (m: string): CsiError => new CsiError(grpc.status.UNIMPLEMENTED, m);

/** A REQUIRED string field of a request: its value, or INVALID_ARGUMENT naming it. */
export function required(field: string, value: string | undefined): string {
  if (!value) throw invalid(`${field} is required`);
  return value;
}

// ---- errors of the manager's admin API ---------------------------------------------------------

/**
 * The admin code -> the CSI code. The admin's codes already mean what the spec's do
 * (INVALID_ARGUMENT a bad field, NOT_FOUND a missing volume or node, ALREADY_EXISTS a name taken
 * with other parameters, FAILED_PRECONDITION attached or a node down); the rest are faults of
 * the path between controller and manager.
 */
const FROM_ADMIN: Partial<Record<grpc.status, grpc.status>> = {
  [grpc.status.INVALID_ARGUMENT]: grpc.status.INVALID_ARGUMENT,
  [grpc.status.NOT_FOUND]: grpc.status.NOT_FOUND,
  [grpc.status.ALREADY_EXISTS]: grpc.status.ALREADY_EXISTS,
  [grpc.status.FAILED_PRECONDITION]: grpc.status.FAILED_PRECONDITION,
  [grpc.status.OUT_OF_RANGE]: grpc.status.OUT_OF_RANGE,
  // The manager's log is over its request limit: nothing more fits.
  [grpc.status.RESOURCE_EXHAUSTED]: grpc.status.RESOURCE_EXHAUSTED,
  // A conflicting append retried too often: the CO retries with backoff, as for an operation in flight.
  [grpc.status.ABORTED]: grpc.status.ABORTED,
  // Manager or etcd unreachable, or too slow: transient, the CO retries.
  [grpc.status.UNAVAILABLE]: grpc.status.UNAVAILABLE,
  [grpc.status.DEADLINE_EXCEEDED]: grpc.status.DEADLINE_EXCEEDED,
  [grpc.status.CANCELLED]: grpc.status.UNAVAILABLE,
};

/**
 * An error of an admin call as a CsiError, the admin's message kept (it names the field or the
 * object). What is not a gRPC status (nor a CsiError already) is returned as it is: a fault of
 * this plugin, which `unary` reports as INTERNAL with an id.
 */
export function fromAdmin(e: unknown): unknown {
  if (e instanceof CsiError || !isGrpcError(e)) return e;
  const details = e.details || e.message;
  if (e.code === grpc.status.UNAUTHENTICATED || e.code === grpc.status.PERMISSION_DENIED) {
    // A deployment fault (the controller's token), not the caller's: say so without the token.
    return new CsiError(grpc.status.INTERNAL, `the manager refused the CSI controller's credentials: ${details}`);
  }
  const code = FROM_ADMIN[e.code as grpc.status];
  if (code !== undefined) return new CsiError(code, details);
  return new CsiError(grpc.status.INTERNAL, `manager: ${grpc.status[e.code] ?? e.code}: ${details}`);
}

// ---- requests in the log, statuses on the wire -------------------------------------------------------

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
 * Anything a handler threw as the status for the CO and the line for the log: a CsiError keeps
 * its code and message; anything else is INTERNAL, its message and stack logged in full under an
 * error id, and the CO told that id only.
 */
export function toStatus(e: unknown): { code: grpc.status; details: string; logged: string } {
  if (e instanceof CsiError) return { code: e.code, details: boundDetails(e.message), logged: boundDetails(e.message) };
  const id = randomBytes(4).toString('hex');
  const whole = e instanceof Error ? (e.stack ?? e.message) : String(e);
  return {
    code: grpc.status.INTERNAL,
    details: `internal error ${id} (the CSI plugin's log has it)`,
    logged: `error ${id}: ${whole}`,
  };
}

/**
 * grpc-js unary handler from an async function; errors keep their CSI code. The call is passed
 * too, for handlers that wait and should stop when the caller gives up (its deadline, a cancel).
 */
export function unary<Req, Res>(
  name: string,
  log: Log,
  fn: (req: Req, call: grpc.ServerUnaryCall<Req, Res>) => Promise<Res>,
): grpc.handleUnaryCall<Req, Res> {
  return (call, callback) => {
    // One id per call (reqId), with the CSI method and the volume it names, on every line the call logs.
    const volumeId = (call.request as { volumeId?: unknown } | null)?.volumeId;
    const callLog = log.child({
      reqId: randomBytes(6).toString('hex'),
      method: name,
      ...(typeof volumeId === 'string' && volumeId ? { volume: volumeId.slice(0, 256) } : {}),
    });
    fn(call.request, call).then(
      (res) => {
        callLog.debug(`csi ${name} answered`);
        callback(null, res);
      },
      (e: unknown) => {
        const { code, details, logged } = toStatus(e);
        callLog.warn(
          { code: grpc.status[code] },
          `csi ${name} ${grpc.status[code]}: ${logged} request=${boundDetails(JSON.stringify(redact(call.request)), 8192)}`,
        );
        callback({ code, details, metadata: new grpc.Metadata() } as grpc.ServiceError);
      },
    );
  };
}
