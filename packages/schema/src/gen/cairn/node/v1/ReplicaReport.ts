// Original file: cairn/node/v1/node.proto


export interface ReplicaReport {
  'replicaId'?: (string);
  /**
   * running | failed | rebuilt
   */
  'state'?: (string);
  'address'?: (string);
  'reason'?: (string);
}

export interface ReplicaReport__Output {
  'replicaId': (string);
  /**
   * running | failed | rebuilt
   */
  'state': (string);
  'address': (string);
  'reason': (string);
}
