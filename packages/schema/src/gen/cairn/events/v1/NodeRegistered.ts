// Original file: cairn/events/v1/events.proto


export interface NodeRegistered {
  'nodeId'?: (string);
  /**
   * host:port of the node agent's API.
   */
  'address'?: (string);
  'zone'?: (string);
  'tags'?: (string)[];
  'hostname'?: (string);
}

export interface NodeRegistered__Output {
  'nodeId': (string);
  /**
   * host:port of the node agent's API.
   */
  'address': (string);
  'zone': (string);
  'tags': (string)[];
  'hostname': (string);
}
