// Original file: cairn/events/v1/events.proto

import type { Long } from '@grpc/proto-loader';

/**
 * What a node observed of one replica's store when salvage was decided (ReplicaStore.info()).
 */
export interface SalvageFigures {
  'replicaId'?: (string);
  'nodeId'?: (string);
  /**
   * The store's revision: how many writes it has taken (higher is newer).
   */
  'revision'?: (number | string | Long);
  'cleanShutdown'?: (boolean);
  /**
   * The store says a rebuild into it never finished: never chosen.
   */
  'rebuilding'?: (boolean);
  /**
   * False when the replica's node has not reported its figures (down, or not yet): not chosen.
   */
  'reported'?: (boolean);
}

/**
 * What a node observed of one replica's store when salvage was decided (ReplicaStore.info()).
 */
export interface SalvageFigures__Output {
  'replicaId': (string);
  'nodeId': (string);
  /**
   * The store's revision: how many writes it has taken (higher is newer).
   */
  'revision': (number);
  'cleanShutdown': (boolean);
  /**
   * The store says a rebuild into it never finished: never chosen.
   */
  'rebuilding': (boolean);
  /**
   * False when the replica's node has not reported its figures (down, or not yet): not chosen.
   */
  'reported': (boolean);
}
