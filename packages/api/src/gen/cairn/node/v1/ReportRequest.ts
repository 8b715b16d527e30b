// Original file: cairn/node/v1/node.proto

import type { ReplicaReport as _cairn_node_v1_ReplicaReport, ReplicaReport__Output as _cairn_node_v1_ReplicaReport__Output } from '../../../cairn/node/v1/ReplicaReport.js';
import type { EngineReport as _cairn_node_v1_EngineReport, EngineReport__Output as _cairn_node_v1_EngineReport__Output } from '../../../cairn/node/v1/EngineReport.js';

export interface ReportRequest {
  'nodeId'?: (string);
  'replicas'?: (_cairn_node_v1_ReplicaReport)[];
  'engines'?: (_cairn_node_v1_EngineReport)[];
}

export interface ReportRequest__Output {
  'nodeId': (string);
  'replicas': (_cairn_node_v1_ReplicaReport__Output)[];
  'engines': (_cairn_node_v1_EngineReport__Output)[];
}
