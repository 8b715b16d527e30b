// Choosing a disk for one replica: Longhorn's filters in order, then the preferences among what is
// left. Every candidate that is not eligible comes back with the named reasons it failed, so a
// placement and a failure to place are both explained.
//
// Filters, node level (a node that fails one is rejected whole, with every node-level reason it
// fails): NodeDown, NodeSchedulingDisabled, NodeEvicting, NodeCordoned (when
// disable-scheduling-on-cordoned-node), NodeTagsMismatch, LocalityRequired (strict-local), the
// asking step's own restriction (NoBalanceGain), RebuildLimitReached (only when the
// placement needs a rebuild), AntiAffinityZone and AntiAffinityNode (when hard). Then disk level:
// DiskSchedulingDisabled, DiskEvicting, DiskTagsMismatch, InsufficientSpace, OverProvisioned,
// AntiAffinityDisk (when hard).
//
// Preferences among eligible disks, in order: the attached node of a best-effort volume; an unused
// zone, then an unused node, then an unused disk (soft anti-affinity); the node whose used share
// of its usable space is lowest after the placement; the disk on it whose share is lowest; the
// lowest node id, then disk id.
import type { Settings } from '@cairn/metadata';
import type { DiskFigures } from './decision.js';
import type { Finding, Rejection } from './rejection.js';
import { Note, Reason, REASON_ORDER } from './reasons.js';
import type { DiskEntry, NodeEntry } from './usage.js';
import { Usage } from './usage.js';

/** A replica of the volume that stays where it is, for anti-affinity. */
export interface Other {
  id: string;
  nodeId: string;
  diskId: string;
  zone: string;
}

export interface PlacementRequest {
  volume: string;
  size: number;
  nodeSelector: readonly string[];
  diskSelector: readonly string[];
  /** The replicas that will remain beside this one (the one it replaces is not among them). */
  others: readonly Other[];
  softZone: boolean;
  softNode: boolean;
  softDisk: boolean;
  /** The replica will be rebuilt, so its node must be under the rebuild limit. */
  needsRebuild: boolean;
  /** strict-local: the only node allowed. */
  strictNode: string | null;
  /** best-effort locality: the node preferred over all others. */
  preferNode: string | null;
  /** Only this node is a candidate (a best-effort move to the attached node). */
  onlyNode?: string;
  /** A node-level restriction of the step asking (a balance move). */
  restrict?: (n: NodeEntry) => Finding | null;
}

/** Settings read in the hot loop, resolved once per pass. */
export interface Limits {
  minimalAvailablePct: number;
  overProvisioningPct: number;
  cordonedUnschedulable: boolean;
  rebuildLimit: number;
}

export function limitsOf(s: Settings): Limits {
  return {
    minimalAvailablePct: s['storage-minimal-available-percentage'],
    overProvisioningPct: s['storage-over-provisioning-percentage'],
    cordonedUnschedulable: s['disable-scheduling-on-cordoned-node'],
    rebuildLimit: s['concurrent-replica-rebuild-per-node-limit'],
  };
}

/**
 * At most this many rejections are listed in one event: a 1,000-node cluster would otherwise put
 * thousands in one VolumeUnschedulable and crowd etcd's request limit. The summary still counts
 * every candidate by reason.
 */
export const MAX_REJECTIONS = 500;

export interface Placed {
  ok: true;
  disk: DiskEntry;
  figures: DiskFigures;
  score: number;
  considered: number;
  notes: Note[];
  rejected: Rejection[];
}

export interface NotPlaced {
  ok: false;
  rejected: Rejection[];
  /** Rejected candidates per reason, over all candidates (not only the listed ones). */
  tally: Map<Reason, number>;
  nodes: number;
  disks: number;
}

export type PlacementResult = Placed | NotPlaced;

function covers(tags: readonly string[], selector: readonly string[]): boolean {
  for (const t of selector) if (!tags.includes(t)) return false;
  return true;
}

function holders(others: readonly Other[], match: (o: Other) => boolean): string[] {
  return others.filter(match).map((o) => o.id);
}

