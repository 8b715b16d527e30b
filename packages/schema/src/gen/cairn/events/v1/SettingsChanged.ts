// Original file: cairn/events/v1/events.proto


/**
 * New values of the named settings (Longhorn's names, e.g. "storage-over-provisioning-percentage").
 * Values are validated before the event is appended; the projection re-validates and refuses.
 */
export interface SettingsChanged {
  'values'?: ({[key: string]: string});
}

/**
 * New values of the named settings (Longhorn's names, e.g. "storage-over-provisioning-percentage").
 * Values are validated before the event is appended; the projection re-validates and refuses.
 */
export interface SettingsChanged__Output {
  'values': ({[key: string]: string});
}
