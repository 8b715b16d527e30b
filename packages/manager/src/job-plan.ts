// The decisions of recurring jobs, as plain data: which fire time of a job is due (and which went
// by unrun), which volumes a run covers, and what a run does on one volume: the snapshot it makes
// and the snapshots retention deletes. Pure: the state and the time come in (the clock is the
// caller's), event drafts come out; recurring-jobs.ts appends them with the leader's fence.
// filesystem-trim is the one task a node does: the run asks the volume's node
// (RecurringJobTrimRequested) and the node's report ends the volume (trimReportDrafts).
//
// Cron expressions are croner's (5 fields, or 6 with seconds first; @daily and friends),
// evaluated in UTC so that every manager computes the same fire times whatever its local zone.
import { Cron } from 'croner';
import { backupUrl } from '@cairn/backup';
import type { ClusterState, EventDraft, RecurringJobState, VolumeState } from '@cairn/metadata';
import { backupsInFlight, jobCause, pendingCopiesFrom, volumesOfJob } from '@cairn/metadata';
import { createBackupDrafts } from './backups.js';

/** Why `expr` is not a cron expression cairn accepts, or null when it is. */
export function cronError(expr: string): string | null {
  if (!expr.trim()) return 'it is empty';
  try {
    const c = new Cron(expr, { timezone: 'UTC', paused: true });
    if (!c.nextRun(new Date(0))) return 'it never fires';
    return null;
  } catch (e) {
    return (e as Error).message.replace(/^CronPattern: /, '');
  }
}

const crons = new Map<string, Cron>();
function cron(expr: string): Cron {
  let c = crons.get(expr);
  if (!c) {
    c = new Cron(expr, { timezone: 'UTC', paused: true });
    if (crons.size > 1000) crons.clear();
    crons.set(expr, c);
  }
  return c;
}

/** The first fire time of `expr` strictly after `afterMs`, or null (it fires no more). */
export function nextFireMs(expr: string, afterMs: number): number | null {
  return cron(expr).nextRun(new Date(afterMs))?.getTime() ?? null;
}

/** Fire times counted one by one before the search for the newest one jumps (a long outage of a seconds cron). */
const COUNT_LIMIT = 500;

export interface DueRun {
  /** The fire time to run now: the newest one at or before now. */
  fireMs: number;
  /** Fire times after the job's last run and before fireMs, which are not run (missed). */
  missed: number;
  /** True when there were more missed fire times than were counted (missed is then a lower bound). */
  missedAtLeast: boolean;
  missedFirstMs: number;
  missedLastMs: number;
}

/**
 * The fire time of `job` due at `nowMs`, or null. Fire times count from the job's last run (or
 * its creation). A job whose previous run is still going starts no new one: the fire times that
 * pass meanwhile are missed, and once it is done the newest one due runs (late). So a fire time
 * runs once or is recorded as missed, never run twice, never dropped without a word.
 */
export function dueRun(job: RecurringJobState, nowMs: number): DueRun | null {
  if (job.running) return null;
  const after = Math.max(job.lastFireMs, job.createdMs);
  const first = nextFireMs(job.cron, after);
  if (first === null || first > nowMs) return null;
  const seen: number[] = [first];
  let t = first;
  for (let i = 0; i < COUNT_LIMIT; i++) {
    const n = nextFireMs(job.cron, t);
    if (n === null || n > nowMs) {
      const missed = seen.length - 1;
      return {
        fireMs: t,
        missed,
        missedAtLeast: false,
        missedFirstMs: missed ? first : 0,
        missedLastMs: missed ? seen[seen.length - 2]! : 0,
      };
    }
    seen.push(n);
    t = n;
  }
  // More than COUNT_LIMIT went by: find the newest from ever wider windows before now.
  for (const windowMs of [60e3, 3600e3, 86400e3, 31 * 86400e3, 366 * 86400e3, 3660 * 86400e3]) {
    const newest = newestIn(job.cron, Math.max(t, nowMs - windowMs), nowMs);
    if (newest)
      return {
        fireMs: newest.last,
        missed: seen.length,
        missedAtLeast: true,
        missedFirstMs: first,
        missedLastMs: newest.before ?? t,
      };
  }
  return {
    fireMs: t,
    missed: seen.length - 1,
    missedAtLeast: true,
    missedFirstMs: first,
    missedLastMs: seen[seen.length - 2]!,
  };
}

