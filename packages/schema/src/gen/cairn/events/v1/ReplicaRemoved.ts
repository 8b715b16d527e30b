// Original file: cairn/events/v1/events.proto


export interface ReplicaRemoved {
  'replicaId'?: (string);
  /**
   * Named reason: "OverCount", "Evicted", "FailedWaitExpired", "VolumeDeleted", "DiskRemoved",
   * "DataLocality", "Rebalanced".
   */
  'reason'?: (string);
}

export interface ReplicaRemoved__Output {
  'replicaId': (string);
  /**
   * Named reason: "OverCount", "Evicted", "FailedWaitExpired", "VolumeDeleted", "DiskRemoved",
   * "DataLocality", "Rebalanced".
   */
  'reason': (string);
}
