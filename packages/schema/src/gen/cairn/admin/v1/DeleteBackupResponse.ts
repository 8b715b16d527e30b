// Original file: cairn/admin/v1/admin.proto

import type { Long } from '@grpc/proto-loader';

export interface DeleteBackupResponse {
  'deleted'?: (boolean);
  'removedBlocks'?: (number | string | Long);
  'seq'?: (number | string | Long);
}

export interface DeleteBackupResponse__Output {
  'deleted': (boolean);
  'removedBlocks': (number);
  'seq': (number);
}
