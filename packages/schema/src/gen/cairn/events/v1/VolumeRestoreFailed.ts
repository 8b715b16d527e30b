// Original file: cairn/events/v1/events.proto


/**
 * An observation: restoring `backup` failed, and why (a corrupt or missing block names the block
 * and the backup). Not retried for the same backup: a standby volume tries again with the next.
 */
export interface VolumeRestoreFailed {
  'name'?: (string);
  'nodeId'?: (string);
  'backup'?: (string);
  'reason'?: (string);
}

/**
 * An observation: restoring `backup` failed, and why (a corrupt or missing block names the block
 * and the backup). Not retried for the same backup: a standby volume tries again with the next.
 */
export interface VolumeRestoreFailed__Output {
  'name': (string);
  'nodeId': (string);
  'backup': (string);
  'reason': (string);
}
