// Original file: cairn/events/v1/events.proto


/**
 * A decision: rebuild this replica (a new one, or a failed one reused within
 * replica-replenishment-wait-interval) from a healthy replica.
 */
export interface ReplicaRebuilding {
  'replicaId'?: (string);
  'fromReplicaId'?: (string);
}

/**
 * A decision: rebuild this replica (a new one, or a failed one reused within
 * replica-replenishment-wait-interval) from a healthy replica.
 */
export interface ReplicaRebuilding__Output {
  'replicaId': (string);
  'fromReplicaId': (string);
}
