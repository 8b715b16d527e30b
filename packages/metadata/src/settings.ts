// Cluster settings, with Longhorn's names and defaults. A value is validated where it enters
// (the command layer) and again by the projection, so a bad value in the log stops projection
// instead of being half-applied.
import { DATA_LOCALITIES, REPLICA_AUTO_BALANCES } from '@cairn/schema';
import type { DataLocality, ReplicaAutoBalance } from '@cairn/schema';
import { InvalidSettingError } from './errors.js';

export type ReplicaAutoBalanceSetting = ReplicaAutoBalance;
export type DataLocalitySetting = DataLocality;
export type NodeDrainPolicySetting =
  | 'block-for-eviction'
  | 'block-for-eviction-if-contains-last-replica'
  | 'block-if-contains-last-replica'
  | 'allow-if-replica-is-stopped'
  | 'always-allow';

/** The typed settings every pure consumer (scheduler, projection) reads. */
export interface Settings {
  'storage-over-provisioning-percentage': number;
  'storage-minimal-available-percentage': number;
  'storage-reserved-percentage-for-default-disk': number;
  'replica-soft-anti-affinity': boolean;
  'replica-zone-soft-anti-affinity': boolean;
  'replica-disk-soft-anti-affinity': boolean;
  'replica-replenishment-wait-interval': number;
  'concurrent-replica-rebuild-per-node-limit': number;
  'replica-auto-balance': ReplicaAutoBalanceSetting;
  'default-replica-count': number;
  'default-data-locality': DataLocalitySetting;
  'disable-scheduling-on-cordoned-node': boolean;
  'allow-volume-creation-with-degraded-availability': boolean;
  'offline-replica-rebuilding': boolean;
  'auto-salvage': boolean;
  'node-drain-policy': NodeDrainPolicySetting;
  'backup-target': string;
  'backup-target-credential-secret': string;
  'backup-concurrent-limit': number;
  'backupstore-poll-interval': number;
  'concurrent-volume-backup-restore-per-node-limit': number;
}
export type SettingName = keyof Settings;

type Def =
  | { kind: 'int'; min: number; max: number; unit?: string; help: string }
  | { kind: 'bool'; help: string }
  | { kind: 'enum'; values: readonly string[]; help: string }
  /** Free text that must match `pattern` (what it must look like is said by `shape`). */
  | { kind: 'string'; pattern: RegExp; shape: string; help: string };

export const SETTING_DEFS: { readonly [K in SettingName]: Def & { default: Settings[K] } } = {
  'storage-over-provisioning-percentage': {
    kind: 'int',
    min: 100,
    max: 1000,
    default: 100,
    help: 'scheduled size may reach this percentage of (maximum - reserved)',
  },
  'storage-minimal-available-percentage': {
    kind: 'int',
    min: 0,
    max: 100,
    default: 25,
    help: 'a disk whose available space would drop below this percentage of its maximum takes no replica',
  },
  'storage-reserved-percentage-for-default-disk': {
    kind: 'int',
    min: 0,
    max: 100,
    default: 30,
    help: "space reserved on a node's default disk, as a percentage of its maximum",
  },
  'replica-soft-anti-affinity': {
    kind: 'bool',
    default: false,
    help: 'allow two replicas of a volume on one node when no other node fits',
  },
  'replica-zone-soft-anti-affinity': {
    kind: 'bool',
    default: true,
    help: 'allow two replicas of a volume in one zone when no other zone fits',
  },
  'replica-disk-soft-anti-affinity': {
    kind: 'bool',
    default: true,
    help: 'allow two replicas of a volume on one disk when no other disk fits',
  },
  'replica-replenishment-wait-interval': {
    kind: 'int',
    min: 0,
    max: 86400,
    unit: 's',
    default: 600,
    help: 'seconds to wait for a failed replica to come back before placing a new one',
  },
  'concurrent-replica-rebuild-per-node-limit': {
    kind: 'int',
    min: 0,
    max: 100,
    default: 5,
    help: 'rebuilds a node may run at once (0 disables rebuilds)',
  },
  'replica-auto-balance': {
    kind: 'enum',
    values: REPLICA_AUTO_BALANCES,
    default: 'disabled',
    help: 'move replicas to balance them across nodes and zones',
  },
  'default-replica-count': {
    kind: 'int',
    min: 1,
    max: 20,
    default: 3,
    help: 'replicas of a volume created without a count',
  },
  'default-data-locality': {
    kind: 'enum',
    values: DATA_LOCALITIES,
    default: 'disabled',
    help: 'data locality of a volume created without one',
  },
  'disable-scheduling-on-cordoned-node': {
    kind: 'bool',
    default: true,
    help: 'treat a cordoned Kubernetes node as unschedulable',
  },
  'allow-volume-creation-with-degraded-availability': {
    kind: 'bool',
    default: true,
    help: 'let a volume be created and attached while fewer replicas than its count can be placed',
  },
  // Longhorn (1.9+) names and defaults. Eviction of a detached volume attaches it on its own
  // whatever this says (Longhorn does the same: node replacement must finish); this setting is
  // about lost replicas and balance moves of detached volumes.
  'offline-replica-rebuilding': {
    kind: 'bool',
    default: false,
    help:
      'rebuild lost replicas of a detached volume (and move it for balance) ' +
      'by attaching it without a frontend for the time of the rebuild; eviction of a detached volume does so always',
  },
  'auto-salvage': {
    kind: 'bool',
    default: true,
    help: 'when every replica of a volume has failed, bring it back from the replicas with the newest data',
  },
  // Longhorn's names and default. In Kubernetes the leading manager keeps a drain guard on a node
  // (a pod there and a PodDisruptionBudget, minAvailable 1, on it) while the policy says that node
  // must not go, so `kubectl drain` waits (packages/kube, decisions/drain.ts); cairn does not evict replicas on its own for the
  // block-for-eviction policies: `cairn node update --evict` does, and the budget goes when the
  // replicas have moved.
  'node-drain-policy': {
    kind: 'enum',
    values: [
      'block-for-eviction',
      'block-for-eviction-if-contains-last-replica',
      'block-if-contains-last-replica',
      'allow-if-replica-is-stopped',
      'always-allow',
    ],
    default: 'block-if-contains-last-replica',
    help:
      'in Kubernetes, when a drain of a node is blocked: block-if-contains-last-replica (the node holds the last healthy replica of a volume), ' +
      'block-for-eviction-if-contains-last-replica (the same; evict with cairn node update --evict), ' +
      'block-for-eviction (the node holds any replica), allow-if-replica-is-stopped (the last healthy replica of an attached volume), always-allow (never)',
  },
  // Longhorn's names. The target's URL only (the manager checks it in full with @cairn/backup's
  // parseTargetUrl before it appends); its credentials never enter the log.
  'backup-target': {
    kind: 'string',
    pattern: /^$|^s3:\/\/[^@/\s]+@[^/\s]+(\/\S*)?$|^file:\/\/\/\S*$/,
    shape: 's3://BUCKET@REGION/PATH, file:///PATH or empty',
    default: '',
    help: 'where backups are stored: s3://BUCKET@REGION/PATH or file:///PATH (set it with cairn backup target set)',
  },
  'backup-target-credential-secret': {
    kind: 'string',
    pattern: /^$|^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/,
    shape: 'a Kubernetes Secret name or empty',
    default: '',
    help: "in Kubernetes, the Secret (in the managers' namespace) holding AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_ENDPOINTS for the backup target",
  },
  // Per node here (Longhorn's is per backup): the leader assigns no more backups to a node at once.
  'backup-concurrent-limit': { kind: 'int', min: 1, max: 100, default: 2, help: 'backups a node runs at once' },
  // Longhorn's name and default (H-restore): how often the leader looks in the backup target for
  // a newer backup of each standby (DR) volume's source.
  'backupstore-poll-interval': {
    kind: 'int',
    min: 0,
    max: 86400,
    unit: 's',
    default: 300,
    help: 'seconds between looks at the backup target for newer backups of standby (DR) volumes; 0 turns it off',
  },
  // Longhorn's name and default (H-restore): restores a node runs at once (the scheduler attaches
  // no more restoring volumes there; the others wait for a slot).
  'concurrent-volume-backup-restore-per-node-limit': {
    kind: 'int',
    min: 1,
    max: 100,
    default: 5,
    help: 'volumes a node restores from backups at once',
  },
};

