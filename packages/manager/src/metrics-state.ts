// The cluster gauges of /metrics as a pure function of the projected state (and the progress the
// engines report, which is status, not events): clusterSamples(state, live) -> samples per metric.
// Names, labels and value encodings follow Longhorn's (longhorn_volume_robustness is
// cairn_volume_robustness, 0=unknown 1=healthy 2=degraded 3=faulted); what Longhorn has not
// (unschedulable volumes by reason, rebuild, backup and restore progress) follows the same style.
// Only the leader serves these (metrics.ts), so that a Prometheus scraping every manager sees each
// series once. docs/metrics.md lists them.
import type { CairnEvent, ClusterState, Robustness, VolumeState } from '@cairn/metadata';
import { backupsInFlight, replicasOf, volumeRobustness } from '@cairn/metadata';
import type { Sample } from '@cairn/api';
import { restoreStateWord } from './restores.js';

/** Longhorn's labels of every volume gauge: pvc and pvc_namespace are '' for a volume no PVC made. */
export const VOLUME_LABELS = ['volume', 'node', 'pvc', 'pvc_namespace'] as const;

/** The cluster gauges: name -> help and label names (the one table metrics.ts registers from). */
export const CLUSTER_GAUGES = {
  cairn_volume_capacity_bytes: { help: 'Configured size of this volume, bytes', labels: VOLUME_LABELS },
  cairn_volume_state: {
    help: 'State of this volume: 1=creating, 2=attached, 3=detached, 4=attaching, 5=detaching, 6=deleting',
    labels: VOLUME_LABELS,
  },
  cairn_volume_robustness: {
    help: 'Robustness of this volume: 0=unknown, 1=healthy, 2=degraded, 3=faulted',
    labels: VOLUME_LABELS,
  },
  cairn_volume_replicas: {
    help: 'Replicas of this volume by mode (scheduled, running, rebuilding, failed)',
    labels: ['volume', 'mode'],
  },
  cairn_node_status: {
    help: 'Status of this node: 1=true, 0=false, by condition (ready, schedulable)',
    labels: ['node', 'condition', 'condition_reason'],
  },
  cairn_node_count_total: { help: 'Nodes registered with cairn', labels: [] },
  cairn_disk_capacity_bytes: { help: 'Size of this disk (its filesystem), bytes', labels: ['node', 'disk'] },
  cairn_disk_usage_bytes: {
    help: "Bytes used on this disk's filesystem (capacity less available)",
    labels: ['node', 'disk'],
  },
  cairn_disk_reservation_bytes: {
    help: 'Bytes of this disk reserved from scheduling (storageReserved)',
    labels: ['node', 'disk'],
  },
  cairn_disk_scheduled_bytes: {
    help: 'Bytes scheduled on this disk: the sum of the sizes of its replicas',
    labels: ['node', 'disk'],
  },
  cairn_unschedulable_volumes: {
    help: 'Volumes with a replica that cannot be placed, by the reason candidates were rejected for (a volume counts once per reason)',
    labels: ['reason'],
  },
  cairn_replica_rebuild_progress: {
    help: 'Rebuilds in progress: the fraction (0..1) of this replica rebuilt so far',
    labels: ['volume', 'replica', 'node'],
  },
  cairn_backup_progress: {
    help: "Backups in flight: the fraction (0..1) of the snapshot's blocks uploaded so far",
    labels: ['volume', 'backup', 'state'],
  },
  cairn_restore_progress: {
    help: 'Restores in progress: the fraction (0..1) of the backup restored so far',
    labels: ['volume', 'backup'],
  },
} as const;

export type ClusterGauge = keyof typeof CLUSTER_GAUGES;

/** What the engines report and the state does not hold: progress by replica id and by volume (percent). */
export interface LiveFigures {
  rebuildProgress: ReadonlyMap<string, number>;
  restoreProgress: ReadonlyMap<string, { backup: string; percent: number }>;
}

/** Longhorn's robustness encoding. */
export const ROBUSTNESS_VALUE: Record<Robustness, number> = { unknown: 0, healthy: 1, degraded: 2, faulted: 3 };
/** Longhorn's volume state encoding (cairn deletes a volume in one event: 6 never shows). */
export const VOLUME_STATE_VALUE = {
  creating: 1,
  attached: 2,
  detached: 3,
  attaching: 4,
  detaching: 5,
  deleting: 6,
} as const;

/**
 * The state a user sees (views.ts's rule: an engine the scheduler runs for an offline rebuild
 * leaves the volume detached; a user attach waiting for it is attaching), and where it is attached;
 * `creating` until a replica of the volume has run.
 */
export function volumeStateOf(
  state: ClusterState,
  v: VolumeState,
): { state: keyof typeof VOLUME_STATE_VALUE; node: string } {
  const offline = v.autoAttach !== '' && v.attachState !== 'detached';
  if (v.pendingAttach) return { state: 'attaching', node: v.pendingAttach };
  if (offline || v.attachState === 'detached') {
    // A replica that is (or was) anything but scheduled has run: the volume was created.
    const ran = replicasOf(state, v.name).some((r) => r.mode !== 'scheduled');
    return { state: ran ? 'detached' : 'creating', node: '' };
  }
  return { state: v.attachState, node: v.attachedTo };
}

