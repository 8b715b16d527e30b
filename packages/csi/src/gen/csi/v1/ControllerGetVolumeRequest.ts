// Original file: csi.proto


export interface ControllerGetVolumeRequest {
  /**
   * The ID of the volume to fetch current volume information for.
   * This field is REQUIRED.
   */
  'volumeId'?: (string);
}

export interface ControllerGetVolumeRequest__Output {
  /**
   * The ID of the volume to fetch current volume information for.
   * This field is REQUIRED.
   */
  'volumeId': (string);
}