export const SETTING_NAMES = Object.keys(SETTING_DEFS).sort() as SettingName[];

export function defaultSettings(): Settings {
  const s = {} as Record<SettingName, unknown>;
  for (const name of SETTING_NAMES) s[name] = SETTING_DEFS[name].default;
  return s as Settings;
}

export function isSettingName(name: string): name is SettingName {
  return Object.prototype.hasOwnProperty.call(SETTING_DEFS, name);
}

/** Describes a setting's valid values, for error messages and `cairn settings get`. */
export function settingRange(name: SettingName): string {
  const d = SETTING_DEFS[name];
  switch (d.kind) {
    case 'int':
      return `an integer from ${d.min} to ${d.max}${d.unit ? ` (${d.unit})` : ''}`;
    case 'bool':
      return 'true or false';
    case 'enum':
      return `one of ${d.values.join(', ')}`;
    case 'string':
      return d.shape;
  }
}

/** Parses a setting's text value; throws InvalidSettingError naming the setting and its range. */
export function parseSetting<K extends SettingName>(name: K, value: string): Settings[K];
export function parseSetting(name: string, value: string): Settings[SettingName];
export function parseSetting(name: string, value: string): Settings[SettingName] {
  if (!isSettingName(name)) {
    throw new InvalidSettingError(name, `unknown setting; known settings are ${SETTING_NAMES.join(', ')}`);
  }
  const d = SETTING_DEFS[name];
  const bad = () =>
    new InvalidSettingError(name, `invalid value ${JSON.stringify(value)}: must be ${settingRange(name)}`);
  switch (d.kind) {
    case 'int': {
      if (!/^-?\d+$/.test(value.trim())) throw bad();
      const n = Number(value);
      if (n < d.min || n > d.max) throw bad();
      return n;
    }
    case 'bool':
      if (value === 'true') return true;
      if (value === 'false') return false;
      throw bad();
    case 'enum':
      if (!d.values.includes(value)) throw bad();
      return value as Settings[SettingName];
    case 'string':
      if (!d.pattern.test(value)) throw bad();
      return value;
  }
}

/** Validates a whole change; all values are checked before any is applied. */
export function parseSettings(values: Record<string, string>): Partial<Settings> {
  const out: Partial<Record<SettingName, unknown>> = {};
  for (const [k, v] of Object.entries(values)) out[k as SettingName] = parseSetting(k, v);
  return out as Partial<Settings>;
}

export function formatSetting(value: Settings[SettingName]): string {
  return String(value);
}
