// Original file: cairn/events/v1/events.proto


export interface ReplicaRebuilt {
  'replicaId'?: (string);
}

export interface ReplicaRebuilt__Output {
  'replicaId': (string);
}
