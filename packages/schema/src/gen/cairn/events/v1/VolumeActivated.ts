// Original file: cairn/events/v1/events.proto


/**
 * The activation is complete: the last increment (`backup`) is restored; the volume is a normal
 * volume from here on (it may be attached).
 */
export interface VolumeActivated {
  'name'?: (string);
  'backup'?: (string);
}

/**
 * The activation is complete: the last increment (`backup`) is restored; the volume is a normal
 * volume from here on (it may be attached).
 */
export interface VolumeActivated__Output {
  'name': (string);
  'backup': (string);
}
