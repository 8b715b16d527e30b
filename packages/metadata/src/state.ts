// ClusterState: what the projection of the log holds. Plain data, keyed maps, no methods, so the
// scheduler and the audit read it with type-only imports and any process can rebuild it from the
// log alone.
import type {
  AccessMode,
  AntiAffinityOverride,
  DataLocality,
  RecurringJobTask,
  Robustness,
  VolumeAutoBalance,
} from '@cairn/schema';
import type { Settings } from './settings.js';
import { defaultSettings } from './settings.js';

// The words of a volume's spec are @cairn/schema's vocabulary.
export type { AccessMode, AntiAffinityOverride, DataLocality, VolumeAutoBalance };

export interface DiskState {
  id: string;
  nodeId: string;
  path: string;
  tags: string[];
  allowScheduling: boolean;
  evictionRequested: boolean;
  /** Bytes, as last recorded by a DiskAdded or DiskUpdated event. */
  storageMaximum: number;
  storageAvailable: number;
  storageReserved: number;
}

export interface NodeState {
  id: string;
  address: string;
  zone: string;
  hostname: string;
  tags: string[];
  allowScheduling: boolean;
  evictionRequested: boolean;
  cordoned: boolean;
  down: boolean;
  downReason: string;
  /** Event time (ms) of the NodeDown event, 0 while up. */
  downSinceMs: number;
  disks: Map<string, DiskState>;
}

export interface VolumeSpec {
  size: number;
  numberOfReplicas: number;
  dataLocality: DataLocality;
  diskSelector: string[];
  nodeSelector: string[];
  replicaAutoBalance: VolumeAutoBalance;
  /** Minutes. */
  staleReplicaTimeout: number;
  replicaSoftAntiAffinity: AntiAffinityOverride;
  replicaZoneSoftAntiAffinity: AntiAffinityOverride;
  replicaDiskSoftAntiAffinity: AntiAffinityOverride;
  accessMode: AccessMode;
  fsType: string;
  mkfsParams: string;
  /**
   * Its labels (Longhorn's volume labels: recurring-job.longhorn.io/<job>=enabled and
   * recurring-job-group.longhorn.io/<group>=enabled pick its recurring jobs). Absent when it has
   * none, so states from before labels hash as they did.
   */
  labels?: Record<string, string>;
}

export type AttachState = 'detached' | 'attaching' | 'attached' | 'detaching';

export interface Rejection {
  nodeId: string;
  diskId: string;
  reasons: string[];
  detail: string;
}

/** The newest "cannot place" decision for a volume, cleared when a replica is placed. */
export interface UnschedulableRecord {
  seq: number;
  missing: number;
  summary: string;
  candidates: Rejection[];
}

export interface SnapshotState {
  name: string;
  size: number;
  createdSeq: number;
  createdMs: number;
  /** The recurring job whose run made it (its retention counts it); absent for any other snapshot. */
  job?: string;
}

/**
 * What a volume was made from (Longhorn's dataSource) and whether the copy is done. The copy reads
 * snapshot `snapshot` of volume `volume`; for "vol://" that is a snapshot taken at creation.
 */
export interface DataSourceState {
  /** As requested: "snap://VOLUME/SNAPSHOT" or "vol://VOLUME". */
  uri: string;
  volume: string;
  snapshot: string;
  /** Copied into the volume's replicas (a VolumeDataSourceCopied was recorded). */
  copied: boolean;
}

/** The PersistentVolumeClaim (and PersistentVolume) a volume was provisioned for through CSI. */
export interface KubernetesRef {
  pvcNamespace: string;
  pvcName: string;
  pvName: string;
}

/** A StorageClass parameter accepted without effect, and why it has none. */
export interface UnsupportedParameter {
  key: string;
  value: string;
  reason: string;
}

export interface VolumeState {
  name: string;
  spec: VolumeSpec;
  createdSeq: number;
  attachState: AttachState;
  /** The node the engine runs on (or was asked to run on), '' when detached. */
  attachedTo: string;
  /**
   * The epoch of the current attachment: the seq of the event that attached the volume to
   * attachedTo (a new attachment, never a repeat or a takeover on the same node). Replicas refuse
   * writes from engines of older epochs (datapath fencing). Absent before the first attach, so
   * states from before it hash as they did.
   */
  attachEpoch?: number;
  endpoint: string;
  unschedulable: UnschedulableRecord | null;
  snapshots: Map<string, SnapshotState>;
  /** null for a volume made empty. */
  dataSource: DataSourceState | null;
  /**
   * Why its engine waits instead of opening (VolumeWaiting), while the volume is attaching there;
   * absent otherwise (absent, not null: states from before the event hash as they did).
   */
  waiting?: { nodeId: string; reason: string; seq: number };
  /**
   * Why the volume runs an engine without a frontend (offline rebuilding: "eviction", "rebuild",
   * ...), while the attach state is the scheduler's (VolumeAutoAttached) and not a user's; ''
   * otherwise. A user attach clears it (the attach becomes the user's).
   */
  autoAttach: string;
  /**
   * A user attach to this node waits for the offline engine on another node to stop: the volume
   * is detaching from attachedTo and attaches here on the VolumeDetached. '' otherwise.
   */
  pendingAttach: string;
  /**
   * From a CSI CreateVolume (VolumeCreated): the CO's name for the volume, the PVC it is for and
   * the parameters accepted without effect. Absent (not empty) when there are none, so states
   * from before these fields hash as they did.
   */
  csiName?: string;
  kubernetes?: KubernetesRef;
  unsupportedParameters?: UnsupportedParameter[];
  /**
   * Backups of this volume recorded in the log, by name (BackupRequested ... BackupCompleted or
   * BackupFailed; BackupDeleted removes one). Absent when there are none, so states from before
   * backups hash as they did. Replaced, never changed in place (copies share it).
   */
  backups?: Record<string, BackupRecord>;
  /** Made from a backup (VolumeCreated.from_backup); absent otherwise (states from before hash as they did). */
  restore?: RestoreState;
}

