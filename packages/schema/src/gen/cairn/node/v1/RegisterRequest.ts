// Original file: cairn/node/v1/node.proto

import type { DiskInfo as _cairn_node_v1_DiskInfo, DiskInfo__Output as _cairn_node_v1_DiskInfo__Output } from '../../../cairn/node/v1/DiskInfo.js';

export interface RegisterRequest {
  'nodeId'?: (string);
  /**
   * host:port of the agent's data server (replicas); engines' NBD exports are reported per volume.
   */
  'address'?: (string);
  'zone'?: (string);
  'tags'?: (string)[];
  'hostname'?: (string);
  'disks'?: (_cairn_node_v1_DiskInfo)[];
}

export interface RegisterRequest__Output {
  'nodeId': (string);
  /**
   * host:port of the agent's data server (replicas); engines' NBD exports are reported per volume.
   */
  'address': (string);
  'zone': (string);
  'tags': (string)[];
  'hostname': (string);
  'disks': (_cairn_node_v1_DiskInfo__Output)[];
}
