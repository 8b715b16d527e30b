// The reconciler: the leader's I/O shell around the pure scheduler. Whenever the projected state
// changes (debounced) it asks schedule(state, settings, now) for decisions and appends them with
// the leader's fence; a deposed leader's append is refused by etcd, so it can never decide.
// Evaluating the same state twice gives no new decisions (the scheduler guarantees it; the
// reconciler waits until its own decisions are projected before it asks again).
import type { Subscription } from 'rxjs';
import { debounceTime } from 'rxjs';
import type { EventDraft, EventLog, Fence, LiveProjection } from '@cairn/metadata';
import { FencedError } from '@cairn/metadata';
import { batches, schedule, toDraft } from '@cairn/scheduler';

export interface ReconcilerOptions {
  projection: LiveProjection;
  log: EventLog;
  fence: Fence;
  actor: string;
  clock?: () => number;
  debounceMs?: number;
  onError?: (e: unknown) => void;
  /** Called when the fence is refused: leadership is gone. */
  onFenced?: () => void;
}

/** Most events one append carries; a pass with more decides again after the first part lands. */
const MAX_APPEND = 100;

export class Reconciler {
  private sub: Subscription | null = null;
  private running = false;
  private dirty = false;
  private stopped = false;
  private wake: NodeJS.Timeout | null = null;
  private readonly clock: () => number;
  /** Decisions appended since start (for status and tests). */
  decisionsAppended = 0;

  constructor(private readonly o: ReconcilerOptions) {
    this.clock = o.clock ?? Date.now;
  }

  start(): void {
    this.sub = this.o.projection.changes$.pipe(debounceTime(this.o.debounceMs ?? 10)).subscribe(() => this.kick());
    this.kick();
  }

  stop(): void {
    this.stopped = true;
    this.sub?.unsubscribe();
    if (this.wake) clearTimeout(this.wake);
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
      const { decisions, wakeAtMs } = schedule(state, state.settings, this.clock());
      this.armWake(wakeAtMs);
      if (decisions.length === 0) return;
      // The first batch only: the rest is decided again on the state that includes it.
      const chunk: EventDraft[] = batches(decisions, MAX_APPEND)[0]!.map((d) => toDraft(d, state.seq));
      const r = await this.o.log.append(chunk, { fence: this.o.fence, actor: this.o.actor });
      this.decisionsAppended += chunk.length;
      await this.o.projection.waitFor(r.lastSeq);
    }
  }

  /** A failed replica's wait runs out at wakeAtMs: decide again then, even if nothing changes. */
  private armWake(wakeAtMs: number | null): void {
    if (this.wake) clearTimeout(this.wake);
    this.wake = null;
    if (wakeAtMs === null || this.stopped) return;
    const delay = Math.max(0, wakeAtMs - this.clock()) + 5;
    this.wake = setTimeout(() => this.kick(), Math.min(delay, 2 ** 31 - 1));
    this.wake.unref();
  }
}