/** The last fire time in (fromMs, nowMs] and the one before it, when found within COUNT_LIMIT steps. */
function newestIn(expr: string, fromMs: number, nowMs: number): { last: number; before: number | null } | null {
  let last: number | null = null;
  let before: number | null = null;
  let t = fromMs;
  for (let i = 0; i < COUNT_LIMIT; i++) {
    const n = nextFireMs(expr, t);
    if (n === null || n > nowMs) return last === null ? null : { last, before };
    before = last;
    last = n;
    t = n;
  }
  return null;
}

/** The run of `due` as its event: the volumes the job applies to now. */
export function runStartedDraft(state: ClusterState, job: RecurringJobState, due: DueRun): EventDraft {
  return {
    recurringJobRunStarted: {
      job: job.name,
      fireMs: due.fireMs,
      task: job.task,
      volumes: volumesOfJob(state, job.name),
      missed: due.missed,
      missedAtLeast: due.missedAtLeast,
      missedFirstMs: due.missedFirstMs,
      missedLastMs: due.missedLastMs,
    },
  };
}

/** The name of the snapshot a job's run makes: the job's name and the fire time (seconds, base 36). */
export function jobSnapshotName(job: string, fireMs: number): string {
  return `${job}-c-${Math.floor(fireMs / 1000).toString(36)}`;
}

/**
 * Snapshots cairn made for itself, which snapshot-cleanup removes (Longhorn's "system
 * snapshots"): the snapshot a `vol://` clone was copied from, named clone-<clone>-<seq> and
 * created at that seq, once no clone still copies it. cairn has no other kind: a deleted
 * snapshot is gone at once (no "removed, to be purged" state as in Longhorn).
 */
export function isSystemSnapshot(state: ClusterState, v: VolumeState, name: string): boolean {
  const s = v.snapshots.get(name);
  const m = /^clone-.+-(\d+)x*$/.exec(name);
  return Boolean(s && m && Number(m[1]) === s.createdSeq && pendingCopiesFrom(state, v.name, name).length === 0);
}

interface Retention {
  deleted: string[];
  kept: string[];
}

/**
 * Oldest first, everything in `candidates` beyond the newest `retain` is deleted, except a
 * snapshot a clone still copies from or a backup still reads (kept, with why).
 */
function retain(state: ClusterState, v: VolumeState, candidates: string[], keep: number): Retention {
  const byAge = candidates.map((n) => v.snapshots.get(n)!).sort((a, b) => a.createdSeq - b.createdSeq);
  const out: Retention = { deleted: [], kept: [] };
  const backedUp = new Set(backupsInFlight(v).map((b) => b.snapshot));
  for (const s of byAge.slice(0, Math.max(0, byAge.length - keep))) {
    const needing = pendingCopiesFrom(state, v.name, s.name);
    if (needing.length) out.kept.push(`${s.name} (volume ${needing.join(', ')} still copies it)`);
    else if (backedUp.has(s.name)) out.kept.push(`${s.name} (a backup of it is not done yet)`);
    else out.deleted.push(s.name);
  }
  return out;
}

/** Why the task cannot run in this build, for the tasks that need what cairn does not have yet (none now). */
export const TASK_NOT_BUILT: Partial<Record<RecurringJobState['task'], string>> = {};

/** A filesystem-trim run's error for a volume not attached to a node that is up. */
export const TRIM_NOT_ATTACHED = 'not run: the volume is not attached (a filesystem is trimmed where it is mounted)';

/** The node a volume's filesystem can be trimmed on: the one its engine runs on, when attached there and up; else null. */
export function trimNode(state: ClusterState, v: VolumeState): string | null {
  if (v.attachState !== 'attached' || !v.attachedTo) return null;
  const n = state.nodes.get(v.attachedTo);
  return n && !n.down ? v.attachedTo : null;
}

/** The label a backup made by a job carries (Longhorn's backups carry the job's name the same way). */
export const BACKUP_JOB_LABEL = 'recurring-job';

