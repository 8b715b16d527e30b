// Original file: cairn/events/v1/events.proto


export interface ReplicaRunning {
  'replicaId'?: (string);
  /**
   * host:port of the replica's data server.
   */
  'address'?: (string);
}

export interface ReplicaRunning__Output {
  'replicaId': (string);
  /**
   * host:port of the replica's data server.
   */
  'address': (string);
}
