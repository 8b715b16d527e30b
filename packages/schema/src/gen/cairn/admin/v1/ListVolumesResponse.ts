// Original file: cairn/admin/v1/admin.proto

import type { Volume as _cairn_admin_v1_Volume, Volume__Output as _cairn_admin_v1_Volume__Output } from '../../../cairn/admin/v1/Volume.js';

export interface ListVolumesResponse {
  'volumes'?: (_cairn_admin_v1_Volume)[];
}

export interface ListVolumesResponse__Output {
  'volumes': (_cairn_admin_v1_Volume__Output)[];
}
