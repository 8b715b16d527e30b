// Original file: cairn/node/v1/node.proto

import type { Long } from '@grpc/proto-loader';

export interface ReplicaAssignment {
  'replicaId'?: (string);
  'volume'?: (string);
  'diskId'?: (string);
  'diskPath'?: (string);
  'size'?: (number | string | Long);
  /**
   * scheduled | running | failed | rebuilding
   */
  'state'?: (string);
  'rebuildFrom'?: (string);
  /**
   * The volume's secret: replica connections authenticate with it (derived by the managers from
   * the cluster secret, never stored in the log).
   */
  'secret'?: (string);
}

export interface ReplicaAssignment__Output {
  'replicaId': (string);
  'volume': (string);
  'diskId': (string);
  'diskPath': (string);
  'size': (number);
  /**
   * scheduled | running | failed | rebuilding
   */
  'state': (string);
  'rebuildFrom': (string);
  /**
   * The volume's secret: replica connections authenticate with it (derived by the managers from
   * the cluster secret, never stored in the log).
   */
  'secret': (string);
}
