// Original file: cairn/node/v1/node.proto


export interface HeartbeatResponse {
  /**
   * False when the manager does not know the node (register again).
   */
  'known'?: (boolean);
  /**
   * Addresses of every live manager.
   */
  'managers'?: (string)[];
}

export interface HeartbeatResponse__Output {
  /**
   * False when the manager does not know the node (register again).
   */
  'known': (boolean);
  /**
   * Addresses of every live manager.
   */
  'managers': (string)[];
}