/**
 * pending: requested, no node yet; assigned: the leader chose a node and its replica; running:
 * that node started it; completed: its cfg is in the target; failed: it ended without one.
 */
export type BackupStateName = 'pending' | 'assigned' | 'running' | 'completed' | 'failed';

export interface BackupRecord {
  name: string;
  snapshot: string;
  /** The target at the request, and the backup's url there. */
  target: string;
  url: string;
  state: BackupStateName;
  labels: Record<string, string>;
  nodeId: string;
  replicaId: string;
  requestedSeq: number;
  requestedMs: number;
  /** Event time of the completion or failure, 0 before. */
  finishedMs: number;
  error: string;
  size: number;
  blocks: number;
  uploadedBlocks: number;
  uploadedBytes: number;
}

/** Backups of a volume that have not ended (pending, assigned, running). */
export function backupsInFlight(v: VolumeState): BackupRecord[] {
  return Object.values(v.backups ?? {}).filter(
    (b) => b.state === 'pending' || b.state === 'assigned' || b.state === 'running',
  );
}

/**
 * A volume restored from a backup (Longhorn's fromBackup), or a DR (standby) volume following the
 * backups of another volume. Nothing may attach it while `backup` is not restored, nor while it is
 * standby; its engine restores without a frontend (VolumeAutoAttached reason "restore").
 */
export interface RestoreState {
  /** The backup URL it was created from (what a repeated create is compared with). */
  from: string;
  /** The backup URL to restore: the one it was made from, or the newest a standby volume found. */
  backup: string;
  /** The last backup restored completely ('' before the first): a DR increment restores only what differs from it. */
  restored: string;
  /**
   * The backup an engine last started restoring (VolumeRestoreStarted). When it is not `restored`,
   * a restore was cut short and the replicas hold a mix: the next one is a full restore.
   */
  started: string;
  standby: boolean;
  /** `cairn volume activate` was asked: VolumeActivated follows once `backup` is restored. */
  activating: boolean;
  /** Why restoring `backup` failed (VolumeRestoreFailed); '' otherwise. Not retried for the same backup. */
  error: string;
}

/** What an engine restores over: the last backup restored, unless a restore was cut short since ('': a full restore). */
export function restoreSince(r: RestoreState): string {
  return r.started === '' || r.started === r.restored ? r.restored : '';
}

/** Why a user may not attach the volume now (restoring, failed, standby), or null. */
export function restoreBlocksAttach(v: VolumeState): string | null {
  const r = v.restore;
  if (!r) return null;
  if (r.standby)
    return `volume "${v.name}" is a standby (DR) volume following ${r.backup}: activate it first (cairn volume activate ${v.name})`;
  if (r.error) return `volume "${v.name}" failed to restore from ${r.backup}: ${r.error}`;
  if (r.backup !== r.restored)
    return `volume "${v.name}" is being restored from ${r.backup}: attach it once the restore is complete (volume get shows restore: completed)`;
  return null;
}

/**
 * scheduled: placed, not yet reported running; running: healthy and serving; failed: reported
 * failed (kept for replica-replenishment-wait-interval so it can be reused); rebuilding: told to
 * copy from a healthy replica, write-only until rebuilt.
 */
export type ReplicaMode = 'scheduled' | 'running' | 'failed' | 'rebuilding';

export interface ReplicaState {
  id: string;
  volume: string;
  nodeId: string;
  diskId: string;
  mode: ReplicaMode;
  /** Bytes this replica reserves on its disk: the volume's size when it was placed or expanded. */
  size: number;
  address: string;
  trigger: string;
  replaces: string;
  scheduledSeq: number;
  /** Event time (ms) of the newest ReplicaFailed, 0 when not failed. */
  failedAtMs: number;
  failedReason: string;
  rebuildFrom: string;
  /** Failures since the replica was last healthy after a rebuild (for rebuild backoff). */
  failures: number;
}

// ---- recurring jobs (their reducer cases and label rules: recurring-jobs.ts) ----

/** Longhorn's recurring job tasks (@cairn/schema's vocabulary). */
export { RECURRING_JOB_TASKS } from '@cairn/schema';
export type { RecurringJobTask };

