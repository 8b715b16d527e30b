// Original file: cairn/admin/v1/admin.proto

import type { Long } from '@grpc/proto-loader';

export interface ClusterInfo {
  'managerId'?: (string);
  'leaderId'?: (string);
  'seq'?: (number | string | Long);
  'stateHash'?: (string);
}

export interface ClusterInfo__Output {
  'managerId': (string);
  'leaderId': (string);
  'seq': (number);
  'stateHash': (string);
}
