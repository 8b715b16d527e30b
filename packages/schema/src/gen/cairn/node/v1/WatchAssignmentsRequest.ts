// Original file: cairn/node/v1/node.proto


export interface WatchAssignmentsRequest {
  'nodeId'?: (string);
  /**
   * Set by an agent that merges deltas: after the first push of the stream (the whole truth), each
   * push carries only the replicas new or changed since the one before and the ids of those gone.
   * Unset, every push is whole (older agents).
   */
  'deltas'?: (boolean);
}

export interface WatchAssignmentsRequest__Output {
  'nodeId': (string);
  /**
   * Set by an agent that merges deltas: after the first push of the stream (the whole truth), each
   * push carries only the replicas new or changed since the one before and the ids of those gone.
   * Unset, every push is whole (older agents).
   */
  'deltas': (boolean);
}
