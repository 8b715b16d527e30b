// Original file: cairn/node/v1/node.proto


export interface EngineReplica {
  'replicaId'?: (string);
  /**
   * host:port of the data server of the node that holds it.
   */
  'address'?: (string);
  /**
   * scheduled | running | failed | rebuilding
   */
  'state'?: (string);
  'nodeId'?: (string);
  'rebuildFrom'?: (string);
}

export interface EngineReplica__Output {
  'replicaId': (string);
  /**
   * host:port of the data server of the node that holds it.
   */
  'address': (string);
  /**
   * scheduled | running | failed | rebuilding
   */
  'state': (string);
  'nodeId': (string);
  'rebuildFrom': (string);
}
