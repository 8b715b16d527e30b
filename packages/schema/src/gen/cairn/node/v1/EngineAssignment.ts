// Original file: cairn/node/v1/node.proto

import type { EngineReplica as _cairn_node_v1_EngineReplica, EngineReplica__Output as _cairn_node_v1_EngineReplica__Output } from '../../../cairn/node/v1/EngineReplica.js';
import type { EngineSource as _cairn_node_v1_EngineSource, EngineSource__Output as _cairn_node_v1_EngineSource__Output } from '../../../cairn/node/v1/EngineSource.js';
import type { RestoreAssignment as _cairn_node_v1_RestoreAssignment, RestoreAssignment__Output as _cairn_node_v1_RestoreAssignment__Output } from '../../../cairn/node/v1/RestoreAssignment.js';
import type { Long } from '@grpc/proto-loader';

export interface EngineAssignment {
  'volume'?: (string);
  'size'?: (number | string | Long);
  'replicaIds'?: (string)[];
  'replicas'?: (_cairn_node_v1_EngineReplica)[];
  'secret'?: (string);
  'snapshots'?: (string)[];
  /**
   * Set while the volume's data source has not been copied: the engine copies it before it serves.
   */
  'source'?: (_cairn_node_v1_EngineSource | null);
  /**
   * Set for an engine started only to rebuild or evict replicas of a detached volume (offline
   * rebuilding): the agent runs it without serving an NBD export and reports it attached with an
   * empty endpoint. Cleared when a user attaches the volume on this node: the same engine then
   * serves the export, nothing restarts.
   */
  'noFrontend'?: (boolean);
  /**
   * The attachment's epoch: the seq of the event that attached the volume to this node (it grows
   * with every new attachment). The engine presents it to every replica it opens; a replica that
   * has admitted a higher one refuses this engine's writes (datapath fencing).
   */
  'epoch'?: (number | string | Long);
  /**
   * Restore (H-restore): set while the volume has a backup to restore: the engine restores it
   * before anything else (it runs without a frontend meanwhile) and reports progress and the end.
   */
  'restore'?: (_cairn_node_v1_RestoreAssignment | null);
}

export interface EngineAssignment__Output {
  'volume': (string);
  'size': (number);
  'replicaIds': (string)[];
  'replicas': (_cairn_node_v1_EngineReplica__Output)[];
  'secret': (string);
  'snapshots': (string)[];
  /**
   * Set while the volume's data source has not been copied: the engine copies it before it serves.
   */
  'source': (_cairn_node_v1_EngineSource__Output | null);
  /**
   * Set for an engine started only to rebuild or evict replicas of a detached volume (offline
   * rebuilding): the agent runs it without serving an NBD export and reports it attached with an
   * empty endpoint. Cleared when a user attaches the volume on this node: the same engine then
   * serves the export, nothing restarts.
   */
  'noFrontend': (boolean);
  /**
   * The attachment's epoch: the seq of the event that attached the volume to this node (it grows
   * with every new attachment). The engine presents it to every replica it opens; a replica that
   * has admitted a higher one refuses this engine's writes (datapath fencing).
   */
  'epoch': (number);
  /**
   * Restore (H-restore): set while the volume has a backup to restore: the engine restores it
   * before anything else (it runs without a frontend meanwhile) and reports progress and the end.
   */
  'restore': (_cairn_node_v1_RestoreAssignment__Output | null);
}
