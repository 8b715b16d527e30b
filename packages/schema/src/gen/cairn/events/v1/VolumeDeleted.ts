// Original file: cairn/events/v1/events.proto


export interface VolumeDeleted {
  'name'?: (string);
}

export interface VolumeDeleted__Output {
  'name': (string);
}
