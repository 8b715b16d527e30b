// Test support: a ClusterState built by real events (each draft encoded and decoded with the log's
// codec, then applied with the projection's reducer), with shorthands for what these tests need.
import { applyEvent, decodeEvent, draft, emptyState, encodeEvent, SCHEMA_VERSION } from '@cairn/metadata';
import type { ClusterState, EventDraft } from '@cairn/metadata';

export class World {
  state: ClusterState = emptyState();

  apply(...ds: EventDraft[]): this {
    for (const d of ds) {
      const seq = this.state.seq + 1;
      applyEvent(
        this.state,
        decodeEvent(
          encodeEvent({ ...d, seq, timeMs: 1_000_000 + seq, actor: 'test', cause: '', schemaVersion: SCHEMA_VERSION }),
          seq,
        ),
      );
    }
    return this;
  }

  node(id: string, o: { tags?: string[] } = {}): this {
    return this.apply(
      draft.nodeRegistered(id, { tags: o.tags ?? [] }),
      draft.diskAdded(id, `${id}-d`, { maximum: 100 << 30 }),
    );
  }

  cordon(id: string, cordoned = true): this {
    const n = this.state.nodes.get(id)!;
    return this.apply({
      nodeUpdated: {
        nodeId: id,
        allowScheduling: n.allowScheduling,
        evictionRequested: n.evictionRequested,
        tags: n.tags,
        cordoned,
      },
    });
  }

  down(id: string): this {
    return this.apply({ nodeDown: { nodeId: id, reason: 'test' } });
  }

  /** A volume; with `pvc` it was provisioned for that claim (ns/name) through CSI. */
  volume(
    name: string,
    o: { replicas?: number; pvc?: string; unsupported?: { key: string; value: string; reason: string }[] } = {},
  ): this {
    const d = draft.volumeCreated(name, { size: 1 << 30, numberOfReplicas: o.replicas ?? 2 });
    if (o.pvc) {
      const [ns, pvc] = o.pvc.split('/') as [string, string];
      d.volumeCreated!.csiName = `pvc-${name}`;
      d.volumeCreated!.kubernetes = { pvcNamespace: ns, pvcName: pvc, pvName: `pvc-${name}` };
      d.volumeCreated!.unsupportedParameters = o.unsupported ?? [];
    }
    return this.apply(d);
  }

  /** Replica `id` of `volume` on `node`, scheduled and (unless `running` is false) running. */
  replica(volume: string, id: string, node: string, running = true): this {
    this.apply({ replicaScheduled: { replicaId: id, volume, nodeId: node, diskId: `${node}-d`, trigger: 'test' } });
    return running ? this.apply({ replicaRunning: { replicaId: id, address: `${node}:1` } }) : this;
  }

  fail(id: string): this {
    return this.apply({ replicaFailed: { replicaId: id, reason: 'test' } });
  }

  attach(volume: string, node: string): this {
    return this.apply(
      { volumeAttachRequested: { name: volume, nodeId: node } },
      { volumeAttached: { name: volume, nodeId: node, endpoint: 'nbd://x' } },
    );
  }

  unschedulable(volume: string, missing: number, reasons: Record<string, string[]>): this {
    return this.apply({
      volumeUnschedulable: {
        name: volume,
        missing,
        summary: `${Object.keys(reasons).length} node(s) rejected`,
        candidates: Object.entries(reasons).map(([nodeId, rs]) => ({ nodeId, diskId: '', reasons: rs, detail: '' })),
      },
    });
  }
}
