// Typed errors of the metadata layer. Callers branch on the class (or `code`), never on text;
// each boundary (gRPC, CLI) maps them to its own status codes in one place.

export abstract class MetadataError extends Error {
  abstract readonly code: string;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The log's head moved past the seq the caller expected (optimistic concurrency). */
export class ConflictError extends MetadataError {
  readonly code = 'Conflict';
  constructor(
    readonly expectedSeq: number,
    readonly actualSeq: number,
  ) {
    super(`log head is at seq ${actualSeq}, expected ${expectedSeq}`);
  }
}

/** A fenced append was refused: the caller is no longer the leader its fence names. */
export class FencedError extends MetadataError {
  readonly code = 'Fenced';
  constructor(readonly fenceKey: string) {
    super(`append refused: leadership ${fenceKey} is no longer held`);
  }
}

/** etcd could not be reached, or did not answer in time. Safe to retry. */
export class UnavailableError extends MetadataError {
  readonly code = 'Unavailable';
  constructor(message: string, cause?: unknown) {
    super(message, { cause });
  }
}

/** A stored event (or snapshot) cannot be decoded. Projection stops here. */
export class CorruptError extends MetadataError {
  readonly code = 'Corrupt';
  constructor(
    readonly seq: number,
    detail: string,
  ) {
    super(`event at seq ${seq} is corrupt: ${detail}`);
  }
}

/**
 * The log's hash chain does not hold at this seq: the event's stored bytes are not the ones its
 * chain hash was computed over, or it does not follow the event before it (chain.ts). Someone
 * rewrote, removed or inserted an event; projection stops before this seq.
 */
export class ChainBrokenError extends MetadataError {
  readonly code = 'ChainBroken';
  constructor(
    readonly seq: number,
    readonly detail: string,
  ) {
    super(
      `the log's hash chain is broken at seq ${seq}: ${detail}; the log was changed outside cairn (cairn audit verify)`,
    );
  }
}

/** A stored event has a type or schema version this build does not know. Projection stops. */
export class UnknownEventTypeError extends MetadataError {
  readonly code = 'UnknownEventType';
  constructor(
    readonly seq: number,
    readonly type: string,
  ) {
    super(`event at seq ${seq} has unknown type or schema: ${type}; upgrade cairn before reading this log`);
  }
}

/** An append that can never fit into one etcd request (too many events or bytes). */
export class TooLargeError extends MetadataError {
  readonly code = 'TooLarge';
  constructor(detail: string) {
    super(`append too large for one etcd transaction: ${detail}`);
  }
}

/** A setting value outside its valid range; the message names the setting and the range. */
export class InvalidSettingError extends MetadataError {
  readonly code = 'InvalidSetting';
  constructor(
    readonly setting: string,
    detail: string,
  ) {
    super(`setting ${setting}: ${detail}`);
  }
}
