// Original file: cairn/events/v1/events.proto


export interface DiskRemoved {
  'nodeId'?: (string);
  'diskId'?: (string);
}

export interface DiskRemoved__Output {
  'nodeId': (string);
  'diskId': (string);
}
