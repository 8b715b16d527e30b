// Original file: cairn/node/v1/node.proto


export interface RegisterResponse {
  'heartbeatIntervalMs'?: (number);
  'leaseTtlSeconds'?: (number);
  /**
   * Addresses of every live manager, so the agent can move to another when this one dies.
   */
  'managers'?: (string)[];
}

export interface RegisterResponse__Output {
  'heartbeatIntervalMs': (number);
  'leaseTtlSeconds': (number);
  /**
   * Addresses of every live manager, so the agent can move to another when this one dies.
   */
  'managers': (string)[];
}
