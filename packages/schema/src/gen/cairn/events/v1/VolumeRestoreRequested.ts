// Original file: cairn/events/v1/events.proto


/**
 * A decision of the leader (it polls the backup target every backupstore-poll-interval seconds)
 * or part of an activation: a standby volume is to restore the newer `backup` of its source.
 */
export interface VolumeRestoreRequested {
  'name'?: (string);
  'backup'?: (string);
}

/**
 * A decision of the leader (it polls the backup target every backupstore-poll-interval seconds)
 * or part of an activation: a standby volume is to restore the newer `backup` of its source.
 */
export interface VolumeRestoreRequested__Output {
  'name': (string);
  'backup': (string);
}
