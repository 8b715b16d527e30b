// Original file: cairn/events/v1/events.proto

import type { DiskFigures as _cairn_events_v1_DiskFigures, DiskFigures__Output as _cairn_events_v1_DiskFigures__Output } from '../../../cairn/events/v1/DiskFigures.js';
import type { CandidateRejection as _cairn_events_v1_CandidateRejection, CandidateRejection__Output as _cairn_events_v1_CandidateRejection__Output } from '../../../cairn/events/v1/CandidateRejection.js';

/**
 * A decision: place a replica of a volume on a disk.
 */
export interface ReplicaScheduled {
  'replicaId'?: (string);
  'volume'?: (string);
  'nodeId'?: (string);
  'diskId'?: (string);
  /**
   * Why a replica was placed: "new", "rebuild", "eviction", "data-locality", "rebalance".
   */
  'trigger'?: (string);
  /**
   * The replica this one replaces (eviction, rebuild), if any.
   */
  'replaces'?: (string);
  'figures'?: (_cairn_events_v1_DiskFigures | null);
  /**
   * The balance score of the chosen candidate (lower is better) and how many were considered.
   */
  'score'?: (number | string);
  'candidatesConsidered'?: (number);
  /**
   * Named reasons the choice was made over the others, e.g. "SoftAntiAffinityNodeRelaxed".
   */
  'notes'?: (string)[];
  /**
   * The rejections of the candidates that were not eligible.
   */
  'rejected'?: (_cairn_events_v1_CandidateRejection)[];
}

/**
 * A decision: place a replica of a volume on a disk.
 */
export interface ReplicaScheduled__Output {
  'replicaId': (string);
  'volume': (string);
  'nodeId': (string);
  'diskId': (string);
  /**
   * Why a replica was placed: "new", "rebuild", "eviction", "data-locality", "rebalance".
   */
  'trigger': (string);
  /**
   * The replica this one replaces (eviction, rebuild), if any.
   */
  'replaces': (string);
  'figures': (_cairn_events_v1_DiskFigures__Output | null);
  /**
   * The balance score of the chosen candidate (lower is better) and how many were considered.
   */
  'score': (number);
  'candidatesConsidered': (number);
  /**
   * Named reasons the choice was made over the others, e.g. "SoftAntiAffinityNodeRelaxed".
   */
  'notes': (string)[];
  /**
   * The rejections of the candidates that were not eligible.
   */
  'rejected': (_cairn_events_v1_CandidateRejection__Output)[];
}
