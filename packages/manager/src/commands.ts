// Commands: validate a request against the projected state and return the events it appends.
// Pure: (state, request) -> drafts, or a CommandError naming the field. An empty list means the
// request is already satisfied (idempotent: the same create, update or attach again appends
// nothing). The admin service runs these, appends with expectedSeq = the state's seq, and retries
// on a conflict, so a command is always validated against the state it is appended after.
import type {
  ClusterState,
  DiskState,
  EventDraft,
  KubernetesRef,
  NodeState,
  UnsupportedParameter,
  VolumeSpec,
  VolumeState,
} from '@cairn/metadata';
import {
  InvalidSettingError,
  parseSettings,
  pendingCopiesFrom,
  replicasOf,
  restoreBlocksAttach,
  volumeSpec,
  volumeSpecToProto,
} from '@cairn/metadata';
import type { ObservedFigures } from '@cairn/scheduler';
import { chooseSalvage, salvageDraft, SalvageRefusal } from '@cairn/scheduler';
import { checkMkfsParams as checkMkfsParamsRule } from '@cairn/csi';
import {
  ACCESS_MODES,
  ANTI_AFFINITY_OVERRIDES,
  DATA_LOCALITIES,
  DATA_SOURCE_FORMS,
  DEFAULT_FS_TYPE,
  FS_TYPES,
  hasControlCharacters,
  MAX_CSI_STRING_BYTES,
  NAME_RE,
  NAME_RULE,
  NODE_ID_RE,
  NODE_ID_RULE,
  parseDataSource,
  SNAPSHOT_NAME_RE,
  TAG_RE,
  TAG_RULE,
  VOLUME_AUTO_BALANCES,
} from '@cairn/schema';
import type { DataSourceRef } from '@cairn/schema';
import { CommandError } from './errors.js';
import { changedLabels, checkLabels } from './labels.js';

// The vocabulary (names, tags, value lists, data sources) is @cairn/schema's, shared with the CSI
// driver and the CLI.

/** mkfsParams travels in a CSI publish_context value: the spec caps those maps at 4 KiB. */
const MAX_MKFS_PARAMS = 1024;
/** Volumes are made of 4 KiB blocks (NBD's and ext4's block size). */
export const SIZE_ALIGN = 4096;

export function checkNodeId(field: string, value: string): void {
  if (!NODE_ID_RE.test(value)) {
    throw CommandError.invalid(`${field} "${value}" is not valid: use ${NODE_ID_RULE}`);
  }
}

/**
 * A disk path: absolute and plain. No '.' or '..' segments, empty segments or NUL: the node agent
 * creates replica files under it as root, and two spellings of one directory would be two disks.
 */
export function checkDiskPath(field: string, path: string): void {
  if (!path.startsWith('/')) throw CommandError.invalid(`${field} "${path}" must be absolute`);
  const segments = path.split('/').slice(1);
  if (
    path.includes('\0') ||
    (path !== '/' && segments.some((x, i) => x === '.' || x === '..' || (x === '' && i < segments.length - 1)))
  ) {
    throw CommandError.invalid(`${field} "${path}" must be a plain absolute path (no '.', '..' or empty segments)`);
  }
}

export function checkName(field: string, value: string): void {
  if (!NAME_RE.test(value)) {
    throw CommandError.invalid(`${field} "${value}" is not valid: use ${NAME_RULE}`);
  }
}

export function checkTags(field: string, tags: string[]): string[] {
  for (const t of tags) {
    if (!TAG_RE.test(t)) throw CommandError.invalid(`${field}: tag "${t}" is not valid: ${TAG_RULE}`);
  }
  return [...new Set(tags)].sort();
}

function oneOf<T extends string>(field: string, value: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(value))
    throw CommandError.invalid(`${field} "${value}" is not valid: use one of ${allowed.join(', ')}`);
  return value as T;
}

function checkSize(field: string, size: number): void {
  if (!Number.isSafeInteger(size) || size <= 0)
    throw CommandError.invalid(`${field} must be a positive number of bytes, got ${size}`);
  if (size % SIZE_ALIGN !== 0) throw CommandError.invalid(`${field} ${size} is not a multiple of ${SIZE_ALIGN} bytes`);
}

function checkReplicaCount(field: string, n: number): void {
  if (!Number.isInteger(n) || n < 1 || n > 20) throw CommandError.invalid(`${field} must be from 1 to 20, got ${n}`);
}

