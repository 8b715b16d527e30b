// Restores from backups (Longhorn's fromBackup) and DR (standby) volumes, on the manager side.
//
// A volume made from a backup records the backup's URL (VolumeCreated.from_backup). Nothing may
// attach it until the backup is restored: the scheduler runs its engine without a frontend
// (VolumeAutoAttached reason "restore", scheduler/offline.ts), the engine restores the backup into
// its replicas (agent/restore-runner.ts) and reports start, progress and the end; this file turns
// those reports into events (pure: restoreReportDrafts), keeps the progress (status, not events),
// and, on the leader, polls the backup target for standby volumes: each newer backup of the
// source volume becomes a VolumeRestoreRequested, which the engine restores as an increment
// (only the blocks that differ from the one restored before).
//
// The backup target's reads (a backup's size at create, the newest backup of a volume) are I/O
// and happen before a command is run; the commands themselves stay pure (commands.ts).
import type { ClusterState, EventDraft, EventLog, Fence, LiveProjection, VolumeState } from '@cairn/metadata';
import { ConflictError, restoreSince, UnavailableError } from '@cairn/metadata';
import type { BackupStore, TargetCredentials } from '@cairn/backup';
import { BackupError, getBackup, listBackups, openStore, parseBackupUrl, parseTargetUrl } from '@cairn/backup';
import type { RestoreCredentials } from '@cairn/api';
import { toTargetCredentials } from './backup-target.js';
import { CommandError } from './errors.js';
import { LeaderPoller } from './leader-poll.js';

/** What an engine report says of its restore (node.proto EngineReport, fields 20-26). */
export interface EngineRestoreReport {
  restoring?: string;
  restoreProgress?: number;
  restored?: string;
  restoreFailed?: string;
  restoreError?: string;
  restoredBlocks?: number;
  zeroedBlocks?: number;
}

const MAX_REASON = 2000;

/**
 * The events an engine's restore report makes, for a volume attached to the reporting node:
 * - restoring the volume's backup, not yet recorded as started: VolumeRestoreStarted;
 * - restored the backup it started (the newest wanted, or an older one a standby volume was
 *   restoring when a newer was found: its replicas hold that one now): VolumeRestoreCompleted,
 *   and VolumeActivated when an activation waited for it;
 * - failed the backup wanted: VolumeRestoreFailed (once; the reason names block and backup).
 */
export function restoreReportDrafts(v: VolumeState, nodeId: string, e: EngineRestoreReport): EventDraft[] {
  const r = v.restore;
  if (!r) return [];
  const out: EventDraft[] = [];
  const name = v.name;
  if (e.restoring && e.restoring === r.backup && r.started !== r.backup && r.restored !== r.backup) {
    out.push({ volumeRestoreStarted: { name, nodeId, backup: r.backup, since: restoreSince(r) } });
  }
  if (e.restored && e.restored === r.started && r.restored !== e.restored) {
    out.push({
      volumeRestoreCompleted: {
        name,
        nodeId,
        backup: e.restored,
        writtenBlocks: e.restoredBlocks ?? 0,
        zeroedBlocks: e.zeroedBlocks ?? 0,
      },
    });
    if (r.activating && e.restored === r.backup) out.push({ volumeActivated: { name, backup: r.backup } });
  }
  if (e.restoreFailed && e.restoreFailed === r.backup && r.error === '' && r.restored !== r.backup) {
    out.push({
      volumeRestoreFailed: {
        name,
        nodeId,
        backup: r.backup,
        reason: (e.restoreError || 'restore failed').slice(0, MAX_REASON),
      },
    });
  }
  return out;
}

/** The view's restore state word (admin.proto VolumeRestore.state). */
export function restoreStateWord(v: VolumeState): string {
  const r = v.restore!;
  if (r.error) return 'failed';
  if (r.backup !== r.restored) return 'restoring';
  return r.standby ? 'standby' : 'completed';
}

/** Where backups live and with which credentials (H-backup's backup-target setting and secret). */
export interface BackupTargetAccess {
  /** The credentials for the target a backup URL names (undefined: none, e.g. file://). */
  credentials(url: string): Promise<TargetCredentials | undefined>;
}

/**
 * Why a volume cannot be restored from `url` on this cluster, or null: a backup is read from the
 * cluster's backup target with its credentials (as Longhorn reads a fromBackup URL from its
 * backup target), so none set, or a URL on another target, is refused before anything is read.
 */
export function fromBackupTargetProblem(target: string, url: string): string | null {
  let named: string;
  try {
    named = parseBackupUrl(url).target;
  } catch {
    return null; // malformed: storeFor refuses it, naming what is wrong
  }
  if (!target) return `fromBackup "${url}": no backup target is configured: set one with "cairn backup target set URL"`;
  let configured = target;
  try {
    configured = parseTargetUrl(target).url;
  } catch {
    /* compared as written */
  }
  return named === configured
    ? null
    : `fromBackup "${url}" is on ${named}, not on the backup target ${configured}: restores read the configured target`;
}

/** Opens the store a backup URL is in. */
export async function storeFor(access: BackupTargetAccess, url: string): Promise<BackupStore> {
  let target: string;
  try {
    target = parseBackupUrl(url).target;
  } catch (e) {
    throw CommandError.invalid(`fromBackup "${url}": ${(e as Error).message}`);
  }
  return openStore(target, await access.credentials(url));
}

