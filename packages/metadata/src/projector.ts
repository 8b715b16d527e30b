// LiveProjection: the I/O shell around the reducer. It starts from the newest snapshot, follows
// the log from there, applies each event, publishes the new state, and (optionally) stores a
// snapshot every N events. It also serves followers of the log (events()) from its own stream.
//
// Every event is checked against the log's hash chain (chain.ts) before it is applied: a broken
// chain stops the projection before that seq, with a ChainBrokenError naming it. A snapshot is
// taken only with the chain hash at its seq, and loading one starts the chain from there: the
// manifest's chain hash must be the one the log's event at that seq carries, else the snapshot
// is not of this log and the projection replays from seq 1 instead.
import type { Subscription } from 'rxjs';
import { Observable, Subject } from 'rxjs';
import type { EventLog } from './log.js';
import { ChainBrokenError, CorruptError, UnknownEventTypeError } from './errors.js';
import type { ChainHash } from './chain.js';
import { chainHashOf, followChain } from './chain.js';
import type { SnapshotStore } from './snapshots.js';
import type { CairnEvent } from './events.js';
import { storedBytes } from './events.js';
import type { ClusterState } from './state.js';
import { emptyState } from './state.js';
import { cloneState } from './canonical.js';
import { applyEvent } from './projection.js';

export interface LiveProjectionOptions {
  snapshots?: SnapshotStore;
  /** Store a snapshot every this many events (0: never, until writeSnapshots says otherwise). */
  snapshotEvery?: number;
  /** Told about snapshots that could not be loaded or saved; the projection goes on. */
  onWarning?: (message: string) => void;
  /**
   * open() resolves even when the projection stops on an error while catching up (a corrupt or
   * unknown event, a broken chain): the state is then the one before that seq and `error` says
   * why. A manager uses it to stay up and tell why it serves nothing newer. Default: open() rejects.
   */
  openDespiteError?: boolean;
}

/** Events read from the log per request when a follower catches up. */
const PAGE = 500;

export class LiveProjection {
  /** The current state. The reducer updates it in place; copy it (cloneState) to keep a version. */
  readonly state: ClusterState;
  /**
   * Emits the state and the event after every applied event. Completes when the projection is
   * closed or stops on an error (`error` then says why): it never errors, so that a subscriber
   * without an error handler cannot bring its process down with a log that does not hold.
   */
  readonly changes$ = new Subject<{ state: ClusterState; event: CairnEvent }>();
  private sub: Subscription | null = null;
  private waiters: { seq: number; resolve: () => void; reject: (e: unknown) => void }[] = [];
  private failure: unknown = null;
  private snapshotting = false;
  /** A snapshot that fell due while one was being saved: a copy of the state at its seq, saved next. */
  private snapshotDue: { state: ClusterState; chain: ChainHash } | null = null;
  private snapshotEvery: number;
  /** The seq of the snapshot this projection started from (0: replayed from the start). */
  readonly startedFromSeq: number;

  private constructor(
    state: ClusterState,
    private chain: ChainHash,
    private readonly log: EventLog,
    private readonly opts: LiveProjectionOptions,
  ) {
    this.state = state;
    this.startedFromSeq = state.seq;
    this.snapshotEvery = opts.snapshotEvery ?? 0;
  }

  /** Loads the newest snapshot, then follows the log; resolves once caught up with the head. */
  static async open(log: EventLog, opts: LiveProjectionOptions = {}): Promise<LiveProjection> {
    const snap = opts.snapshots
      ? await opts.snapshots.load(undefined, (m, why) => opts.onWarning?.(`snapshot at seq ${m.seq} skipped: ${why}`))
      : null;
    let start: { state: ClusterState; chain: ChainHash } = { state: emptyState(), chain: null };
    if (snap) {
      const m = snap.manifest;
      try {
        const [ev] = await log.read(m.seq, m.seq, 1);
        const logged = ev ? chainHashOf(ev) : null;
        if (m.chain !== undefined && logged?.toString('hex') !== m.chain) {
          throw new Error(
            `its chain hash ${m.chain} is not the one the log carries at seq ${m.seq} (${logged?.toString('hex') ?? 'none'})`,
          );
        }
        // A snapshot from before the chain: the log's own hash at its seq is where the chain stands.
        start = { state: snap.state, chain: logged };
      } catch (e) {
        opts.onWarning?.(`snapshot at seq ${m.seq} skipped, replaying from seq 1: ${(e as Error).message}`);
      }
    }
    const p = new LiveProjection(start.state, start.chain, log, opts);
    p.sub = log.subscribe(p.state.seq + 1).subscribe({
      next: (ev) => p.apply(ev),
      error: (e) => p.fail(e),
    });
    try {
      await p.waitFor(await log.headSeq());
    } catch (e) {
      if (!opts.openDespiteError || !p.failure) throw e;
    }
    return p;
  }

