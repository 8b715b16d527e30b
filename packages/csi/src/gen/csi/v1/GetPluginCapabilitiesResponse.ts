// Original file: csi.proto

import type { PluginCapability as _csi_v1_PluginCapability, PluginCapability__Output as _csi_v1_PluginCapability__Output } from '../../csi/v1/PluginCapability.js';

export interface GetPluginCapabilitiesResponse {
  /**
   * All the capabilities that the controller service supports. This
   * field is OPTIONAL.
   */
  'capabilities'?: (_csi_v1_PluginCapability)[];
}

export interface GetPluginCapabilitiesResponse__Output {
  /**
   * All the capabilities that the controller service supports. This
   * field is OPTIONAL.
   */
  'capabilities': (_csi_v1_PluginCapability__Output)[];
}
