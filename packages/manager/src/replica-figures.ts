// What nodes observe of their failed replicas' stores (revision, cleanShutdown, rebuilding), kept
// where salvage can read it from any manager: a status key per replica, bound to the lease of the
// node that reported it. Not events (observations, like heartbeats and usage): the salvage event
// records the figures it used. A node that goes down takes its figures with its lease, so a
// replica whose node is down counts as "not reported".
import type { Etcd3, Lease } from 'etcd3';
import type { ObservedFigures } from '@cairn/scheduler';
import { Keys } from '@cairn/metadata';

export interface StoredFigures extends ObservedFigures {
  nodeId: string;
}

export class ReplicaFigures {
  private readonly keys: Keys;

  constructor(
    private readonly client: Etcd3,
    prefix?: string,
  ) {
    this.keys = new Keys(prefix);
  }

  key(replicaId: string): string {
    return this.keys.replicaFigures(replicaId);
  }

  /** Records a node's figures of its replicas under that node's lease. */
  async put(
    lease: Lease,
    nodeId: string,
    figures: { replicaId: string; revision: number; cleanShutdown: boolean; rebuilding: boolean }[],
    nowMs: number,
  ): Promise<void> {
    await Promise.all(
      figures.map((f) =>
        lease
          .put(this.key(f.replicaId))
          .value(
            JSON.stringify({
              nodeId,
              revision: f.revision,
              cleanShutdown: f.cleanShutdown,
              rebuilding: f.rebuilding,
              observedAtMs: nowMs,
            } satisfies StoredFigures),
          )
          .exec(),
      ),
    );
  }

  /** The figures recorded for these replicas (missing ones are absent from the map). */
  async read(replicaIds: Iterable<string>): Promise<Map<string, StoredFigures>> {
    const out = new Map<string, StoredFigures>();
    await Promise.all(
      [...replicaIds].map(async (id) => {
        const v = await this.client.get(this.key(id)).string();
        if (v === null) return;
        try {
          out.set(id, JSON.parse(v) as StoredFigures);
        } catch {
          /* a value that does not parse is no figure */
        }
      }),
    );
    return out;
  }
}