/**
 * What the run of `fireMs` of `job` does on `volume`: the snapshot events, then the
 * RecurringJobVolumeDone that names them (one append: the log never holds the one without the
 * other). A volume that cannot be done is done with an error, so the run ends all the same.
 */
export function volumeStep(state: ClusterState, job: RecurringJobState, fireMs: number, volume: string): EventDraft[] {
  const cause = jobCause(job.name, fireMs);
  const done = (o: { created?: string; deleted?: string[]; kept?: string[]; error?: string } = {}): EventDraft =>
    volumeDoneDraft(job.name, fireMs, volume, o);
  // A trim requested of a node: the run waits for its report (trimReportDrafts) or for the
  // leader to end it (trimLostDrafts).
  if (job.running?.fireMs === fireMs && job.running.trims?.[volume] !== undefined) return [];
  const v = state.volumes.get(volume);
  if (!v) return [done({ error: 'the volume no longer exists' })];
  const deletes = (names: string[]): EventDraft[] =>
    names.map((name) => ({ cause, snapshotDeleted: { volume, name } }));
  switch (job.task) {
    case 'snapshot':
    case 'snapshot-force-create': {
      if (v.dataSource && !v.dataSource.copied)
        return [done({ error: `not run: the volume is still copying its data source (${v.dataSource.uri})` })];
      const name = jobSnapshotName(job.name, fireMs);
      if (v.snapshots.has(name)) return [done({ error: `not run: the volume already has a snapshot named ${name}` })];
      const mine = [...v.snapshots.values()].filter((s) => s.job === job.name).map((s) => s.name);
      // The new one counts as the newest: `retain` snapshots of the job are left.
      const r = retain(state, v, mine, Math.max(0, job.retain - 1));
      return [
        { cause, snapshotCreated: { volume, name, size: v.spec.size } },
        ...deletes(r.deleted),
        done({ created: name, deleted: r.deleted, kept: r.kept }),
      ];
    }
    case 'backup':
    case 'backup-force-create': {
      // A snapshot named after the backup and the backup request (backups.ts createBackupDrafts,
      // the same as `cairn backup create`); a node holding a replica runs it (backup-concurrent-limit
      // per node). The job's older snapshots beyond retain go as for the snapshot task, except
      // one a backup still reads. Its backups in the target beyond retain are removed by the
      // leader's loop, not here (recurring-jobs.ts removeBeyondRetain; docs/manager.md).
      const name = jobSnapshotName(job.name, fireMs);
      if (v.snapshots.has(name)) return [done({ error: `not run: the volume already has a snapshot named ${name}` })];
      let backup: EventDraft[];
      try {
        backup = createBackupDrafts(
          state,
          { volume, snapshot: '', name, labels: { ...job.labels, [BACKUP_JOB_LABEL]: job.name } },
          backupUrl,
        );
      } catch (e) {
        // Refused as `cairn backup create` would be (a CommandError: no target, a volume still
        // copying, ...) or by the backup library (a name it cannot put in a URL): said, not thrown.
        if (e instanceof Error) return [done({ error: `not run: ${e.message}` })];
        throw e;
      }
      const mine = [...v.snapshots.values()].filter((s) => s.job === job.name).map((s) => s.name);
      const r = retain(state, v, mine, Math.max(0, job.retain - 1));
      return [
        ...backup.map((d) => ({ ...d, cause })),
        ...deletes(r.deleted),
        done({ created: name, deleted: r.deleted, kept: r.kept }),
      ];
    }
    case 'snapshot-delete': {
      const r = retain(state, v, [...v.snapshots.keys()], job.retain);
      return [...deletes(r.deleted), done({ deleted: r.deleted, kept: r.kept })];
    }
    case 'snapshot-cleanup': {
      const system = [...v.snapshots.keys()].filter((n) => isSystemSnapshot(state, v, n)).sort();
      return [...deletes(system), done({ deleted: system })];
    }
    case 'filesystem-trim': {
      // Longhorn's filesystem-trim: fstrim where the volume's filesystem is mounted, which is
      // on the node its engine runs on (the CSI node service stages it there).
      const node = trimNode(state, v);
      if (!node) return [done({ error: TRIM_NOT_ATTACHED })];
      return [{ cause, recurringJobTrimRequested: { job: job.name, fireMs, volume, nodeId: node } }];
    }
    default:
      return [done({ error: TASK_NOT_BUILT[job.task] ?? `task ${job.task} unknown` })];
  }
}

