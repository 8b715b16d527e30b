// Offline rebuilding (Longhorn's offline-replica-rebuilding, and its eviction of detached
// volumes): a detached volume with replicas to rebuild gets an engine without a frontend for the
// time of the work, and is detached again when nothing rebuilds any more. Engines run only for
// attached volumes, so without this a replica placed for a detached volume (to replace one being
// evicted, or a lost one) would stay "rebuilding" for ever, and a node replacement (disable
// scheduling, evict, wait for 0 replicas) would never end.
//
// Decided after the pass's placements, per volume, from the state and the pass's own decisions,
// so that a pass stays a fixpoint: the placement of a rebuilt replica and the attach that serves
// it come in one pass; applying both and deciding again yields nothing.
import type { ClusterState, ReplicaState, Settings, VolumeState } from '@cairn/metadata';
import type { AutoAttachDecision, AutoDetachDecision, CandidateRejection, Decision } from './decision.js';
import { Reason } from './reasons.js';

/** Why a volume runs an offline engine: the trigger of the replica it rebuilds, in these words. */
export const AutoAttachReason = {
  Eviction: 'eviction',
  Rebuild: 'rebuild',
  Rebalance: 'rebalance',
  DataLocality: 'data-locality',
  /** A volume made from a backup (or a standby volume with a newer backup) restores it first. */
  Restore: 'restore',
} as const;
export type AutoAttachReason = (typeof AutoAttachReason)[keyof typeof AutoAttachReason];

/** Why an offline engine is stopped. */
export const AutoDetachReason = {
  /** Nothing rebuilds any more: the work is done. */
  Rebuilt: 'rebuilt',
  /** No running replica is left to rebuild from (Longhorn: offline rebuilding never runs for faulted volumes). */
  Faulted: 'faulted',
  /** offline-replica-rebuilding was turned off and what is left is not an eviction. */
  Disabled: 'disabled',
  /** The engine's node is down: the engine is gone with it; the next pass may start one elsewhere. */
  NodeDown: 'node-down',
  /** The backup is restored (or its restore failed: the volume's events say why). */
  Restored: 'restored',
  RestoreFailed: 'restore-failed',
} as const;
export type AutoDetachReason = (typeof AutoDetachReason)[keyof typeof AutoDetachReason];

const byId = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function reasonOf(trigger: string): AutoAttachReason {
  switch (trigger) {
    case 'eviction':
      return AutoAttachReason.Eviction;
    case 'rebalance':
      return AutoAttachReason.Rebalance;
    case 'data-locality':
      return AutoAttachReason.DataLocality;
    default:
      return AutoAttachReason.Rebuild;
  }
}

/** A replica as the pass leaves it: its mode and trigger after the pass's own decisions. */
export interface OfflineReplica {
  id: string;
  nodeId: string;
  mode: ReplicaState['mode'];
  trigger: string;
  rebuildFrom: string;
}

/**
 * The replicas of a volume as they are once the pass's decisions are applied: placements added
 * (rebuilding when a rebuild follows), rebuilds set, removals dropped.
 */
export function replicasAfter(state: ClusterState, volume: string, decisions: readonly Decision[]): OfflineReplica[] {
  const out = new Map<string, OfflineReplica>();
  for (const id of state.replicasByVolume.get(volume) ?? []) {
    const r = state.replicas.get(id);
    if (r) out.set(id, { id, nodeId: r.nodeId, mode: r.mode, trigger: r.trigger, rebuildFrom: r.rebuildFrom });
  }
  for (const d of decisions) {
    if (d.volume !== volume) continue;
    if (d.kind === 'place')
      out.set(d.replicaId, {
        id: d.replicaId,
        nodeId: d.nodeId,
        mode: 'scheduled',
        trigger: d.trigger,
        rebuildFrom: '',
      });
    else if (d.kind === 'rebuild') {
      const r = out.get(d.replicaId);
      if (r) Object.assign(r, { mode: 'rebuilding', rebuildFrom: d.fromReplicaId });
    } else if (d.kind === 'remove') out.delete(d.replicaId);
  }
  return [...out.values()].sort((a, b) => byId(a.id, b.id));
}

