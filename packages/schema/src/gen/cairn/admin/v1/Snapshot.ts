// Original file: cairn/admin/v1/admin.proto

import type { Long } from '@grpc/proto-loader';

export interface Snapshot {
  'volume'?: (string);
  'name'?: (string);
  'size'?: (number | string | Long);
  'createdSeq'?: (number | string | Long);
  'createdMs'?: (number | string | Long);
}

export interface Snapshot__Output {
  'volume': (string);
  'name': (string);
  'size': (number);
  'createdSeq': (number);
  'createdMs': (number);
}
