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
  /**
   * The volume's snapshots. While the volume is detached each replica's own node takes and deletes
   * them on its store; while attached the engine does, on every replica at once.
   */
  'snapshots'?: (string)[];
  'attached'?: (boolean);
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
  /**
   * The volume's snapshots. While the volume is detached each replica's own node takes and deletes
   * them on its store; while attached the engine does, on every replica at once.
   */
  'snapshots': (string)[];
  'attached': (boolean);
}