  /** Resolves once the state has applied `seq`; rejects if projection stopped on an error. */
  waitFor(seq: number): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.state.seq >= seq) return Promise.resolve();
    return new Promise((resolve, reject) => this.waiters.push({ seq, resolve, reject }));
  }

  /**
   * Every event from `fromSeq` on, exactly once, in seq order, and then each new one as this
   * projection applies it: those it had applied when subscribed are read from the log a page at a
   * time, the later ones come from changes$. Any number of followers share the projection's one
   * etcd watch and one decode per event (log.subscribe() opens a watch of its own and decodes every
   * event again). Errors if the projection stops on an error; completes when it is closed.
   */
  events(fromSeq: number): Observable<CairnEvent> {
    return new Observable<CairnEvent>((sub) => {
      let next = Math.max(1, fromSeq);
      let live = false;
      const later: CairnEvent[] = [];
      const deliver = (ev: CairnEvent): void => {
        if (ev.seq < next || sub.closed) return;
        if (ev.seq > next) throw new CorruptError(next, `missing from the log (the next event read is seq ${ev.seq})`);
        next = ev.seq + 1;
        sub.next(ev);
      };
      // Subscribed first, and the head taken in the same tick: every event after `upTo` comes
      // through here, so the catch-up below has a fixed end however fast the log grows.
      const upTo = this.state.seq;
      const changes = this.changes$.subscribe({
        next: ({ event }) => {
          if (!live) later.push(event);
          else
            try {
              deliver(event);
            } catch (e) {
              sub.error(e);
            }
        },
        complete: () => (this.failure ? sub.error(this.failure) : sub.complete()),
      });
      void (async () => {
        let delay = 25;
        while (next <= upTo && !sub.closed) {
          let page: CairnEvent[];
          try {
            page = await this.log.read(next, Math.min(upTo, next + PAGE - 1));
          } catch (e) {
            // A corrupt or unknown event ends the stream; etcd being unreachable for a moment does not.
            if (e instanceof CorruptError || e instanceof UnknownEventTypeError) throw e;
            await new Promise((r) => setTimeout(r, delay));
            delay = Math.min(delay * 2, 1000);
            continue;
          }
          delay = 25;
          if (page.length === 0) throw new CorruptError(next, 'missing from the log');
          for (const ev of page) deliver(ev);
        }
        for (const ev of later.splice(0)) deliver(ev);
        live = true;
      })().catch((e: unknown) => sub.error(e));
      return () => changes.unsubscribe();
    });
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
      const bytes = storedBytes(ev);
      if (!bytes) throw new ChainBrokenError(ev.seq, 'the projection was given an event without its stored bytes');
      const chain = followChain(this.chain, ev, bytes);
      applyEvent(this.state, ev);
      this.chain = chain;
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
    if (this.snapshotEvery > 0 && this.opts.snapshots && this.state.seq % this.snapshotEvery === 0) this.snapshot();
  }

  /**
   * From now on, a snapshot every `every` events (0: none). A manager's projection writes them
   * only while the manager leads: followers read snapshots, they do not write them.
   */
  writeSnapshots(every: number): void {
    this.snapshotEvery = every;
  }

  /**
   * Stores a snapshot of the state now. save() copies the state before its first await, so it is
   * exactly the state at this seq even though the reducer moves on. One save runs at a time; a
   * snapshot that falls due meanwhile is a copy of the state at its own seq (so snapshots stay at
   * multiples of snapshotEvery however slow etcd is), saved right after; a later one replaces it.
   */
  private snapshot(): void {
    if (this.snapshotting) {
      this.snapshotDue = { state: cloneState(this.state), chain: this.chain };
      return;
    }
    this.save(this.state, this.chain);
  }

  private save(state: ClusterState, chain: ChainHash): void {
    this.snapshotting = true;
    const seq = state.seq;
    this.opts
      .snapshots!.save(state, chain)
      .catch((e) => this.opts.onWarning?.(`snapshot at seq ${seq} failed: ${(e as Error).message}`))
      .finally(() => {
        this.snapshotting = false;
        const due = this.snapshotDue;
        this.snapshotDue = null;
        if (due && !this.failure) this.save(due.state, due.chain);
      });
  }

  private fail(e: unknown): void {
    this.failure = e;
    this.sub?.unsubscribe();
    for (const w of this.waiters.splice(0)) w.reject(e);
    this.changes$.complete();
  }
}
