// Original file: cairn/node/v1/node.proto

import type { DiskInfo as _cairn_node_v1_DiskInfo, DiskInfo__Output as _cairn_node_v1_DiskInfo__Output } from '../../../cairn/node/v1/DiskInfo.js';

export interface HeartbeatRequest {
  'nodeId'?: (string);
  /**
   * Current statfs figures; not events: kept in lease-bound status keys.
   */
  'disks'?: (_cairn_node_v1_DiskInfo)[];
}

export interface HeartbeatRequest__Output {
  'nodeId': (string);
  /**
   * Current statfs figures; not events: kept in lease-bound status keys.
   */
  'disks': (_cairn_node_v1_DiskInfo__Output)[];
}
