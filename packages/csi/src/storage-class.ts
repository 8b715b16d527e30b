// A StorageClass's parameters as CreateVolume, GetCapacity and ValidateVolumeCapabilities receive
// them, split into what each part is for: the volume's own settings (acted on), the parameters
// accepted without effect (reported on the volume and the PVC, never silently dropped), the PVC
// the provisioner says the volume is for, and a fromBackup.
//
// Why accept what cairn does not do: a Longhorn StorageClass should work with only its provisioner
// changed, and Longhorn takes all of these. Why check them anyway: a malformed value is a mistake
// whichever driver reads it, and Longhorn refuses it too. The rule for a parameter without effect:
// a value that asks for what cairn does anyway (migratable "false", dataEngine "v1", an empty
// backingImage, "ignored" where cairn's fixed behaviour is Longhorn's default) is honoured
// silently; any other valid value is reported with the reason it has no effect. Unknown keys are
// refused (a typo would otherwise be silently ignored).
//
// Pure: returns the parts or throws a CsiError (INVALID_ARGUMENT) naming the parameter and value.
import { invalid } from './errors.js';
import {
  DATA_LOCALITIES,
  FS_TYPES,
  hasControlCharacters,
  RECURRING_JOB_TASKS,
  TAG_RE,
  TAG_RULE,
  VOLUME_AUTO_BALANCES,
} from '@cairn/schema';
import type { RecurringJobRequest } from '@cairn/schema';
import { STORAGE_CLASS_PARAMETERS, STORAGE_CLASS_PARAMETERS_ACTED_ON } from './contract.js';
import type { StorageClassParameter, STORAGE_CLASS_PARAMETERS_WITHOUT_EFFECT } from './contract.js';

/** What the volume is created with (each field absent when the StorageClass leaves it to cairn). */
export interface VolumeParams {
  numberOfReplicas?: number;
  /** Minutes. */
  staleReplicaTimeout?: number;
  dataLocality?: string;
  diskSelector?: string[];
  nodeSelector?: string[];
  replicaAutoBalance?: string;
  fsType?: string;
  mkfsParams?: string;
  /** Longhorn's per-volume anti-affinity overrides, in the admin's words: default | enabled | disabled. */
  replicaSoftAntiAffinity?: string;
  replicaZoneSoftAntiAffinity?: string;
  replicaDiskSoftAntiAffinity?: string;
}

/** One entry of Longhorn's recurringJobSelector: a recurring job, or a group of them, the volume joins. */
export interface RecurringJobSelectorParam {
  name: string;
  isGroup: boolean;
}

/** One job of Longhorn's older inline recurringJobs, as its JSON gives it. */
export type RecurringJobParam = RecurringJobRequest;

/** A parameter accepted without effect, and why it has none (recorded on the volume, warned on the PVC). */
export interface UnsupportedParameter {
  key: string;
  value: string;
  reason: string;
}

/** The PVC and PV the external-provisioner names (with --extra-create-metadata). */
export interface KubernetesRef {
  pvcNamespace: string;
  pvcName: string;
  pvName: string;
}

export interface StorageClassRequest {
  /** What the volume is created with. */
  volume: VolumeParams;
  /** Accepted, not acted on; sorted by key. */
  unsupported: UnsupportedParameter[];
  /** null when the provisioner passed none of csi.storage.k8s.io/pvc/name, pvc/namespace, pv/name. */
  kubernetes: KubernetesRef | null;
  /** Longhorn's fromBackup; '' when absent or empty. */
  fromBackup: string;
  /** `encrypted` asked for encryption at rest, which cairn does not do: CreateVolume refuses it. */
  encrypted: boolean;
  /** Longhorn's recurringJobSelector and inline recurringJobs, when given and not empty. */
  recurringJobSelector?: RecurringJobSelectorParam[];
  recurringJobs?: RecurringJobParam[];
}

