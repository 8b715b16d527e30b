// The working view of one volume during a pass: its replicas as the pass sees them (including the
// ones it has just placed or removed), what counts toward the replica count, and the choices that
// depend only on the volume's own replicas (which one to remove, which one a move replaces).
import type {
  AntiAffinityOverride,
  ReplicaMode,
  ReplicaState,
  Settings,
  VolumeAutoBalance,
  VolumeState,
} from '@cairn/metadata';
import type { NotPlaced, Other } from './place.js';
import type { Finding } from './rejection.js';
import { Reason, REBUILD_BACKOFF_FAILURES } from './reasons.js';
import type { NodeEntry } from './usage.js';
import { Usage } from './usage.js';

export interface Rep {
  id: string;
  nodeId: string;
  diskId: string;
  /** Zone of its node ('' when the node is gone). */
  zone: string;
  mode: ReplicaMode;
  trigger: string;
  replaces: string;
  size: number;
  address: string;
  rebuildFrom: string;
  /** When it stopped being available: ReplicaFailed's time, else its node's NodeDown time. */
  failedAtMs: number;
  /** Failures since it was last rebuilt (ReplicaState.failures), for the rebuild backoff. */
  failures: number;
  /** Not failed, on a node that is up, on a disk that exists. */
  available: boolean;
  /** Its node or disk is being evicted (or drained by a plan). */
  evicting: boolean;
  /** Removed by this pass. */
  gone: boolean;
}

export interface VolumeWork {
  v: VolumeState;
  reps: Rep[];
  /** Replicas wanted: the spec's count, 1 for strict-local. */
  count: number;
  /** The node the volume is attached or attaching to, '' otherwise. */
  attached: string;
  softZone: boolean;
  softNode: boolean;
  softDisk: boolean;
  autoBalance: Exclude<VolumeAutoBalance, 'ignored'>;
  /** Some replica of the volume has run: its data exists and a new replica must be rebuilt. */
  hasRun: boolean;
  /** A placement this pass could not make, re-run after the pass to explain it. */
  blocked: Blocked | null;
  /** This pass placed a replica of the volume (which clears its unschedulable record). */
  placed: boolean;
  /**
   * What the pass has looked at for the volume: 'nothing' (faulted: nothing can be done),
   * 'count' (its replica count; moves wait until the volume is whole), 'all' (count and moves).
   * A recorded VolumeUnschedulable is cleared only for what was looked at.
   */
  checked: 'nothing' | 'count' | 'all';
}

export interface Blocked {
  lead: string;
  missing: number;
  /** The rejections when it failed (kept if the re-run after the pass finds a place after all). */
  first: NotPlaced;
  /** The same attempt against the view as it is now; null if it fits now. Leaves the view as is. */
  rerun: () => NotPlaced | null;
}

function soft(o: AntiAffinityOverride, setting: boolean): boolean {
  return o === 'enabled' ? true : o === 'disabled' ? false : setting;
}

export function repOf(r: ReplicaState, usage: Usage): Rep {
  const n = usage.byId.get(r.nodeId);
  const d = n?.diskById.get(r.diskId);
  const available = r.mode !== 'failed' && n !== undefined && !n.node.down && d !== undefined;
  return {
    id: r.id,
    nodeId: r.nodeId,
    diskId: r.diskId,
    zone: n?.zone ?? '',
    mode: r.mode,
    trigger: r.trigger,
    replaces: r.replaces,
    size: r.size,
    address: r.address,
    rebuildFrom: r.rebuildFrom,
    failedAtMs: r.mode === 'failed' ? r.failedAtMs : n?.node.down ? n.node.downSinceMs : 0,
    failures: r.failures,
    available,
    evicting: n !== undefined && (n.node.evictionRequested || n.drain || (d?.disk.evictionRequested ?? false)),
    gone: false,
  };
}

