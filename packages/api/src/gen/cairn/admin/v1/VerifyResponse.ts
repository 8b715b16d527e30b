// Original file: cairn/admin/v1/admin.proto

import type { Long } from '@grpc/proto-loader';

export interface VerifyResponse {
  'seq'?: (number | string | Long);
  'liveHash'?: (string);
  'replayHash'?: (string);
  'ok'?: (boolean);
  'events'?: (number | string | Long);
}

export interface VerifyResponse__Output {
  'seq': (number);
  'liveHash': (string);
  'replayHash': (string);
  'ok': (boolean);
  'events': (number);
}
