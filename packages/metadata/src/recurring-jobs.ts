// Recurring jobs in the projected state: the jobs as defined, the run each has going, which
// snapshots each made, and the volume labels that pick them (Longhorn's names). Pure reducer
// cases for the RecurringJob* events plus the label rules every reader shares (the manager's
// commands and runner, the API views), so "which jobs apply to this volume" is decided in one
// place.
import type { CairnEvent } from './events.js';
import { payloadOf } from './events.js';
import { CorruptError } from './errors.js';
import type { RecurringJobSpec as RecurringJobSpecProto, RecurringJobSpec__Output } from '@cairn/schema/events';
import type { ClusterState, RecurringJobDef, RecurringJobState, VolumeState } from './state.js';
import { RECURRING_JOB_TASKS } from './state.js';
import type { RecurringJobTask } from './state.js';

/** Longhorn's label prefixes: `<prefix><job or group>=enabled` on a volume picks the job(s). */
export const JOB_LABEL_PREFIX = 'recurring-job.longhorn.io/';
export const GROUP_LABEL_PREFIX = 'recurring-job-group.longhorn.io/';
/** The group of every volume that has no job or group label (Longhorn's). */
export const DEFAULT_JOB_GROUP = 'default';

export function jobDefFromEvent(p: RecurringJobSpec__Output | null, seq: number): RecurringJobDef {
  if (!p) throw new CorruptError(seq, 'recurring job spec missing');
  if (!(RECURRING_JOB_TASKS as readonly string[]).includes(p.task))
    throw new CorruptError(seq, `recurring job task "${p.task}" unknown`);
  return {
    name: p.name,
    task: p.task as RecurringJobTask,
    cron: p.cron,
    retain: p.retain,
    concurrency: p.concurrency,
    groups: [...p.groups].sort(),
    labels: sortedRecord(p.labels),
  };
}

export function jobDefToProto(d: RecurringJobDef): RecurringJobSpecProto {
  return {
    name: d.name,
    task: d.task,
    cron: d.cron,
    retain: d.retain,
    concurrency: d.concurrency,
    groups: d.groups,
    labels: d.labels,
  };
}

/** A record with its keys in sorted order (so equal label sets print and compare the same). */
export function sortedRecord(r: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of Object.keys(r).sort()) out[k] = r[k]!;
  return out;
}

/** The cause stamped on the snapshot events a job's run appends. */
export function jobCause(job: string, fireMs: number): string {
  return `recurring-job:${job}@${new Date(fireMs).toISOString()}`;
}

/**
 * The jobs that apply to a volume, sorted: those its job labels name, those of the groups its
 * group labels name, and with neither kind of label those of the "default" group. Jobs named by a
 * label that do not exist are left out (Longhorn keeps such labels; they apply once it exists).
 */
export function jobsOfVolume(state: ClusterState, v: VolumeState): string[] {
  const labels = v.spec.labels ?? {};
  const names = new Set<string>();
  const groups = new Set<string>();
  let any = false;
  for (const [k, val] of Object.entries(labels)) {
    if (k.startsWith(JOB_LABEL_PREFIX)) {
      any = true;
      if (val === 'enabled') names.add(k.slice(JOB_LABEL_PREFIX.length));
    } else if (k.startsWith(GROUP_LABEL_PREFIX)) {
      any = true;
      if (val === 'enabled') groups.add(k.slice(GROUP_LABEL_PREFIX.length));
    }
  }
  if (!any) groups.add(DEFAULT_JOB_GROUP);
  const out: string[] = [];
  for (const j of state.recurringJobs.values()) {
    if (names.has(j.name) || j.groups.some((g) => groups.has(g))) out.push(j.name);
  }
  return out.sort();
}

/** The volumes a job applies to now, sorted. */
export function volumesOfJob(state: ClusterState, job: string): string[] {
  const out: string[] = [];
  for (const v of state.volumes.values()) if (jobsOfVolume(state, v).includes(job)) out.push(v.name);
  return out.sort();
}