function checkSpec(spec: VolumeSpec): void {
  checkReplicaCount('numberOfReplicas', spec.numberOfReplicas);
  if (spec.dataLocality === 'strict-local' && spec.numberOfReplicas !== 1) {
    throw CommandError.invalid(
      `dataLocality strict-local needs numberOfReplicas 1 (one replica, on the attached node), got ${spec.numberOfReplicas}`,
    );
  }
}

export function requireVolume(state: ClusterState, name: string): VolumeState {
  if (!name) throw CommandError.invalid('name is required');
  const v = state.volumes.get(name);
  if (!v) throw CommandError.notFound(`volume "${name}" does not exist`);
  return v;
}

export function requireNode(state: ClusterState, id: string, field = 'nodeId'): NodeState {
  if (!id) throw CommandError.invalid(`${field} is required`);
  const n = state.nodes.get(id);
  if (!n) throw CommandError.notFound(`node "${id}" does not exist`);
  return n;
}

export function requireDisk(state: ClusterState, nodeId: string, diskId: string): DiskState {
  const n = requireNode(state, nodeId);
  if (!diskId) throw CommandError.invalid('diskId is required');
  const d = n.disks.get(diskId);
  if (!d) throw CommandError.notFound(`disk "${diskId}" does not exist on node "${nodeId}"`);
  return d;
}

// ---- volumes ---------------------------------------------------------------------------------

export interface CreateVolume {
  name: string;
  size: number;
  numberOfReplicas: number;
  dataLocality: string;
  diskSelector: string[];
  nodeSelector: string[];
  replicaAutoBalance: string;
  staleReplicaTimeout: number;
  fsType: string;
  mkfsParams: string;
  accessMode: string;
  replicaSoftAntiAffinity?: string;
  replicaZoneSoftAntiAffinity?: string;
  replicaDiskSoftAntiAffinity?: string;
  /** "snap://VOLUME/SNAPSHOT", "vol://VOLUME" or empty. */
  dataSource?: string;
  /** Set by the CSI driver: the CO's name for the volume (its idempotency key). */
  csiName?: string;
  /** The PVC (and PV) it is provisioned for. */
  kubernetes?: KubernetesRef | null;
  /** StorageClass parameters accepted without effect. */
  unsupportedParameters?: UnsupportedParameter[];
  /** The volume's labels (they pick its recurring jobs: job-commands.ts). */
  labels?: Record<string, string>;
  /** A backup URL to restore the new volume from (restores.ts reads its size first: backupSize). */
  fromBackup?: string;
  /** The size of the fromBackup backup, as the target says (bytes). */
  backupSize?: number;
  /** With fromBackup: a DR volume following the newest backup of that backup's volume. */
  standby?: boolean;
}

/** Kubernetes' limit on an object name; how many StorageClass parameters may be recorded as unsupported. */
const MAX_KUBERNETES_NAME = 253;
const MAX_UNSUPPORTED = 64;

/** The CSI origin of a volume, checked: what VolumeCreated records of it (only what is set). */
function csiOrigin(r: CreateVolume): {
  csiName?: string;
  kubernetes?: KubernetesRef;
  unsupportedParameters?: UnsupportedParameter[];
} {
  const name = r.csiName ?? '';
  if (Buffer.byteLength(name) > MAX_CSI_STRING_BYTES)
    throw CommandError.invalid(`csiName must be at most ${MAX_CSI_STRING_BYTES} bytes, got ${Buffer.byteLength(name)}`);
  if (hasControlCharacters(name)) throw CommandError.invalid('csiName must not contain control characters');
  const k = r.kubernetes;
  for (const [field, v] of Object.entries({
    pvcNamespace: k?.pvcNamespace ?? '',
    pvcName: k?.pvcName ?? '',
    pvName: k?.pvName ?? '',
  })) {
    if (v.length > MAX_KUBERNETES_NAME || hasControlCharacters(v))
      throw CommandError.invalid(`kubernetes.${field} "${v}" is not a Kubernetes object name`);
  }
  const unsupported = r.unsupportedParameters ?? [];
  if (unsupported.length > MAX_UNSUPPORTED)
    throw CommandError.invalid(`at most ${MAX_UNSUPPORTED} unsupportedParameters, got ${unsupported.length}`);
  for (const u of unsupported) {
    if (!u.key || u.key.length > MAX_KUBERNETES_NAME || Buffer.byteLength(u.value) > 4096 || u.reason.length > 1024) {
      throw CommandError.invalid(
        `unsupportedParameters: entry ${JSON.stringify(u.key)} needs a key of up to ${MAX_KUBERNETES_NAME} characters` +
          `, a value of up to 4 KiB and a reason of up to 1 KiB`,
      );
    }
  }
  return {
    ...(name ? { csiName: name } : {}),
    ...(k && (k.pvcName || k.pvName)
      ? { kubernetes: { pvcNamespace: k.pvcNamespace, pvcName: k.pvcName, pvName: k.pvName } }
      : {}),
    ...(unsupported.length
      ? { unsupportedParameters: unsupported.map(({ key, value, reason }) => ({ key, value, reason })) }
      : {}),
  };
}

