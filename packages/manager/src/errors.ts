// Errors of the manager and the one place that turns any thrown value into a gRPC status.
// Never match on error text: branch on the class. Unknown errors become INTERNAL with a short
// message; the stack goes to the manager's log only.
import { status } from '@grpc/grpc-js';
import type { ServiceError } from '@grpc/grpc-js';
import { Metadata } from '@grpc/grpc-js';
import { boundDetails, createLogger, MAX_DETAILS_BYTES } from '@cairn/api';
import type { Logger } from '@cairn/api';
import {
  ChainBrokenError,
  ConflictError,
  CorruptError,
  FencedError,
  InvalidSettingError,
  TooLargeError,
  UnavailableError,
  UnknownEventTypeError,
} from '@cairn/metadata';

export type CommandCode =
  'InvalidArgument' | 'NotFound' | 'AlreadyExists' | 'FailedPrecondition' | 'Unauthenticated' | 'PermissionDenied';

/** A request the manager refuses; nothing was appended. The message names the field. */
export class CommandError extends Error {
  constructor(
    readonly code: CommandCode,
    message: string,
  ) {
    super(message);
    this.name = 'CommandError';
  }
  static invalid(m: string): CommandError {
    return new CommandError('InvalidArgument', m);
  }
  static notFound(m: string): CommandError {
    return new CommandError('NotFound', m);
  }
  static exists(m: string): CommandError {
    return new CommandError('AlreadyExists', m);
  }
  static precondition(m: string): CommandError {
    return new CommandError('FailedPrecondition', m);
  }
  static denied(m: string): CommandError {
    return new CommandError('PermissionDenied', m);
  }
}

const CODES: Record<CommandCode, status> = {
  InvalidArgument: status.INVALID_ARGUMENT,
  NotFound: status.NOT_FOUND,
  AlreadyExists: status.ALREADY_EXISTS,
  FailedPrecondition: status.FAILED_PRECONDITION,
  Unauthenticated: status.UNAUTHENTICATED,
  PermissionDenied: status.PERMISSION_DENIED,
};

// Status messages are cut to MAX_DETAILS_BYTES (@cairn/api boundDetails: an HTTP/2 trailer carries them).
export { boundDetails, MAX_DETAILS_BYTES };

export function toServiceError(e: unknown, log: Pick<Logger, 'error'> = stderrLogger()): Partial<ServiceError> {
  const make = (code: status, details: string): Partial<ServiceError> => ({
    code,
    details: boundDetails(details),
    metadata: new Metadata(),
  });
  if (e instanceof CommandError) return make(CODES[e.code], e.message);
  if (e instanceof InvalidSettingError) return make(status.INVALID_ARGUMENT, e.message);
  if (e instanceof TooLargeError) return make(status.RESOURCE_EXHAUSTED, e.message);
  if (e instanceof ConflictError) return make(status.ABORTED, `${e.message}; try again`);
  if (e instanceof FencedError || e instanceof UnavailableError) return make(status.UNAVAILABLE, e.message);
  if (e instanceof CorruptError || e instanceof UnknownEventTypeError || e instanceof ChainBrokenError)
    return make(status.DATA_LOSS, e.message);
  log.error({ err: e }, `internal error: ${e instanceof Error ? e.message : String(e)}`);
  return make(status.INTERNAL, 'internal error (see the manager log)');
}

let fallback: Logger | null = null;
/** Where an unknown error goes when the caller gave no logger: JSON lines on stderr. */
function stderrLogger(): Logger {
  return (fallback ??= createLogger({ destination: 2 }));
}