export function workOf(v: VolumeState, reps: Rep[], settings: Settings): VolumeWork {
  // An engine started only for an offline rebuild is not an attach: data locality follows users.
  const attached =
    v.autoAttach === '' && v.attachedTo !== '' && v.attachState !== 'detaching' && v.attachState !== 'detached'
      ? v.attachedTo
      : '';
  const ab = v.spec.replicaAutoBalance === 'ignored' ? settings['replica-auto-balance'] : v.spec.replicaAutoBalance;
  return {
    v,
    reps,
    attached,
    count: v.spec.dataLocality === 'strict-local' ? 1 : v.spec.numberOfReplicas,
    softZone: soft(v.spec.replicaZoneSoftAntiAffinity, settings['replica-zone-soft-anti-affinity']),
    softNode: soft(v.spec.replicaSoftAntiAffinity, settings['replica-soft-anti-affinity']),
    softDisk: soft(v.spec.replicaDiskSoftAntiAffinity, settings['replica-disk-soft-anti-affinity']),
    autoBalance: ab,
    hasRun: reps.some((r) => r.address !== ''),
    blocked: null,
    placed: false,
    checked: 'nothing',
  };
}

export const alive = (w: VolumeWork): Rep[] => w.reps.filter((r) => !r.gone);

/** A failed replica the rebuild backoff keeps from being rebuilt in place again. */
export const backedOff = (r: Rep): boolean => r.mode === 'failed' && r.failures >= REBUILD_BACKOFF_FAILURES;

/** The available replica that replaces `r` (an eviction, locality, balance or after-wait move). */
export function replacementOf(w: VolumeWork, r: Rep): Rep | undefined {
  return w.reps.find((o) => !o.gone && o.available && o.replaces === r.id);
}

/** Replicas that count toward the volume's count: available and not on their way out. */
export const active = (w: VolumeWork): Rep[] => alive(w).filter((r) => r.available && !replacementOf(w, r));
/** Replicas that are not available and not replaced: waiting, to reuse, or to replace. */
export const unavailable = (w: VolumeWork): Rep[] => alive(w).filter((r) => !r.available && !replacementOf(w, r));
export const sources = (w: VolumeWork): Rep[] => alive(w).filter((r) => r.available && r.mode === 'running');

/** The replicas that stay beside a new one, for anti-affinity: all but replaced ones and `except`. */
export function staying(w: VolumeWork, except: Rep | null): Rep[] {
  return alive(w).filter((r) => r !== except && !replacementOf(w, r));
}

export const toOther = (r: Rep): Other => ({ id: r.id, nodeId: r.nodeId, diskId: r.diskId, zone: r.zone });

/** The replica a rebuild copies from: not being evicted, local to the engine, lowest id. */
export function pickSource(w: VolumeWork): Rep | undefined {
  const s = sources(w);
  s.sort(
    (a, b) =>
      Number(a.evicting) - Number(b.evicting) ||
      Number(b.nodeId === w.attached) - Number(a.nodeId === w.attached) ||
      cmp(a.id, b.id),
  );
  return s[0];
}

export const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function counts(reps: Rep[]): { zone: Map<string, number>; node: Map<string, number>; disk: Map<string, number> } {
  const zone = new Map<string, number>(),
    node = new Map<string, number>(),
    disk = new Map<string, number>();
  for (const r of reps) {
    zone.set(r.zone, (zone.get(r.zone) ?? 0) + 1);
    node.set(r.nodeId, (node.get(r.nodeId) ?? 0) + 1);
    const k = `${r.nodeId}/${r.diskId}`;
    disk.set(k, (disk.get(k) ?? 0) + 1);
  }
  return { zone, node, disk };
}

const nodeRatio = (usage: Usage, r: Rep): number => {
  const n = usage.byId.get(r.nodeId);
  return n ? Usage.ratio(n.scheduled, n.usable) : Number.POSITIVE_INFINITY;
};

/**
 * Which of the replicas over the count goes first: one being evicted, one not yet running, one
 * that is not the volume's only local replica, the most crowded zone, node and disk, the fullest
 * node, then the lowest id.
 */
