// How much the cluster can take, from what the admin API shows (ListNodes, GetSettings): for
// GetCapacity, and for CreateVolume's check that a volume can be placed before anything is
// appended. Pure.
//
// This restates the scheduler's filters (packages/scheduler/src/place.ts), which the CSI
// package may not import: a node takes a replica when it is up, schedulable, not evicting, not
// cordoned (with disable-scheduling-on-cordoned-node) and carries the nodeSelector tags; a disk
// when it is schedulable, not evicting, carries the diskSelector tags, keeps more than
// storage-minimal-available-percentage of its maximum available after the replica
// (size < available - max * pct), and stays within storage-over-provisioning-percentage of
// (maximum - reserved) counting what is already scheduled. Hard anti-affinity (replica-soft-
// anti-affinity false, the default) puts each replica of a volume on another node; likewise
// zones and disks when their soft settings are off. It is an estimate made outside the scheduler:
// the scheduler, which runs after the volume is created, has the last word.
import { formatSize } from '@cairn/api';
import type { Node__Output, Setting__Output } from '@cairn/api';
import { SIZE_ALIGN } from './controller-params.js';

export interface CapacitySettings {
  minimalAvailablePct: number;
  overProvisioningPct: number;
  cordonedUnschedulable: boolean;
  softZone: boolean;
  softNode: boolean;
  softDisk: boolean;
  /** allow-volume-creation-with-degraded-availability: one placeable replica is enough to create. */
  degradedCreation: boolean;
  defaultReplicaCount: number;
}

const DEFAULTS: CapacitySettings = {
  minimalAvailablePct: 25,
  overProvisioningPct: 100,
  cordonedUnschedulable: true,
  softZone: true,
  softNode: false,
  softDisk: true,
  degradedCreation: true,
  defaultReplicaCount: 3,
};

/** The settings this needs, from GetSettings (Longhorn's names); absent ones keep their defaults. */
export function capacitySettings(settings: Setting__Output[]): CapacitySettings {
  const v = new Map(settings.map((s) => [s.name, s.value]));
  const int = (name: string, d: number): number => {
    const x = Number(v.get(name));
    return v.has(name) && Number.isFinite(x) ? x : d;
  };
  const bool = (name: string, d: boolean): boolean => (v.has(name) ? v.get(name) === 'true' : d);
  return {
    minimalAvailablePct: int('storage-minimal-available-percentage', DEFAULTS.minimalAvailablePct),
    overProvisioningPct: int('storage-over-provisioning-percentage', DEFAULTS.overProvisioningPct),
    cordonedUnschedulable: bool('disable-scheduling-on-cordoned-node', DEFAULTS.cordonedUnschedulable),
    softZone: bool('replica-zone-soft-anti-affinity', DEFAULTS.softZone),
    softNode: bool('replica-soft-anti-affinity', DEFAULTS.softNode),
    softDisk: bool('replica-disk-soft-anti-affinity', DEFAULTS.softDisk),
    degradedCreation: bool('allow-volume-creation-with-degraded-availability', DEFAULTS.degradedCreation),
    defaultReplicaCount: int('default-replica-count', DEFAULTS.defaultReplicaCount),
  };
}

export interface PlacementAsk {
  nodeSelector: readonly string[];
  diskSelector: readonly string[];
  /** Only these node ids (strict-local volumes in a topology); null: any node. */
  onlyNodes: ReadonlySet<string> | null;
}

/** A disk that may take replicas of this volume, with its two bounds. */
export interface Candidate {
  node: string;
  zone: string;
  disk: string;
  /** A replica fits when its size is below this (available space above the minimal percentage). */
  room: number;
  /** Bytes that may still be scheduled here (over-provisioning limit minus what is scheduled). */
  free: number;
}

export interface Candidates {
  disks: Candidate[];
  /** Why each node or disk left out was left out ("node-2: down", "node-1/disk-1: tags lack [fast]"). */
  rejected: string[];
}

const lacks = (tags: readonly string[], selector: readonly string[]): string[] =>
  selector.filter((t) => !tags.includes(t));

