// The reconciler: the leader's I/O shell around the pure scheduler. Whenever the projected state
// changes (at most every 10 ms, however busy the log) it asks schedule(state, settings, now) for decisions and appends them with
// the leader's fence; a deposed leader's append is refused by etcd, so it can never decide.
// Evaluating the same state twice gives no new decisions (the scheduler guarantees it; the
// reconciler waits until its own decisions are projected before it asks again).
// A pass decides only for the volumes that events touched since the last one (volumesTouched),
// unless an event reached beyond named volumes (a node, a disk, settings, a removal that freed
// space): then, and at least once a second while partial passes run (less often when full passes
// are long: at most a twentieth of the time goes to them), it decides for all. At a
// few thousand volumes a full pass per event was most of the manager's CPU under a create storm.
import type { Subscription } from 'rxjs';
import { auditTime } from 'rxjs';
import type { EventDraft, EventLog, Fence, LiveProjection } from '@cairn/metadata';
import { FencedError, MAX_EVENTS_PER_APPEND, volumesTouched } from '@cairn/metadata';
import { batches, schedule, scheduleVolumes, toDraft } from '@cairn/scheduler';

export interface ReconcilerOptions {
  projection: LiveProjection;
  log: EventLog;
  fence: Fence;
  actor: string;
  clock?: () => number;
  /** Passes start at most this often (ms): the events of the wait go in one pass. */
  batchMs?: number;
  onError?: (e: unknown) => void;
  /** Called when the fence is refused: leadership is gone. */
  onFenced?: () => void;
}

/**
 * While partial passes run, a full one at least this often (decisions across volumes), or less
 * often when full passes are long: at most one twentieth of the time goes to them (a full pass
 * over 10,000 volumes takes a tenth of a second or more).
 */
const FULL_PASS_MS = 1000;
const FULL_PASS_SHARE = 20;

export class Reconciler {
  private sub: Subscription | null = null;
  private running = false;
  private dirty = false;
  private stopped = false;
  private wake: NodeJS.Timeout | null = null;
  private wakeAt: number | null = null;
  /** Volumes touched since the last pass looked at them; `dirtyAll`: look at every volume. */
  private dirtyVolumes = new Set<string>();
  private dirtyAll = true;
  private lastFull = 0;
  /** How long the last full pass took (ms). */
  private lastFullMs = 0;
  private partialSinceFull = false;
  private fullTimer: NodeJS.Timeout | null = null;
  private readonly clock: () => number;
  /** Decisions appended since start (for status and tests). */
  decisionsAppended = 0;
  /** Passes run since start, over every volume and over the touched ones (for tests). */
  readonly passes = { full: 0, partial: 0 };

  constructor(private readonly o: ReconcilerOptions) {
    this.clock = o.clock ?? Date.now;
  }

  start(): void {
    const changes$ = this.o.projection.changes$;
    this.sub = changes$.subscribe(({ state, event }) => {
      if (this.dirtyAll) return;
      const touched = volumesTouched(state, event);
      // A deleted volume's replicas went with it: space freed for any volume.
      if (touched === null || event.payload === 'volumeDeleted') this.dirtyAll = true;
      else for (const v of touched) this.dirtyVolumes.add(v);
    });
    // auditTime, not a debounce: under a steady stream of events a debounce would never fire.
    this.sub.add(changes$.pipe(auditTime(this.o.batchMs ?? 10)).subscribe(() => this.kick()));
    this.kick();
  }

  stop(): void {
    this.stopped = true;
    this.sub?.unsubscribe();
    if (this.wake) clearTimeout(this.wake);
    if (this.fullTimer) clearTimeout(this.fullTimer);
  }

  /** Runs a pass now, or right after the one in progress. */
  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.dirty = true;
      return;
    }
    this.running = true;
    void this.loop();
  }

  private async loop(): Promise<void> {
    try {
      do {
        this.dirty = false;
        await this.pass();
      } while (this.dirty && !this.stopped);
    } catch (e) {
      if (e instanceof FencedError) {
        this.stop();
        this.o.onFenced?.();
      } else {
        this.dirtyAll = true; // what the failed pass took is not decided: look at everything again
        this.o.onError?.(e);
        // Try again shortly: the state or etcd may have moved on.
        if (!this.stopped) setTimeout(() => this.kick(), 500).unref();
      }
    } finally {
      this.running = false;
    }
  }

  private async pass(): Promise<void> {
    for (;;) {
      if (this.stopped) return;
      const state = this.o.projection.state;
      const now = this.clock();
      const full = this.dirtyAll || now - this.lastFull >= this.fullEvery();
      const only = this.dirtyVolumes;
      if (!full && only.size === 0) return;
      this.dirtyVolumes = new Set();
      this.dirtyAll = false;
      if (full) this.lastFull = now;
      this.partialSinceFull = !full;
      this.passes[full ? 'full' : 'partial']++;
      const started = performance.now();
      const { decisions, wakeAtMs } = full
        ? schedule(state, state.settings, now)
        : scheduleVolumes(state, state.settings, now, only);
      if (full) this.lastFullMs = performance.now() - started;
      this.armWake(wakeAtMs, full);
      if (!full) this.armFull();
      if (decisions.length === 0) return;
      const parts = batches(decisions, MAX_EVENTS_PER_APPEND);
      // The first batch only: the rest is decided again on the state that includes it.
      if (parts.length > 1) {
        if (full) this.dirtyAll = true;
        else for (const v of only) this.dirtyVolumes.add(v);
      }
      const chunk: EventDraft[] = parts[0]!.map((d) => toDraft(d, state.seq));
      const r = await this.o.log.append(chunk, { fence: this.o.fence, actor: this.o.actor });
      this.decisionsAppended += chunk.length;
      await this.o.projection.waitFor(r.lastSeq);
    }
  }

  /**
   * A failed replica's wait runs out at wakeAtMs: decide again then (over everything), even if
   * nothing changes. A full pass says when the earliest is; a partial one can only bring it forward.
   */
  private armWake(wakeAtMs: number | null, full: boolean): void {
    if (!full && (wakeAtMs === null || (this.wakeAt !== null && this.wakeAt <= wakeAtMs))) return;
    if (this.wake) clearTimeout(this.wake);
    this.wake = null;
    this.wakeAt = wakeAtMs;
    if (wakeAtMs === null || this.stopped) return;
    const delay = Math.max(0, wakeAtMs - this.clock()) + 5;
    this.wake = setTimeout(
      () => {
        this.wakeAt = null;
        this.dirtyAll = true;
        this.kick();
      },
      Math.min(delay, 2 ** 31 - 1),
    );
    this.wake.unref();
  }

  /** The longest a partial pass may go without a full one after it. */
  private fullEvery(): number {
    return Math.max(FULL_PASS_MS, FULL_PASS_SHARE * this.lastFullMs);
  }

  /** After a partial pass: a full one within fullEvery(), even if nothing else happens. */
  private armFull(): void {
    if (this.fullTimer || this.stopped) return;
    this.fullTimer = setTimeout(() => {
      this.fullTimer = null;
      if (this.partialSinceFull) this.dirtyAll = true;
      this.kick();
    }, this.fullEvery() + 5);
    this.fullTimer.unref();
  }
}
