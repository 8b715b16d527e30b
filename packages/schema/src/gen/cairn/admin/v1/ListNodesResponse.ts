// Original file: cairn/admin/v1/admin.proto

import type { Node as _cairn_admin_v1_Node, Node__Output as _cairn_admin_v1_Node__Output } from '../../../cairn/admin/v1/Node.js';

export interface ListNodesResponse {
  'nodes'?: (_cairn_admin_v1_Node)[];
}

export interface ListNodesResponse__Output {
  'nodes': (_cairn_admin_v1_Node__Output)[];
}
