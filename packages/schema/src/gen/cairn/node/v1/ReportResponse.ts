// Original file: cairn/node/v1/node.proto

import type { Long } from '@grpc/proto-loader';

export interface ReportResponse {
  'seq'?: (number | string | Long);
}

export interface ReportResponse__Output {
  'seq': (number);
}
