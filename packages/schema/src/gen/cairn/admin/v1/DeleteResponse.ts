// Original file: cairn/admin/v1/admin.proto

import type { Long } from '@grpc/proto-loader';

export interface DeleteResponse {
  /**
   * False when there was nothing to delete (deleting is idempotent).
   */
  'deleted'?: (boolean);
  'seq'?: (number | string | Long);
}

export interface DeleteResponse__Output {
  /**
   * False when there was nothing to delete (deleting is idempotent).
   */
  'deleted': (boolean);
  'seq': (number);
}
