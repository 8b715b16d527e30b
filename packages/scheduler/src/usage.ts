// The working view of the cluster's disks that one scheduling pass reads and updates: per disk
// the bytes scheduled on it (the sum of its replicas' sizes), per node the sum over its disks, the
// usable space and the rebuilds running there. Built once per pass in O(nodes + replicas); every
// placement or removal the pass decides is applied to it, so later choices in the same pass see
// earlier ones without rescanning the state.
import type { ClusterState, DiskState, NodeState, ReplicaState } from '@cairn/metadata';

export interface DiskEntry {
  disk: DiskState;
  node: NodeEntry;
  /** Bytes scheduled on the disk: sum of the sizes of the replicas placed on it. */
  scheduled: number;
  /** max(0, maximum - reserved): the base of the over-provisioning limit and of the balance ratio. */
  usable: number;
}

export interface NodeEntry {
  node: NodeState;
  id: string;
  zone: string;
  /** Disks sorted by id. */
  disks: DiskEntry[];
  diskById: Map<string, DiskEntry>;
  scheduled: number;
  usable: number;
  /** Replicas in mode 'rebuilding' on this node (the target side of a rebuild). */
  rebuilding: number;
  /** Set by a drain plan: treat the node as if evictionRequested were set. */
  drain: boolean;
}

export class Usage {
  /** Nodes sorted by id: the order candidates are visited in, so ties go to the lowest id. */
  readonly nodes: NodeEntry[] = [];
  readonly byId = new Map<string, NodeEntry>();
  /** Every zone that has a node ('' counts as a zone, as in Longhorn). */
  readonly zones = new Set<string>();

  constructor(state: ClusterState) {
    const ids = [...state.nodes.keys()].sort();
    for (const id of ids) {
      const node = state.nodes.get(id)!;
      const entry: NodeEntry = {
        node, id, zone: node.zone, disks: [], diskById: new Map(), scheduled: 0, usable: 0, rebuilding: 0, drain: false,
      };
      for (const diskId of [...node.disks.keys()].sort()) {
        const disk = node.disks.get(diskId)!;
        const d: DiskEntry = { disk, node: entry, scheduled: 0, usable: Math.max(0, disk.storageMaximum - disk.storageReserved) };
        entry.disks.push(d);
        entry.diskById.set(diskId, d);
        entry.usable += d.usable;
      }
      this.nodes.push(entry);
      this.byId.set(id, entry);
      this.zones.add(node.zone);
    }
    for (const r of state.replicas.values()) this.add(r.nodeId, r.diskId, r.size, r.mode === 'rebuilding');
  }

  disk(nodeId: string, diskId: string): DiskEntry | undefined {
    return this.byId.get(nodeId)?.diskById.get(diskId);
  }

  /** Accounts a replica of `size` bytes on a disk (and a rebuild on its node when `rebuilding`). */
  add(nodeId: string, diskId: string, size: number, rebuilding: boolean): void {
    const d = this.disk(nodeId, diskId);
    if (!d) return; // a replica on a disk that is gone reserves nothing
    d.scheduled += size;
    d.node.scheduled += size;
    if (rebuilding) d.node.rebuilding++;
  }

  remove(r: Pick<ReplicaState, 'nodeId' | 'diskId' | 'size' | 'mode'>): void {
    const d = this.disk(r.nodeId, r.diskId);
    if (!d) return;
    d.scheduled -= r.size;
    d.node.scheduled -= r.size;
    if (r.mode === 'rebuilding') d.node.rebuilding--;
  }

  /** The node's scheduled share of its usable space; what balance minimises. */
  static ratio(scheduled: number, usable: number): number {
    return usable > 0 ? scheduled / usable : Number.POSITIVE_INFINITY;
  }
}
