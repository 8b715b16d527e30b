// Original file: cairn/events/v1/events.proto

export const ReplicaAutoBalance = {
  /**
   * Follow the cluster setting replica-auto-balance.
   */
  REPLICA_AUTO_BALANCE_IGNORED: 'REPLICA_AUTO_BALANCE_IGNORED',
  REPLICA_AUTO_BALANCE_DISABLED: 'REPLICA_AUTO_BALANCE_DISABLED',
  REPLICA_AUTO_BALANCE_LEAST_EFFORT: 'REPLICA_AUTO_BALANCE_LEAST_EFFORT',
  REPLICA_AUTO_BALANCE_BEST_EFFORT: 'REPLICA_AUTO_BALANCE_BEST_EFFORT',
} as const;

export type ReplicaAutoBalance =
  /**
   * Follow the cluster setting replica-auto-balance.
   */
  | 'REPLICA_AUTO_BALANCE_IGNORED'
  | 0
  | 'REPLICA_AUTO_BALANCE_DISABLED'
  | 1
  | 'REPLICA_AUTO_BALANCE_LEAST_EFFORT'
  | 2
  | 'REPLICA_AUTO_BALANCE_BEST_EFFORT'
  | 3

export type ReplicaAutoBalance__Output = typeof ReplicaAutoBalance[keyof typeof ReplicaAutoBalance]
