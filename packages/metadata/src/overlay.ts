// A copy-on-write view of a ClusterState: reads fall through to the base; the first get() of an
// entry copies it into the overlay, so whatever the reducer then changes in place changes the
// copy only; set and delete stay in the overlay. The command runner validates a batch of
// commands on one (each command sees the events of those before it) without copying the whole
// state: at 10,000 volumes a full copy per batch was the manager's largest cost under load.
//
// Iteration yields the base's objects for entries the overlay has not copied: callers that
// iterate only read (the reducer changes nothing it reached by iterating a map), and the base
// must not change while the overlay is in use.
import type { ClusterState, DiskLoad, NodeState, ReplicaState, VolumeState } from './state.js';
import { copyRecurringJob } from './recurring-jobs.js';

class CowMap<K, V> extends Map<K, V> {
  private readonly own = new Map<K, V>();
  private readonly gone = new Set<K>();

  constructor(
    private readonly base: ReadonlyMap<K, V>,
    private readonly copy: (v: V) => V,
  ) {
    super();
  }

  override get(k: K): V | undefined {
    if (this.gone.has(k)) return undefined;
    const mine = this.own.get(k);
    if (mine !== undefined || this.own.has(k)) return mine;
    if (!this.base.has(k)) return undefined;
    const c = this.copy(this.base.get(k)!);
    this.own.set(k, c);
    return c;
  }

  override has(k: K): boolean {
    return !this.gone.has(k) && (this.own.has(k) || this.base.has(k));
  }

  override set(k: K, v: V): this {
    this.gone.delete(k);
    this.own.set(k, v);
    return this;
  }

  override delete(k: K): boolean {
    const had = this.has(k);
    this.own.delete(k);
    if (this.base.has(k)) this.gone.add(k);
    return had;
  }

  override clear(): void {
    this.own.clear();
    for (const k of this.base.keys()) this.gone.add(k);
  }

  override get size(): number {
    let n = this.base.size - this.gone.size;
    for (const k of this.own.keys()) if (!this.base.has(k)) n++;
    return n;
  }

  override *entries(): MapIterator<[K, V]> {
    for (const [k, v] of this.base) {
      if (this.gone.has(k)) continue;
      yield [k, this.own.has(k) ? this.own.get(k)! : v];
    }
    for (const [k, v] of this.own) if (!this.base.has(k)) yield [k, v];
  }

  override *keys(): MapIterator<K> {
    for (const [k] of this.entries()) yield k;
  }

  override *values(): MapIterator<V> {
    for (const [, v] of this.entries()) yield v;
  }

  override [Symbol.iterator](): MapIterator<[K, V]> {
    return this.entries();
  }

  override forEach(fn: (v: V, k: K, m: Map<K, V>) => void, thisArg?: unknown): void {
    for (const [k, v] of this.entries()) fn.call(thisArg, v, k, this);
  }
}

// What the reducer changes in place, copied; what it only ever replaces (arrays, records), shared.
// cloneState copies with these too, so the two cannot disagree about it.
export const copyNode = (n: NodeState): NodeState => ({
  ...n,
  disks: new Map([...n.disks].map(([k, d]) => [k, { ...d }])),
});
export const copyVolume = (v: VolumeState): VolumeState => ({
  ...v,
  spec: { ...v.spec },
  snapshots: new Map([...v.snapshots].map(([k, x]) => [k, { ...x }])),
  dataSource: v.dataSource && { ...v.dataSource },
  ...(v.restore ? { restore: { ...v.restore } } : {}),
});
export const copyReplica = (r: ReplicaState): ReplicaState => ({ ...r });
export const copyDiskLoads = (m: Map<string, DiskLoad>): Map<string, DiskLoad> =>
  new Map([...m].map(([k, l]) => [k, { ...l }]));

/** A state that starts equal to `base` and changes without changing it (see above). */
export function overlayState(base: ClusterState): ClusterState {
  return {
    seq: base.seq,
    settings: { ...base.settings },
    nodes: new CowMap(base.nodes, copyNode),
    volumes: new CowMap(base.volumes, copyVolume),
    replicas: new CowMap(base.replicas, copyReplica),
    replicasByVolume: new CowMap(base.replicasByVolume, (ids) => new Set(ids)),
    diskLoad: new CowMap(base.diskLoad, copyDiskLoads),
    recurringJobs: new CowMap(base.recurringJobs, copyRecurringJob),
  };
}