/** The provisioner's own keys (external-provisioner --extra-create-metadata). */
export const PROVISIONER_KEYS = {
  pvcName: 'csi.storage.k8s.io/pvc/name',
  pvcNamespace: 'csi.storage.k8s.io/pvc/namespace',
  pvName: 'csi.storage.k8s.io/pv/name',
} as const;

/** Keys the external-provisioner adds or reads (fstype, pvc/name, *-secret-name, ...): not ours. */
const PROVISIONER_PREFIX = 'csi.storage.k8s.io/';
/**
 * The longest value taken: the admin records an unsupported parameter's value up to 4 KiB, and
 * refusing here names the parameter (Longhorn's longest, a recurringJobs list, is far shorter).
 */
const MAX_VALUE_BYTES = 4096;

// ---- values, read as Longhorn reads them ---------------------------------------------------------

// The admin API's values are @cairn/schema's vocabulary (DATA_LOCALITIES, VOLUME_AUTO_BALANCES, TAG_RE).
/** Longhorn's anti-affinity override words -> the admin's. */
const ANTI_AFFINITY: Readonly<Record<string, string>> = {
  ignored: 'default',
  enabled: 'enabled',
  disabled: 'disabled',
};
/** Longhorn's ignored | enabled | disabled overrides of a cluster setting. */
const OVERRIDE = ['ignored', 'enabled', 'disabled'] as const;

function integer(key: string, text: string, min: number, max: number): number {
  if (!/^\s*\d+\s*$/.test(text)) throw invalid(`parameter ${key} "${text}" is not an integer from ${min} to ${max}`);
  const n = Number(text);
  if (n < min || n > max) throw invalid(`parameter ${key} must be from ${min} to ${max}, got ${n}`);
  return n;
}

function oneOf<T extends string>(key: string, text: string, allowed: readonly T[]): T {
  const v = text.trim();
  if (!(allowed as readonly string[]).includes(v)) {
    throw invalid(`parameter ${key} "${text}" is not valid: use one of ${allowed.map((a) => a || '""').join(', ')}`);
  }
  return v as T;
}

/** Go's strconv.ParseBool, which Longhorn's driver uses for its true/false parameters. */
function bool(key: string, text: string): boolean {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(text)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(text)) return false;
  throw invalid(`parameter ${key} "${text}" is not valid: use true or false`);
}

/** Free text (mkfs arguments, mount options, a URL): one line of printable text, trimmed. */
function line(key: string, text: string): string {
  if (hasControlCharacters(text))
    throw invalid(`parameter ${key} ${JSON.stringify(text)} is not valid: use one line of printable text`);
  return text.trim();
}

/** "fast, ssd" -> ["fast", "ssd"] (Longhorn's comma-separated tag lists), sorted and unique. */
function tags(key: string, text: string): string[] {
  const out = text
    .split(',')
    .map((t) => t.trim())
    .filter((t) => t.length > 0);
  for (const t of out) if (!TAG_RE.test(t)) throw invalid(`parameter ${key}: tag "${t}" is not valid: ${TAG_RULE}`);
  return [...new Set(out)].sort();
}

/** A Kubernetes quantity as Longhorn's backupBlockSize takes it ("2Mi", "16Mi"). */
function quantity(key: string, text: string): string {
  const v = text.trim();
  if (!/^\d+(\.\d+)?([KMGTPE]i|[kMGTPE])?$/.test(v))
    throw invalid(`parameter ${key} "${text}" is not a size such as 2Mi or 16Mi`);
  return v;
}

// ---- JSON parameters (recurring jobs, backing image sources) -------------------------------------

type FieldCheck = (v: unknown) => string | null;
const isName: FieldCheck = (v) => (typeof v === 'string' && v.trim() !== '' ? null : 'must be a non-empty string');
const isBool: FieldCheck = (v) => (typeof v === 'boolean' ? null : 'must be true or false');
const isCount: FieldCheck = (v) =>
  typeof v === 'number' && Number.isInteger(v) && v >= 0 ? null : 'must be a whole number, 0 or more';
