// Original file: cairn/node/v1/node.proto


export interface RegisterResponse {
  'heartbeatIntervalMs'?: (number);
  'leaseTtlSeconds'?: (number);
}

export interface RegisterResponse__Output {
  'heartbeatIntervalMs': (number);
  'leaseTtlSeconds': (number);
}