/** The RecurringJobVolumeDone of one volume of a run, with the job's cause. */
export function volumeDoneDraft(
  job: string,
  fireMs: number,
  volume: string,
  o: { created?: string; deleted?: string[]; kept?: string[]; error?: string; trimmedBytes?: number } = {},
): EventDraft {
  return {
    cause: jobCause(job, fireMs),
    recurringJobVolumeDone: {
      job,
      fireMs,
      volume,
      snapshotCreated: o.created ?? '',
      snapshotsDeleted: o.deleted ?? [],
      kept: o.kept ?? [],
      error: o.error ?? '',
      trimmedBytes: o.trimmedBytes ?? 0,
    },
  };
}

/** A node's report of one trim it ran. */
export interface TrimOutcome {
  job: string;
  fireMs: number;
  volume: string;
  trimmedBytes: number;
  error: string;
}

/**
 * What a node's trim report appends: the volume's RecurringJobVolumeDone when the trim is still
 * pending and was requested of `nodeId`; [] for one unknown or already ended (a report sent
 * again is harmless). A trim requested of another node is refused: 'denied'.
 */
export function trimReportDrafts(state: ClusterState, nodeId: string, r: TrimOutcome): EventDraft[] | 'denied' {
  const job = state.recurringJobs.get(r.job);
  const asked = job?.running?.fireMs === r.fireMs ? job.running.trims?.[r.volume] : undefined;
  if (asked === undefined) return [];
  if (asked !== nodeId) return 'denied';
  return [volumeDoneDraft(r.job, r.fireMs, r.volume, r.error ? { error: r.error } : { trimmedBytes: r.trimmedBytes })];
}

/**
 * The pending trims of `job` that can no longer be reported, each ended with an error: the volume
 * is gone, no longer attached to the node asked, or that node is down.
 */
export function trimLostDrafts(state: ClusterState, job: RecurringJobState): EventDraft[] {
  const out: EventDraft[] = [];
  if (!job.running) return out;
  for (const [volume, node] of Object.entries(job.running.trims ?? {})) {
    const v = state.volumes.get(volume);
    const why = !v
      ? 'the volume no longer exists'
      : state.nodes.get(node)?.down !== false
        ? `node ${node} is down`
        : v.attachState !== 'attached' || v.attachedTo !== node
          ? `the volume is no longer attached to node ${node}`
          : null;
    if (why)
      out.push(
        volumeDoneDraft(job.name, job.running.fireMs, volume, {
          error: `not trimmed: ${why} (fstrim was requested of it)`,
        }),
      );
  }
  return out;
}

/**
 * The next piece of a job's run in progress: up to `concurrency` of its pending volumes (at most
 * that many volumes of one job at a time), in the order the run listed them.
 */
export function nextVolumes(job: RecurringJobState): string[] {
  return job.running ? job.running.pending.slice(0, Math.max(1, job.concurrency)) : [];
}

/** The cause on the BackupDeleted a backup job's retention appends. */
export const retentionCause = (job: string): string => `recurring-job:${job}@retention`;

/**
 * A backup job's retention in the target: per volume, its completed backups (labelled with the
 * job) beyond the newest `retain`, oldest first. Backups not done yet are not counted; a failed
 * one holds nothing in the target.
 */
export function backupsBeyondRetain(
  state: ClusterState,
  job: RecurringJobState,
): { volume: string; name: string; url: string }[] {
  if (job.task !== 'backup' && job.task !== 'backup-force-create') return [];
  const out: { volume: string; name: string; url: string }[] = [];
  for (const v of [...state.volumes.values()].sort((a, b) => a.name.localeCompare(b.name))) {
    const mine = Object.values(v.backups ?? {})
      .filter((b) => b.state === 'completed' && b.labels[BACKUP_JOB_LABEL] === job.name)
      .sort((a, b) => a.requestedSeq - b.requestedSeq);
    for (const b of mine.slice(0, Math.max(0, mine.length - job.retain)))
      out.push({ volume: v.name, name: b.name, url: b.url });
  }
  return out;
}