const isStrings: FieldCheck = (v) =>
  Array.isArray(v) && v.every((s) => typeof s === 'string') ? null : 'must be a list of strings';
const isStringMap: FieldCheck = (v) =>
  v !== null && typeof v === 'object' && !Array.isArray(v) && Object.values(v).every((s) => typeof s === 'string')
    ? null
    : 'must be an object of strings';
const isOneOf =
  (allowed: readonly string[]): FieldCheck =>
  (v) =>
    typeof v === 'string' && allowed.includes(v) ? null : `must be one of ${allowed.join(', ')}`;

/** Longhorn's recurring job tasks (its RecurringJob CRD, less system-backup, which is not a volume's). */

const CRON_DESCRIPTORS = ['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly'];
const CRON_FIELDS: ReadonlyArray<{ what: string; min: number; max: number; names?: string[] }> = [
  { what: 'minute', min: 0, max: 59 },
  { what: 'hour', min: 0, max: 23 },
  { what: 'day of month', min: 1, max: 31 },
  {
    what: 'month',
    min: 1,
    max: 12,
    names: ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'],
  },
  { what: 'day of week', min: 0, max: 6, names: ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] },
];

/** A standard cron schedule as Longhorn's cron library parses it (five fields, or @daily, @every 1h, ...). */
const isCron: FieldCheck = (v) => {
  if (typeof v !== 'string') return 'must be a cron schedule (a string)';
  const spec = v.trim().replace(/^(CRON_)?TZ=\S+\s+/, '');
  if (CRON_DESCRIPTORS.includes(spec)) return null;
  if (/^@every\s+(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/.test(spec)) return null;
  const fields = spec.split(/\s+/);
  if (fields.length !== 5)
    return `"${v}" is not a cron schedule: give 5 fields (minute hour day-of-month month day-of-week) or @daily, @every 1h, ...`;
  for (const [i, f] of fields.entries()) {
    const { what, min, max, names } = CRON_FIELDS[i]!;
    const value = (s: string): number => {
      const named = names?.indexOf(s.toLowerCase()) ?? -1;
      if (named >= 0) return named + min;
      return /^\d+$/.test(s) ? Number(s) : NaN;
    };
    for (const item of f.split(',')) {
      const m = /^(\*|\?|([0-9A-Za-z]+)(-([0-9A-Za-z]+))?)(\/(\d+))?$/.exec(item);
      const ends = m && m[2] !== undefined ? [value(m[2]), ...(m[4] !== undefined ? [value(m[4])] : [])] : [];
      if (!m || ends.some((n) => !(n >= min && n <= max)) || (m[6] !== undefined && Number(m[6]) === 0)) {
        return `"${v}" is not a cron schedule: ${what} "${item}" is not valid (${min}-${max}${names ? ' or a name' : ''}, *, ranges a-b, steps /n, lists a,b)`;
      }
    }
  }
  return null;
};

/**
 * A JSON list of objects with the given fields. Field names match case-insensitively, as Go's
 * encoding/json (Longhorn's reader) matches them; an unknown field is refused (a typo).
 */
function jsonList(
  key: string,
  text: string,
  shape: string,
  fields: Record<string, FieldCheck>,
  required: string[],
): Record<string, unknown>[] {
  const bad = (why: string) => invalid(`parameter ${key} is not valid: ${why} (want JSON: ${shape}); got ${text}`);
  let list: unknown;
  try {
    list = JSON.parse(text);
  } catch (e) {
    throw bad(`not JSON: ${(e as Error).message}`);
  }
  if (list === null) return [];
  if (!Array.isArray(list)) throw bad('not a list');
  const byLower = new Map(Object.keys(fields).map((f) => [f.toLowerCase(), f]));
  // Each item with its fields under their own names (whatever case the JSON used).
  return list.map((item: unknown, i) => {
    if (item === null || typeof item !== 'object' || Array.isArray(item)) throw bad(`[${i}] is not an object`);
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(item)) {
      const f = byLower.get(k.toLowerCase());
      if (!f) throw bad(`[${i}] has an unknown field "${k}" (fields: ${Object.keys(fields).join(', ')})`);
      const why = fields[f]!(v);
      if (why) throw bad(`[${i}].${f} ${why}`);
      out[f] = v;
    }
    for (const f of required) if (!(f in out)) throw bad(`[${i}] has no ${f}`);
    return out;
  });
}

