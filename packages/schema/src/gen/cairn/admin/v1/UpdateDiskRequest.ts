// Original file: cairn/admin/v1/admin.proto

import type { StringList as _cairn_admin_v1_StringList, StringList__Output as _cairn_admin_v1_StringList__Output } from '../../../cairn/admin/v1/StringList.js';
import type { Long } from '@grpc/proto-loader';

export interface UpdateDiskRequest {
  'nodeId'?: (string);
  'diskId'?: (string);
  'tags'?: (_cairn_admin_v1_StringList | null);
  'allowScheduling'?: (boolean);
  'evictionRequested'?: (boolean);
  'storageReserved'?: (number | string | Long);
  '_allowScheduling'?: "allowScheduling";
  '_evictionRequested'?: "evictionRequested";
  '_storageReserved'?: "storageReserved";
}

export interface UpdateDiskRequest__Output {
  'nodeId': (string);
  'diskId': (string);
  'tags': (_cairn_admin_v1_StringList__Output | null);
  'allowScheduling'?: (boolean);
  'evictionRequested'?: (boolean);
  'storageReserved'?: (number);
  '_allowScheduling'?: "allowScheduling";
  '_evictionRequested'?: "evictionRequested";
  '_storageReserved'?: "storageReserved";
}