/** The disks that may hold a replica of a volume with these selectors, whatever its size. */
export function candidates(nodes: Node__Output[], s: CapacitySettings, ask: PlacementAsk): Candidates {
  const disks: Candidate[] = [];
  const rejected: string[] = [];
  for (const n of [...nodes].sort((a, b) => a.id.localeCompare(b.id))) {
    const why: string[] = [];
    if (ask.onlyNodes && !ask.onlyNodes.has(n.id)) why.push('outside the requested topology');
    if (n.state !== 'up') why.push(`down${n.downReason ? ` (${n.downReason})` : ''}`);
    if (!n.allowScheduling) why.push('scheduling disabled');
    if (n.evictionRequested) why.push('evicting');
    if (n.cordoned && s.cordonedUnschedulable) why.push('cordoned');
    const missing = lacks(n.tags, ask.nodeSelector);
    if (missing.length) why.push(`node tags lack nodeSelector [${missing.join(',')}]`);
    if (n.disks.length === 0) why.push('no disks');
    if (why.length) {
      rejected.push(`${n.id}: ${why.join(', ')}`);
      continue;
    }
    for (const d of [...n.disks].sort((a, b) => a.diskId.localeCompare(b.diskId))) {
      const dwhy: string[] = [];
      if (!d.allowScheduling) dwhy.push('scheduling disabled');
      if (d.evictionRequested) dwhy.push('evicting');
      const dmissing = lacks(d.tags, ask.diskSelector);
      if (dmissing.length) dwhy.push(`disk tags lack diskSelector [${dmissing.join(',')}]`);
      if (dwhy.length) {
        rejected.push(`${n.id}/${d.diskId}: ${dwhy.join(', ')}`);
        continue;
      }
      const usable = Math.max(0, d.storageMaximum - d.storageReserved);
      disks.push({
        node: n.id,
        zone: n.zone,
        disk: d.diskId,
        room: d.storageAvailable - (d.storageMaximum * s.minimalAvailablePct) / 100,
        free: (usable * s.overProvisioningPct) / 100 - d.storageScheduled,
      });
    }
  }
  return { disks, rejected };
}

/** Replicas of one volume may share a unit only when every anti-affinity level down to it is soft. */
type Level = 'zone' | 'node' | 'disk' | 'pool';

export function antiAffinityLevel(s: CapacitySettings): Level {
  if (!s.softZone) return 'zone';
  if (!s.softNode) return 'node';
  if (!s.softDisk) return 'disk';
  return 'pool';
}

function unitOf(c: Candidate, level: Level): string {
  switch (level) {
    case 'zone':
      return `z:${c.zone}`;
    case 'node':
      return `n:${c.node}`;
    case 'disk':
      return `d:${c.node}/${c.disk}`;
    case 'pool':
      return 'pool';
  }
}

function groups(disks: Candidate[], level: Level): Candidate[][] {
  const m = new Map<string, Candidate[]>();
  for (const c of disks) {
    const k = unitOf(c, level);
    const g = m.get(k);
    if (g) g.push(c);
    else m.set(k, [c]);
  }
  return [...m.values()];
}

/** How many replicas of `size` bytes of one volume fit (at most one per unit of the hard level). */
export function replicasThatFit(disks: Candidate[], level: Level, size: number): number {
  let total = 0;
  for (const unit of groups(disks, level)) {
    let slots = 0;
    for (const c of unit) if (size < c.room && c.free >= size) slots += Math.floor(c.free / size);
    total += level === 'pool' ? slots : Math.min(1, slots);
  }
  return total;
}

/** The largest size (whole 4 KiB blocks) of which `replicas` replicas fit; 0 when not even a block does. */
export function maximumVolumeSize(disks: Candidate[], level: Level, replicas: number): number {
  let hi = 0;
  for (const c of disks) hi = Math.max(hi, Math.floor(Math.min(c.room - 1, c.free) / SIZE_ALIGN));
  let lo = 0;
  // Invariant: lo blocks fit (0 trivially), hi + 1 blocks do not.
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (replicasThatFit(disks, level, mid * SIZE_ALIGN) >= replicas) lo = mid;
    else hi = mid - 1;
  }
  return lo * SIZE_ALIGN;
}

/**
 * The total size of volumes of `replicas` replicas the candidates can still take: the largest T
 * with sum over units of min(free of the unit, T) >= replicas * T (no unit holds more than one
 * replica of a volume, so no unit contributes more than T), or free / replicas when replicas may
 * share (no hard anti-affinity). Disks without room for even one block count for nothing.
 */