/** Parses Longhorn's dataSource, "snap://VOLUME/SNAPSHOT" or "vol://VOLUME", with valid names; null when empty. */
export function checkDataSource(uri: string): DataSourceRef | null {
  if (!uri) return null;
  const ref = parseDataSource(uri);
  if (!ref) throw CommandError.invalid(`dataSource "${uri}" is not valid: use ${DATA_SOURCE_FORMS}`);
  if (!NAME_RE.test(ref.volume))
    throw CommandError.invalid(`dataSource "${uri}": volume "${ref.volume}" is not a valid volume name`);
  if (ref.snapshot !== null && !SNAPSHOT_NAME_RE.test(ref.snapshot))
    throw CommandError.invalid(`dataSource "${uri}": snapshot "${ref.snapshot}" is not a valid snapshot name`);
  return ref;
}

/**
 * The events that make `name` a copy of its data source, after the source is checked: it exists,
 * its copy of its own source is complete, and it fits (the new size is at least the source's).
 * "vol://" takes a snapshot of the source in the same append and copies that.
 */
function dataSourceDrafts(
  state: ClusterState,
  name: string,
  size: number,
  uri: string,
  ref: DataSourceRef,
): { drafts: EventDraft[]; snapshot: string } {
  const src = state.volumes.get(ref.volume);
  if (!src) throw CommandError.notFound(`dataSource "${uri}": volume "${ref.volume}" does not exist`);
  if (src.dataSource && !src.dataSource.copied) {
    throw CommandError.precondition(
      `dataSource "${uri}": volume "${ref.volume}" is still copying its own data source (${src.dataSource.uri}); try again once it is done`,
    );
  }
  if (ref.snapshot !== null) {
    const snap = src.snapshots.get(ref.snapshot);
    if (!snap)
      throw CommandError.notFound(
        `dataSource "${uri}": snapshot "${ref.snapshot}" of volume "${ref.volume}" does not exist`,
      );
    if (size < snap.size)
      throw CommandError.invalid(`size ${size} is smaller than dataSource "${uri}" (${snap.size} bytes)`);
    return { drafts: [], snapshot: ref.snapshot };
  }
  if (size < src.spec.size)
    throw CommandError.invalid(`size ${size} is smaller than dataSource "${uri}" (${src.spec.size} bytes)`);
  // Named after the clone and the seq it is appended at: unique, and says what it is for.
  let snapshot = `clone-${name}-${state.seq + 1}`;
  // A user's snapshot of that name is theirs, not this clone's: never copy (or later delete) it.
  while (src.snapshots.has(snapshot)) snapshot += 'x';
  return { drafts: [{ snapshotCreated: { volume: ref.volume, name: snapshot, size: src.spec.size } }], snapshot };
}

/** Refused here so a bad value never enters the log: the allowlist is @cairn/csi's, the one NodeStage applies. */
function checkMkfsParams(fsType: string, p: string): string {
  if (Buffer.byteLength(p) > MAX_MKFS_PARAMS)
    throw CommandError.invalid(`mkfsParams must be at most ${MAX_MKFS_PARAMS} bytes, got ${Buffer.byteLength(p)}`);
  try {
    checkMkfsParamsRule(fsType, p);
  } catch (e) {
    throw CommandError.invalid((e as Error).message);
  }
  return p;
}

