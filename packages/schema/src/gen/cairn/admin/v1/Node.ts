// Original file: cairn/admin/v1/admin.proto

import type { Disk as _cairn_admin_v1_Disk, Disk__Output as _cairn_admin_v1_Disk__Output } from '../../../cairn/admin/v1/Disk.js';

export interface Node {
  'id'?: (string);
  'address'?: (string);
  'zone'?: (string);
  'tags'?: (string)[];
  'allowScheduling'?: (boolean);
  'evictionRequested'?: (boolean);
  'cordoned'?: (boolean);
  /**
   * up | down
   */
  'state'?: (string);
  'downReason'?: (string);
  'disks'?: (_cairn_admin_v1_Disk)[];
}

export interface Node__Output {
  'id': (string);
  'address': (string);
  'zone': (string);
  'tags': (string)[];
  'allowScheduling': (boolean);
  'evictionRequested': (boolean);
  'cordoned': (boolean);
  /**
   * up | down
   */
  'state': (string);
  'downReason': (string);
  'disks': (_cairn_admin_v1_Disk__Output)[];
}
