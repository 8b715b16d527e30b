// Original file: cairn/events/v1/events.proto


export interface NodeDown {
  'nodeId'?: (string);
  /**
   * Why the node is considered down, e.g. "lease expired".
   */
  'reason'?: (string);
}

export interface NodeDown__Output {
  'nodeId': (string);
  /**
   * Why the node is considered down, e.g. "lease expired".
   */
  'reason': (string);
}