/**
 * The reducer's cases for the recurring job events. Runs of a job that no longer exists, or of a
 * fire time not newer than its last, are stale: they change nothing (the leader never appends
 * them; a replay meets them the same way every time).
 */
export function applyRecurringJobEvent(state: ClusterState, ev: CairnEvent): boolean {
  const seq = ev.seq;
  switch (ev.payload) {
    case 'recurringJobCreated': {
      const d = jobDefFromEvent(payloadOf(ev, 'recurringJobCreated').spec, seq);
      if (!state.recurringJobs.has(d.name)) {
        state.recurringJobs.set(d.name, { ...d, createdSeq: seq, createdMs: ev.timeMs, lastFireMs: 0, running: null });
      }
      return true;
    }
    case 'recurringJobUpdated': {
      const d = jobDefFromEvent(payloadOf(ev, 'recurringJobUpdated').spec, seq);
      const j = state.recurringJobs.get(d.name);
      if (j) Object.assign(j, d);
      return true;
    }
    case 'recurringJobDeleted':
      state.recurringJobs.delete(payloadOf(ev, 'recurringJobDeleted').name);
      return true;
    case 'recurringJobRunStarted': {
      const p = payloadOf(ev, 'recurringJobRunStarted');
      const j = state.recurringJobs.get(p.job);
      if (j && p.fireMs > j.lastFireMs) {
        j.lastFireMs = p.fireMs;
        j.running = p.volumes.length ? { fireMs: p.fireMs, seq, pending: [...p.volumes] } : null;
      }
      return true;
    }
    case 'recurringJobVolumeDone': {
      const p = payloadOf(ev, 'recurringJobVolumeDone');
      const j = state.recurringJobs.get(p.job);
      if (j?.running && j.running.fireMs === p.fireMs) {
        j.running.pending = j.running.pending.filter((v) => v !== p.volume);
        if (j.running.trims && p.volume in j.running.trims) {
          const { [p.volume]: _done, ...rest } = j.running.trims;
          if (Object.keys(rest).length) j.running.trims = rest;
          else delete j.running.trims;
        }
        if (j.running.pending.length === 0) j.running = null;
      }
      // The snapshot it made (appended just before, in the same append) is the job's.
      const snap = p.snapshotCreated ? state.volumes.get(p.volume)?.snapshots.get(p.snapshotCreated) : undefined;
      if (snap && snap.createdSeq < seq && !snap.job) snap.job = p.job;
      return true;
    }
    case 'recurringJobTrimRequested': {
      // The volume stays pending; the run waits for the node's report (or the leader's error).
      const p = payloadOf(ev, 'recurringJobTrimRequested');
      const j = state.recurringJobs.get(p.job);
      if (j?.running && j.running.fireMs === p.fireMs && j.running.pending.includes(p.volume)) {
        j.running.trims = sortedRecord({ ...j.running.trims, [p.volume]: p.nodeId });
      }
      return true;
    }
    default:
      return false;
  }
}

/** The trims requested of node `nodeId` and not reported yet, in job order. */
export function pendingTrimsOf(state: ClusterState, nodeId: string): { job: string; fireMs: number; volume: string }[] {
  const out: { job: string; fireMs: number; volume: string }[] = [];
  for (const j of [...state.recurringJobs.values()].sort((a, b) => a.name.localeCompare(b.name))) {
    for (const [volume, node] of Object.entries(j.running?.trims ?? {})) {
      if (node === nodeId) out.push({ job: j.name, fireMs: j.running!.fireMs, volume });
    }
  }
  return out;
}

/** A copy of a job the reducer may change in place (running and its pending list are replaced, never shared). */
export const copyRecurringJob = (j: RecurringJobState): RecurringJobState => ({
  ...j,
  running: j.running && {
    ...j.running,
    pending: [...j.running.pending],
    ...(j.running.trims ? { trims: { ...j.running.trims } } : {}),
  },
});