/** Longhorn's recurringJobSelector: the recurring jobs or groups a volume joins. */
function recurringJobSelector(key: string, text: string): RecurringJobSelectorParam[] {
  if (text.trim() === '') return [];
  return jsonList(key, text, '[{"name": "...", "isGroup": true|false}, ...]', { name: isName, isGroup: isBool }, [
    'name',
  ]).map((i) => ({ name: (i['name'] as string).trim(), isGroup: i['isGroup'] === true }));
}

/**
 * Longhorn's older inline recurringJobs (up to 1.1; 1.2 turned them into RecurringJob objects). The
 * manager creates each job no job of its name exists for and labels the volume with it; a job
 * without groups applies only to the volumes so labelled.
 */
function recurringJobs(key: string, text: string): RecurringJobParam[] {
  if (text.trim() === '') return [];
  return jsonList(
    key,
    text,
    '[{"name", "task", "cron", "retain", "groups", "labels", "concurrency"}, ...]',
    {
      name: isName,
      task: isOneOf(RECURRING_JOB_TASKS),
      cron: isCron,
      retain: isCount,
      groups: isStrings,
      labels: isStringMap,
      concurrency: isCount,
    },
    ['name', 'task', 'cron'],
  ).map((i) => ({
    name: (i['name'] as string).trim(),
    task: i['task'] as string,
    cron: (i['cron'] as string).trim(),
    retain: (i['retain'] as number | undefined) ?? 0,
    concurrency: (i['concurrency'] as number | undefined) ?? 0,
    groups: (i['groups'] as string[] | undefined) ?? [],
    labels: (i['labels'] as Record<string, string> | undefined) ?? {},
  }));
}

/** Longhorn's backingImageDataSourceParameters: a JSON object of strings ({"url": "..."}). */
function stringMap(key: string, text: string): number {
  if (text.trim() === '') return 0;
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw invalid(
      `parameter ${key} is not valid: not JSON: ${(e as Error).message} (want {"url": "..."}); got ${text}`,
    );
  }
  const why = isStringMap(v);
  if (why) throw invalid(`parameter ${key} is not valid: ${why} (want {"url": "..."}); got ${text}`);
  return Object.keys(v as object).length;
}

// ---- the parameters cairn acts on ----------------------------------------------------------------

type ActedOn = Exclude<
  (typeof STORAGE_CLASS_PARAMETERS_ACTED_ON)[number],
  'fromBackup' | 'recurringJobSelector' | 'recurringJobs'
>;

const antiAffinity = (key: string, text: string): string => ANTI_AFFINITY[oneOf(key, text, OVERRIDE)]!;

/** Each parameter cairn acts on -> what it sets on the volume. */
const ACT: { readonly [K in ActedOn]: (key: string, text: string) => VolumeParams } = {
  numberOfReplicas: (k, v) => ({ numberOfReplicas: integer(k, v, 1, 20) }),
  // 0 is Longhorn's "the default" (2880 minutes): left to cairn's default as well.
  staleReplicaTimeout: (k, v) => {
    const n = integer(k, v, 0, 525_600);
    return n === 0 ? {} : { staleReplicaTimeout: n };
  },
  dataLocality: (k, v) => ({ dataLocality: oneOf(k, v, DATA_LOCALITIES) }),
  diskSelector: (k, v) => ({ diskSelector: tags(k, v) }),
  nodeSelector: (k, v) => ({ nodeSelector: tags(k, v) }),
  replicaAutoBalance: (k, v) => ({ replicaAutoBalance: oneOf(k, v, VOLUME_AUTO_BALANCES) }),
  fsType: (k, v) => ({ fsType: oneOf(k, v, FS_TYPES) }),
  // Handed to mkfs as arguments on the node.
  mkfsParams: (k, v) => ({ mkfsParams: line(k, v) }),
  replicaSoftAntiAffinity: (k, v) => ({ replicaSoftAntiAffinity: antiAffinity(k, v) }),
  replicaZoneSoftAntiAffinity: (k, v) => ({ replicaZoneSoftAntiAffinity: antiAffinity(k, v) }),
  replicaDiskSoftAntiAffinity: (k, v) => ({ replicaDiskSoftAntiAffinity: antiAffinity(k, v) }),
};

