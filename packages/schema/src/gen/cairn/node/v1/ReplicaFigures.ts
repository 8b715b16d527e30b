// Original file: cairn/node/v1/node.proto

import type { Long } from '@grpc/proto-loader';

/**
 * What ReplicaStore.info() says of a replica's store.
 */
export interface ReplicaFigures {
  'replicaId'?: (string);
  'revision'?: (number | string | Long);
  'cleanShutdown'?: (boolean);
  'rebuilding'?: (boolean);
}

/**
 * What ReplicaStore.info() says of a replica's store.
 */
export interface ReplicaFigures__Output {
  'replicaId': (string);
  'revision': (number);
  'cleanShutdown': (boolean);
  'rebuilding': (boolean);
}