/** Node-level filters; null when the node may hold the replica. */
export function rejectNode(n: NodeEntry, req: PlacementRequest, lim: Limits): Rejection | null {
  const node = n.node;
  const found: Finding[] = [];
  if (node.down) found.push({ reason: Reason.NodeDown, downReason: node.downReason });
  if (!node.allowScheduling) found.push({ reason: Reason.NodeSchedulingDisabled });
  if (node.evictionRequested || n.drain) found.push({ reason: Reason.NodeEvicting });
  if (node.cordoned && lim.cordonedUnschedulable) found.push({ reason: Reason.NodeCordoned });
  if (req.nodeSelector.length > 0 && !covers(node.tags, req.nodeSelector)) {
    found.push({
      reason: Reason.NodeTagsMismatch,
      tags: node.tags,
      lacking: req.nodeSelector.filter((t) => !node.tags.includes(t)),
    });
  }
  if (req.strictNode !== null && n.id !== req.strictNode)
    found.push({ reason: Reason.LocalityRequired, attachedTo: req.strictNode });
  if (req.restrict) {
    const r = req.restrict(n);
    if (r) found.push(r);
  }
  if (req.needsRebuild && n.rebuilding >= lim.rebuildLimit) {
    found.push({ reason: Reason.RebuildLimitReached, rebuilding: n.rebuilding, limit: lim.rebuildLimit });
  }
  if (!req.softZone && req.others.some((o) => o.zone === n.zone)) {
    found.push({
      reason: Reason.AntiAffinityZone,
      zone: n.zone,
      holders: holders(req.others, (o) => o.zone === n.zone),
    });
  }
  if (!req.softNode && req.others.some((o) => o.nodeId === n.id)) {
    found.push({ reason: Reason.AntiAffinityNode, holders: holders(req.others, (o) => o.nodeId === n.id) });
  }
  if (n.disks.length === 0) found.push({ reason: Reason.NoDisks });
  return found.length ? { nodeId: n.id, diskId: '', findings: found } : null;
}

/** Disk-level filters; null when the disk may hold the replica. */
export function rejectDisk(usage: Usage, d: DiskEntry, req: PlacementRequest, lim: Limits): Rejection | null {
  const disk = d.disk;
  const found: Finding[] = [];
  if (!disk.allowScheduling) found.push({ reason: Reason.DiskSchedulingDisabled });
  if (disk.evictionRequested) found.push({ reason: Reason.DiskEvicting });
  if (req.diskSelector.length > 0 && !covers(disk.tags, req.diskSelector)) {
    found.push({
      reason: Reason.DiskTagsMismatch,
      tags: disk.tags,
      lacking: req.diskSelector.filter((t) => !disk.tags.includes(t)),
    });
  }
  // The bounds are precomputed per pass (Usage.room, Usage.cap) so the scan and this agree.
  if (!(req.size < usage.room[d.index]!)) {
    found.push({
      reason: Reason.InsufficientSpace,
      available: disk.storageAvailable,
      size: req.size,
      minimalPct: lim.minimalAvailablePct,
      maximum: disk.storageMaximum,
    });
  }
  const scheduled = usage.scheduled[d.index]!;
  if (!(scheduled + req.size <= usage.cap[d.index]!)) {
    found.push({
      reason: Reason.OverProvisioned,
      scheduled,
      size: req.size,
      overPct: lim.overProvisioningPct,
      usable: usage.usable[d.index]!,
    });
  }
  if (!req.softDisk && req.others.some((o) => o.nodeId === d.node.id && o.diskId === disk.id)) {
    found.push({
      reason: Reason.AntiAffinityDisk,
      holders: holders(req.others, (o) => o.nodeId === d.node.id && o.diskId === disk.id),
    });
  }
  return found.length ? { nodeId: d.node.id, diskId: disk.id, findings: found } : null;
}

/**
 * Picks a disk for one replica. Pure over (usage, request, limits); it does not reserve the space:
 * the caller accounts the placement in `usage` if it keeps it.
 */