// ---- the parameters accepted without effect ------------------------------------------------------

type WithoutEffect = (typeof STORAGE_CLASS_PARAMETERS_WITHOUT_EFFECT)[number];

/** How one parameter without effect is read. */
export interface WithoutEffectRule {
  /** Checks the value as Longhorn does (throws INVALID_ARGUMENT); true when it asks for what cairn does anyway. */
  asCairnDoes: (key: string, text: string) => boolean;
  /** Why it has no effect, as the PVC's Warning says. */
  reason: string;
}

/** The reasons, in words a user of the PVC understands. */
export const REASONS = {
  backups: 'cairn has one backup target (its backup-target setting) and 2 MiB backup blocks',
  rwx: 'cairn volumes are ReadWriteOnce: there is no NFS share manager (ReadWriteMany)',
  migratable: 'cairn volumes attach to one node at a time: there is no live migration',
  encrypted: 'cairn does not encrypt volume data at rest (only its network connections)',
  engine: "cairn has one data engine (the shape of Longhorn's v1): the volume uses it",
  frontend:
    "cairn serves a volume over NBD and attaches it as a block device (Longhorn's blockdev); there is no ublk, iSCSI or NVMe-oF frontend",
  layout: 'cairn volumes are replicated, each replica a full copy: there is no erasure-coded (sharded) layout',
  revisionCounter: 'cairn replicas always keep a revision counter (it tells which replica has the newest data)',
  unmap: 'cairn does not remove snapshots during a filesystem trim',
  freeze: 'cairn does not freeze the filesystem before a snapshot',
  cloneMode: 'cairn clones are full copies: there are no linked clones',
  strictTopology:
    "a cairn volume is reachable from every zone with cairn nodes: the PV is not pinned to the scheduled node's zone",
  volumeTopology: 'cairn spreads replicas across zones: a volume is not pinned to one zone or region',
  capacityMode: "cairn's GetCapacity answers for whatever topology segment the provisioner asks about",
  backingImage: 'cairn has no backing images: the volume starts empty',
} as const;

const unset = (k: string, v: string): boolean => line(k, v) === '';
const isFalse = (k: string, v: string): boolean => !bool(k, v);
/** An ignored | enabled | disabled override whose "ignored" (Longhorn's default setting) and "disabled" are what cairn does. */
const notEnabled = (k: string, v: string): boolean => oneOf(k, v, OVERRIDE) !== 'enabled';
/** A count where 0 is "the default" (a frontend's queues, an erasure-coded layout's chunks). */
const zero = (k: string, v: string): boolean => integer(k, v, 0, 1_000_000) === 0;
const none =
  (check: (k: string, v: string) => number) =>
  (k: string, v: string): boolean =>
    check(k, v) === 0;
const emptyOr =
  (check: (k: string, v: string) => unknown) =>
  (k: string, v: string): boolean => {
    if (v.trim() === '') return true;
    check(k, v);
    return false;
  };
const rule = (asCairnDoes: WithoutEffectRule['asCairnDoes'], reason: string): WithoutEffectRule => ({
  asCairnDoes,
  reason,
});