export function createVolume(state: ClusterState, r: CreateVolume): EventDraft[] {
  checkName('name', r.name);
  const fromBackup = r.fromBackup ?? '';
  if (r.standby && !fromBackup)
    throw CommandError.invalid('standby needs fromBackup: a DR volume follows the backups of a volume');
  if (fromBackup && r.dataSource) throw CommandError.invalid('give fromBackup or dataSource, not both');
  if (fromBackup) {
    // Size 0 takes the backup's (read by the admin service for a new volume; a repeated create
    // answers with the volume as it is); a bigger one is the backup's data in a bigger volume.
    const had = state.volumes.get(r.name);
    const backupSize = r.backupSize ?? (had?.restore?.from === fromBackup ? had.spec.size : 0);
    if (!r.size) r = { ...r, size: backupSize };
    if (r.size < backupSize)
      throw CommandError.invalid(`size ${r.size} is smaller than backup ${fromBackup} (${backupSize} bytes)`);
  }
  checkSize('size', r.size);
  const fsType = r.fsType ? oneOf('fsType', r.fsType, FS_TYPES) : DEFAULT_FS_TYPE;
  const spec = volumeSpec({
    size: r.size,
    numberOfReplicas: r.numberOfReplicas || state.settings['default-replica-count'],
    dataLocality: r.dataLocality
      ? oneOf('dataLocality', r.dataLocality, DATA_LOCALITIES)
      : state.settings['default-data-locality'],
    diskSelector: checkTags('diskSelector', r.diskSelector),
    nodeSelector: checkTags('nodeSelector', r.nodeSelector),
    replicaAutoBalance: r.replicaAutoBalance
      ? oneOf('replicaAutoBalance', r.replicaAutoBalance, VOLUME_AUTO_BALANCES)
      : 'ignored',
    staleReplicaTimeout: r.staleReplicaTimeout || 2880,
    accessMode: r.accessMode ? oneOf('accessMode', r.accessMode, ACCESS_MODES) : 'rwo',
    fsType,
    mkfsParams: checkMkfsParams(fsType, r.mkfsParams),
    replicaSoftAntiAffinity: r.replicaSoftAntiAffinity
      ? oneOf('replicaSoftAntiAffinity', r.replicaSoftAntiAffinity, ANTI_AFFINITY_OVERRIDES)
      : 'default',
    replicaZoneSoftAntiAffinity: r.replicaZoneSoftAntiAffinity
      ? oneOf('replicaZoneSoftAntiAffinity', r.replicaZoneSoftAntiAffinity, ANTI_AFFINITY_OVERRIDES)
      : 'default',
    replicaDiskSoftAntiAffinity: r.replicaDiskSoftAntiAffinity
      ? oneOf('replicaDiskSoftAntiAffinity', r.replicaDiskSoftAntiAffinity, ANTI_AFFINITY_OVERRIDES)
      : 'default',
    ...labelsOf(r.labels ?? {}),
  });
  checkSpec(spec);
  const uri = r.dataSource ?? '';
  const ref = checkDataSource(uri);
  const origin = csiOrigin(r);
  const existing = state.volumes.get(r.name);
  if (existing) {
    // Another CO name that maps to the same volume id is another volume: never answer it with this one.
    if (existing.csiName && origin.csiName && existing.csiName !== origin.csiName) {
      throw CommandError.exists(
        `volume "${r.name}" already exists for CSI name ${JSON.stringify(existing.csiName)}, not ${JSON.stringify(origin.csiName)}`,
      );
    }
    const diff = specDifference(existing.spec, spec);
    if (diff) throw CommandError.exists(`volume "${r.name}" already exists with a different ${diff}`);
    const had = existing.dataSource?.uri ?? '';
    if (had !== uri)
      throw CommandError.exists(
        `volume "${r.name}" already exists with a different dataSource (${JSON.stringify(had)}, requested ${JSON.stringify(uri)})`,
      );
    const hadBackup = existing.restore?.from ?? '';
    if (hadBackup !== fromBackup)
      throw CommandError.exists(
        `volume "${r.name}" already exists with a different fromBackup (${JSON.stringify(hadBackup)}, requested ${JSON.stringify(fromBackup)})`,
      );
    return [];
  }
  const created = {
    name: r.name,
    spec: volumeSpecToProto(spec),
    ...origin,
    ...(fromBackup ? { fromBackup, standby: !!r.standby } : {}),
  };
  if (!ref) return [{ volumeCreated: created }];
  const { drafts, snapshot } = dataSourceDrafts(state, r.name, spec.size, uri, ref);
  return [
    ...drafts,
    { volumeCreated: { ...created, dataSource: uri, sourceVolume: ref.volume, sourceSnapshot: snapshot } },
  ];
}

