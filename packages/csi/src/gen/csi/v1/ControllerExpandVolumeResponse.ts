// Original file: csi.proto

import type { Long } from '@grpc/proto-loader';

export interface ControllerExpandVolumeResponse {
  /**
   * Capacity of volume after expansion. This field is REQUIRED.
   */
  'capacityBytes'?: (number | string | Long);
  /**
   * Whether node expansion is required for the volume. When true
   * the CO MUST make NodeExpandVolume RPC call on the node. This field
   * is REQUIRED.
   */
  'nodeExpansionRequired'?: (boolean);
}

export interface ControllerExpandVolumeResponse__Output {
  /**
   * Capacity of volume after expansion. This field is REQUIRED.
   */
  'capacityBytes': (number);
  /**
   * Whether node expansion is required for the volume. When true
   * the CO MUST make NodeExpandVolume RPC call on the node. This field
   * is REQUIRED.
   */
  'nodeExpansionRequired': (boolean);
}
