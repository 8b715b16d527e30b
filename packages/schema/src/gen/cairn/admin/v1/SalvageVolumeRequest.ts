// Original file: cairn/admin/v1/admin.proto


export interface SalvageVolumeRequest {
  'name'?: (string);
  /**
   * The replica to bring back; empty: every replica with the newest data.
   */
  'replicaId'?: (string);
}

export interface SalvageVolumeRequest__Output {
  'name': (string);
  /**
   * The replica to bring back; empty: every replica with the newest data.
   */
  'replicaId': (string);
}