/** FAILED_PRECONDITION when volumes not yet copied from their data source still need it. */
function refuseWhileNeeded(state: ClusterState, what: string, volume: string, snapshot?: string): void {
  const needing = pendingCopiesFrom(state, volume, snapshot);
  if (needing.length) {
    const names = needing.map((n) => `"${n}"`).join(', ');
    throw CommandError.precondition(
      `${what} is the data source of volume ${names}, which has not finished copying it` +
        `: delete ${needing.length > 1 ? 'them' : 'it'} or wait until its copy is complete (volume get shows data source ready)`,
    );
  }
}

/** Labels as a spec holds them: absent when there are none. */
function labelsOf(labels: Record<string, string>): { labels?: Record<string, string> } {
  const checked = checkLabels('labels', labels);
  return Object.keys(checked).length ? { labels: checked } : {};
}

function specDifference(a: VolumeSpec, b: VolumeSpec): string | null {
  for (const k of new Set([...Object.keys(a), ...Object.keys(b)]) as Set<keyof VolumeSpec>) {
    if (JSON.stringify(a[k]) !== JSON.stringify(b[k]))
      return `${k} (${JSON.stringify(a[k])}, requested ${JSON.stringify(b[k])})`;
  }
  return null;
}

export interface UpdateVolume {
  name: string;
  numberOfReplicas?: number | undefined;
  dataLocality?: string | undefined;
  diskSelector?: string[] | undefined;
  nodeSelector?: string[] | undefined;
  replicaAutoBalance?: string | undefined;
  replicaSoftAntiAffinity?: string | undefined;
  replicaZoneSoftAntiAffinity?: string | undefined;
  replicaDiskSoftAntiAffinity?: string | undefined;
  /** Labels set (added or replaced) and removed, by key. */
  setLabels?: Record<string, string> | undefined;
  removeLabels?: string[] | undefined;
}

export function updateVolume(state: ClusterState, r: UpdateVolume): EventDraft[] {
  const v = requireVolume(state, r.name);
  const spec: VolumeSpec = { ...v.spec };
  if (r.numberOfReplicas !== undefined) spec.numberOfReplicas = r.numberOfReplicas;
  if (r.dataLocality !== undefined) spec.dataLocality = oneOf('dataLocality', r.dataLocality, DATA_LOCALITIES);
  if (r.diskSelector !== undefined) spec.diskSelector = checkTags('diskSelector', r.diskSelector);
  if (r.nodeSelector !== undefined) spec.nodeSelector = checkTags('nodeSelector', r.nodeSelector);
  if (r.replicaAutoBalance !== undefined)
    spec.replicaAutoBalance = oneOf('replicaAutoBalance', r.replicaAutoBalance, VOLUME_AUTO_BALANCES);
  if (r.replicaSoftAntiAffinity !== undefined)
    spec.replicaSoftAntiAffinity = oneOf('replicaSoftAntiAffinity', r.replicaSoftAntiAffinity, ANTI_AFFINITY_OVERRIDES);
  if (r.replicaZoneSoftAntiAffinity !== undefined)
    spec.replicaZoneSoftAntiAffinity = oneOf(
      'replicaZoneSoftAntiAffinity',
      r.replicaZoneSoftAntiAffinity,
      ANTI_AFFINITY_OVERRIDES,
    );
  if (r.replicaDiskSoftAntiAffinity !== undefined)
    spec.replicaDiskSoftAntiAffinity = oneOf(
      'replicaDiskSoftAntiAffinity',
      r.replicaDiskSoftAntiAffinity,
      ANTI_AFFINITY_OVERRIDES,
    );
  if (Object.keys(r.setLabels ?? {}).length || r.removeLabels?.length) {
    delete spec.labels;
    Object.assign(spec, labelsOf(changedLabels(v.spec.labels ?? {}, r.setLabels ?? {}, r.removeLabels ?? [])));
  }
  checkSpec(spec);
  if (!specDifference(v.spec, spec)) return [];
  return [{ volumeUpdated: { name: v.name, spec: volumeSpecToProto(spec) } }];
}

