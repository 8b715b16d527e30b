// Original file: cairn/admin/v1/admin.proto

import type { Long } from '@grpc/proto-loader';

export interface AuditStateRequest {
  /**
   * One of: the state after this seq, or after the last event at or before this time (ms).
   */
  'atSeq'?: (number | string | Long);
  'atTimeMs'?: (number | string | Long);
}

export interface AuditStateRequest__Output {
  /**
   * One of: the state after this seq, or after the last event at or before this time (ms).
   */
  'atSeq': (number);
  'atTimeMs': (number);
}
