// The canonical form of a ClusterState: plain JSON with every map as an array sorted by key and
// every object's keys in a fixed order. It is what snapshots store and what the state hash is
// taken over, so two processes that applied the same events produce the same bytes.
import { createHash } from 'node:crypto';
import type { ClusterState, NodeState, VolumeState } from './state.js';
import { copyDiskLoads, copyNode, copyReplica, copyVolume } from './overlay.js';
import { copyRecurringJob } from './recurring-jobs.js';
import type { RecurringJobState } from './state.js';
import { addLoad, emptyState } from './state.js';
import { CorruptError } from './errors.js';
import { defaultSettings } from './settings.js';
import type { Settings } from './settings.js';

/** Bump when the canonical form changes; old snapshots are then ignored and the log replayed. */
export const CANONICAL_VERSION = 2;

const byKey = <V>(m: Map<string, V>): V[] => [...m.keys()].sort().map((k) => m.get(k)!);

/** Recursively sorts object keys, so that key insertion order never reaches the bytes. */
function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(o).sort()) out[k] = sortKeys(o[k]);
    return out;
  }
  return v;
}

// How a node and a volume look in the canonical form: their own maps as sorted lists.
const nodeShape = (n: NodeState): unknown => ({ ...n, disks: byKey(n.disks) });
const volumeShape = (v: VolumeState): unknown => ({ ...v, snapshots: byKey(v.snapshots) });

export function toCanonical(state: ClusterState): unknown {
  return sortKeys({
    version: CANONICAL_VERSION,
    seq: state.seq,
    settings: state.settings,
    nodes: byKey(state.nodes).map(nodeShape),
    volumes: byKey(state.volumes).map(volumeShape),
    replicas: byKey(state.replicas),
    // Only when there are any: a state without recurring jobs hashes as it did before them.
    ...(state.recurringJobs.size ? { recurringJobs: byKey(state.recurringJobs) } : {}),
  });
}

export function canonicalJson(state: ClusterState): string {
  return JSON.stringify(toCanonical(state));
}

/**
 * The canonical JSON in pieces (an item of a list at a time), which joined are exactly
 * JSON.stringify(toCanonical(state)): the top-level keys in sorted order, each list item
 * serialised alone. A snapshot of a large state is written a slice at a time between which the
 * event loop runs (SnapshotStore.save), not in one stall of a quarter of a second.
 */
export function* canonicalJsonParts(state: ClusterState): Generator<string> {
  function* list<V>(items: V[], shape: (v: V) => unknown): Generator<string> {
    for (let i = 0; i < items.length; i++) yield (i ? ',' : '') + JSON.stringify(sortKeys(shape(items[i]!)));
  }
  yield '{"nodes":[';
  yield* list(byKey(state.nodes), nodeShape);
  if (state.recurringJobs.size) {
    yield '],"recurringJobs":[';
    yield* list(byKey(state.recurringJobs), (j) => j);
  }
  yield '],"replicas":[';
  yield* list(byKey(state.replicas), (r) => r);
  yield `],"seq":${JSON.stringify(state.seq)},"settings":${JSON.stringify(sortKeys(state.settings))},"version":${CANONICAL_VERSION},"volumes":[`;
  yield* list(byKey(state.volumes), volumeShape);
  yield ']}';
}

/**
 * sha256 over the canonical JSON, hex. Equal hashes mean equal states. Hashed a piece at a time:
 * the JSON of a 10,000-volume state (~12 MB) is never built as one string just to be hashed.
 */
export function stateHash(state: ClusterState): string {
  const h = createHash('sha256');
  for (const part of canonicalJsonParts(state)) h.update(part);
  return h.digest('hex');
}

interface CanonicalState {
  version: number;
  seq: number;
  settings: Settings;
  nodes: (Omit<NodeState, 'disks'> & { disks: NodeState['disks'] extends Map<string, infer D> ? D[] : never })[];
  volumes: (Omit<VolumeState, 'snapshots'> & {
    snapshots: VolumeState['snapshots'] extends Map<string, infer S> ? S[] : never;
  })[];
  replicas: ClusterState['replicas'] extends Map<string, infer R> ? R[] : never;
  recurringJobs?: RecurringJobState[];
}

/** Rebuilds a state from its canonical JSON (a snapshot); `seq` names the snapshot in errors. */
export function fromCanonicalJson(json: string, seq: number): ClusterState {
  let c: CanonicalState;
  try {
    c = JSON.parse(json) as CanonicalState;
  } catch (e) {
    throw new CorruptError(seq, `snapshot is not JSON: ${(e as Error).message}`);
  }
  if (c.version !== CANONICAL_VERSION)
    throw new CorruptError(seq, `snapshot format ${c.version}, expected ${CANONICAL_VERSION}`);
  const s = emptyState();
  s.seq = c.seq;
  s.settings = { ...defaultSettings(), ...c.settings };
  for (const n of c.nodes) s.nodes.set(n.id, { ...n, disks: new Map(n.disks.map((d) => [d.id, d])) });
  // autoAttach and pendingAttach came later: a snapshot written before them has neither.
  for (const v of c.volumes)
    s.volumes.set(v.name, {
      ...v,
      autoAttach: v.autoAttach ?? '',
      pendingAttach: v.pendingAttach ?? '',
      snapshots: new Map(v.snapshots.map((x) => [x.name, x])),
    });
  for (const j of c.recurringJobs ?? []) s.recurringJobs.set(j.name, j);
  for (const r of c.replicas) {
    s.replicas.set(r.id, r);
    let ids = s.replicasByVolume.get(r.volume);
    if (!ids) s.replicasByVolume.set(r.volume, (ids = new Set()));
    ids.add(r.id);
    addLoad(s, r, 1);
  }
  return s;
}

/**
 * A deep copy, for callers that must keep a state while the reducer moves on (the command
 * runner validates each batch on one). Every object the reducer mutates in place is copied (nodes
 * and their disks, volumes with their spec, snapshots and data source, replicas, settings, the
 * derived indexes); arrays and records it only ever replaces are shared. Structural, not through
 * the canonical JSON: a copy of a 2,000-volume state costs about a millisecond, not tens.
 */
export function cloneState(state: ClusterState): ClusterState {
  const s = emptyState();
  s.seq = state.seq;
  s.settings = { ...state.settings };
  for (const [id, n] of state.nodes) s.nodes.set(id, copyNode(n));
  for (const [name, v] of state.volumes) s.volumes.set(name, copyVolume(v));
  for (const [id, r] of state.replicas) s.replicas.set(id, copyReplica(r));
  for (const [name, ids] of state.replicasByVolume) s.replicasByVolume.set(name, new Set(ids));
  for (const [nodeId, disks] of state.diskLoad) s.diskLoad.set(nodeId, copyDiskLoads(disks));
  for (const [name, j] of state.recurringJobs) s.recurringJobs.set(name, copyRecurringJob(j));
  return s;
}
