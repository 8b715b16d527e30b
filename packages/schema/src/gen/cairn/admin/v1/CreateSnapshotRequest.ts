// Original file: cairn/admin/v1/admin.proto


export interface CreateSnapshotRequest {
  'volume'?: (string);
  /**
   * Empty: derived from request_id when one is given (so a retry makes no second snapshot),
   * else from the log seq.
   */
  'name'?: (string);
  'requestId'?: (string);
}

export interface CreateSnapshotRequest__Output {
  'volume': (string);
  /**
   * Empty: derived from request_id when one is given (so a retry makes no second snapshot),
   * else from the log seq.
   */
  'name': (string);
  'requestId': (string);
}