export function expandVolume(state: ClusterState, name: string, size: number): EventDraft[] {
  const v = requireVolume(state, name);
  checkSize('size', size);
  if (size === v.spec.size) return [];
  if (size < v.spec.size)
    throw CommandError.invalid(`size ${size} is smaller than the volume's ${v.spec.size}: volumes only grow`);
  return [{ volumeExpanded: { name, size } }];
}

export function deleteVolume(state: ClusterState, name: string): EventDraft[] {
  if (!name) throw CommandError.invalid('name is required');
  const v = state.volumes.get(name);
  if (!v) return [];
  // An engine the scheduler started for an offline rebuild is no user's attach: it goes with the volume.
  if (v.attachState !== 'detached' && !(v.autoAttach && !v.pendingAttach)) {
    throw CommandError.precondition(`volume "${name}" is ${v.attachState} to node "${v.attachedTo}": detach it first`);
  }
  refuseWhileNeeded(state, `volume "${name}"`, name);
  // A clone deleted before its copy completed no longer needs the snapshot taken for it.
  const out: EventDraft[] = [];
  const src = v.dataSource;
  if (
    src &&
    !src.copied &&
    src.uri.startsWith('vol://') &&
    state.volumes.get(src.volume)?.snapshots.has(src.snapshot)
  ) {
    out.push({ snapshotDeleted: { volume: src.volume, name: src.snapshot } });
  }
  out.push({ volumeDeleted: { name } });
  return out;
}

/**
 * A user attach. Idempotent on the node it is attached (or attaching, or waiting) to. A volume the
 * scheduler attached for an offline rebuild is taken over: the projection gives the engine its
 * frontend on the same node, or stops it and attaches on the new node after.
 */
export function attachVolume(state: ClusterState, name: string, nodeId: string): EventDraft[] {
  const v = requireVolume(state, name);
  const n = requireNode(state, nodeId);
  if (v.pendingAttach === nodeId) return [];
  // Longhorn lets a restore finish before any frontend: refused, the CSI attacher retries.
  const restoring = restoreBlocksAttach(v);
  if (restoring) throw CommandError.precondition(restoring);
  if (!v.autoAttach && v.attachedTo === nodeId && (v.attachState === 'attached' || v.attachState === 'attaching'))
    return [];
  if (v.attachState !== 'detached' && !v.autoAttach) {
    throw CommandError.precondition(`volume "${name}" is ${v.attachState} to node "${v.attachedTo}": detach it first`);
  }
  if (n.down) throw CommandError.precondition(`node "${nodeId}" is down (${n.downReason})`);
  // No replica anywhere and the scheduler has said none can be placed: an engine would wait for a
  // replica forever, and the caller (a CO's ControllerPublishVolume) until its deadline. Refused,
  // as Longhorn refuses a volume that is not ready for workloads; it attaches once one is placed.
  if (v.unschedulable && replicasOf(state, name).length === 0) {
    throw CommandError.precondition(
      `volume "${name}" is not ready for workloads: none of its replicas can be placed (${v.unschedulable.summary})`,
    );
  }
  return [{ volumeAttachRequested: { name, nodeId } }];
}

/** A user detach. A volume attached only by the scheduler (offline rebuild) is no user's: nothing to do. */
export function detachVolume(state: ClusterState, name: string): EventDraft[] {
  const v = requireVolume(state, name);
  if (v.attachState === 'detached' || v.autoAttach) return [];
  // A user attach waiting for the offline engine to stop: called off (the engine still stops).
  if (v.pendingAttach) return [{ volumeDetachRequested: { name } }];
  const node = state.nodes.get(v.attachedTo);
  // With no live node to stop the engine, there is nothing to wait for.
  if (!node || node.down || v.attachState === 'attaching') return [{ volumeDetached: { name, nodeId: v.attachedTo } }];
  if (v.attachState === 'detaching') return [];
  return [{ volumeDetachRequested: { name } }];
}

/**
 * `cairn volume activate NAME`: a standby volume restores `newest` (the newest backup of its source
 * the target holds, read by the admin service; '' when it has none newer) and then becomes a
 * normal volume: VolumeActivated at once when nothing is left to restore, else when the engine
 * reports that backup restored (node-service.ts).
 */
