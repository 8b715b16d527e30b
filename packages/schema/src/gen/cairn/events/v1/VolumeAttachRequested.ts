// Original file: cairn/events/v1/events.proto


export interface VolumeAttachRequested {
  'name'?: (string);
  'nodeId'?: (string);
}

export interface VolumeAttachRequested__Output {
  'name': (string);
  'nodeId': (string);
}