/** The value of every cluster gauge now. Pure: the same state and figures give the same samples. */
export function clusterSamples(state: ClusterState, live: LiveFigures): Record<ClusterGauge, Sample[]> {
  const out = Object.fromEntries(Object.keys(CLUSTER_GAUGES).map((k) => [k, [] as Sample[]])) as Record<
    ClusterGauge,
    Sample[]
  >;
  const unschedulable = new Map<string, number>();
  for (const v of state.volumes.values()) {
    const { state: word, node } = volumeStateOf(state, v);
    const labels = {
      volume: v.name,
      node,
      pvc: v.kubernetes?.pvcName ?? '',
      pvc_namespace: v.kubernetes?.pvcNamespace ?? '',
    };
    out.cairn_volume_capacity_bytes.push({ labels, value: v.spec.size });
    out.cairn_volume_state.push({ labels, value: VOLUME_STATE_VALUE[word] });
    out.cairn_volume_robustness.push({ labels, value: ROBUSTNESS_VALUE[volumeRobustness(state, v)] });
    const modes = new Map<string, number>([
      ['scheduled', 0],
      ['running', 0],
      ['rebuilding', 0],
      ['failed', 0],
    ]);
    for (const r of replicasOf(state, v.name)) {
      modes.set(r.mode, (modes.get(r.mode) ?? 0) + 1);
      if (r.mode === 'rebuilding') {
        out.cairn_replica_rebuild_progress.push({
          labels: { volume: v.name, replica: r.id, node: r.nodeId },
          value: fraction(live.rebuildProgress.get(r.id) ?? 0),
        });
      }
    }
    for (const [mode, n] of modes) out.cairn_volume_replicas.push({ labels: { volume: v.name, mode }, value: n });
    if (v.unschedulable) {
      const reasons = new Set(v.unschedulable.candidates.flatMap((c) => c.reasons));
      if (reasons.size === 0) reasons.add('NoCandidates');
      for (const reason of reasons) unschedulable.set(reason, (unschedulable.get(reason) ?? 0) + 1);
    }
    for (const b of backupsInFlight(v)) {
      out.cairn_backup_progress.push({
        labels: { volume: v.name, backup: b.name, state: b.state },
        value: b.blocks > 0 ? b.uploadedBlocks / b.blocks : 0,
      });
    }
    if (v.restore && restoreStateWord(v) === 'restoring') {
      const p = live.restoreProgress.get(v.name);
      out.cairn_restore_progress.push({
        labels: { volume: v.name, backup: v.restore.backup },
        value: p?.backup === v.restore.backup ? fraction(p.percent) : 0,
      });
    }
  }
  for (const [reason, n] of [...unschedulable].sort(([a], [b]) => a.localeCompare(b)))
    out.cairn_unschedulable_volumes.push({ labels: { reason }, value: n });
  out.cairn_node_count_total.push({ labels: {}, value: state.nodes.size });
  for (const n of state.nodes.values()) {
    out.cairn_node_status.push({
      labels: { node: n.id, condition: 'ready', condition_reason: n.down ? n.downReason || 'Down' : '' },
      value: n.down ? 0 : 1,
    });
    const why = n.cordoned
      ? 'Cordoned'
      : !n.allowScheduling
        ? 'SchedulingDisabled'
        : n.evictionRequested
          ? 'EvictionRequested'
          : '';
    out.cairn_node_status.push({
      labels: { node: n.id, condition: 'schedulable', condition_reason: why },
      value: why ? 0 : 1,
    });
    for (const d of n.disks.values()) {
      const labels = { node: n.id, disk: d.id };
      out.cairn_disk_capacity_bytes.push({ labels, value: d.storageMaximum });
      out.cairn_disk_usage_bytes.push({ labels, value: Math.max(0, d.storageMaximum - d.storageAvailable) });
      out.cairn_disk_reservation_bytes.push({ labels, value: d.storageReserved });
      out.cairn_disk_scheduled_bytes.push({ labels, value: state.diskLoad.get(n.id)?.get(d.id)?.bytes ?? 0 });
    }
  }
  return out;
}

const fraction = (percent: number): number => Math.min(1, Math.max(0, percent / 100));

/**
 * The scheduler decision an event records, as the labels cairn_scheduler_decisions_total counts it
 * by: kind (place, remove, rebuild, unschedulable, schedulable, autoAttach, autoDetach) and reason
 * (the placement's trigger, the removal's reason, the rejection most candidates share, ...); null
 * for an event that records no scheduler decision.
 */
export function decisionOf(ev: CairnEvent): { kind: string; reason: string } | null {
  switch (ev.payload) {
    case 'replicaScheduled':
      return { kind: 'place', reason: ev.replicaScheduled!.trigger || 'new' };
    case 'replicaRemoved':
      return { kind: 'remove', reason: ev.replicaRemoved!.reason || 'unknown' };
    case 'replicaRebuilding':
      return { kind: 'rebuild', reason: 'rebuild' };
    case 'volumeUnschedulable':
      return { kind: 'unschedulable', reason: commonest(ev.volumeUnschedulable!.candidates.flatMap((c) => c.reasons)) };
    case 'volumeSchedulable':
      return { kind: 'schedulable', reason: 'schedulable' };
    case 'volumeAutoAttached':
      return { kind: 'autoAttach', reason: ev.volumeAutoAttached!.reason || 'unknown' };
    case 'volumeAutoDetached':
      return { kind: 'autoDetach', reason: ev.volumeAutoDetached!.reason || 'unknown' };
    default:
      return null;
  }
}

/** The most frequent of `words` (ties: the first in name order); 'NoCandidates' for none. */
function commonest(words: string[]): string {
  const n = new Map<string, number>();
  for (const w of words) n.set(w, (n.get(w) ?? 0) + 1);
  let best = 'NoCandidates',
    most = 0;
  for (const [w, c] of [...n].sort(([a], [b]) => a.localeCompare(b))) if (c > most) [best, most] = [w, c];
  return best;
}