export function activateVolume(state: ClusterState, name: string, newest: string): EventDraft[] {
  const v = requireVolume(state, name);
  const r = v.restore;
  if (!r || (!r.standby && !r.activating)) {
    throw CommandError.precondition(
      `volume "${name}" is not a standby volume: only a volume created with --standby --from-backup is activated`,
    );
  }
  if (r.activating) return [];
  const out: EventDraft[] = [];
  const target = newest || r.backup;
  if (target !== r.backup) out.push({ volumeRestoreRequested: { name, backup: target } });
  if (r.restored === target) out.push({ volumeActivated: { name, backup: target } });
  else out.push({ volumeActivationRequested: { name } });
  return out;
}

// ---- nodes and disks -------------------------------------------------------------------------

export interface UpdateNode {
  nodeId: string;
  allowScheduling?: boolean | undefined;
  evictionRequested?: boolean | undefined;
  tags?: string[] | undefined;
  cordoned?: boolean | undefined;
}

export function updateNode(state: ClusterState, r: UpdateNode): EventDraft[] {
  const n = requireNode(state, r.nodeId);
  const next = {
    nodeId: n.id,
    allowScheduling: r.allowScheduling ?? n.allowScheduling,
    evictionRequested: r.evictionRequested ?? n.evictionRequested,
    tags: r.tags !== undefined ? checkTags('tags', r.tags) : n.tags,
    cordoned: r.cordoned ?? n.cordoned,
  };
  if (
    next.allowScheduling === n.allowScheduling &&
    next.evictionRequested === n.evictionRequested &&
    next.cordoned === n.cordoned &&
    JSON.stringify(next.tags) === JSON.stringify(n.tags)
  )
    return [];
  return [{ nodeUpdated: next }];
}

export interface AddDisk {
  nodeId: string;
  path: string;
  diskId: string;
  tags: string[];
  storageReserved: number;
  storageMaximum: number;
  storageAvailable: number;
}

/** A disk id from its path: the last path element, made a valid name. */
export function diskIdFromPath(path: string): string {
  const base = path.replace(/\/+$/, '').split('/').pop() ?? '';
  const id = base
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, '');
  return id || 'disk';
}

export function addDisk(state: ClusterState, r: AddDisk): EventDraft[] {
  const n = requireNode(state, r.nodeId);
  checkDiskPath('path', r.path);
  const diskId = r.diskId || diskIdFromPath(r.path);
  checkName('diskId', diskId);
  const tags = checkTags('tags', r.tags);
  if (r.storageReserved < 0)
    throw CommandError.invalid(`storageReserved must not be negative, got ${r.storageReserved}`);
  if (r.storageMaximum < 0 || r.storageAvailable < 0)
    throw CommandError.invalid('storage figures must not be negative');
  if (r.storageMaximum > 0 && r.storageReserved > r.storageMaximum) {
    throw CommandError.invalid(
      `storageReserved ${r.storageReserved} is larger than the disk (${r.storageMaximum} bytes)`,
    );
  }
  const existing = n.disks.get(diskId);
  if (existing) {
    if (existing.path === r.path) return [];
    throw CommandError.exists(`disk "${diskId}" already exists on node "${n.id}" at ${existing.path}`);
  }
  for (const d of n.disks.values()) {
    if (d.path === r.path) throw CommandError.exists(`path ${r.path} is already disk "${d.id}" on node "${n.id}"`);
  }
  return [
    {
      diskAdded: {
        nodeId: n.id,
        diskId,
        path: r.path,
        tags,
        allowScheduling: true,
        storageMaximum: r.storageMaximum,
        storageAvailable: r.storageAvailable || r.storageMaximum,
        storageReserved: r.storageReserved,
      },
    },
  ];
}

export interface UpdateDisk {
  nodeId: string;
  diskId: string;
  tags?: string[] | undefined;
  allowScheduling?: boolean | undefined;
  evictionRequested?: boolean | undefined;
  storageReserved?: number | undefined;
}

