// Original file: cairn/events/v1/events.proto


export interface VolumeDetachRequested {
  'name'?: (string);
}

export interface VolumeDetachRequested__Output {
  'name': (string);
}
