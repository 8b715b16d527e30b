// Original file: cairn/events/v1/events.proto

import type { CandidateRejection as _cairn_events_v1_CandidateRejection, CandidateRejection__Output as _cairn_events_v1_CandidateRejection__Output } from '../../../cairn/events/v1/CandidateRejection.js';

/**
 * A decision: a detached volume that needs a rebuild (an eviction, a lost replica, a balance
 * move) gets an engine without a frontend on node_id for the time of the work (Longhorn's
 * offline replica rebuilding). Not a user attach: CSI and the CLI still see the volume as not
 * attached by anyone; a user attach takes it over.
 */
export interface VolumeAutoAttached {
  'name'?: (string);
  'nodeId'?: (string);
  /**
   * Why: "eviction", "rebuild", "rebalance" or "data-locality" (the trigger of the replica rebuilt).
   */
  'reason'?: (string);
  /**
   * The replicas to be rebuilt that made it necessary.
   */
  'replicaIds'?: (string)[];
  /**
   * The nodes that were not chosen, and why (NodeDown, NodeEvicting, NoHealthyReplica, ...).
   */
  'rejected'?: (_cairn_events_v1_CandidateRejection)[];
}

/**
 * A decision: a detached volume that needs a rebuild (an eviction, a lost replica, a balance
 * move) gets an engine without a frontend on node_id for the time of the work (Longhorn's
 * offline replica rebuilding). Not a user attach: CSI and the CLI still see the volume as not
 * attached by anyone; a user attach takes it over.
 */
export interface VolumeAutoAttached__Output {
  'name': (string);
  'nodeId': (string);
  /**
   * Why: "eviction", "rebuild", "rebalance" or "data-locality" (the trigger of the replica rebuilt).
   */
  'reason': (string);
  /**
   * The replicas to be rebuilt that made it necessary.
   */
  'replicaIds': (string)[];
  /**
   * The nodes that were not chosen, and why (NodeDown, NodeEvicting, NoHealthyReplica, ...).
   */
  'rejected': (_cairn_events_v1_CandidateRejection__Output)[];
}
