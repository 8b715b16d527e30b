// Restoring a backup into a volume's engine (Longhorn's restore from backup, and a DR volume's
// increments). The manager names the backup to restore with the engine's assignment (an engine
// without a frontend: nothing is served while it runs); this restores it through the engine, so
// every replica of the volume receives the blocks under the engine's own range locks, then
// flushes. Progress and the end are reported to the manager (datapath.ts sends them).
//
// What fails for good (a block corrupt or missing in the target, a backup gone, a URL refused) is
// reported failed once, naming the block and the backup: the manager records it and nothing
// retries that backup. What may pass (the target unreachable, a replica failing under the engine)
// is tried again after a pause, from the start: a restore writes the same bytes at the same
// offsets each time, so running it again is safe.
import type { BackupStore, RestoreTarget, TargetCredentials } from '@cairn/backup';
import { BackupError, openStore, parseBackupUrl, restoreBackup } from '@cairn/backup';

export interface RestoreJob {
  /** The backup URL. */
  backup: string;
  /** The backup the replicas already hold, fully ('' for a full restore). */
  since: string;
  credentials: TargetCredentials | undefined;
}

export interface RestoreOutcome {
  writtenBlocks: number;
  zeroedBlocks: number;
}

/** A restore that must not be retried for this backup: the reason names what is wrong. */
export class RestoreFailed extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RestoreFailed';
  }
}

/** Backup errors that another try cannot mend. */
const FINAL = new Set(['CORRUPT', 'NOT_FOUND', 'INVALID']);

export interface RestoreRunOptions {
  alive: () => boolean;
  progress: (percent: number) => void;
  /** Blocks in flight at once (memory: a few 2 MiB blocks each); the library's default when absent. */
  concurrency?: number;
  open?: (target: string, credentials: TargetCredentials | undefined) => BackupStore;
}

/**
 * Restores `job.backup` into `target` (the volume's engine) and flushes. Rejects with RestoreFailed
 * for a failure no retry can mend, with any other error for one that may pass.
 */
export async function runRestore(
  target: RestoreTarget,
  job: RestoreJob,
  o: RestoreRunOptions,
): Promise<RestoreOutcome> {
  let store: BackupStore;
  try {
    store = (o.open ?? openStore)(parseBackupUrl(job.backup).target, job.credentials);
  } catch (e) {
    throw final(e);
  }
  try {
    // restoreBackup flushes the target before it resolves.
    const r = await restoreBackup(store, job.backup, target, {
      ...(job.since ? { since: job.since } : {}),
      progress: o.progress,
      alive: o.alive,
      ...(o.concurrency ? { concurrency: o.concurrency } : {}),
    });
    return { writtenBlocks: r.writtenBlocks, zeroedBlocks: r.zeroedBlocks };
  } catch (e) {
    throw final(e);
  } finally {
    store.close();
  }
}

function final(e: unknown): Error {
  if (e instanceof BackupError && FINAL.has(e.code)) return new RestoreFailed(e.message);
  return e as Error;
}

/** Credentials as an assignment carries them (empty fields: not given). */
export function credentialsOf(
  c: { accessKeyId: string; secretAccessKey: string; endpoint: string; region: string } | null,
): TargetCredentials | undefined {
  if (!c) return undefined;
  const out: TargetCredentials = {};
  if (c.accessKeyId) out.accessKeyId = c.accessKeyId;
  if (c.secretAccessKey) out.secretAccessKey = c.secretAccessKey;
  if (c.endpoint) out.endpoint = c.endpoint;
  if (c.region) out.region = c.region;
  return Object.keys(out).length ? out : undefined;
}
