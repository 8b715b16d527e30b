// The one interface both kinds of backup target implement (file-store.ts, s3-store.ts), and what
// an S3 target needs beyond its URL. Types only, so the stores and target.ts (which picks one)
// do not import each other.

/** What an S3 target needs beyond its URL. All optional: without keys the AWS SDK's default chain is used. */
export interface TargetCredentials {
  accessKeyId?: string;
  secretAccessKey?: string;
  /** An S3-compatible server's URL (Longhorn's AWS_ENDPOINTS), e.g. http://minio:9000; path-style addressing is used with it. */
  endpoint?: string;
  /** Overrides the URL's region for signing (rarely needed). */
  region?: string;
}

/**
 * The objects under one target. Keys are relative to the target (no leading slash, '/' between
 * segments); implementations add the target's prefix or directory. Errors are BackupErrors:
 * NOT_FOUND for an absent key (get), UNREACHABLE, DENIED.
 */
export interface BackupStore {
  /** The target's canonical URL (parseTargetUrl(...).url). */
  readonly url: string;
  /** Stores `body` under `key`, replacing it; whole or not at all (a reader never sees part of it). */
  put(key: string, body: Buffer): Promise<void>;
  /** The object's bytes; BackupError NOT_FOUND when absent. */
  get(key: string): Promise<Buffer>;
  has(key: string): Promise<boolean>;
  /** Every key under `prefix` (recursively), in no particular order. */
  list(prefix: string): Promise<string[]>;
  /** The names directly under the directory `prefix` (ending in '/'): objects, and subdirectories with a trailing '/'. */
  listDir(prefix: string): Promise<string[]>;
  /** Removes the key; absent is not an error. */
  delete(key: string): Promise<void>;
  /** Resolves when the target is reachable and the credentials work (for `cairn status`); else a BackupError says why. */
  probe(): Promise<void>;
  /** Releases connections. */
  close(): void;
}
