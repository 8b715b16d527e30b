// Salvage: bringing back a volume whose replicas have all failed (Longhorn's auto-salvage, and
// `cairn volume salvage` by hand). A failed replica normally comes back only by being rebuilt from
// a running one; when none runs there is nothing to rebuild from, so the replicas with the newest
// data are declared healthy again and the others are rebuilt from them.
//
// "Newest" is a figure only the nodes can see: each store's revision (how many writes it took),
// whether it was shut down cleanly, and whether a rebuild into it never finished. The agents
// report them for the failed replicas they hold; the manager keeps them in lease-bound status
// keys (not events: they are observations), and the salvage event records the figures the choice
// was made from, so the audit can explain it. Pure: figures and time come in as arguments.
import type { ClusterState, EventDraft, ReplicaState } from '@cairn/metadata';

/** What a node reported of a replica's store (ReplicaStore.info()), and when the manager got it. */
export interface ObservedFigures {
  revision: number;
  cleanShutdown: boolean;
  rebuilding: boolean;
  observedAtMs: number;
}

/** One replica's figures as the salvage event records them. */
export interface SalvageFigure {
  replicaId: string;
  nodeId: string;
  revision: number;
  cleanShutdown: boolean;
  rebuilding: boolean;
  /** False: no figures from its node since the replica last failed (down, or not reported yet). */
  reported: boolean;
}

export const SalvageReason = { Auto: 'auto-salvage', Requested: 'requested' } as const;
export type SalvageReason = (typeof SalvageReason)[keyof typeof SalvageReason];

/** Why a salvage cannot be done now, as named constants (the manager maps them to gRPC codes). */
export const SalvageRefusal = {
  /** Some replica of the volume runs (or none has ever held data): nothing to salvage. */
  NotFaulted: 'NotFaulted',
  /** The replica named is not one of the volume's. */
  ReplicaNotOfVolume: 'ReplicaNotOfVolume',
  /** The replica named is rebuilding (in the log or in its store), or its node has not reported figures. */
  ReplicaNotEligible: 'ReplicaNotEligible',
  /** Not every failed replica has reported its figures: the one that did not may hold the newest data. */
  WaitingForFigures: 'WaitingForFigures',
  /** No failed replica with figures and a complete copy. */
  NoCandidate: 'NoCandidate',
} as const;
export type SalvageRefusal = (typeof SalvageRefusal)[keyof typeof SalvageRefusal];

export type SalvageChoice =
  | { ok: true; volume: string; replicaIds: string[]; reason: SalvageReason; figures: SalvageFigure[] }
  | { ok: false; volume: string; refusal: SalvageRefusal; detail: string; figures: SalvageFigure[] };

const byId = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Longhorn's faulted, as metadata's volumeRobustness says it (the scheduler imports metadata's types only). */
function faulted(reps: readonly ReplicaState[]): boolean {
  return !reps.some((r) => r.mode === 'running') && reps.some((r) => r.mode === 'failed' || r.mode === 'rebuilding');
}

/**
 * Which replicas of a faulted volume to bring back. Candidates: replicas the log records failed
 * (never one it records rebuilding), whose node reported figures after the replica last failed,
 * whose store does not say a rebuild into it is unfinished. Chosen: every candidate with the
 * highest revision (they took the same writes), or only `replicaId` when named. `auto` (the
 * setting) also waits until every failed replica has reported: a node that is down may hold the
 * newest data, and only a person may decide to go on without it.
 */
export function chooseSalvage(
  state: ClusterState,
  volume: string,
  figures: (replicaId: string) => ObservedFigures | undefined,
  o: { replicaId?: string; auto: boolean },
): SalvageChoice {
  const v = state.volumes.get(volume);
  const reps = [...(state.replicasByVolume.get(volume) ?? [])]
    .flatMap((id) => state.replicas.get(id) ?? [])
    .sort((a, b) => byId(a.id, b.id));
  const table: SalvageFigure[] = reps.map((r) => {
    const f = figures(r.id);
    const fresh = f !== undefined && f.observedAtMs >= r.failedAtMs && !state.nodes.get(r.nodeId)?.down;
    return {
      replicaId: r.id,
      nodeId: r.nodeId,
      revision: fresh ? f.revision : 0,
      cleanShutdown: fresh ? f.cleanShutdown : false,
      rebuilding: fresh ? f.rebuilding : false,
      reported: fresh,
    };
  });
  const no = (refusal: SalvageRefusal, detail: string): SalvageChoice => ({
    ok: false,
    volume,
    refusal,
    detail,
    figures: table,
  });
  if (!v || !faulted(reps)) {
    return no(
      SalvageRefusal.NotFaulted,
      `volume "${volume}" is not faulted: only a volume whose replicas have all failed is salvaged`,
    );
  }
  const modeOf = new Map(reps.map((r) => [r.id, r.mode]));
  const eligible = (f: SalvageFigure): boolean => modeOf.get(f.replicaId) === 'failed' && f.reported && !f.rebuilding;
  const why = (f: SalvageFigure): string =>
    modeOf.get(f.replicaId) !== 'failed'
      ? `it is ${modeOf.get(f.replicaId)}, not failed`
      : !f.reported
        ? `its node ${f.nodeId} has not reported its figures since it failed`
        : 'a rebuild into it never finished';
  if (o.replicaId !== undefined && o.replicaId !== '') {
    const f = table.find((x) => x.replicaId === o.replicaId);
    if (!f)
      return no(SalvageRefusal.ReplicaNotOfVolume, `replica "${o.replicaId}" is not a replica of volume "${volume}"`);
    if (!eligible(f))
      return no(SalvageRefusal.ReplicaNotEligible, `replica "${o.replicaId}" cannot be salvaged: ${why(f)}`);
    return { ok: true, volume, replicaIds: [f.replicaId], reason: SalvageReason.Requested, figures: table };
  }
  const waiting = table.filter((f) => modeOf.get(f.replicaId) === 'failed' && !f.reported);
  if (o.auto && waiting.length > 0) {
    return no(
      SalvageRefusal.WaitingForFigures,
      `waiting for the figures of ${waiting.map((f) => `${f.replicaId} (node ${f.nodeId})`).join(', ')}`,
    );
  }
  const candidates = table.filter(eligible);
  if (candidates.length === 0) {
    return no(
      SalvageRefusal.NoCandidate,
      `no replica can be salvaged: ${table.map((f) => `${f.replicaId}: ${why(f)}`).join('; ')}`,
    );
  }
  const newest = Math.max(...candidates.map((f) => f.revision));
  return {
    ok: true,
    volume,
    replicaIds: candidates.filter((f) => f.revision === newest).map((f) => f.replicaId),
    reason: o.auto ? SalvageReason.Auto : SalvageReason.Requested,
    figures: table,
  };
}

/** The event a salvage becomes (VolumeSalvaged), with the figures it was chosen from. */
export function salvageDraft(c: SalvageChoice & { ok: true }, basedOnSeq?: number): EventDraft {
  return {
    ...(basedOnSeq === undefined ? {} : { cause: `seq:${basedOnSeq}` }),
    volumeSalvaged: {
      name: c.volume,
      replicaIds: [...c.replicaIds],
      reason: c.reason,
      figures: c.figures.map((f) => ({ ...f })),
    },
  };
}
