// Original file: cairn/node/v1/node.proto

import type { EngineReplica as _cairn_node_v1_EngineReplica, EngineReplica__Output as _cairn_node_v1_EngineReplica__Output } from '../../../cairn/node/v1/EngineReplica.js';

/**
 * Where a volume made from a data source copies it from: a snapshot of another volume, read from
 * any of that volume's running replicas (connections authenticate with that volume's secret).
 */
export interface EngineSource {
  'volume'?: (string);
  'snapshot'?: (string);
  'replicas'?: (_cairn_node_v1_EngineReplica)[];
  'secret'?: (string);
}

/**
 * Where a volume made from a data source copies it from: a snapshot of another volume, read from
 * any of that volume's running replicas (connections authenticate with that volume's secret).
 */
export interface EngineSource__Output {
  'volume': (string);
  'snapshot': (string);
  'replicas': (_cairn_node_v1_EngineReplica__Output)[];
  'secret': (string);
}