export function place(usage: Usage, req: PlacementRequest, lim: Limits): PlacementResult {
  const rejected: Rejection[] = [];
  const tally = new Map<Reason, number>();
  const reject = (r: Rejection): void => {
    if (rejected.length < MAX_REJECTIONS) rejected.push(r);
    for (const f of r.findings) tally.set(f.reason, (tally.get(f.reason) ?? 0) + 1);
  };
  const size = req.size;
  const others = req.others;
  let best: DiskEntry | null = null;
  // The best candidate's key: (not preferred, tier, node ratio, disk ratio); lower wins, and the
  // visit order (node id, disk id) breaks exact ties.
  let bPref = 2,
    bTier = 8,
    bNode = 0,
    bDisk = 0;
  let considered = 0,
    disks = 0;
  let preferredSeen = false;
  const only = req.onlyNode === undefined ? null : usage.byId.get(req.onlyNode);
  const nodes = only === null ? usage.nodes : only ? [only] : [];
  const sel = req.nodeSelector,
    dsel = req.diskSelector;
  // The other replicas as node, zone and disk numbers (-1 where they are gone).
  const nOthers = others.length;
  const oNode = new Int32Array(nOthers),
    oZone = new Int32Array(nOthers),
    oDisk = new Int32Array(nOthers);
  for (let k = 0; k < nOthers; k++) {
    const o = others[k]!;
    const ne = usage.byId.get(o.nodeId);
    oNode[k] = ne ? ne.idx : -1;
    oZone[k] = usage.zoneIndex.get(o.zone) ?? -1;
    oDisk[k] = ne?.diskById.get(o.diskId)?.index ?? -1;
  }
  const schedA = usage.scheduled,
    usableA = usage.usable,
    roomA = usage.room,
    capA = usage.cap,
    openA = usage.open;
  for (const n of nodes) {
    disks += n.disks.length;
    // The common case is checked inline without allocating; a rejected candidate goes through
    // rejectNode / rejectDisk, which name every reason.
    const node = n.node;
    let nodeOk =
      !node.down &&
      node.allowScheduling &&
      !node.evictionRequested &&
      !n.drain &&
      !(node.cordoned && lim.cordonedUnschedulable) &&
      n.disks.length > 0 &&
      (sel.length === 0 || covers(node.tags, sel)) &&
      (req.strictNode === null || n.id === req.strictNode) &&
      !(req.needsRebuild && n.rebuilding >= lim.rebuildLimit) &&
      (req.restrict === undefined || req.restrict(n) === null);
    let nodeTier = 0;
    for (let k = 0; nodeOk && k < nOthers; k++) {
      if (oNode[k] === n.idx) {
        if (!req.softNode || !req.softZone) nodeOk = false; // same node implies same zone
        nodeTier = 6;
      } else if (oZone[k] === n.zoneIdx) {
        if (!req.softZone) nodeOk = false;
        if (nodeTier < 4) nodeTier = 4;
      }
    }
    if (!nodeOk) {
      const r = rejectNode(n, req, lim);
      if (r) {
        reject(r);
        continue;
      }
    }
    const pref = req.preferNode !== null && n.id === req.preferNode ? 0 : 1;
    // A node that cannot beat the best so far still has its disks checked: they count as
    // considered or rejected either way.
    const nodeRatio = Usage.ratio(n.scheduled + size, n.usable);
    const end = n.first + n.disks.length;
    for (let i = n.first; i < end; i++) {
      let tier = nodeTier;
      const usable = usableA[i]!,
        sched = schedA[i]!;
      // Same tests as rejectDisk's InsufficientSpace and OverProvisioned, on precomputed bounds.
      let diskOk = openA[i] === 1 && size < roomA[i]! && sched + size <= capA[i]!;
      if (diskOk && dsel.length > 0) diskOk = covers(n.disks[i - n.first]!.disk.tags, dsel);
      if (diskOk && tier === 6) {
        for (let k = 0; k < nOthers; k++) {
          if (oDisk[k] === i) {
            tier = 7;
            if (!req.softDisk) diskOk = false;
          }
        }
      }
      if (!diskOk) {
        const r = rejectDisk(usage, n.disks[i - n.first]!, req, lim);
        if (r) {
          reject(r);
          continue;
        }
      }
      considered++;
      if (pref === 0) preferredSeen = true;
      if (
        best !== null &&
        (pref > bPref || (pref === bPref && (tier > bTier || (tier === bTier && nodeRatio > bNode))))
      )
        continue;
      const diskRatio = Usage.ratio(sched + size, usable);
      const better =
        best === null ||
        pref < bPref ||
        (pref === bPref &&
          (tier < bTier || (tier === bTier && (nodeRatio < bNode || (nodeRatio === bNode && diskRatio < bDisk)))));
      if (better) {
        best = n.disks[i - n.first]!;
        bPref = pref;
        bTier = tier;
        bNode = nodeRatio;
        bDisk = diskRatio;
      }
    }
  }
  if (best === null) return { ok: false, rejected, tally, nodes: nodes.length, disks };
  const notes: Note[] = [];
  if (req.preferNode !== null) notes.push(preferredSeen ? Note.DataLocalityPreferred : Note.DataLocalityUnavailable);
  if (bTier >= 4) notes.push(Note.SoftAntiAffinityZoneRelaxed);
  if (bTier >= 6) notes.push(Note.SoftAntiAffinityNodeRelaxed);
  if (bTier === 7) notes.push(Note.SoftAntiAffinityDiskRelaxed);
  const disk = best.disk;
  return {
    ok: true,
    disk: best,
    figures: {
      storageMaximum: disk.storageMaximum,
      storageAvailable: disk.storageAvailable,
      storageScheduled: schedA[best.index]!,
      storageReserved: disk.storageReserved,
    },
    score: bNode,
    considered,
    notes,
    rejected,
  };
}

/** "3 nodes, 6 disks: NodeDown x1, InsufficientSpace x2": every rejected candidate, by reason. */
export function tallyText(r: NotPlaced): string {
  const parts = REASON_ORDER.filter((k) => r.tally.has(k)).map((k) => `${k} x${r.tally.get(k)}`);
  const n = (k: number, what: string): string => `${k} ${what}${k === 1 ? '' : 's'}`;
  return `${n(r.nodes, 'node')}, ${n(r.disks, 'disk')}: ${parts.length ? parts.join(', ') : 'no candidates'}`;
}
