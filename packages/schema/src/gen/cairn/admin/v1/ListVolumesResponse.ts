// Original file: cairn/admin/v1/admin.proto

import type { Volume as _cairn_admin_v1_Volume, Volume__Output as _cairn_admin_v1_Volume__Output } from '../../../cairn/admin/v1/Volume.js';
import type { VolumeCounts as _cairn_admin_v1_VolumeCounts, VolumeCounts__Output as _cairn_admin_v1_VolumeCounts__Output } from '../../../cairn/admin/v1/VolumeCounts.js';

export interface ListVolumesResponse {
  'volumes'?: (_cairn_admin_v1_Volume)[];
  /**
   * How many volumes match, before offset and limit.
   */
  'total'?: (number);
  /**
   * Figures over every volume of the cluster, whatever the filters.
   */
  'counts'?: (_cairn_admin_v1_VolumeCounts | null);
}

export interface ListVolumesResponse__Output {
  'volumes': (_cairn_admin_v1_Volume__Output)[];
  /**
   * How many volumes match, before offset and limit.
   */
  'total': (number);
  /**
   * Figures over every volume of the cluster, whatever the filters.
   */
  'counts': (_cairn_admin_v1_VolumeCounts__Output | null);
}