export function updateDisk(state: ClusterState, r: UpdateDisk): EventDraft[] {
  const d = requireDisk(state, r.nodeId, r.diskId);
  const reserved = r.storageReserved ?? d.storageReserved;
  if (reserved < 0) throw CommandError.invalid(`storageReserved must not be negative, got ${reserved}`);
  if (d.storageMaximum > 0 && reserved > d.storageMaximum) {
    throw CommandError.invalid(`storageReserved ${reserved} is larger than the disk (${d.storageMaximum} bytes)`);
  }
  const next = {
    nodeId: d.nodeId,
    diskId: d.id,
    tags: r.tags !== undefined ? checkTags('tags', r.tags) : d.tags,
    allowScheduling: r.allowScheduling ?? d.allowScheduling,
    evictionRequested: r.evictionRequested ?? d.evictionRequested,
    storageReserved: reserved,
    storageMaximum: d.storageMaximum,
    storageAvailable: d.storageAvailable,
  };
  if (
    JSON.stringify(next.tags) === JSON.stringify(d.tags) &&
    next.allowScheduling === d.allowScheduling &&
    next.evictionRequested === d.evictionRequested &&
    next.storageReserved === d.storageReserved
  )
    return [];
  return [{ diskUpdated: next }];
}

export function removeDisk(state: ClusterState, nodeId: string, diskId: string): EventDraft[] {
  const n = requireNode(state, nodeId);
  if (!diskId) throw CommandError.invalid('diskId is required');
  if (!n.disks.has(diskId)) return [];
  let count = 0;
  for (const r of state.replicas.values()) if (r.nodeId === nodeId && r.diskId === diskId) count++;
  if (count > 0) {
    throw CommandError.precondition(
      `disk "${diskId}" on node "${nodeId}" holds ${count} replica(s): evict them first (disk update --evict true)`,
    );
  }
  return [{ diskRemoved: { nodeId, diskId } }];
}

// ---- settings and snapshots -------------------------------------------------------------------

export function updateSettings(state: ClusterState, values: Record<string, string>): EventDraft[] {
  if (Object.keys(values).length === 0) throw CommandError.invalid('values: give at least one setting');
  let parsed;
  try {
    parsed = parseSettings(values);
  } catch (e) {
    if (e instanceof InvalidSettingError) throw CommandError.invalid(e.message);
    throw e;
  }
  const changed: Record<string, string> = {};
  for (const [k, v] of Object.entries(parsed)) {
    if (state.settings[k as keyof typeof state.settings] !== v) changed[k] = String(v);
  }
  return Object.keys(changed).length ? [{ settingsChanged: { values: changed } }] : [];
}

export function createSnapshot(state: ClusterState, volume: string, name: string): EventDraft[] {
  const v = requireVolume(state, volume);
  const snap = name || `snap-${state.seq + 1}`;
  checkName('name', snap);
  if (v.snapshots.has(snap)) return [];
  // Its replicas hold only part of its data until the copy completes: a snapshot now would freeze that.
  if (v.dataSource && !v.dataSource.copied) {
    throw CommandError.precondition(
      `volume "${volume}" is still copying its data source (${v.dataSource.uri}): snapshot it once the copy is complete`,
    );
  }
  // The same for a volume still restoring a backup (or following backups: standby): its replicas
  // hold part of one, which a snapshot would freeze as if it were the volume's data.
  const restoring = restoreBlocksAttach(v);
  if (restoring) throw CommandError.precondition(`${restoring}; a snapshot would hold a restore part way`);
  return [{ snapshotCreated: { volume, name: snap, size: v.spec.size } }];
}

export function deleteSnapshot(state: ClusterState, volume: string, name: string): EventDraft[] {
  const v = requireVolume(state, volume);
  if (!name) throw CommandError.invalid('name is required');
  if (!v.snapshots.has(name)) return [];
  refuseWhileNeeded(state, `snapshot "${name}" of volume "${volume}"`, volume, name);
  return [{ snapshotDeleted: { volume, name } }];
}

// ---- salvage ---------------------------------------------------------------------------------

/**
 * `cairn volume salvage NAME [--replica ID]`: a faulted volume comes back from the replicas with
 * the newest data (or from the one named), as the nodes reported their figures. Unlike
 * auto-salvage it does not wait for a node that never reported: the person asking decides.
 */
export function salvageVolume(
  state: ClusterState,
  name: string,
  replicaId: string,
  figures: (replicaId: string) => ObservedFigures | undefined,
): EventDraft[] {
  requireVolume(state, name);
  const c = chooseSalvage(state, name, figures, { replicaId, auto: false });
  if (c.ok) return [salvageDraft(c)];
  switch (c.refusal) {
    case SalvageRefusal.ReplicaNotOfVolume:
      throw CommandError.invalid(c.detail);
    default:
      throw CommandError.precondition(c.detail);
  }
}