/** Each parameter accepted without effect -> how it is checked and why it has none. */
export const WITHOUT_EFFECT: { readonly [K in WithoutEffect]: WithoutEffectRule } = {
  // "default" is the default backup target: nothing to say until there are backups.
  backupTargetName: rule((k, v) => ['', 'default'].includes(line(k, v)), REASONS.backups),
  backupBlockSize: rule(emptyOr(quantity), REASONS.backups),
  migratable: rule(isFalse, REASONS.migratable),
  encrypted: rule(isFalse, REASONS.encrypted),
  nfsOptions: rule(unset, REASONS.rwx),
  shareManagerNodeSelector: rule(unset, REASONS.rwx),
  shareManagerTolerations: rule(unset, REASONS.rwx),
  dataEngine: rule((k, v) => oneOf(k, v, ['', 'v1', 'v2']) !== 'v2', REASONS.engine),
  backendStoreDriver: rule((k, v) => oneOf(k, v, ['', 'v1', 'v2']) !== 'v2', REASONS.engine),
  frontend: rule(
    (k, v) => ['', 'blockdev'].includes(oneOf(k, v, ['', 'blockdev', 'iscsi', 'nvmf', 'ublk'])),
    REASONS.frontend,
  ),
  ublkNumberOfQueue: rule(zero, REASONS.frontend),
  ublkQueueDepth: rule(zero, REASONS.frontend),
  nvmeTcpNrIoQueues: rule(zero, REASONS.frontend),
  'dataLayout.type': rule((k, v) => oneOf(k, v, ['', 'replicated', 'sharded']) !== 'sharded', REASONS.layout),
  'dataLayout.mode': rule((k, v) => oneOf(k, v, ['', 'raid1', 'erasureCoding']) !== 'erasureCoding', REASONS.layout),
  'dataLayout.dataChunks': rule(zero, REASONS.layout),
  'dataLayout.parityChunks': rule(zero, REASONS.layout),
  'dataLayout.stripSizeKB': rule(zero, REASONS.layout),
  disableRevisionCounter: rule(isFalse, REASONS.revisionCounter),
  unmapMarkSnapChainRemoved: rule(notEnabled, REASONS.unmap),
  freezeFilesystemForSnapshot: rule(notEnabled, REASONS.freeze),
  freezeFSForSnapshot: rule(notEnabled, REASONS.freeze),
  cloneMode: rule((k, v) => oneOf(k, v, ['', 'full-copy', 'linked-clone']) !== 'linked-clone', REASONS.cloneMode),
  strictTopology: rule(isFalse, REASONS.strictTopology),
  volumeTopology: rule(
    (k, v) => ['', 'any'].includes(oneOf(k, v, ['', 'any', 'zonal', 'regional'])),
    REASONS.volumeTopology,
  ),
  storageCapacityMode: rule(
    emptyOr((k, v) => oneOf(k, v, ['node', 'zone'])),
    REASONS.capacityMode,
  ),
  backingImage: rule(unset, REASONS.backingImage),
  backingImageName: rule(unset, REASONS.backingImage),
  backingImageChecksum: rule(unset, REASONS.backingImage),
  backingImageDataSourceType: rule(
    emptyOr((k, v) => oneOf(k, v, ['download', 'upload', 'export-from-volume', 'restore', 'clone'])),
    REASONS.backingImage,
  ),
  backingImageDataSourceParameters: rule(none(stringMap), REASONS.backingImage),
  backingImageMinNumberOfCopies: rule(
    emptyOr((k, v) => integer(k, v, 0, 1_000_000)),
    REASONS.backingImage,
  ),
  backingImageNodeSelector: rule((k, v) => tags(k, v).length === 0, REASONS.backingImage),
  backingImageDiskSelector: rule((k, v) => tags(k, v).length === 0, REASONS.backingImage),
  backingImageURL: rule(unset, REASONS.backingImage),
  baseImage: rule(unset, REASONS.backingImage),
};

