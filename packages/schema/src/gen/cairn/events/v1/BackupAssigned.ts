// Original file: cairn/events/v1/events.proto


/**
 * The leader's decision: the node (and its replica of the volume, which has the snapshot) that
 * runs the backup, within backup-concurrent-limit backups per node.
 */
export interface BackupAssigned {
  'volume'?: (string);
  'name'?: (string);
  'nodeId'?: (string);
  'replicaId'?: (string);
}

/**
 * The leader's decision: the node (and its replica of the volume, which has the snapshot) that
 * runs the backup, within backup-concurrent-limit backups per node.
 */
export interface BackupAssigned__Output {
  'volume': (string);
  'name': (string);
  'nodeId': (string);
  'replicaId': (string);
}
