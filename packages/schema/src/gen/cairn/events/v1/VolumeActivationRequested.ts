// Original file: cairn/events/v1/events.proto


/**
 * An admin request (`cairn volume activate`): the standby volume restores the newest backup, then
 * becomes a normal volume.
 */
export interface VolumeActivationRequested {
  'name'?: (string);
}

/**
 * An admin request (`cairn volume activate`): the standby volume restores the newest backup, then
 * becomes a normal volume.
 */
export interface VolumeActivationRequested__Output {
  'name': (string);
}
