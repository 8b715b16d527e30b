// The scheduler's vocabulary: every reason a candidate is rejected, every note on a choice, every
// trigger of a placement and every reason a replica is removed is a named constant here. Events
// carry these strings; the audit and the CLI match on them, never on free text.

/** Why a candidate (a node, or a disk on a node) cannot take a replica. Listed in filter order. */
export const Reason = {
  // node-level filters
  NodeDown: 'NodeDown',
  NodeSchedulingDisabled: 'NodeSchedulingDisabled',
  NodeEvicting: 'NodeEvicting',
  NodeCordoned: 'NodeCordoned',
  NodeTagsMismatch: 'NodeTagsMismatch',
  /** strict-local: only the node the volume is attached to may hold its replica. */
  LocalityRequired: 'LocalityRequired',
  /** The placement needs a rebuild and the node already runs concurrent-replica-rebuild-per-node-limit. */
  RebuildLimitReached: 'RebuildLimitReached',
  AntiAffinityZone: 'AntiAffinityZone',
  AntiAffinityNode: 'AntiAffinityNode',
  /** The node has no disks at all. */
  NoDisks: 'NoDisks',
  // disk-level filters
  DiskSchedulingDisabled: 'DiskSchedulingDisabled',
  DiskEvicting: 'DiskEvicting',
  DiskTagsMismatch: 'DiskTagsMismatch',
  InsufficientSpace: 'InsufficientSpace',
  OverProvisioned: 'OverProvisioned',
  AntiAffinityDisk: 'AntiAffinityDisk',
  // a restriction of the step that asked for the placement
  /** A rebalance move only targets candidates that make the volume's spread strictly more even. */
  NoBalanceGain: 'NoBalanceGain',
  // where an offline engine runs (VolumeAutoAttached.rejected)
  /** The node holds no running replica of the volume: an engine there reads everything over the network. */
  NoHealthyReplica: 'NoHealthyReplica',
  /** Another node with a running replica holds the rebuild's source (copies read locally there). */
  NotRebuildSource: 'NotRebuildSource',
  /** The node runs concurrent-volume-backup-restore-per-node-limit restores already. */
  RestoreLimit: 'RestoreLimit',
} as const;
export type Reason = (typeof Reason)[keyof typeof Reason];

/** The order reasons are evaluated and reported in. */
export const REASON_ORDER: readonly Reason[] = Object.values(Reason);

/** Why a choice was made over the others, recorded on ReplicaScheduled.notes. */
export const Note = {
  /** No candidate in an unused zone; a zone that already holds a replica was taken (soft). */
  SoftAntiAffinityZoneRelaxed: 'SoftAntiAffinityZoneRelaxed',
  SoftAntiAffinityNodeRelaxed: 'SoftAntiAffinityNodeRelaxed',
  SoftAntiAffinityDiskRelaxed: 'SoftAntiAffinityDiskRelaxed',
  /** best-effort locality: the attached node was chosen over better-balanced candidates. */
  DataLocalityPreferred: 'DataLocalityPreferred',
  /** best-effort locality: the attached node could not take the replica; placed elsewhere. */
  DataLocalityUnavailable: 'DataLocalityUnavailable',
  /**
   * The failed replica this one replaces has failed REBUILD_BACKOFF_FAILURES times or more since it
   * was last rebuilt, so it was not rebuilt in place again; a new replica was placed after
   * replica-replenishment-wait-interval instead.
   */
  RebuildBackoff: 'RebuildBackoff',
} as const;
export type Note = (typeof Note)[keyof typeof Note];

/**
 * Rebuild backoff: a failed replica that has failed this many times since it was last rebuilt
 * (ReplicaState.failures) is not rebuilt in place any more; once replica-replenishment-wait-
 * interval has passed since its last failure, a new replica replaces it (note RebuildBackoff).
 */
export const REBUILD_BACKOFF_FAILURES = 3;

/** Why a replica is placed (ReplicaScheduled.trigger). */
export const Trigger = {
  /** A replica of a volume that has no running replica yet: it starts empty. */
  New: 'new',
  /** A replica added to a volume with a running replica: it is rebuilt from it. */
  Rebuild: 'rebuild',
  Eviction: 'eviction',
  DataLocality: 'data-locality',
  Rebalance: 'rebalance',
} as const;
export type Trigger = (typeof Trigger)[keyof typeof Trigger];

/** Why a replica is removed (ReplicaRemoved.reason). */
export const RemoveReason = {
  OverCount: 'OverCount',
  Evicted: 'Evicted',
  FailedWaitExpired: 'FailedWaitExpired',
  DataLocality: 'DataLocality',
  Rebalanced: 'Rebalanced',
  DiskRemoved: 'DiskRemoved',
} as const;
export type RemoveReason = (typeof RemoveReason)[keyof typeof RemoveReason];

/** The removal reason of a replaced replica, by the trigger of the replica that replaced it. */
export const REMOVE_REASON_BY_TRIGGER: Record<Trigger, RemoveReason> = {
  new: RemoveReason.FailedWaitExpired,
  rebuild: RemoveReason.FailedWaitExpired,
  eviction: RemoveReason.Evicted,
  'data-locality': RemoveReason.DataLocality,
  rebalance: RemoveReason.Rebalanced,
};