export function pickExtra(w: VolumeWork, reps: Rep[], usage: Usage): Rep {
  const c = counts(reps);
  const localCount = reps.filter((r) => r.nodeId === w.attached).length;
  const keyOf = (r: Rep): number[] => [
    Number(r.evicting),
    Number(r.mode !== 'running'),
    Number(!(w.v.spec.dataLocality !== 'disabled' && r.nodeId === w.attached && localCount === 1)),
    c.zone.get(r.zone)!,
    c.node.get(r.nodeId)!,
    c.disk.get(`${r.nodeId}/${r.diskId}`)!,
    nodeRatio(usage, r),
  ];
  return pickMax(reps, keyOf);
}

/**
 * Which replica a move to the attached node replaces: one in the attached node's zone (the zone
 * keeps its count), else from the most crowded zone and node, the fullest node, the lowest id.
 */
export function pickLocalityVictim(w: VolumeWork, reps: Rep[], usage: Usage): Rep {
  const c = counts(reps);
  const zone = usage.byId.get(w.attached)?.zone;
  return pickMax(reps, (r) => [
    Number(r.zone === zone),
    c.zone.get(r.zone)!,
    c.node.get(r.nodeId)!,
    nodeRatio(usage, r),
  ]);
}

function pickMax(reps: Rep[], keyOf: (r: Rep) => number[]): Rep {
  let best = reps[0]!;
  let bk = keyOf(best);
  for (const r of reps.slice(1)) {
    const k = keyOf(r);
    for (let i = 0; i < k.length; i++) {
      if (k[i]! > bk[i]!) {
        best = r;
        bk = k;
        break;
      }
      if (k[i]! < bk[i]!) break;
    }
  }
  return best;
}

/**
 * Rebalance candidates: replicas whose move could make the volume's spread strictly more even,
 * most crowded first, each with the node restriction a target must meet. A move of X from zone a
 * to zone b changes the sum of squared per-zone counts by 2(z_b - z_a + 1): it must fall (zone
 * better), or stay or fall while the per-node sum falls (node better). Strict descent means moves
 * never undo each other. least-effort only fills zones or nodes that hold none of the volume's
 * replicas (minimal redundancy); best-effort also evens out the counts.
 */
export function balanceCandidates(
  w: VolumeWork,
  reps: Rep[],
  usage: Usage,
): { rep: Rep; restrict: (n: NodeEntry) => Finding | null }[] {
  const least = w.autoBalance === 'least-effort';
  const c = counts(reps);
  const out: { rep: Rep; restrict: (n: NodeEntry) => Finding | null }[] = [];
  const ordered = [...reps].sort(
    (a, b) =>
      c.zone.get(b.zone)! - c.zone.get(a.zone)! || c.node.get(b.nodeId)! - c.node.get(a.nodeId)! || cmp(a.id, b.id),
  );
  for (const x of ordered) {
    if (w.v.spec.dataLocality !== 'disabled' && x.nodeId === w.attached) continue; // keep the local replica
    const za = c.zone.get(x.zone)!,
      na = c.node.get(x.nodeId)!;
    let zonePossible = false;
    if (za >= 2)
      for (const z of usage.zoneIndex.keys())
        if (least ? !c.zone.has(z) : (c.zone.get(z) ?? 0) <= za - 2) zonePossible = true;
    const nodePossible = na >= 2;
    if (!zonePossible && !nodePossible) continue;
    const restrict = (n: NodeEntry): Finding | null => {
      const sameZone = n.zone === x.zone;
      const zb = c.zone.get(n.zone) ?? 0,
        nb = c.node.get(n.id) ?? 0;
      const zoneBetter = !sameZone && (least ? zb === 0 && za >= 2 : zb <= za - 2);
      const zoneNotWorse = sameZone || zb <= za - 1;
      const nodeBetter = n.id !== x.nodeId && (least ? nb === 0 && na >= 2 : nb <= na - 2);
      return zoneBetter || (zoneNotWorse && nodeBetter) ? null : { reason: Reason.NoBalanceGain };
    };
    out.push({ rep: x, restrict });
  }
  return out;
}
