// The working view of the cluster's disks that one scheduling pass reads and updates: per disk
// the bytes scheduled on it (the sum of its replicas' sizes), per node the sum over its disks, the
// usable space and the rebuilds running there. Built once per pass in O(nodes + disks) from the
// state's per-disk index (diskLoad); every placement or removal the pass decides is applied to
// it, so later choices in the same pass see earlier ones without rescanning the state.
//
// The figures the candidate scan reads for every disk live in flat typed arrays indexed by a
// disk's position (nodes in id order, their disks in id order): a placement scans every disk of
// the cluster, and at 4,000 disks that scan is the scheduler's hot loop.
import type { ClusterState, DiskState, NodeState, ReplicaState } from '@cairn/metadata';

export interface DiskEntry {
  disk: DiskState;
  node: NodeEntry;
  /** Position in the Usage's per-disk arrays. */
  index: number;
}

export interface NodeEntry {
  node: NodeState;
  id: string;
  zone: string;
  /** Position in `Usage.nodes`, and the index of its zone in `Usage.zoneIndex`: the hot loop compares numbers, not strings. */
  idx: number;
  zoneIdx: number;
  /** Disks sorted by id; their indexes run from `first` to `first + disks.length - 1`. */
  disks: DiskEntry[];
  first: number;
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
  /** Every zone that has a node ('' counts as a zone, as in Longhorn), numbered. */
  readonly zoneIndex = new Map<string, number>();
  /** Per disk: bytes scheduled (sum of its replicas' sizes). */
  readonly scheduled: Float64Array;
  /** Per disk: max(0, maximum - reserved), the base of the over-provisioning limit and of balance. */
  readonly usable: Float64Array;
  /**
   * Per disk: the largest size that keeps available space above storage-minimal-available-
   * percentage (a replica fits if size < room), and the over-provisioning cap (it fits if
   * scheduled + size <= cap). Precomputed from the settings the pass runs with.
   */
  readonly room: Float64Array;
  readonly cap: Float64Array;
  /** Per disk: allowScheduling and not evictionRequested. */
  readonly open: Uint8Array;

  constructor(state: ClusterState, minimalAvailablePct: number, overProvisioningPct: number) {
    let count = 0;
    for (const n of state.nodes.values()) count += n.disks.size;
    this.scheduled = new Float64Array(count);
    this.usable = new Float64Array(count);
    this.room = new Float64Array(count);
    this.cap = new Float64Array(count);
    this.open = new Uint8Array(count);
    let index = 0;
    for (const id of [...state.nodes.keys()].sort()) {
      const node = state.nodes.get(id)!;
      let zoneIdx = this.zoneIndex.get(node.zone);
      if (zoneIdx === undefined) this.zoneIndex.set(node.zone, (zoneIdx = this.zoneIndex.size));
      const entry: NodeEntry = {
        node,
        id,
        zone: node.zone,
        idx: this.nodes.length,
        zoneIdx,
        disks: [],
        first: index,
        diskById: new Map(),
        scheduled: 0,
        usable: 0,
        rebuilding: 0,
        drain: false,
      };
      for (const diskId of [...node.disks.keys()].sort()) {
        const disk = node.disks.get(diskId)!;
        const d: DiskEntry = { disk, node: entry, index };
        this.usable[index] = Math.max(0, disk.storageMaximum - disk.storageReserved);
        this.room[index] = disk.storageAvailable - (disk.storageMaximum * minimalAvailablePct) / 100;
        this.cap[index] = (this.usable[index]! * overProvisioningPct) / 100;
        this.open[index] = disk.allowScheduling && !disk.evictionRequested ? 1 : 0;
        entry.usable += this.usable[index]!;
        entry.disks.push(d);
        entry.diskById.set(diskId, d);
        index++;
      }
      this.nodes.push(entry);
      this.byId.set(id, entry);
    }
    // What the disks hold, from the reducer's per-disk index (O(disks)). Only disks that exist are
    // read: replicas on a disk that is gone reserve nothing.
    for (const entry of this.nodes) {
      const loads = state.diskLoad.get(entry.id);
      if (!loads) continue;
      for (const d of entry.disks) {
        const load = loads.get(d.disk.id);
        if (!load) continue;
        this.scheduled[d.index] = load.bytes;
        entry.scheduled += load.bytes;
        entry.rebuilding += load.rebuilding;
      }
    }
  }

  disk(nodeId: string, diskId: string): DiskEntry | undefined {
    return this.byId.get(nodeId)?.diskById.get(diskId);
  }

  /** Accounts a replica of `size` bytes on a disk (and a rebuild on its node when `rebuilding`). */
  add(nodeId: string, diskId: string, size: number, rebuilding: boolean): void {
    const d = this.disk(nodeId, diskId);
    if (!d) return; // a replica on a disk that is gone reserves nothing
    this.scheduled[d.index]! += size;
    d.node.scheduled += size;
    if (rebuilding) d.node.rebuilding++;
  }

  remove(r: Pick<ReplicaState, 'nodeId' | 'diskId' | 'size' | 'mode'>): void {
    const d = this.disk(r.nodeId, r.diskId);
    if (!d) return;
    this.scheduled[d.index]! -= r.size;
    d.node.scheduled -= r.size;
    if (r.mode === 'rebuilding') d.node.rebuilding--;
  }

  /** A node's or disk's scheduled share of its usable space; what balance minimises. */
  static ratio(scheduled: number, usable: number): number {
    return usable > 0 ? scheduled / usable : Number.POSITIVE_INFINITY;
  }
}
