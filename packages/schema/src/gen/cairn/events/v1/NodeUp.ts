// Original file: cairn/events/v1/events.proto


export interface NodeUp {
  'nodeId'?: (string);
}

export interface NodeUp__Output {
  'nodeId': (string);
}
