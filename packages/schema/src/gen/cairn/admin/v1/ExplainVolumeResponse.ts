// Original file: cairn/admin/v1/admin.proto

import type { Volume as _cairn_admin_v1_Volume, Volume__Output as _cairn_admin_v1_Volume__Output } from '../../../cairn/admin/v1/Volume.js';
import type { Explanation as _cairn_admin_v1_Explanation, Explanation__Output as _cairn_admin_v1_Explanation__Output } from '../../../cairn/admin/v1/Explanation.js';

export interface ExplainVolumeResponse {
  'volume'?: (_cairn_admin_v1_Volume | null);
  /**
   * One line per fact, oldest first, each naming the seq it comes from.
   */
  'lines'?: (_cairn_admin_v1_Explanation)[];
}

export interface ExplainVolumeResponse__Output {
  'volume': (_cairn_admin_v1_Volume__Output | null);
  /**
   * One line per fact, oldest first, each naming the seq it comes from.
   */
  'lines': (_cairn_admin_v1_Explanation__Output)[];
}
