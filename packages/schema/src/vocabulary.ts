// The words of cairn's domain, in one place: the names, tags and values a volume's spec, a
// StorageClass's parameters, the CLI's flags and the cluster settings take. Every package that
// checks, parses or offers one of them derives from these lists and patterns (the manager's
// commands, the CSI driver, the CLI, the projection), so they cannot disagree. Longhorn's spelling
// throughout. Pure: no I/O, no errors of its own; each caller refuses in its own error type.

/** Names of what the admin API names (volumes, recurring jobs, ...): Longhorn's rule, a DNS label that may hold '.' and '_'. */
export const NAME_RE = /^[a-z0-9]([a-z0-9._-]{0,61}[a-z0-9])?$/;
export const NAME_RULE = "1-63 lowercase letters, digits, '-', '.', '_', starting and ending with a letter or digit";

/** Node ids are Kubernetes node names (DNS subdomains). */
export const NODE_ID_RE = /^[a-z0-9]([a-z0-9._-]{0,251}[a-z0-9])?$/;
export const NODE_ID_RULE =
  "1-253 lowercase letters, digits, '-', '.', '_', starting and ending with a letter or digit";

/** What a replica store accepts as a snapshot name (generated ones, such as clone snapshots, may be longer than a volume name). */
export const SNAPSHOT_NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** Disk and node tags (diskSelector, nodeSelector and the tags they match). */
export const TAG_RE = /^[A-Za-z0-9]([A-Za-z0-9._-]{0,61}[A-Za-z0-9])?$/;
export const TAG_RULE = "use letters, digits, '-', '.', '_'";

/**
 * Filesystems a volume can be made with: NodeStageVolume makes them (mkfs.X), NodeExpandVolume
 * grows them (resize2fs, xfs_growfs). Longhorn's two: ext4 and xfs.
 */
export const FS_TYPES = ['ext4', 'xfs'] as const;
export type FsType = (typeof FS_TYPES)[number];
export const DEFAULT_FS_TYPE: FsType = 'ext4';
/**
 * What NodeStageVolume still stages and expands: FS_TYPES, and ext3 and ext2, which the manager
 * took before FS_TYPES became Longhorn's two. A volume recorded with one of them keeps working;
 * no new volume is made with them (CreateVolume and StorageClasses offer FS_TYPES only).
 */
export const STAGED_FS_TYPES = [...FS_TYPES, 'ext3', 'ext2'] as const;

/** Longhorn's volume robustness: what a volume's running replicas say of it (metadata's volumeRobustness). */
export const ROBUSTNESS = ['healthy', 'degraded', 'faulted', 'unknown'] as const;
export type Robustness = (typeof ROBUSTNESS)[number];

/** Longhorn's dataLocality (a volume's, and the default-data-locality setting). */
export const DATA_LOCALITIES = ['disabled', 'best-effort', 'strict-local'] as const;
export type DataLocality = (typeof DATA_LOCALITIES)[number];

/** Longhorn's replica-auto-balance setting. */
export const REPLICA_AUTO_BALANCES = ['disabled', 'least-effort', 'best-effort'] as const;
export type ReplicaAutoBalance = (typeof REPLICA_AUTO_BALANCES)[number];

/** A volume's replicaAutoBalance: the setting's values, or 'ignored' (follow the setting). */
export const VOLUME_AUTO_BALANCES = ['ignored', ...REPLICA_AUTO_BALANCES] as const;
export type VolumeAutoBalance = (typeof VOLUME_AUTO_BALANCES)[number];

/** A volume's override of an anti-affinity setting: 'default' follows the setting. */
export const ANTI_AFFINITY_OVERRIDES = ['default', 'enabled', 'disabled'] as const;
export type AntiAffinityOverride = (typeof ANTI_AFFINITY_OVERRIDES)[number];

/** A volume's access mode (the admin API's; the CSI driver serves rwo). */
export const ACCESS_MODES = ['rwo', 'rwx'] as const;
export type AccessMode = (typeof ACCESS_MODES)[number];

/** Longhorn's recurring job tasks. */
export const RECURRING_JOB_TASKS = [
  'snapshot',
  'snapshot-force-create',
  'snapshot-cleanup',
  'snapshot-delete',
  'backup',
  'backup-force-create',
  'filesystem-trim',
] as const;
export type RecurringJobTask = (typeof RECURRING_JOB_TASKS)[number];

/**
 * A recurring job as it is asked for, before it is checked: Longhorn's fields, with 0, [] and {}
 * where absent (the admin API's CreateRecurringJob, a StorageClass's inline recurringJobs).
 */
export interface RecurringJobRequest {
  name: string;
  task: string;
  cron: string;
  retain: number;
  concurrency: number;
  groups: string[];
  labels: Record<string, string>;
}

// ---- free text -------------------------------------------------------------------------------------

/**
 * The CSI spec's rule for its string fields (names, ids), which cairn also records (a volume's
 * csiName): at most 128 bytes, no control characters.
 */
export const MAX_CSI_STRING_BYTES = 128;

/**
 * Control characters (Unicode's Cc: C0, DEL and C1, U+0000-U+001F and U+007F-U+009F): no name, id
 * or one-line parameter cairn takes may hold one.
 */
export const hasControlCharacters = (s: string): boolean => /\p{Cc}/u.test(s);

/** `value` is one of `allowed` (a type guard for the lists above). */
export function isOneOf<T extends string>(allowed: readonly T[], value: string): value is T {
  return (allowed as readonly string[]).includes(value);
}

// ---- data sources ----------------------------------------------------------------------------------

/** Longhorn's dataSource: a snapshot ("snap://VOLUME/SNAPSHOT") or a volume as it is now ("vol://VOLUME"). */
export interface DataSourceRef {
  volume: string;
  /** null for "vol://VOLUME". */
  snapshot: string | null;
}

export const DATA_SOURCE_FORMS = 'snap://VOLUME/SNAPSHOT or vol://VOLUME';

/**
 * A dataSource's parts, or null when it has neither form. The parts are not checked against the
 * name rules: a caller that needs valid names checks them with NAME_RE and SNAPSHOT_NAME_RE.
 */
export function parseDataSource(uri: string): DataSourceRef | null {
  const snap = /^snap:\/\/([^/]+)\/([^/]+)$/.exec(uri);
  if (snap) return { volume: snap[1]!, snapshot: snap[2]! };
  const vol = /^vol:\/\/([^/]+)$/.exec(uri);
  return vol ? { volume: vol[1]!, snapshot: null } : null;
}

/** The dataSource that names `ref`. */
export function formatDataSource(ref: DataSourceRef): string {
  return ref.snapshot === null ? `vol://${ref.volume}` : `snap://${ref.volume}/${ref.snapshot}`;
}
