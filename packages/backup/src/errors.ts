// The one error type of the backup library. Callers (the manager, the agent, the CLI) map `code`
// to their own vocabulary in one place; the message names the thing that is wrong (the target
// URL, the backup, the block) so it can be shown to a user as it is.

export type BackupErrorCode =
  /** A URL, name or argument is malformed (nothing was touched). */
  | 'INVALID'
  /** The backup, its volume, a block it names, or the bucket does not exist. */
  | 'NOT_FOUND'
  /** A backup of that name exists already (with another snapshot). */
  | 'EXISTS'
  /** Stored data does not match its checksum, or a config file does not parse. */
  | 'CORRUPT'
  /** The target cannot be reached (connection refused, name not resolved, timeout, not a directory). */
  | 'UNREACHABLE'
  /** The target refused the credentials (wrong key, bad signature, access denied). */
  | 'DENIED'
  /** alive() turned false: the operation was stopped part way (nothing half-visible is left). */
  | 'STOPPED';

export class BackupError extends Error {
  constructor(
    readonly code: BackupErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'BackupError';
  }
}

export const isBackupError = (e: unknown, code?: BackupErrorCode): e is BackupError =>
  e instanceof BackupError && (code === undefined || e.code === code);
