// What the scheduler decides, as plain data, and the one mapping from a decision to the event the
// reconciler appends. A decision is machine-readable (named reasons, exact figures); the event is
// the same thing in the log's words.
import type { EventDraft } from '@cairn/metadata';
import type { Note, Reason, RemoveReason, Trigger } from './reasons.js';

/** The disk figures a placement used: as recorded in state, scheduled = sum of replica sizes. */
export interface DiskFigures {
  storageMaximum: number;
  storageAvailable: number;
  /** Bytes scheduled on the disk before this placement. */
  storageScheduled: number;
  storageReserved: number;
}

/** One rejected candidate: a whole node (diskId '') or one disk on a node. */
export interface CandidateRejection {
  nodeId: string;
  diskId: string;
  reasons: Reason[];
  detail: string;
}

/** Place a new replica (ReplicaScheduled). */
export interface PlaceDecision {
  kind: 'place';
  volume: string;
  replicaId: string;
  nodeId: string;
  diskId: string;
  trigger: Trigger;
  /** The replica this one replaces (removed once this one runs), '' for none. */
  replaces: string;
  figures: DiskFigures;
  /** The chosen node's used fraction of its usable space after the placement; lower is better. */
  score: number;
  /** Eligible candidates (disks) the choice was made among. */
  candidatesConsidered: number;
  notes: Note[];
  rejected: CandidateRejection[];
}

/** A replica the volume needs cannot be placed now (VolumeUnschedulable). */
export interface UnschedulableDecision {
  kind: 'unschedulable';
  volume: string;
  missing: number;
  summary: string;
  candidates: CandidateRejection[];
}

/**
 * Nothing the volume needs is blocked any more, though the state still records a
 * VolumeUnschedulable for it and no placement of this pass clears it (a failed replica reused,
 * the count lowered, a blocked move no longer wanted): VolumeSchedulable.
 */
export interface SchedulableDecision {
  kind: 'schedulable';
  volume: string;
}

/** Remove a replica (ReplicaRemoved). */
export interface RemoveDecision {
  kind: 'remove';
  volume: string;
  replicaId: string;
  reason: RemoveReason;
}

/** Rebuild a replica (new, or a failed one reused) from a running one (ReplicaRebuilding). */
export interface RebuildDecision {
  kind: 'rebuild';
  volume: string;
  replicaId: string;
  fromReplicaId: string;
}

/**
 * A detached volume with replicas to rebuild gets an engine without a frontend on nodeId
 * (VolumeAutoAttached): offline rebuilding. `replicaIds` are the replicas it is for.
 */
export interface AutoAttachDecision {
  kind: 'autoAttach';
  volume: string;
  nodeId: string;
  reason: string;
  replicaIds: string[];
  rejected: CandidateRejection[];
}

/** The offline engine of a volume is no longer needed (VolumeAutoDetached). */
export interface AutoDetachDecision {
  kind: 'autoDetach';
  volume: string;
  nodeId: string;
  reason: string;
}

export type Decision =
  | PlaceDecision
  | UnschedulableDecision
  | SchedulableDecision
  | RemoveDecision
  | RebuildDecision
  | AutoAttachDecision
  | AutoDetachDecision;

/**
 * The event a decision becomes. `cause` is the seq of the state it was decided on ("seq:42"); the
 * reconciler fills in the actor. Decisions of one decide() call are meant to be appended together,
 * in order: a placement and the rebuild of the same replica belong in one append.
 */
export function toDraft(d: Decision, basedOnSeq?: number): EventDraft {
  const cause = basedOnSeq === undefined ? {} : { cause: `seq:${basedOnSeq}` };
  switch (d.kind) {
    case 'place':
      return {
        ...cause,
        replicaScheduled: {
          replicaId: d.replicaId,
          volume: d.volume,
          nodeId: d.nodeId,
          diskId: d.diskId,
          trigger: d.trigger,
          replaces: d.replaces,
          figures: { ...d.figures },
          score: d.score,
          candidatesConsidered: d.candidatesConsidered,
          notes: [...d.notes],
          rejected: d.rejected.map((r) => ({ ...r, reasons: [...r.reasons] })),
        },
      };
    case 'unschedulable':
      return {
        ...cause,
        volumeUnschedulable: {
          name: d.volume,
          missing: d.missing,
          summary: d.summary,
          candidates: d.candidates.map((r) => ({ ...r, reasons: [...r.reasons] })),
        },
      };
    case 'schedulable':
      return { ...cause, volumeSchedulable: { name: d.volume } };
    case 'remove':
      return { ...cause, replicaRemoved: { replicaId: d.replicaId, reason: d.reason } };
    case 'rebuild':
      return { ...cause, replicaRebuilding: { replicaId: d.replicaId, fromReplicaId: d.fromReplicaId } };
    case 'autoAttach':
      return {
        ...cause,
        volumeAutoAttached: {
          name: d.volume,
          nodeId: d.nodeId,
          reason: d.reason,
          replicaIds: [...d.replicaIds],
          rejected: d.rejected.map((r) => ({ ...r, reasons: [...r.reasons] })),
        },
      };
    case 'autoDetach':
      return { ...cause, volumeAutoDetached: { name: d.volume, nodeId: d.nodeId, reason: d.reason } };
  }
}

/**
 * Splits a pass's decisions into appends of at most `maxEvents` events, in order, never parting a
 * placement from the rebuild of the same replica (a node that saw the placement alone could start
 * the replica empty and report it running). The caller says how many one append may carry (the
 * log's MAX_EVENTS_PER_APPEND, an etcd bound the scheduler does not know).
 */
export function batches(decisions: readonly Decision[], maxEvents: number): Decision[][] {
  if (maxEvents < 2) throw new RangeError('maxEvents must be at least 2');
  const out: Decision[][] = [];
  let cur: Decision[] = [];
  for (let i = 0; i < decisions.length; i++) {
    const d = decisions[i]!;
    const next = decisions[i + 1];
    const group = d.kind === 'place' && next?.kind === 'rebuild' && next.replicaId === d.replicaId ? [d, next] : [d];
    if (cur.length + group.length > maxEvents) {
      out.push(cur);
      cur = [];
    }
    cur.push(...group);
    i += group.length - 1;
  }
  if (cur.length) out.push(cur);
  return out;
}
