// Original file: cairn/admin/v1/admin.proto


export interface CreateSnapshotRequest {
  'volume'?: (string);
  /**
   * Empty: generated from the log seq.
   */
  'name'?: (string);
}

export interface CreateSnapshotRequest__Output {
  'volume': (string);
  /**
   * Empty: generated from the log seq.
   */
  'name': (string);
}
