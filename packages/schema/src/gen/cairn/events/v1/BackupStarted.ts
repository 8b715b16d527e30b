// Original file: cairn/events/v1/events.proto


/**
 * The node began reading and uploading.
 */
export interface BackupStarted {
  'volume'?: (string);
  'name'?: (string);
  'nodeId'?: (string);
}

/**
 * The node began reading and uploading.
 */
export interface BackupStarted__Output {
  'volume': (string);
  'name': (string);
  'nodeId': (string);
}
