// Original file: cairn/admin/v1/admin.proto

import type { Long } from '@grpc/proto-loader';

export interface AuditStateResponse {
  'seq'?: (number | string | Long);
  'hash'?: (string);
  /**
   * The canonical JSON of the state (the form the hash is taken over).
   */
  'stateJson'?: (string);
}

export interface AuditStateResponse__Output {
  'seq': (number);
  'hash': (string);
  /**
   * The canonical JSON of the state (the form the hash is taken over).
   */
  'stateJson': (string);
}
