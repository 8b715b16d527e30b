// Which events concern which volume, so that `cairn audit explain VOLUME` reads that volume's
// events only instead of the whole log on every call.
//
// VolumeEventIndex (pure, in memory) takes every event in seq order and keeps, per volume name,
// the seqs of the events that concern it: those whose payload names it (a volume event's `name`,
// any event's `volume` or `volumes`), name one of its replicas (`replicaId`, `replicaIds`), or are
// a node going down or up where one of its replicas was ever placed. That is a superset of what
// explainEvents (audit.ts) reads, by the payloads' fields rather than event by event, so a new
// event type that names its volume is indexed without a change here; explainEvents still decides
// what each event says. Names are kept after a volume is deleted (its history stays explainable,
// and a volume created again under the name continues it, as a read of the whole log would).
//
// VolumeHistory is its shell: built on the first explain (a manager that is never asked pays
// nothing), from the projection's event stream (projection.events(1): the log from seq 1 once, then
// each event as the projection applies it), and answers with the volume's events read by seq.
import type { CairnEvent, EventLog, LiveProjection } from '@cairn/metadata';
import type { Subscription } from 'rxjs';

export class VolumeEventIndex {
  /** The seq of the last event added. */
  seq = 0;
  private readonly seqs = new Map<string, number[]>();
  private readonly volumeOfReplica = new Map<string, string>();
  private readonly volumesOnNode = new Map<string, Set<string>>();

  /** Adds the next event (seq order, each once). */
  add(ev: CairnEvent): void {
    if (ev.seq <= this.seq) throw new RangeError(`event ${ev.seq} added after ${this.seq}`);
    this.seq = ev.seq;
    const p = ev.payload ? (ev[ev.payload] as Record<string, unknown> | null | undefined) : null;
    if (!p) return;
    const volumes = new Set<string>();
    const str = (v: unknown): string => (typeof v === 'string' ? v : '');
    const strs = (v: unknown): string[] =>
      Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
    if (ev.payload!.startsWith('volume')) volumes.add(str(p['name']));
    volumes.add(str(p['volume']));
    for (const v of strs(p['volumes'])) volumes.add(v);
    for (const id of [str(p['replicaId']), ...strs(p['replicaIds'])]) {
      const v = this.volumeOfReplica.get(id);
      if (v) volumes.add(v);
    }
    if (ev.payload === 'replicaScheduled') {
      const r = ev.replicaScheduled!;
      this.volumeOfReplica.set(r.replicaId, r.volume);
      let on = this.volumesOnNode.get(r.nodeId);
      if (!on) this.volumesOnNode.set(r.nodeId, (on = new Set()));
      on.add(r.volume);
    }
    if (ev.payload === 'nodeDown' || ev.payload === 'nodeUp') {
      for (const v of this.volumesOnNode.get(str(p['nodeId'])) ?? []) volumes.add(v);
    }
    volumes.delete('');
    for (const v of volumes) {
      let list = this.seqs.get(v);
      if (!list) this.seqs.set(v, (list = []));
      list.push(ev.seq);
    }
  }

  /** The seqs of the events that concern `volume`, up to `upTo`, ascending. */
  seqsOf(volume: string, upTo = Infinity): number[] {
    const all = this.seqs.get(volume) ?? [];
    let n = all.length;
    while (n > 0 && all[n - 1]! > upTo) n--;
    return all.slice(0, n);
  }
}

/** Seqs this close together are read in one range (the events between are read and dropped). */
const READ_GAP = 8;
/** Ranges read at once. */
const READS_IN_FLIGHT = 8;

/** Ascending seqs as [from, to] ranges, merging those at most READ_GAP apart. */
export function readRanges(seqs: number[]): [number, number][] {
  const out: [number, number][] = [];
  for (const s of seqs) {
    const last = out[out.length - 1];
    if (last && s - last[1] <= READ_GAP) last[1] = s;
    else out.push([s, s]);
  }
  return out;
}

export class VolumeHistory {
  private readonly index = new VolumeEventIndex();
  private sub: Subscription | null = null;
  private failure: unknown = null;
  private waiters: { seq: number; resolve: () => void }[] = [];

  constructor(
    private readonly log: EventLog,
    private readonly projection: LiveProjection,
  ) {}

  /**
   * The events up to `upTo` that concern `volume`, ascending (and perhaps a few others near them:
   * explainEvents picks). Without the index (the projection stopped on a log that does not hold),
   * the whole log up to `upTo`, as before.
   */
  async eventsOf(volume: string, upTo: number): Promise<CairnEvent[]> {
    if (!(await this.indexed(upTo))) return this.log.read(1, upTo);
    const ranges = readRanges(this.index.seqsOf(volume, upTo));
    const pages: CairnEvent[][] = new Array(ranges.length);
    let next = 0;
    const worker = async (): Promise<void> => {
      for (let i = next++; i < ranges.length; i = next++) pages[i] = await this.log.read(ranges[i]![0], ranges[i]![1]);
    };
    await Promise.all(Array.from({ length: Math.min(READS_IN_FLIGHT, ranges.length) }, worker));
    return pages.flat();
  }

  /** True once the index holds every event up to `seq`; false when it cannot (then never again). */
  private indexed(seq: number): Promise<boolean> {
    if (!this.sub && !this.failure) {
      // Ends with the projection (closed, or stopped on an error): the waiters are answered then.
      const end = (e: unknown): void => {
        this.failure = e;
        for (const w of this.waiters.splice(0)) w.resolve();
      };
      this.sub = this.projection.events(1).subscribe({
        next: (ev) => {
          try {
            this.index.add(ev);
          } catch (e) {
            this.sub?.unsubscribe();
            end(e);
            return;
          }
          if (this.waiters.length === 0) return;
          const ready = this.waiters.filter((w) => w.seq <= ev.seq);
          this.waiters = this.waiters.filter((w) => w.seq > ev.seq);
          for (const w of ready) w.resolve();
        },
        error: end,
        complete: () => end(new Error('the projection was closed')),
      });
    }
    if (this.failure) return Promise.resolve(false);
    if (this.index.seq >= seq) return Promise.resolve(true);
    return new Promise((resolve) =>
      this.waiters.push({ seq, resolve: () => resolve(!this.failure && this.index.seq >= seq) }),
    );
  }
}
