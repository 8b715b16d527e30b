// Recurring jobs, on the leader: at each fire time of a job, a run over the volumes the job
// applies to. The decisions are job-plan.ts's (pure); this shell reads the clock, appends them
// with the leader's fence and waits for them to be projected.
//
// Exactly once per fire time, across leader changes: a run starts with a RecurringJobRunStarted
// appended before any of its effects, decided on the state at seq S (no run of the job at or
// after that fire time) and appended only if the log is still at S (expectedSeq) and this
// manager still leads (fence). A manager that took over sees the run in its state and never
// starts that fire time again; it carries on with the run's volumes not done yet, each done by
// one append (its snapshot events and its RecurringJobVolumeDone) decided the same way. Fire
// times that went by with no leader are not dropped silently: the newest one due runs late, and
// the run event counts the ones before it as missed. A filesystem-trim volume waits for its
// node's report; this loop ends it with an error when that node can no longer report it.
import type { EventDraft, EventLog, Fence, LiveProjection } from '@cairn/metadata';
import { ConflictError, FencedError } from '@cairn/metadata';
import { LeaderPoller } from './leader-poll.js';
import {
  backupsBeyondRetain,
  dueRun,
  nextVolumes,
  retentionCause,
  runStartedDraft,
  trimLostDrafts,
  volumeStep,
} from './job-plan.js';

export interface RecurringJobsOptions {
  projection: LiveProjection;
  log: EventLog;
  fence: Fence;
  actor: string;
  /** How often the jobs are looked at, ms: a fire time runs at most this late (and a 1 s cron needs less). */
  pollMs?: number;
  clock?: () => number;
  onError?: (e: unknown) => void;
  onFenced?: () => void;
  /**
   * Removes a backup from the target and appends its BackupDeleted (backup-service.ts remove), for
   * the backup jobs' retention; absent: backups beyond retain stay.
   */
  removeBackup?: (url: string, cause: string) => Promise<unknown>;
}

/** A backup whose removal failed is tried again after this long. */
const REMOVE_RETRY_MS = 30_000;

export class RecurringJobs extends LeaderPoller {
  /** The backup removals of the jobs' retention going on (one at a time), and when each failed. */
  private removing: Promise<void> | null = null;
  private readonly failedAt = new Map<string, number>();

  constructor(private readonly o: RecurringJobsOptions) {
    super(o, 200);
  }

  /** One look at every job: starts the runs due, and moves every run in progress on by one step. Returns the appends made. */
  async poll(): Promise<number> {
    const clock = this.o.clock ?? Date.now;
    let appends = 0;
    for (const name of [...this.o.projection.state.recurringJobs.keys()].sort()) {
      try {
        appends += await this.advance(name, clock);
      } catch (e) {
        // One job's trouble (said, and tried again next poll) does not hold up the others.
        if (e instanceof FencedError) throw e;
        this.o.onError?.(e);
      }
    }
    this.removeBeyondRetain(clock());
    return appends;
  }

  /** Takes one job as far as it goes now: its run started, then its volumes a step at a time. */
  private async advance(name: string, clock: () => number): Promise<number> {
    let appends = 0;
    for (let guard = 0; guard < 1000 && !this.stopped; guard++) {
      const s = this.o.projection.state;
      const job = s.recurringJobs.get(name);
      if (!job) break;
      let drafts: EventDraft[];
      if (job.running) {
        // Trims a node can no longer report end first; a volume whose trim is pending adds
        // nothing (the run waits for the node's report, which node-service appends).
        drafts = [
          ...trimLostDrafts(s, job),
          ...nextVolumes(job).flatMap((v) => volumeStep(s, job, job.running!.fireMs, v)),
        ];
        if (!drafts.length) break;
      } else {
        const due = dueRun(job, clock());
        if (!due) break;
        drafts = [runStartedDraft(s, job, due)];
      }
      // The log moved meanwhile: decided again on the newer state.
      if (!(await this.append(drafts, s.seq))) continue;
      appends++;
    }
    return appends;
  }

  /**
   * Backup jobs' retention in the target: removes, in the background and one at a time, the
   * completed backups of each job beyond its retain (I/O on the target, so not inside a poll).
   * Removing one twice (a leader change meanwhile) is harmless: the second finds it gone.
   */
  private removeBeyondRetain(nowMs: number): void {
    const remove = this.o.removeBackup;
    if (!remove || this.removing) return;
    const s = this.o.projection.state;
    const todo = [...s.recurringJobs.values()]
      .flatMap((j) => backupsBeyondRetain(s, j).map((b) => ({ ...b, job: j.name })))
      .filter((b) => nowMs - (this.failedAt.get(b.url) ?? -Infinity) >= REMOVE_RETRY_MS);
    if (!todo.length) return;
    this.removing = (async () => {
      for (const b of todo) {
        if (this.stopped) break;
        try {
          await remove(b.url, retentionCause(b.job));
          this.failedAt.delete(b.url);
        } catch (e) {
          this.failedAt.set(b.url, nowMs);
          this.o.onError?.(e);
        }
      }
    })().finally(() => {
      this.removing = null;
    });
  }

  /** Appends right after the state the drafts were decided on; false when the log moved meanwhile (decided again next time). */
  private async append(drafts: EventDraft[], seq: number): Promise<boolean> {
    try {
      const r = await this.o.log.append(drafts, { fence: this.o.fence, actor: this.o.actor, expectedSeq: seq });
      await this.o.projection.waitFor(r.lastSeq);
      return true;
    } catch (e) {
      if (!(e instanceof ConflictError)) throw e;
      await this.o.projection.waitFor(e.actualSeq);
      return false;
    }
  }
}
