// Original file: cairn/events/v1/events.proto


/**
 * An observation: the engine of a volume restoring from a backup started restoring `backup`
 * (its URL) on node_id, over what it had restored before (`since`, empty for a full restore).
 */
export interface VolumeRestoreStarted {
  'name'?: (string);
  'nodeId'?: (string);
  'backup'?: (string);
  'since'?: (string);
}

/**
 * An observation: the engine of a volume restoring from a backup started restoring `backup`
 * (its URL) on node_id, over what it had restored before (`since`, empty for a full restore).
 */
export interface VolumeRestoreStarted__Output {
  'name': (string);
  'nodeId': (string);
  'backup': (string);
  'since': (string);
}
