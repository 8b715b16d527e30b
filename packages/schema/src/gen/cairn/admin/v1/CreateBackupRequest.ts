// Original file: cairn/admin/v1/admin.proto


export interface CreateBackupRequest {
  'volume'?: (string);
  'snapshot'?: (string);
  /**
   * The same request id again is the same backup (a retried call makes no second one).
   */
  'requestId'?: (string);
  'labels'?: ({[key: string]: string});
}

export interface CreateBackupRequest__Output {
  'volume': (string);
  'snapshot': (string);
  /**
   * The same request id again is the same backup (a retried call makes no second one).
   */
  'requestId': (string);
  'labels': ({[key: string]: string});
}
