// The one wrapper every unary gRPC handler of the manager goes through (admin, backup and
// node-facing calls): authenticate the call, run the handler, answer with its value or its error
// turned into a status (errors.ts), and log the call as the manager's log sees it: a request id per call, the method and the volume or node the request
// names as fields, and one line when the call fails (info for a refusal, the caller's to fix;
// warn for the rest) or is slow (warn). Answered calls that were quick are logged at debug only.
// The id also goes back to the caller in the error's metadata (cairn-request-id), so a refusal a
// user reports can be found in the log.
import { randomBytes } from 'node:crypto';
import { status } from '@grpc/grpc-js';
import type * as grpc from '@grpc/grpc-js';
import type { Logger } from '@cairn/api';
import { CommandError, toServiceError } from './errors.js';

/** A unary call that takes longer than this (ms) is logged at warn. */
export const SLOW_CALL_MS = 1000;

/** Codes that say the request was refused as asked: the caller's to fix, logged at info. */
const REFUSALS = new Set<status>([
  status.INVALID_ARGUMENT,
  status.NOT_FOUND,
  status.ALREADY_EXISTS,
  status.FAILED_PRECONDITION,
  status.UNAUTHENTICATED,
  status.PERMISSION_DENIED,
  status.OUT_OF_RANGE,
]);

/** The metadata key that carries a call's request id back to the caller. */
export const REQUEST_ID_KEY = 'cairn-request-id';

export function newRequestId(): string {
  return randomBytes(6).toString('hex');
}

/** What a request names that a reader filters on: its volume and node. */
export function requestFields(method: string, request: unknown): { volume?: string; node?: string } {
  const r = (request && typeof request === 'object' ? request : {}) as Record<string, unknown>;
  const str = (v: unknown): string | undefined => (typeof v === 'string' && v ? v.slice(0, 256) : undefined);
  // Volume calls name the volume `name` (CreateVolume, AttachVolume, ...); others call it `volume`.
  const volume = str(r['volume']) ?? (/Volume/.test(method) ? str(r['name']) : undefined);
  const node = str(r['nodeId']) ?? str(r['node']);
  return { ...(volume ? { volume } : {}), ...(node ? { node } : {}) };
}

export interface CallLog {
  readonly reqId: string;
  /** The call's logger: component, reqId, method and the request's fields on every line. */
  readonly log: Logger;
  /** Answers the call with `value`, or with `error` turned into its status, and logs how it went. */
  answer<Res>(callback: grpc.sendUnaryData<Res>, outcome: { error: unknown } | { value: Res }): void;
}

/** Starts the log of one call of `path` (/cairn.admin.v1.Admin/CreateVolume) on `logger`. */
export function startCall(
  logger: Logger,
  path: string,
  request: unknown,
  now: () => number = () => performance.now(),
): CallLog {
  const method = path.slice(path.lastIndexOf('/') + 1);
  const reqId = newRequestId();
  const log = logger.child({ reqId, method, ...requestFields(method, request) });
  const started = now();
  return {
    reqId,
    log,
    answer(callback, outcome) {
      const ms = Math.round(now() - started);
      if ('value' in outcome) {
        if (ms >= SLOW_CALL_MS) log.warn({ ms }, `${method} answered slowly, in ${ms} ms`);
        else log.debug({ ms }, `${method} answered`);
        callback(null, outcome.value);
        return;
      }
      const e = toServiceError(outcome.error, log);
      const code = e.code ?? status.UNKNOWN;
      e.metadata?.set(REQUEST_ID_KEY, reqId);
      log[REFUSALS.has(code) ? 'info' : 'warn']({ code: status[code], ms }, `${method} failed: ${e.details}`);
      callback(e as grpc.ServiceError);
    },
  };
}

/**
 * A unary handler: `authenticate` the call (resolving with who it acts for, or throwing the
 * refusal), then `fn`; answered and logged by startCall on `logger`. A handler that throws at once
 * is answered like one that rejects.
 */
export function unaryHandler<Req, Res, Who>(
  logger: Logger,
  authenticate: (call: grpc.ServerUnaryCall<Req, Res>) => Who | Promise<Who>,
  fn: (req: Req, who: Who, call: grpc.ServerUnaryCall<Req, Res>) => Res | Promise<Res>,
): grpc.handleUnaryCall<Req, Res> {
  return (call, callback) => {
    const c = startCall(logger, call.getPath(), call.request);
    Promise.resolve(call)
      .then(authenticate)
      .then((who) => fn(call.request, who, call))
      .then(
        (value) => c.answer(callback, { value }),
        (error: unknown) => c.answer(callback, { error }),
      );
  };
}

/** The refusal of an admin call without the admin token. */
export function adminTokenRequired(): CommandError {
  return new CommandError('Unauthenticated', 'a valid bearer token is required (authorization: Bearer <token>)');
}

/** An admin API handler (the admin token required), logged under component admin-api. */
export function adminUnary<Req, Res>(
  ctx: { logger: Logger; authorize(md: grpc.Metadata): boolean },
  fn: (req: Req, call: grpc.ServerUnaryCall<Req, Res>) => Res | Promise<Res>,
): grpc.handleUnaryCall<Req, Res> {
  return unaryHandler<Req, Res, null>(
    ctx.logger.child({ component: 'admin-api' }),
    (call) => {
      if (!ctx.authorize(call.metadata)) throw adminTokenRequired();
      return null;
    },
    (req, _who, call) => fn(req, call),
  );
}
