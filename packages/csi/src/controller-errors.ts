// The Controller's refusals, and the one place that turns an error of the manager's admin API into
// the CSI spec's status code. Branches on gRPC codes only, never on message text; the admin's
// message (which names the field or the object) is kept, so every refusal says what is wrong.
import * as grpc from '@grpc/grpc-js';
import { CsiError } from './errors.js';

export const outOfRange = (m: string): CsiError => new CsiError(grpc.status.OUT_OF_RANGE, m);
export const exhausted = (m: string): CsiError => new CsiError(grpc.status.RESOURCE_EXHAUSTED, m);
export const alreadyExists = (m: string): CsiError => new CsiError(grpc.status.ALREADY_EXISTS, m);
export const precondition = (m: string): CsiError => new CsiError(grpc.status.FAILED_PRECONDITION, m);
export const aborted = (m: string): CsiError => new CsiError(grpc.status.ABORTED, m);

export const noEncryption = (): CsiError =>
  precondition('parameter encrypted "true": cairn does not encrypt volume data at rest, and will not store a volume in clear that its StorageClass says is encrypted; use a class without encrypted, or encrypt inside the volume (e.g. LUKS in the pod)');

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

function isGrpcError(e: unknown): e is grpc.ServiceError {
  return e instanceof Error && typeof (e as Partial<grpc.ServiceError>).code === 'number';
}

/** Any error of an admin call as a CsiError; what is not the admin's refusal becomes INTERNAL. */
export function fromAdmin(e: unknown): CsiError {
  if (e instanceof CsiError) return e;
  if (isGrpcError(e)) {
    const details = e.details || e.message;
    if (e.code === grpc.status.UNAUTHENTICATED || e.code === grpc.status.PERMISSION_DENIED) {
      // A deployment fault (the controller's token), not the caller's: say so without the token.
      return new CsiError(grpc.status.INTERNAL, `the manager refused the CSI controller's credentials: ${details}`);
    }
    const code = FROM_ADMIN[e.code];
    if (code !== undefined) return new CsiError(code, details);
    return new CsiError(grpc.status.INTERNAL, `manager: ${grpc.status[e.code] ?? e.code}: ${details}`);
  }
  return new CsiError(grpc.status.INTERNAL, e instanceof Error ? e.message : String(e));
}

/** The gRPC code of an admin error (undefined for anything else), for calls that treat one code as an answer. */
export function adminCode(e: unknown): grpc.status | undefined {
  return isGrpcError(e) ? e.code : undefined;
}
