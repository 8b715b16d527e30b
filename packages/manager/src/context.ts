// What the manager's services share: the log, the live projection, auth, identity. One object,
// built once by Manager.start(), so handlers stay thin.
import type * as grpc from '@grpc/grpc-js';
import type { EventLog, LeaderInfo, LiveProjection, SnapshotStore } from '@cairn/metadata';
import type { Caller, DiskInfo__Output, Logger } from '@cairn/api';
import type { ReplicaFigures } from './replica-figures.js';
import type { BackupTargetAccess } from './restores.js';
import type { CommandRunner } from './command-runner.js';

export interface ManagerContext {
  id: string;
  log: EventLog;
  snapshots: SnapshotStore;
  projection: LiveProjection;
  /** The manager's one command runner: every command of the admin, node-facing and backup calls goes through it. */
  runner: CommandRunner;
  /** True for the admin token only: a node token is refused on every admin call. */
  authorize(metadata: grpc.Metadata): boolean;
  /**
   * Who a call's bearer token proves it comes from (the admin, or one node), or null with the
   * reason when it proves nobody. Asynchronous: a Kubernetes service-account token is checked by
   * the API server (ManagerOptions.nodeTokens).
   */
  caller(metadata: grpc.Metadata): Promise<{ caller: Caller | null; why?: string }>;
  /**
   * True when the manager has node credentials (a node key, or Kubernetes node tokens): node-facing
   * calls then need the node's own credential, and the admin token is refused there. False (the
   * library default): the admin token acts for any node.
   */
  nodeCredentials: boolean;
  /** The manager's logger (its id in every line); services log through children with their `component`. */
  logger: Logger;
  /** The statfs figures a node last reported for a path (kept in memory, not in the log). */
  reportedDisk(nodeId: string, path: string): DiskInfo__Output | undefined;
  leader(): Promise<LeaderInfo | null>;
  /** Percent copied of a replica being rebuilt, from engine reports (0 when unknown). */
  rebuildProgress(replicaId: string): number;
  /** How far a volume's restore is (from its engine's reports), or undefined. */
  restoreProgress(volume: string): { backup: string; percent: number } | undefined;
  /** Where backups are and with which credentials (restores.ts). */
  backupTarget: BackupTargetAccess;
  /** The figures nodes reported of their failed replicas' stores (salvage reads them). */
  figures: ReplicaFigures;
}
