// Original file: cairn/admin/v1/admin.proto

import type { StringList as _cairn_admin_v1_StringList, StringList__Output as _cairn_admin_v1_StringList__Output } from '../../../cairn/admin/v1/StringList.js';

export interface UpdateNodeRequest {
  'nodeId'?: (string);
  'allowScheduling'?: (boolean);
  'evictionRequested'?: (boolean);
  'tags'?: (_cairn_admin_v1_StringList | null);
  'cordoned'?: (boolean);
  '_allowScheduling'?: "allowScheduling";
  '_evictionRequested'?: "evictionRequested";
  '_cordoned'?: "cordoned";
}

export interface UpdateNodeRequest__Output {
  'nodeId': (string);
  'allowScheduling'?: (boolean);
  'evictionRequested'?: (boolean);
  'tags': (_cairn_admin_v1_StringList__Output | null);
  'cordoned'?: (boolean);
  '_allowScheduling'?: "allowScheduling";
  '_evictionRequested'?: "evictionRequested";
  '_cordoned'?: "cordoned";
}