export function availableCapacity(disks: Candidate[], level: Level, replicas: number): number {
  const usable = disks.filter((c) => c.room > SIZE_ALIGN && c.free >= SIZE_ALIGN);
  const frees = groups(usable, level).map((u) => u.reduce((sum, c) => sum + c.free, 0));
  const total = frees.reduce((a, b) => a + b, 0);
  if (level === 'pool') return Math.floor(total / replicas / SIZE_ALIGN) * SIZE_ALIGN;
  const fits = (t: number): boolean => frees.reduce((sum, f) => sum + Math.min(f, t), 0) >= replicas * t;
  let lo = 0,
    hi = Math.floor(total / replicas / SIZE_ALIGN);
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (fits(mid * SIZE_ALIGN)) lo = mid;
    else hi = mid - 1;
  }
  return lo * SIZE_ALIGN;
}

export interface PlacementCheck {
  ok: boolean;
  /** Replicas that fit (at most `replicas`). */
  fit: number;
  /** Replicas that must fit for the volume to be created (1 with degraded creation allowed). */
  needed: number;
  /** Why it cannot be placed, naming the nodes and disks; '' when ok. */
  reason: string;
}

/** Whether a new volume can be placed, before it is created (CreateVolume's RESOURCE_EXHAUSTED). */
export function checkPlacement(
  nodes: Node__Output[],
  s: CapacitySettings,
  ask: PlacementAsk,
  size: number,
  replicas: number,
): PlacementCheck {
  const { disks, rejected } = candidates(nodes, s, ask);
  const level = antiAffinityLevel(s);
  const fit = Math.min(replicas, replicasThatFit(disks, level, size));
  const needed = s.degradedCreation ? 1 : replicas;
  if (fit >= needed) return { ok: true, fit, needed, reason: '' };
  const tooSmall = disks
    .filter((c) => !(size < c.room && c.free >= size))
    .map(
      (c) =>
        `${c.node}/${c.disk}: ` +
        (size < c.room
          ? `over-provisioning leaves ${formatSize(Math.max(0, c.free))}`
          : `a replica must stay below ${formatSize(Math.max(0, c.room))}` +
            ` (storage-minimal-available-percentage ${s.minimalAvailablePct})`),
    );
  const why = [...rejected, ...tooSmall];
  const shown = why.slice(0, 8).join('; ') + (why.length > 8 ? `; and ${why.length - 8} more` : '');
  const spread = level === 'pool' ? '' : ` (one per ${level}: replica anti-affinity is hard)`;
  return {
    ok: false,
    fit,
    needed,
    reason:
      `cannot place ${needed === replicas ? `the ${replicas}` : `even 1 of ${replicas}`} replica(s)` +
      ` of ${formatSize(size)}${spread}: ${fit} fit${shown ? `; ${shown}` : ''}`,
  };
}

/**
 * Why the disks holding a volume's replicas cannot take it grown from `from` to `to` bytes
 * (empty: they can): each replica must stay below its disk's room, and the growth must fit under
 * the disk's over-provisioning cap. Replicas on disks ListNodes no longer shows are skipped.
 */
export function expansionProblems(
  nodes: Node__Output[],
  s: CapacitySettings,
  replicas: { node: string; disk: string }[],
  from: number,
  to: number,
): string[] {
  const out: string[] = [];
  const grow = to - from;
  const seen = new Map<string, number>();
  for (const r of replicas) seen.set(`${r.node}/${r.disk}`, (seen.get(`${r.node}/${r.disk}`) ?? 0) + 1);
  for (const [key, count] of seen) {
    const [nodeId, diskId] = key.split('/') as [string, string];
    const d = nodes.find((n) => n.id === nodeId)?.disks.find((x) => x.diskId === diskId);
    if (!d) continue;
    const room = d.storageAvailable - (d.storageMaximum * s.minimalAvailablePct) / 100;
    const free = (Math.max(0, d.storageMaximum - d.storageReserved) * s.overProvisioningPct) / 100 - d.storageScheduled;
    if (!(to < room))
      out.push(
        `${key}: a replica must stay below ${formatSize(Math.max(0, room))} (storage-minimal-available-percentage ${s.minimalAvailablePct})`,
      );
    else if (free < grow * count)
      out.push(
        `${key}: over-provisioning leaves ${formatSize(Math.max(0, free))}, the growth needs ${formatSize(grow * count)}`,
      );
  }
  return out;
}
