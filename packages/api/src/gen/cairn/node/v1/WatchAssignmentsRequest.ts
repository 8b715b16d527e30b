// Original file: cairn/node/v1/node.proto


export interface WatchAssignmentsRequest {
  'nodeId'?: (string);
}

export interface WatchAssignmentsRequest__Output {
  'nodeId': (string);
}
