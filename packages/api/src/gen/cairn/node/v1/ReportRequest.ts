// Original file: cairn/node/v1/node.proto

import type { ReplicaReport as _cairn_node_v1_ReplicaReport, ReplicaReport__Output as _cairn_node_v1_ReplicaReport__Output } from '../../../cairn/node/v1/ReplicaReport.js';

export interface ReportRequest {
  'nodeId'?: (string);
  'replicas'?: (_cairn_node_v1_ReplicaReport)[];
}

export interface ReportRequest__Output {
  'nodeId': (string);
  'replicas': (_cairn_node_v1_ReplicaReport__Output)[];
}
