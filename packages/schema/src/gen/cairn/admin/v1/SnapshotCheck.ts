// Original file: cairn/admin/v1/admin.proto

import type { Long } from '@grpc/proto-loader';

export interface SnapshotCheck {
  'seq'?: (number | string | Long);
  'ok'?: (boolean);
  'detail'?: (string);
}

export interface SnapshotCheck__Output {
  'seq': (number);
  'ok': (boolean);
  'detail': (string);
}
