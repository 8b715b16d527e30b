// Which Kubernetes Events to write on PersistentVolumeClaims, from what cairn's state says of their
// volumes. Pure: (the previous look, the next look) -> events. An Event is written per transition
// (a volume becoming degraded, say), never per poll; the writer (event-writer.ts) folds a repeat of
// the same event on the same claim into a count and lastTimestamp update, as Kubernetes' own event
// recorder does.
//
// A look (PvcView) is projected from the state by pvcViews: only volumes with a kubernetes ref (the
// PVC they were provisioned for through CSI) are looked at.
import type { ClusterState, KubernetesRef, Robustness, UnsupportedParameter, VolumeState } from '@cairn/metadata';

export interface PvcView {
  volume: string;
  pvc: KubernetesRef;
  createdSeq: number;
  robustness: Robustness;
  /** The volume's unschedulable record: its cairn reasons (sorted, each once), summary and seq; null when placed. */
  unschedulable: { reasons: string[]; summary: string; missing: number; seq: number } | null;
  unsupported: UnsupportedParameter[];
}

export type EventType = 'Normal' | 'Warning';

/** Event reasons (Kubernetes' UpperCamelCase), one per kind of transition. */
export const PvcEventReason = {
  Unschedulable: 'VolumeUnschedulable',
  Degraded: 'VolumeDegraded',
  Faulted: 'VolumeFaulted',
  Healthy: 'VolumeHealthy',
  UnsupportedParameters: 'UnsupportedParameters',
} as const;

export interface PvcEvent {
  volume: string;
  pvc: KubernetesRef;
  type: EventType;
  reason: string;
  message: string;
  /**
   * A name suffix that is the same whoever decides it (the seq the condition started at, when the
   * state knows it): a new leader saying the same event again finds it exists (409) and leaves it.
   */
  suffix: string;
}

/** Every volume with a kubernetes ref, as the event decision sees it. */
export function pvcViews(state: ClusterState): Map<string, PvcView> {
  const out = new Map<string, PvcView>();
  for (const v of state.volumes.values()) {
    if (!v.kubernetes || !v.kubernetes.pvcName) continue;
    const u = v.unschedulable;
    out.set(v.name, {
      volume: v.name,
      pvc: { ...v.kubernetes },
      createdSeq: v.createdSeq,
      robustness: claimRobustness(state, v),
      unschedulable: u
        ? {
            reasons: [...new Set(u.candidates.flatMap((c) => c.reasons))].sort(),
            summary: u.summary,
            missing: u.missing,
            seq: u.seq,
          }
        : null,
      unsupported: [...(v.unsupportedParameters ?? [])],
    });
  }
  return out;
}

/**
 * A volume's robustness as its claim is told it. It differs from volumeRobustness (what `cairn
 * volume ls` shows) in two ways, both seen against a real kube-apiserver:
 * - A replica runs only on a node that is up (as in drain.ts). The state keeps a detached volume's
 *   replicas "running" while their node is down (no engine is there to fail them), so a claim whose
 *   node agent was killed would otherwise never hear of it.
 * - A volume coming up is "unknown", not degraded: while a replica placed for it (new, not a
 *   replacement) is still starting on an up node and none has failed. Its replicas report running
 *   one at a time, often in different polls, and every new claim would otherwise get a
 *   VolumeDegraded Warning followed a second later by VolumeHealthy.
 */
export function claimRobustness(state: ClusterState, v: VolumeState): Robustness {
  const up = (id: string): boolean => {
    const n = state.nodes.get(id);
    return n !== undefined && !n.down;
  };
  let running = 0,
    starting = 0,
    lost = 0;
  for (const id of state.replicasByVolume.get(v.name) ?? []) {
    const r = state.replicas.get(id);
    if (!r) continue;
    if (r.mode === 'running' && up(r.nodeId)) running++;
    else if (r.mode === 'scheduled' && r.replaces === '' && up(r.nodeId)) starting++;
    else if (r.mode !== 'scheduled' || !up(r.nodeId)) lost++; // failed, rebuilding, or its node is down
  }
  if (running >= v.spec.numberOfReplicas) return 'healthy';
  if (lost === 0 && starting > 0) return 'unknown';
  if (running > 0) return 'degraded';
  return lost > 0 ? 'faulted' : 'unknown';
}

/**
 * The events to write going from look `prev` to look `next`, in volume order. `prev` null is a
 * first look (a manager that just became the leader): every current warning is said, since the
 * last leader may not have said it (the names of those whose start the state records are stable,
 * so a warning said before is not said twice). `nextSeq` is the state's seq, the suffix of events
 * whose start the state does not record.
 */
export function pvcEvents(
  prev: ReadonlyMap<string, PvcView> | null,
  next: ReadonlyMap<string, PvcView>,
  nextSeq: number,
): PvcEvent[] {
  const out: PvcEvent[] = [];
  for (const name of [...next.keys()].sort()) {
    const n = next.get(name)!;
    const p = prev?.get(name);
    const say = (type: EventType, reason: string, message: string, suffix: string): void => {
      out.push({ volume: name, pvc: n.pvc, type, reason, message, suffix });
    };
    // Said once per volume: when it is first seen (a new volume, or a leader's first look).
    if (!p && n.unsupported.length > 0) {
      const list = n.unsupported.map((u) => `${u.key}=${JSON.stringify(u.value)} (${u.reason})`).join('; ');
      say(
        'Warning',
        PvcEventReason.UnsupportedParameters,
        `volume ${name} was created with StorageClass parameters cairn accepts without effect: ${list}`,
        `params-${n.createdSeq}`,
      );
    }
    const u = n.unschedulable;
    if (u && (!p?.unschedulable || p.unschedulable.reasons.join(',') !== u.reasons.join(','))) {
      const what =
        u.missing > 0
          ? `${u.missing} replica(s) of volume ${name} cannot be placed`
          : `a replica of volume ${name} cannot be moved`;
      say(
        'Warning',
        PvcEventReason.Unschedulable,
        `${what}: ${u.reasons.join(', ')}${u.summary ? ` (${u.summary})` : ''}`,
        `unschedulable-${u.seq}`,
      );
    }
    const was: Robustness = p?.robustness ?? 'unknown';
    if (n.robustness !== was || !p) {
      if (n.robustness === 'degraded')
        say(
          'Warning',
          PvcEventReason.Degraded,
          `volume ${name} is degraded: fewer replicas run than it wants`,
          `degraded-${nextSeq}`,
        );
      else if (n.robustness === 'faulted')
        say(
          'Warning',
          PvcEventReason.Faulted,
          `volume ${name} is faulted: none of its replicas runs`,
          `faulted-${nextSeq}`,
        );
      else if (n.robustness === 'healthy' && p && (was === 'degraded' || was === 'faulted')) {
        say(
          'Normal',
          PvcEventReason.Healthy,
          `volume ${name} is healthy again: every replica runs`,
          `healthy-${nextSeq}`,
        );
      }
    }
  }
  return out;
}