/** The volume has a backup to restore now (not restored, not failed): its engine restores it first. */
export function restorePending(v: VolumeState): boolean {
  const r = v.restore;
  return !!r && r.backup !== r.restored && r.error === '';
}

/** Restore engines per node (the scheduler's restore attaches), counted by restoreSlots and by each decision that adds one. */
export type RestoreSlots = Map<string, number>;

/** The restores running per node now: volumes the scheduler attached for a restore, not yet detached. */
export function restoreSlots(state: ClusterState): RestoreSlots {
  const out: RestoreSlots = new Map();
  for (const v of state.volumes.values()) {
    if (v.autoAttach === AutoAttachReason.Restore && v.attachState !== 'detached')
      out.set(v.attachedTo, (out.get(v.attachedTo) ?? 0) + 1);
  }
  return out;
}

/** Whether a rebuild of this trigger may attach a detached volume: eviction always, the rest with the setting. */
function allowed(reason: AutoAttachReason, settings: Settings): boolean {
  return reason === AutoAttachReason.Eviction || settings['offline-replica-rebuilding'];
}

/**
 * The node an offline engine runs on, with the candidates not chosen. Preferred, in order: a node
 * up, not evicting, holding a running replica of the volume (the engine then reads its copy
 * source locally: the source of the rebuild first); an evicting node holding one (a volume whose
 * only copies are being evicted); any up, not evicting node holding a replica of the volume; any
 * up, not evicting node. Ties by node id. Only the nodes holding a replica of the volume are
 * listed as rejected (the rest of the cluster would say nothing but NoHealthyReplica).
 */
export function chooseEngineNode(
  state: ClusterState,
  reps: readonly OfflineReplica[],
  full: (nodeId: string) => boolean = () => false,
): { nodeId: string; rejected: CandidateRejection[] } | null {
  const running = new Set(reps.filter((r) => r.mode === 'running').map((r) => r.nodeId));
  const holding = new Set(reps.map((r) => r.nodeId));
  const sources = new Set(
    reps.filter((r) => r.mode === 'rebuilding').map((r) => reps.find((s) => s.id === r.rebuildFrom)?.nodeId ?? ''),
  );
  const rank = (id: string): number => {
    const n = state.nodes.get(id)!;
    if (n.down || full(id)) return Infinity;
    if (running.has(id) && !n.evictionRequested) return sources.has(id) ? 0 : 1;
    if (running.has(id)) return 2;
    if (n.evictionRequested) return Infinity;
    return holding.has(id) ? 3 : 4;
  };
  let best: string | null = null;
  for (const id of [...state.nodes.keys()].sort(byId)) {
    if (rank(id) < (best === null ? Infinity : rank(best))) best = id;
  }
  if (best === null) return null;
  const rejected: CandidateRejection[] = [];
  for (const id of [...holding].sort(byId)) {
    if (id === best) continue;
    const n = state.nodes.get(id);
    if (!n) continue;
    const reasons: Reason[] = [];
    if (n.down) reasons.push(Reason.NodeDown);
    if (full(id)) reasons.push(Reason.RestoreLimit);
    if (n.evictionRequested) reasons.push(Reason.NodeEvicting);
    if (!running.has(id)) reasons.push(Reason.NoHealthyReplica);
    else if (reasons.length === 0 && rank(id) > rank(best)) reasons.push(Reason.NotRebuildSource);
    if (reasons.length) rejected.push({ nodeId: id, diskId: '', reasons, detail: '' }); // an equal node lost only on its id
  }
  return { nodeId: best, rejected };
}

