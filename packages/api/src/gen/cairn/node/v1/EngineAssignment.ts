// Original file: cairn/node/v1/node.proto

import type { Long } from '@grpc/proto-loader';

export interface EngineAssignment {
  'volume'?: (string);
  'size'?: (number | string | Long);
  'replicaIds'?: (string)[];
}

export interface EngineAssignment__Output {
  'volume': (string);
  'size': (number);
  'replicaIds': (string)[];
}
