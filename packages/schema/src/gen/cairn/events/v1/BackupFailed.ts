// Original file: cairn/events/v1/events.proto


/**
 * The backup ended without a cfg recorded as completed: why ("node n2 is down", the error).
 */
export interface BackupFailed {
  'volume'?: (string);
  'name'?: (string);
  'nodeId'?: (string);
  'reason'?: (string);
}

/**
 * The backup ended without a cfg recorded as completed: why ("node n2 is down", the error).
 */
export interface BackupFailed__Output {
  'volume': (string);
  'name': (string);
  'nodeId': (string);
  'reason': (string);
}