/**
 * The offline attach or detach a volume needs after the pass's decisions (none, one, or a detach
 * from a node that is down followed by an attach elsewhere).
 * - attach: detached (no user attach waiting), its data source (if any) copied, a running replica
 *   to copy from, and a replica rebuilding whose trigger may attach it (see allowed);
 * - detach: attached by the scheduler, and nothing left that may rebuild, or nothing to rebuild
 *   from, or its node down (the projection then detaches it at once: no node is left to report
 *   the engine gone).
 */
export function offlineDecisions(
  state: ClusterState,
  settings: Settings,
  v: VolumeState,
  decisions: readonly Decision[],
  restores: RestoreSlots = restoreSlots(state),
): (AutoAttachDecision | AutoDetachDecision)[] {
  const reps = replicasAfter(state, v.name, decisions);
  const rebuilding = reps.filter((r) => r.mode === 'rebuilding');
  const wanted = rebuilding.filter((r) => allowed(reasonOf(r.trigger), settings));
  const hasSource = reps.some((r) => r.mode === 'running');
  const restoring = restorePending(v);
  const attach = (): AutoAttachDecision | null => {
    // A backup to restore: an engine without a frontend restores it into the volume's replicas
    // (no user attach can come first: attachVolume refuses while it is not restored).
    if (restoring && !v.pendingAttach && hasSource) {
      // Not on a node already running concurrent-volume-backup-restore-per-node-limit restores:
      // the volume waits for a slot (a later pass, once one of them is done).
      const limit = settings['concurrent-volume-backup-restore-per-node-limit'];
      const at = chooseEngineNode(state, reps, (id) => (restores.get(id) ?? 0) >= limit);
      if (!at || (restores.get(at.nodeId) ?? 0) >= limit) return null;
      restores.set(at.nodeId, (restores.get(at.nodeId) ?? 0) + 1);
      return {
        kind: 'autoAttach',
        volume: v.name,
        nodeId: at.nodeId,
        reason: AutoAttachReason.Restore,
        replicaIds: [],
        rejected: at.rejected,
      };
    }
    if (v.pendingAttach || wanted.length === 0 || !hasSource) return null;
    if (v.dataSource && !v.dataSource.copied) return null; // its engine copies the source first: a user's attach does it
    const at = chooseEngineNode(state, reps);
    if (!at) return null; // no node up: nothing to decide until one is
    // The reason of the first replica by id: an eviction wins ties only by being first, which is
    // fine: the event lists every replica it is for.
    const first = [...wanted].sort(
      (a, b) => Number(b.trigger === 'eviction') - Number(a.trigger === 'eviction') || byId(a.id, b.id),
    )[0]!;
    return {
      kind: 'autoAttach',
      volume: v.name,
      nodeId: at.nodeId,
      reason: reasonOf(first.trigger),
      replicaIds: wanted.map((r) => r.id),
      rejected: at.rejected,
    };
  };
  if (v.attachState === 'detached') {
    const a = attach();
    return a ? [a] : [];
  }
  if (v.autoAttach === '') return [];
  const node = state.nodes.get(v.attachedTo);
  // Being stopped: only a node gone down meanwhile needs a word (nobody is left to report it stopped).
  if (v.attachState === 'detaching' && node && !node.down) return [];
  let reason: AutoDetachReason | null = null;
  if (!node || node.down) reason = AutoDetachReason.NodeDown;
  else if (!hasSource) reason = AutoDetachReason.Faulted;
  else if (restoring)
    reason = null; // its engine restores (and rebuilds, if any replica needs it)
  else if (v.autoAttach === AutoAttachReason.Restore && rebuilding.length === 0)
    reason = v.restore?.error ? AutoDetachReason.RestoreFailed : AutoDetachReason.Restored;
  else if (rebuilding.length === 0) reason = AutoDetachReason.Rebuilt;
  else if (wanted.length === 0) reason = AutoDetachReason.Disabled;
  if (reason === null) return [];
  const detach: AutoDetachDecision = { kind: 'autoDetach', volume: v.name, nodeId: v.attachedTo, reason };
  const again = reason === AutoDetachReason.NodeDown ? attach() : null;
  return again ? [detach, again] : [detach];
}
