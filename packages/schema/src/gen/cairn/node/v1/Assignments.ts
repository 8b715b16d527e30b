// Original file: cairn/node/v1/node.proto

import type { ReplicaAssignment as _cairn_node_v1_ReplicaAssignment, ReplicaAssignment__Output as _cairn_node_v1_ReplicaAssignment__Output } from '../../../cairn/node/v1/ReplicaAssignment.js';
import type { EngineAssignment as _cairn_node_v1_EngineAssignment, EngineAssignment__Output as _cairn_node_v1_EngineAssignment__Output } from '../../../cairn/node/v1/EngineAssignment.js';
import type { BackupAssignment as _cairn_node_v1_BackupAssignment, BackupAssignment__Output as _cairn_node_v1_BackupAssignment__Output } from '../../../cairn/node/v1/BackupAssignment.js';
import type { TrimAssignment as _cairn_node_v1_TrimAssignment, TrimAssignment__Output as _cairn_node_v1_TrimAssignment__Output } from '../../../cairn/node/v1/TrimAssignment.js';
import type { Long } from '@grpc/proto-loader';

export interface Assignments {
  'seq'?: (number | string | Long);
  'replicas'?: (_cairn_node_v1_ReplicaAssignment)[];
  'engines'?: (_cairn_node_v1_EngineAssignment)[];
  /**
   * Volumes being detached from this node. An agent that runs no engine for one (it was
   * restarted, so the engine died with the old process) reports it detached at once; otherwise
   * the detach would wait for an engine that no longer exists.
   */
  'detaching'?: (string)[];
  /**
   * False: `replicas` is every replica of the node. True (only on a stream that asked for deltas,
   * never its first push): `replicas` holds those new or changed since the previous push and
   * `removed_replicas` the ids of those gone; the others are as last pushed. Engines and
   * detaching are always whole.
   */
  'delta'?: (boolean);
  'removedReplicas'?: (string)[];
  /**
   * Backups this node runs (on its own replica's store), whole in every push.
   */
  'backups'?: (_cairn_node_v1_BackupAssignment)[];
  /**
   * Filesystem trims this node runs (volumes attached here), whole in every push.
   */
  'trims'?: (_cairn_node_v1_TrimAssignment)[];
}

export interface Assignments__Output {
  'seq': (number);
  'replicas': (_cairn_node_v1_ReplicaAssignment__Output)[];
  'engines': (_cairn_node_v1_EngineAssignment__Output)[];
  /**
   * Volumes being detached from this node. An agent that runs no engine for one (it was
   * restarted, so the engine died with the old process) reports it detached at once; otherwise
   * the detach would wait for an engine that no longer exists.
   */
  'detaching': (string)[];
  /**
   * False: `replicas` is every replica of the node. True (only on a stream that asked for deltas,
   * never its first push): `replicas` holds those new or changed since the previous push and
   * `removed_replicas` the ids of those gone; the others are as last pushed. Engines and
   * detaching are always whole.
   */
  'delta': (boolean);
  'removedReplicas': (string)[];
  /**
   * Backups this node runs (on its own replica's store), whole in every push.
   */
  'backups': (_cairn_node_v1_BackupAssignment__Output)[];
  /**
   * Filesystem trims this node runs (volumes attached here), whole in every push.
   */
  'trims': (_cairn_node_v1_TrimAssignment__Output)[];
}
