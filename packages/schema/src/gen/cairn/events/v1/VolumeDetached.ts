// Original file: cairn/events/v1/events.proto


export interface VolumeDetached {
  'name'?: (string);
  'nodeId'?: (string);
}

export interface VolumeDetached__Output {
  'name': (string);
  'nodeId': (string);
}
