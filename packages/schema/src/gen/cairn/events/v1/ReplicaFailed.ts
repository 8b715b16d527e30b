// Original file: cairn/events/v1/events.proto


export interface ReplicaFailed {
  'replicaId'?: (string);
  'reason'?: (string);
}

export interface ReplicaFailed__Output {
  'replicaId': (string);
  'reason': (string);
}
