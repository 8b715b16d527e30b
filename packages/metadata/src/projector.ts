// LiveProjection: the I/O shell around the reducer. It starts from the newest snapshot, follows
import type { EventLog } from './log.js';
// the log from there, applies each event, publishes the new state, and (optionally) stores a
// snapshot every N events.
import type { Subscription } from 'rxjs';
import { Subject } from 'rxjs';
import type { SnapshotStore } from './snapshots.js';
import type { CairnEvent } from './events.js';
import type { ClusterState } from './state.js';
import { emptyState } from './state.js';
import { applyEvent } from './projection.js';

export interface LiveProjectionOptions {
  snapshots?: SnapshotStore;
  /** Store a snapshot every this many events (0: never). */
  snapshotEvery?: number;
  /** Told about snapshots that could not be loaded or saved; the projection goes on. */
  onWarning?: (message: string) => void;
}

export class LiveProjection {
  /** The current state. The reducer updates it in place; copy it (cloneState) to keep a version. */
  readonly state: ClusterState;
  /** Emits the state and the event after every applied event. */
  readonly changes$ = new Subject<{ state: ClusterState; event: CairnEvent }>();
  private sub: Subscription | null = null;
  private waiters: { seq: number; resolve: () => void; reject: (e: unknown) => void }[] = [];
  private failure: unknown = null;
  private snapshotting = false;
  private snapshotDue = false;
  /** The seq of the snapshot this projection started from (0: replayed from the start). */
  readonly startedFromSeq: number;

  private constructor(state: ClusterState, private readonly opts: LiveProjectionOptions) {
    this.state = state;
    this.startedFromSeq = state.seq;
  }

  /** Loads the newest snapshot, then follows the log; resolves once caught up with the head. */
  static async open(log: EventLog, opts: LiveProjectionOptions = {}): Promise<LiveProjection> {
    const snap = opts.snapshots
      ? await opts.snapshots.loadLatest(undefined, (m, why) => opts.onWarning?.(`snapshot at seq ${m.seq} skipped: ${why}`))
      : null;
    const p = new LiveProjection(snap ?? emptyState(), opts);
    p.sub = log.subscribe(p.state.seq + 1).subscribe({
      next: (ev) => p.apply(ev),
      error: (e) => p.fail(e),
    });
    await p.waitFor(await log.headSeq());
    return p;
  }

  /** Resolves once the state has applied `seq`; rejects if projection stopped on an error. */
  waitFor(seq: number): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.state.seq >= seq) return Promise.resolve();
    return new Promise((resolve, reject) => this.waiters.push({ seq, resolve, reject }));
  }

  /** The error that stopped projection, if any (a corrupt or unknown event, naming its seq). */
  get error(): unknown {
    return this.failure;
  }

  close(): void {
    this.sub?.unsubscribe();
    this.sub = null;
    this.changes$.complete();
  }

  private apply(ev: CairnEvent): void {
    try {
      applyEvent(this.state, ev);
    } catch (e) {
      this.fail(e);
      return;
    }
    this.changes$.next({ state: this.state, event: ev });
    if (this.waiters.length) {
      const ready = this.waiters.filter((w) => w.seq <= this.state.seq);
      this.waiters = this.waiters.filter((w) => w.seq > this.state.seq);
      for (const w of ready) w.resolve();
    }
    const every = this.opts.snapshotEvery ?? 0;
    if (every > 0 && this.opts.snapshots && this.state.seq % every === 0) this.snapshot();
  }

  /**
   * Stores a snapshot of the state now. save() serialises the state synchronously before its
   * first await, so it is exactly the state at this seq even though the reducer moves on. One
   * save runs at a time; a snapshot due meanwhile is taken, of the newer state, right after.
   */
  private snapshot(): void {
    if (this.snapshotting) {
      this.snapshotDue = true;
      return;
    }
    this.snapshotting = true;
    this.snapshotDue = false;
    const seq = this.state.seq;
    this.opts.snapshots!.save(this.state)
      .catch((e) => this.opts.onWarning?.(`snapshot at seq ${seq} failed: ${(e as Error).message}`))
      .finally(() => {
        this.snapshotting = false;
        if (this.snapshotDue && !this.failure) this.snapshot();
      });
  }

  private fail(e: unknown): void {
    this.failure = e;
    this.sub?.unsubscribe();
    for (const w of this.waiters.splice(0)) w.reject(e);
    this.changes$.error(e);
  }
}