export interface RecurringJobDef {
  name: string;
  task: RecurringJobTask;
  cron: string;
  retain: number;
  concurrency: number;
  groups: string[];
  labels: Record<string, string>;
}

export interface RecurringJobState extends RecurringJobDef {
  createdSeq: number;
  /** Event time of the RecurringJobCreated: fire times before it are not the job's. */
  createdMs: number;
  /** The newest fire time a run was started for (ms), 0 before the first. */
  lastFireMs: number;
  /**
   * The run in progress: its fire time and the volumes not done yet; null when none is going.
   * trims (filesystem-trim only, absent when none): pending volumes whose trim was requested of
   * a node (volume -> node id), waiting for that node's report.
   */
  running: { fireMs: number; seq: number; pending: string[]; trims?: Record<string, string> } | null;
}

export interface ClusterState {
  /** Seq of the last event applied; 0 for the empty log. */
  seq: number;
  nodes: Map<string, NodeState>;
  volumes: Map<string, VolumeState>;
  replicas: Map<string, ReplicaState>;
  settings: Settings;
  /**
   * Derived index volume -> replica ids, kept by the reducer and rebuilt on load; it is not part
   * of the hash or of snapshots.
   */
  replicasByVolume: Map<string, Set<string>>;
  /**
   * Derived index: per node, per disk, the bytes its replicas reserve and how many of them are
   * rebuilding; kept by the reducer (addLoad, setMode) and rebuilt on load, not part of the hash or
   * of snapshots. The scheduler reads each pass's disk usage from it in O(disks), not O(replicas).
   */
  diskLoad: Map<string, Map<string, DiskLoad>>;
  /** Recurring jobs by name (recurring-jobs.ts). */
  recurringJobs: Map<string, RecurringJobState>;
}

export interface DiskLoad {
  bytes: number;
  rebuilding: number;
}

/** Counts replica `r` on its disk in diskLoad (`sign` 1), or no longer (-1). */
export function addLoad(state: ClusterState, r: ReplicaState, sign: 1 | -1): void {
  let disks = state.diskLoad.get(r.nodeId);
  if (!disks) state.diskLoad.set(r.nodeId, (disks = new Map()));
  let l = disks.get(r.diskId);
  if (!l) disks.set(r.diskId, (l = { bytes: 0, rebuilding: 0 }));
  l.bytes += sign * r.size;
  if (r.mode === 'rebuilding') l.rebuilding += sign;
  if (l.bytes === 0 && l.rebuilding === 0) {
    disks.delete(r.diskId);
    if (disks.size === 0) state.diskLoad.delete(r.nodeId);
  }
}

/** Sets a replica's mode, keeping diskLoad's rebuilding count. */
export function setMode(state: ClusterState, r: ReplicaState, mode: ReplicaMode): void {
  if (r.mode === mode) return;
  addLoad(state, r, -1);
  r.mode = mode;
  addLoad(state, r, 1);
}

export function emptyState(): ClusterState {
  return {
    seq: 0,
    nodes: new Map(),
    volumes: new Map(),
    replicas: new Map(),
    settings: defaultSettings(),
    replicasByVolume: new Map(),
    diskLoad: new Map(),
    recurringJobs: new Map(),
  };
}

// ---- read-only queries over the state (pure) -------------------------------------------------

export function replicasOf(state: ClusterState, volume: string): ReplicaState[] {
  const ids = state.replicasByVolume.get(volume);
  if (!ids) return [];
  const out: ReplicaState[] = [];
  for (const id of ids) {
    const r = state.replicas.get(id);
    if (r) out.push(r);
  }
  return out;
}

export type { Robustness };

/**
 * Longhorn's robustness: healthy when as many replicas run as the volume wants, degraded when
 * fewer but at least one, faulted when none runs though some did exist, unknown before any replica
 * has reported.
 */
export function volumeRobustness(state: ClusterState, volume: VolumeState): Robustness {
  const rs = replicasOf(state, volume.name);
  const running = rs.filter((r) => r.mode === 'running').length;
  if (running >= volume.spec.numberOfReplicas) return 'healthy';
  if (running > 0) return 'degraded';
  if (rs.some((r) => r.mode === 'failed' || r.mode === 'rebuilding')) return 'faulted';
  return 'unknown';
}

/**
 * Volumes whose data source is not copied yet and still needs `volume` (any of its snapshots, or
 * only `snapshot` when given): they keep that volume or snapshot from being deleted. Sorted.
 */
export function pendingCopiesFrom(state: ClusterState, volume: string, snapshot?: string): string[] {
  const out: string[] = [];
  for (const v of state.volumes.values()) {
    const d = v.dataSource;
    if (d && !d.copied && d.volume === volume && (snapshot === undefined || d.snapshot === snapshot)) out.push(v.name);
  }
  return out.sort();
}

/** Bytes scheduled on a disk: the sum of the sizes of the replicas placed on it. */
export function diskScheduled(state: ClusterState, nodeId: string, diskId: string): number {
  let sum = 0;
  for (const r of state.replicas.values()) if (r.nodeId === nodeId && r.diskId === diskId) sum += r.size;
  return sum;
}
