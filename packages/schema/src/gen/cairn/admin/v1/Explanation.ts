// Original file: cairn/admin/v1/admin.proto

import type { Long } from '@grpc/proto-loader';

export interface Explanation {
  'seq'?: (number | string | Long);
  'timeMs'?: (number | string | Long);
  'replicaId'?: (string);
  'text'?: (string);
}

export interface Explanation__Output {
  'seq': (number);
  'timeMs': (number);
  'replicaId': (string);
  'text': (string);
}