/** A BackupError as the admin API's error (NOT_FOUND, INVALID_ARGUMENT, UNAVAILABLE, ...). */
export function backupCommandError(what: string, e: unknown): Error {
  if (!(e instanceof BackupError)) return e as Error;
  const msg = `${what}: ${e.message}`;
  switch (e.code) {
    case 'NOT_FOUND':
      return CommandError.notFound(msg);
    case 'INVALID':
      return CommandError.invalid(msg);
    case 'UNREACHABLE':
      return new UnavailableError(msg);
    default:
      return CommandError.precondition(msg);
  }
}

/** The size of the backup a volume is to be made from (the create command checks against it). */
export async function backupSize(access: BackupTargetAccess, url: string): Promise<number> {
  let store: BackupStore | null = null;
  try {
    store = await storeFor(access, url);
    return (await getBackup(store, url)).size;
  } catch (e) {
    throw backupCommandError(`fromBackup "${url}"`, e);
  } finally {
    store?.close();
  }
}

/**
 * The newest completed backup of the volume `url` is a backup of, by creation time (ties by
 * name), or '' when the target has none.
 */
export async function newestBackupOf(access: BackupTargetAccess, url: string): Promise<string> {
  const { volume } = parseBackupUrl(url);
  const store = await storeFor(access, url);
  try {
    // Oldest first (by completion time, then name).
    const all = await listBackups(store, volume);
    return all.length ? all[all.length - 1]!.url : '';
  } finally {
    store.close();
  }
}

export interface StandbyPollerOptions {
  projection: LiveProjection;
  log: EventLog;
  fence: Fence;
  actor: string;
  access: BackupTargetAccess;
  /** How often to look at the state for a volume due (default 1 s); the target itself is read every backupstore-poll-interval seconds per volume. */
  pollMs?: number;
  onError?: (e: unknown) => void;
  onFenced?: () => void;
  clock?: () => number;
}

/**
 * On the leader: every backupstore-poll-interval seconds, each standby volume's source volume is
 * looked up in the target; a backup newer than the one it follows becomes a VolumeRestoreRequested.
 */
export class StandbyPoller extends LeaderPoller {
  private readonly lastLook = new Map<string, number>();

  constructor(private readonly o: StandbyPollerOptions) {
    super(o, 1000);
  }

  /** One look: each standby volume due is compared with its target; returns the requests appended. */
  async poll(): Promise<number> {
    const s = this.o.projection.state;
    const clock = this.o.clock ?? Date.now;
    const every = s.settings['backupstore-poll-interval'] * 1000;
    if (every <= 0) return 0; // 0 turns polling off (Longhorn's meaning)
    let done = 0;
    for (const v of [...s.volumes.values()]
      .filter((x) => x.restore?.standby)
      .sort((a, b) => (a.name < b.name ? -1 : 1))) {
      if (this.stopped) break;
      const last = this.lastLook.get(v.name) ?? 0;
      if (clock() - last < every) continue;
      this.lastLook.set(v.name, clock());
      let newest: string;
      try {
        newest = await newestBackupOf(this.o.access, v.restore!.backup);
      } catch (e) {
        this.o.onError?.(new Error(`standby volume ${v.name}: reading the backup target: ${(e as Error).message}`));
        continue;
      }
      const now = this.o.projection.state;
      const draft = standbyDraft(now, v.name, newest);
      if (!draft) continue;
      try {
        const r = await this.o.log.append([draft], { fence: this.o.fence, actor: this.o.actor, expectedSeq: now.seq });
        await this.o.projection.waitFor(r.lastSeq);
        done++;
      } catch (e) {
        if (!(e instanceof ConflictError)) throw e;
        this.lastLook.delete(v.name); // decided again on the newer state at the next look
      }
    }
    for (const name of this.lastLook.keys()) if (!s.volumes.get(name)?.restore?.standby) this.lastLook.delete(name);
    return done;
  }
}

/** The request a standby volume needs for the newest backup found, or null (none newer, or not standby any more). */
export function standbyDraft(s: ClusterState, name: string, newest: string): EventDraft | null {
  const r = s.volumes.get(name)?.restore;
  if (!r || !r.standby || r.activating || !newest || newest === r.backup) return null;
  return { volumeRestoreRequested: { name, backup: newest } };
}

/**
 * The restore's view of H-backup's BackupTargetAccess (backup-target.ts: the credentials stored
 * with `cairn backup target set`, else the mounted Secret's): the library's form for the manager's
 * own reads, the assignment's form for an engine that restores (sent only to its node).
 */
export function restoreAccess(
  target: () => { current(): Record<string, string> } | null,
): BackupTargetAccess & { assignment(): RestoreCredentials | null } {
  const creds = (): TargetCredentials | undefined => {
    const c = target()?.current() ?? {};
    return Object.keys(c).length ? toTargetCredentials(c) : undefined;
  };
  return {
    credentials: async () => creds(),
    assignment: () => {
      const c = creds();
      return c
        ? {
            accessKeyId: c.accessKeyId ?? '',
            secretAccessKey: c.secretAccessKey ?? '',
            endpoint: c.endpoint ?? '',
            region: c.region ?? '',
          }
        : null;
    },
  };
}
