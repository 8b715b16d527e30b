// Original file: cairn/admin/v1/admin.proto

import type { StringList as _cairn_admin_v1_StringList, StringList__Output as _cairn_admin_v1_StringList__Output } from '../../../cairn/admin/v1/StringList.js';

/**
 * Only the fields that are set change.
 */
export interface UpdateVolumeRequest {
  'name'?: (string);
  'numberOfReplicas'?: (number);
  'dataLocality'?: (string);
  'diskSelector'?: (_cairn_admin_v1_StringList | null);
  'nodeSelector'?: (_cairn_admin_v1_StringList | null);
  'replicaAutoBalance'?: (string);
  'replicaSoftAntiAffinity'?: (string);
  'replicaZoneSoftAntiAffinity'?: (string);
  'replicaDiskSoftAntiAffinity'?: (string);
  /**
   * Labels set (added or replaced) and removed, by key.
   */
  'setLabels'?: ({[key: string]: string});
  'removeLabels'?: (string)[];
  '_numberOfReplicas'?: "numberOfReplicas";
  '_dataLocality'?: "dataLocality";
  '_replicaAutoBalance'?: "replicaAutoBalance";
  '_replicaSoftAntiAffinity'?: "replicaSoftAntiAffinity";
  '_replicaZoneSoftAntiAffinity'?: "replicaZoneSoftAntiAffinity";
  '_replicaDiskSoftAntiAffinity'?: "replicaDiskSoftAntiAffinity";
}

/**
 * Only the fields that are set change.
 */
export interface UpdateVolumeRequest__Output {
  'name': (string);
  'numberOfReplicas'?: (number);
  'dataLocality'?: (string);
  'diskSelector': (_cairn_admin_v1_StringList__Output | null);
  'nodeSelector': (_cairn_admin_v1_StringList__Output | null);
  'replicaAutoBalance'?: (string);
  'replicaSoftAntiAffinity'?: (string);
  'replicaZoneSoftAntiAffinity'?: (string);
  'replicaDiskSoftAntiAffinity'?: (string);
  /**
   * Labels set (added or replaced) and removed, by key.
   */
  'setLabels': ({[key: string]: string});
  'removeLabels': (string)[];
  '_numberOfReplicas'?: "numberOfReplicas";
  '_dataLocality'?: "dataLocality";
  '_replicaAutoBalance'?: "replicaAutoBalance";
  '_replicaSoftAntiAffinity'?: "replicaSoftAntiAffinity";
  '_replicaZoneSoftAntiAffinity'?: "replicaZoneSoftAntiAffinity";
  '_replicaDiskSoftAntiAffinity'?: "replicaDiskSoftAntiAffinity";
}