// ---- the whole StorageClass ----------------------------------------------------------------------

const isParameter = (key: string): key is StorageClassParameter =>
  (STORAGE_CLASS_PARAMETERS as readonly string[]).includes(key);
const isActedOn = (key: StorageClassParameter): key is ActedOn => key in ACT;

/** The known parameter a typo probably meant: same letters in another case, or one or two edits away. */
function nearest(key: string): string | null {
  const distance = (a: string, b: string): number => {
    let row = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
      const next = [i];
      for (let j = 1; j <= b.length; j++)
        next[j] = Math.min(row[j]! + 1, next[j - 1]! + 1, row[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      row = next;
    }
    return row[b.length]!;
  };
  let best: { name: string; d: number } | null = null;
  for (const name of STORAGE_CLASS_PARAMETERS) {
    const d = name.toLowerCase() === key.toLowerCase() ? 0 : distance(key, name);
    if (d <= 2 && (!best || d < best.d)) best = { name, d };
  }
  return best?.name ?? null;
}

/** Splits a StorageClass's parameters into their parts; throws INVALID_ARGUMENT naming the first bad one (by key). */
export function parseStorageClass(params: Record<string, string>): StorageClassRequest {
  const volume: VolumeParams = {};
  const unsupported: UnsupportedParameter[] = [];
  let fromBackup = '';
  let encrypted = false;
  const jobs: Pick<StorageClassRequest, 'recurringJobSelector' | 'recurringJobs'> = {};
  for (const key of Object.keys(params).sort()) {
    if (key.startsWith(PROVISIONER_PREFIX)) continue;
    const value = params[key]!;
    if (!isParameter(key)) {
      const guess = nearest(key);
      throw invalid(
        `parameter ${key} is not known${guess ? ` (did you mean ${guess}?)` : ''}: cairn's StorageClass parameters are ${STORAGE_CLASS_PARAMETERS.join(', ')}`,
      );
    }
    const bytes = Buffer.byteLength(value);
    if (bytes > MAX_VALUE_BYTES) throw invalid(`parameter ${key} is ${bytes} bytes long: at most ${MAX_VALUE_BYTES}`);
    if (key === 'fromBackup') fromBackup = line(key, value);
    else if (key === 'recurringJobSelector' || key === 'recurringJobs') {
      const list = key === 'recurringJobSelector' ? recurringJobSelector(key, value) : recurringJobs(key, value);
      if (list.length) Object.assign(jobs, { [key]: list });
    } else if (isActedOn(key)) Object.assign(volume, ACT[key](key, value));
    else {
      const r = WITHOUT_EFFECT[key];
      if (r.asCairnDoes(key, value)) continue;
      // Encryption asked for and not done would leave data in clear that its owner believes is
      // not: the one parameter whose absence is refused (by CreateVolume) rather than warned about.
      if (key === 'encrypted') encrypted = true;
      else unsupported.push({ key, value, reason: r.reason });
    }
  }
  if (
    volume.dataLocality === 'strict-local' &&
    volume.numberOfReplicas !== undefined &&
    volume.numberOfReplicas !== 1
  ) {
    throw invalid(
      `parameter dataLocality strict-local needs numberOfReplicas 1 (one replica, on the attached node), got ${volume.numberOfReplicas}`,
    );
  }
  const pvcName = params[PROVISIONER_KEYS.pvcName] ?? '';
  const pvcNamespace = params[PROVISIONER_KEYS.pvcNamespace] ?? '';
  const pvName = params[PROVISIONER_KEYS.pvName] ?? '';
  return {
    volume,
    unsupported,
    kubernetes: pvcName || pvName ? { pvcNamespace, pvcName, pvName } : null,
    fromBackup,
    encrypted,
    ...jobs,
  };
}

/** The volume's settings alone (GetCapacity and ValidateVolumeCapabilities need no more). */
export function parseParameters(params: Record<string, string>): VolumeParams {
  return parseStorageClass(params).volume;
}
