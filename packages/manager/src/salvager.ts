// Auto-salvage, on the leader (Longhorn's auto-salvage setting, default true). A volume whose
// replicas have all failed has nothing to rebuild from, so the scheduler leaves it alone; this
// brings it back from the replicas with the newest data, which only the nodes can tell (their
// stores' revisions, reported for failed replicas and kept in lease-bound status keys). The
// choice is the scheduler's pure chooseSalvage; this shell only reads the figures, appends the
// decision with the leader's fence and waits for it to be projected. It polls (once a second)
// instead of following the figures: salvage is rare, the poll is a scan of the projected state,
// and etcd is read only for volumes that are faulted.
import type { EventLog, Fence, LiveProjection } from '@cairn/metadata';
import { ConflictError, volumeRobustness } from '@cairn/metadata';
import { chooseSalvage, salvageDraft } from '@cairn/scheduler';
import { LeaderPoller } from './leader-poll.js';
import type { ReplicaFigures } from './replica-figures.js';

export interface SalvagerOptions {
  projection: LiveProjection;
  log: EventLog;
  fence: Fence;
  actor: string;
  figures: ReplicaFigures;
  pollMs?: number;
  onError?: (e: unknown) => void;
  onFenced?: () => void;
  /** Told each time auto-salvage waits, and why (the manager logs it once per volume and reason). */
  onWaiting?: (volume: string, why: string) => void;
  clock?: () => number;
}

/**
 * A volume salvaged and faulted again (a salvaged replica unreachable after all, say) is not
 * salvaged again at once: the wait doubles each time, from a second up to this; it starts over
 * once the volume is healthy.
 */
const MAX_BACKOFF_MS = 60_000;

export class Salvager extends LeaderPoller {
  private readonly said = new Map<string, string>();
  /** Volumes salvaged since they were last healthy: how often, and not again before when. */
  private readonly backoff = new Map<string, { count: number; untilMs: number }>();

  constructor(private readonly o: SalvagerOptions) {
    super(o, 1000);
  }

  /** One look: every faulted volume whose figures are all in is salvaged. */
  async poll(): Promise<number> {
    const s = this.o.projection.state;
    if (!s.settings['auto-salvage']) return 0;
    const faulted = [...s.volumes.values()]
      .filter((v) => volumeRobustness(s, v) === 'faulted')
      .map((v) => v.name)
      .sort();
    const clock = this.o.clock ?? Date.now;
    for (const name of this.backoff.keys()) {
      const v = s.volumes.get(name);
      if (!v || volumeRobustness(s, v) === 'healthy') this.backoff.delete(name);
    }
    let done = 0;
    for (const name of faulted) {
      if (this.stopped) break;
      const b = this.backoff.get(name);
      if (b && clock() < b.untilMs) {
        const why = `salvaged ${b.count} time(s) and faulted again: waiting until ${new Date(b.untilMs).toISOString()} before the next try`;
        if (this.said.get(name) !== why) this.o.onWaiting?.(name, why);
        this.said.set(name, why);
        continue;
      }
      const ids = [...(s.replicasByVolume.get(name) ?? [])];
      const figures = await this.o.figures.read(ids);
      const now = this.o.projection.state; // decided on the newest state (the read took a moment)
      const c = chooseSalvage(now, name, (id) => figures.get(id), { auto: true });
      if (!c.ok) {
        if (this.said.get(name) !== c.detail) this.o.onWaiting?.(name, c.detail);
        this.said.set(name, c.detail);
        continue;
      }
      this.said.delete(name);
      try {
        // Appended right after the state it was decided on: a report that moved the volume meanwhile wins.
        const r = await this.o.log.append([salvageDraft(c, now.seq)], {
          fence: this.o.fence,
          actor: this.o.actor,
          expectedSeq: now.seq,
        });
        await this.o.projection.waitFor(r.lastSeq);
        const count = (b?.count ?? 0) + 1;
        this.backoff.set(name, { count, untilMs: clock() + Math.min(MAX_BACKOFF_MS, 1000 * 2 ** (count - 1)) });
        done++;
      } catch (e) {
        if (!(e instanceof ConflictError)) throw e; // the next poll decides again on the newer state
      }
    }
    return done;
  }
}
