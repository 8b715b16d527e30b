// The Node service's decisions, with no I/O: what a request asks for (validated, with the spec's
// codes), what to do given what is already staged or published, how to split and check mkfsParams (mkfs-params.ts), how to
// read /proc/self/mountinfo and what a NodeExpandVolume can achieve. node.ts applies them with the
// wrappers in node-os.ts; node-plan.test.ts covers them without a kernel.
import { createHash } from 'node:crypto';
import { DEFAULT_FS_TYPE, isOneOf, STAGED_FS_TYPES } from '@cairn/schema';
import { alreadyExists, failedPrecondition, invalid, notFound, outOfRange, required } from './errors.js';
import { hasControlCharacters, MAX_CSI_STRING_BYTES, PUBLISH_CONTEXT } from './contract.js';
import { ACCESS_MODES } from './controller-params.js';
import { checkMkfsParams } from './mkfs-params.js';
import type { VolumeCapability__Output } from './types.js';

export { checkMkfsParams, splitShellWords } from './mkfs-params.js';

/** How a staged volume is used: a filesystem (made if missing) or the raw block device. */
export type Access = { kind: 'mount'; fsType: string; mountFlags: string[]; mkfsParams: string[] } | { kind: 'block' };

export interface StageRequest {
  volumeId: string;
  stagingPath: string;
  nbdUrl: string;
  access: Access;
  accessMode: string;
  /** ControllerPublishVolume was asked for a read-only publish (publish_context.readonly). */
  readonly: boolean;
}

const READ_ONLY_MODES = new Set(['SINGLE_NODE_READER_ONLY', 'MULTI_NODE_READER_ONLY']);
const KNOWN_MODES = new Set([
  'SINGLE_NODE_WRITER',
  'SINGLE_NODE_READER_ONLY',
  'MULTI_NODE_READER_ONLY',
  'MULTI_NODE_SINGLE_WRITER',
  'MULTI_NODE_MULTI_WRITER',
  'SINGLE_NODE_SINGLE_WRITER',
  'SINGLE_NODE_MULTI_WRITER',
]);
/** The modes cairn serves (the controller's list): a volume's engine runs on one node at a time. */
const SERVED_MODES: ReadonlySet<string> = new Set(ACCESS_MODES);

export function isReadOnlyMode(mode: string): boolean {
  return READ_ONLY_MODES.has(mode);
}

/** publish_context.readonly: the controller published the volume read-only, so the node keeps it so. */
function controllerReadOnly(publishContext: Record<string, string>): boolean {
  return publishContext[PUBLISH_CONTEXT.readonly] === 'true';
}

/**
 * A volume_id: required and at most 128 bytes (the spec's limit). It names the stage record's
 * file, so a longer one would fail as ENAMETOOLONG (an internal error) instead of bad input.
 */
function volumeIdOf(value: string | undefined): string {
  const v = required('volume_id', value);
  if (Buffer.byteLength(v) > MAX_CSI_STRING_BYTES)
    throw invalid(`volume_id must be at most ${MAX_CSI_STRING_BYTES} bytes, got ${Buffer.byteLength(v)}`);
  // Control characters (NUL above all) cannot be part of the paths and records a stage makes;
  // the spec's ids are printable (cairn's are volume names).
  if (hasControlCharacters(v)) throw invalid(`volume_id must not contain control characters, got ${JSON.stringify(v)}`);
  return v;
}

function absolute(value: string | undefined, field: string): string {
  const v = required(field, value);
  if (!v.startsWith('/')) throw invalid(`${field} must be an absolute path, got ${JSON.stringify(v)}`);
  return v;
}

/** The access type and mode of a capability; null capability -> INVALID_ARGUMENT naming `field`. */
export function parseCapability(
  cap: VolumeCapability__Output | null | undefined,
  field: string,
  ctx: Record<string, string> = {},
): { access: Access; accessMode: string } {
  if (!cap) throw invalid(`${field} is required`);
  const mode = String(cap.accessMode?.mode ?? 'UNKNOWN');
  if (!KNOWN_MODES.has(mode)) throw invalid(`${field}.access_mode is required (got ${mode})`);
  // The spec's "exceeds capabilities": a mode the volume cannot be used with is FAILED_PRECONDITION.
  if (!SERVED_MODES.has(mode)) {
    throw failedPrecondition(
      `${field}.access_mode ${mode} exceeds the volume's capabilities: a cairn volume is used on one node at a time (${ACCESS_MODES.join(', ')})`,
    );
  }
  if (cap.block) return { access: { kind: 'block' }, accessMode: mode };
  if (cap.mount) {
    const fsType = cap.mount.fsType || ctx[PUBLISH_CONTEXT.fsType] || DEFAULT_FS_TYPE;
    if (!isOneOf(STAGED_FS_TYPES, fsType)) {
      throw invalid(
        `${field}.mount.fs_type ${JSON.stringify(fsType)} is not supported (one of ${STAGED_FS_TYPES.join(', ')})`,
      );
    }
    const params = ctx[PUBLISH_CONTEXT.mkfsParams] ?? '';
    let mkfsParams: string[];
    try {
      // Checked again here though the manager refused it at CreateVolume: defence in depth.
      mkfsParams = checkMkfsParams(fsType, params);
    } catch (e) {
      const m = (e as Error).message;
      throw invalid(m.startsWith('mkfsParams') ? m : `mkfsParams: ${m}`);
    }
    return { access: { kind: 'mount', fsType, mountFlags: [...cap.mount.mountFlags], mkfsParams }, accessMode: mode };
  }
  throw invalid(`${field} needs an access type (block or mount)`);
}

export interface StageRequestInput {
  volumeId: string;
  stagingTargetPath: string;
  volumeCapability: VolumeCapability__Output | null;
  publishContext: Record<string, string>;
  volumeContext: Record<string, string>;
}

export function parseStageRequest(r: StageRequestInput): StageRequest {
  const volumeId = volumeIdOf(r.volumeId);
  const stagingPath = absolute(r.stagingTargetPath, 'staging_target_path');
  // publish_context wins over volume_context: it is what the controller set for this attachment.
  const ctx = { ...r.volumeContext, ...r.publishContext };
  const { access, accessMode } = parseCapability(r.volumeCapability, 'volume_capability', ctx);
  const nbdUrl = required(`publish_context.${PUBLISH_CONTEXT.nbdUrl}`, r.publishContext[PUBLISH_CONTEXT.nbdUrl]);
  if (!/^nbds?(\+unix)?:\/\//.test(nbdUrl))
    throw invalid(`publish_context.${PUBLISH_CONTEXT.nbdUrl} must be an nbd:// URL, got ${JSON.stringify(nbdUrl)}`);
  if (!URL.canParse(nbdUrl))
    throw invalid(`publish_context.${PUBLISH_CONTEXT.nbdUrl} is not a valid URL: ${JSON.stringify(nbdUrl)}`);
  // Its host becomes a positional argument of nbd-client (nbd://-d:1/v would run `nbd-client -d`).
  if (new URL(nbdUrl).hostname.startsWith('-'))
    throw invalid(`publish_context.${PUBLISH_CONTEXT.nbdUrl} has a host starting with '-': ${JSON.stringify(nbdUrl)}`);
  // A unix socket URL (the agent's default) must say which socket, as an absolute path.
  if (/^nbds?\+unix:/.test(nbdUrl) && !nbdSocketOf(nbdUrl)) {
    throw invalid(
      `publish_context.${PUBLISH_CONTEXT.nbdUrl} must name its socket as an absolute path (?socket=/...): ${JSON.stringify(nbdUrl)}`,
    );
  }
  return { volumeId, stagingPath, nbdUrl, access, accessMode, readonly: controllerReadOnly(r.publishContext) };
}

export interface PublishRequest {
  volumeId: string;
  stagingPath: string;
  targetPath: string;
  readonly: boolean;
  access: Access;
  accessMode: string;
}

export function parsePublishRequest(r: {
  volumeId: string;
  stagingTargetPath: string;
  targetPath: string;
  readonly: boolean;
  volumeCapability: VolumeCapability__Output | null;
  publishContext: Record<string, string>;
  volumeContext: Record<string, string>;
}): PublishRequest {
  const volumeId = volumeIdOf(r.volumeId);
  const targetPath = absolute(r.targetPath, 'target_path');
  const { access, accessMode } = parseCapability(r.volumeCapability, 'volume_capability', {
    ...r.volumeContext,
    ...r.publishContext,
  });
  // The spec: STAGE_UNSTAGE_VOLUME is set but no staging_target_path -> FAILED_PRECONDITION.
  if (!r.stagingTargetPath)
    throw failedPrecondition('staging_target_path is required (this plugin has STAGE_UNSTAGE_VOLUME)');
  const stagingPath = absolute(r.stagingTargetPath, 'staging_target_path');
  // Publishing onto the staging mount (or inside it) would stack the volume on itself, and the
  // unstage would then wait for ever for that publish to go (found by the fuzz pass, seed
  // 1687821603: the volume could never be unstaged).
  const trim = (p: string): string => p.replace(/\/+$/, '') || '/';
  if (trim(targetPath) === trim(stagingPath) || trim(targetPath).startsWith(`${trim(stagingPath)}/`)) {
    throw invalid(`target_path ${targetPath} must lie outside staging_target_path ${stagingPath}`);
  }
  // Read-only when asked, when the mode is a reader's, or when the controller published it so.
  const readonly = r.readonly || isReadOnlyMode(accessMode) || controllerReadOnly(r.publishContext);
  return { volumeId, stagingPath, targetPath, readonly, access, accessMode };
}

export function parseVolumeAndPath(
  volumeId: string,
  path: string,
  pathField: string,
): { volumeId: string; path: string } {
  return { volumeId: volumeIdOf(volumeId), path: absolute(path, pathField) };
}

/** What NodeGetVolumeStats and NodeExpandVolume name: a volume and a path it should be found at. */
export interface VolumeLookup {
  volumeId: string;
  volumePath: string;
  /** The optional staging_target_path: where the CO says the volume is staged ('' when not said). */
  stagingPath: string;
}

/**
 * volume_id and volume_path of NodeGetVolumeStats / NodeExpandVolume: both required
 * (INVALID_ARGUMENT). A volume_path that is not absolute is not refused here: no volume can be at
 * it, which is the spec's NOT_FOUND ("volume does not exist on the specified volume_path", what
 * csi-sanity asks for "some/path"); `locate` answers that.
 */
export function parseLookup(r: { volumeId: string; volumePath: string; stagingTargetPath: string }): VolumeLookup {
  return {
    volumeId: volumeIdOf(r.volumeId),
    volumePath: required('volume_path', r.volumePath),
    stagingPath: r.stagingTargetPath,
  };
}

/**
 * The stage record of the volume a lookup names, when volume_path is where it is staged or
 * published (and staging_target_path, when given, where it is staged); otherwise NOT_FOUND saying
 * which of those is not so.
 */
export function locate(rec: StageRecord | null, q: VolumeLookup): StageRecord {
  if (!rec) throw notFound(`volume ${q.volumeId} is not staged on this node`);
  if (q.stagingPath && q.stagingPath !== rec.stagingPath) {
    throw notFound(`volume ${q.volumeId} is staged at ${rec.stagingPath}, not at staging_target_path ${q.stagingPath}`);
  }
  // hasOwn: a relative volume_path such as "constructor" must not find Object.prototype's.
  if (q.volumePath !== rec.stagingPath && !Object.hasOwn(rec.publishes, q.volumePath)) {
    throw notFound(
      `volume ${q.volumeId} is not staged or published at volume_path ${q.volumePath} (staged at ${rec.stagingPath}${
        Object.keys(rec.publishes).length ? `, published at ${Object.keys(rec.publishes).join(', ')}` : ''
      })`,
    );
  }
  return rec;
}

/**
 * NodeExpandVolume's optional volume_capability against the staged volume: another access type,
 * or another filesystem, is the spec's "exceeds capabilities" (INVALID_ARGUMENT for this call).
 */
export function expandCapabilityCheck(rec: StageRecord, cap: VolumeCapability__Output | null): void {
  if (!cap) return;
  const { access } = parseCapability(cap, 'volume_capability');
  if (
    access.kind !== rec.access.kind ||
    (access.kind === 'mount' && rec.access.kind === 'mount' && cap.mount?.fsType && access.fsType !== rec.access.fsType)
  ) {
    throw invalid(
      `volume_capability (${describeAccess(access)}) does not match volume ${rec.volumeId} as staged (${describeAccess(rec.access)})`,
    );
  }
}

/** What the node has staged for a volume: stateDir/volumes/<id>.json, so a restarted agent finds it. */
export interface StageRecord {
  volumeId: string;
  stagingPath: string;
  nbdUrl: string;
  access: Access;
  accessMode: string;
  /** How the block device was made; filled in step by step so a half-done stage can be undone. */
  attach: NbdfuseAttach | KernelNbdAttach;
  /** The block device the volume is (a loop device over nbdfuse's file, or /dev/nbdN). */
  device?: string;
  /** Staged for a read-only controller publish (publish_context.readonly): mounted ro. */
  readonly?: boolean;
  /** Published target paths; a read-only block publish has its own read-only loop device. */
  publishes: Record<string, Publish>;
}

/** One NodePublishVolume done: its arguments (to compare a repeat with) and what it made. */
export interface Publish {
  readonly: boolean;
  /** The capability it was published with (absent in records written before it was kept). */
  access?: Access;
  accessMode?: string;
  /** The read-only loop device of a read-only block publish. */
  device?: string;
}

export interface NbdfuseAttach {
  kind: 'nbdfuse';
  /** The FUSE mountpoint nbdfuse serves the export in, as a file named `disk`. */
  fuseDir: string;
  pid?: number;
}

export interface KernelNbdAttach {
  kind: 'nbd';
}

function sameAccess(a: Access, b: Access): boolean {
  if (a.kind !== b.kind) return false;
  if (a.kind === 'block' || b.kind === 'block') return true;
  return a.fsType === b.fsType && a.mountFlags.join(',') === b.mountFlags.join(',');
}

/**
 * NodeStageVolume against what is recorded: nothing -> stage; the same volume, path and
 * capability -> make sure each step is done (a repeat, or a stage cut short by a crash); anything
 * else -> ALREADY_EXISTS (the spec's "volume published but is incompatible").
 */
export function stageDecision(rec: StageRecord | null, req: StageRequest): 'stage' | 'ensure' {
  if (!rec) return 'stage';
  if (rec.stagingPath !== req.stagingPath) {
    throw alreadyExists(`volume ${req.volumeId} is already staged at ${rec.stagingPath}, not ${req.stagingPath}`);
  }
  if (!sameAccess(rec.access, req.access)) {
    throw alreadyExists(
      `volume ${req.volumeId} is staged at ${rec.stagingPath}` +
        ` with an incompatible capability (${describeAccess(rec.access)}, asked ${describeAccess(req.access)})`,
    );
  }
  if (rec.nbdUrl !== req.nbdUrl) {
    throw alreadyExists(`volume ${req.volumeId} is staged from ${rec.nbdUrl}, not ${req.nbdUrl}`);
  }
  if ((rec.readonly ?? false) !== req.readonly) {
    throw alreadyExists(
      `volume ${req.volumeId} is staged ${rec.readonly ? 'read-only' : 'read-write'}` +
        `, asked ${req.readonly ? 'read-only' : 'read-write'} (publish_context.readonly)`,
    );
  }
  return 'ensure';
}

export function describeAccess(a: Access): string {
  return a.kind === 'block'
    ? 'block'
    : `mount ${a.fsType}${a.mountFlags.length ? ` -o ${a.mountFlags.join(',')}` : ''}`;
}

/**
 * NodePublishVolume against the stage record (the spec's tables for a second NodePublishVolume on
 * a node with SINGLE_NODE_MULTI_WRITER advertised):
 * - not staged: NOT_FOUND;
 * - already published at target_path: the same arguments -> 'ensure' (idempotent); another
 *   readonly, capability or staging path -> ALREADY_EXISTS;
 * - another target: staged elsewhere, as another access type, or not fully -> FAILED_PRECONDITION;
 *   SINGLE_NODE_SINGLE_WRITER allows one target, whatever the other's flags -> FAILED_PRECONDITION;
 *   SINGLE_NODE_MULTI_WRITER, SINGLE_NODE_WRITER (as Kubernetes uses it: two pods of a node
 *   sharing a ReadWriteOnce claim) and SINGLE_NODE_READER_ONLY allow more -> 'publish'.
 */
export function publishDecision(rec: StageRecord | null, req: PublishRequest): 'publish' | 'ensure' {
  if (!rec) throw notFound(`volume ${req.volumeId} is not staged on this node`);
  const existing = Object.hasOwn(rec.publishes, req.targetPath) ? rec.publishes[req.targetPath] : undefined;
  if (existing) {
    const was = describePublish(
      rec.stagingPath,
      existing.access ?? rec.access,
      existing.accessMode ?? rec.accessMode,
      existing.readonly,
    );
    const asked = describePublish(req.stagingPath, req.access, req.accessMode, req.readonly);
    if (was !== asked)
      throw alreadyExists(`volume ${req.volumeId} is published at ${req.targetPath} ${was}; asked ${asked}`);
    return 'ensure';
  }
  if (rec.stagingPath !== req.stagingPath) {
    throw failedPrecondition(`volume ${req.volumeId} is staged at ${rec.stagingPath}, not ${req.stagingPath}`);
  }
  if (rec.access.kind !== req.access.kind) {
    throw failedPrecondition(
      `volume ${req.volumeId} is staged as ${describeAccess(rec.access)}, cannot publish it as ${req.access.kind}`,
    );
  }
  if (!rec.device)
    throw failedPrecondition(`volume ${req.volumeId} is not fully staged (no device yet): stage it again`);
  const others = Object.entries(rec.publishes);
  const single = others.find(([, p]) => (p.accessMode ?? rec.accessMode) === 'SINGLE_NODE_SINGLE_WRITER');
  if (others.length && req.accessMode === 'SINGLE_NODE_SINGLE_WRITER') {
    throw failedPrecondition(
      `volume ${req.volumeId} is already published at ${others.map(([t]) => t).join(', ')}: SINGLE_NODE_SINGLE_WRITER allows one target`,
    );
  }
  if (single)
    throw failedPrecondition(
      `volume ${req.volumeId} is published SINGLE_NODE_SINGLE_WRITER at ${single[0]}: no other target is allowed`,
    );
  return 'publish';
}

function describePublish(stagingPath: string, access: Access, accessMode: string, readonly: boolean): string {
  return `${readonly ? 'read-only' : 'read-write'} as ${describeAccess(access)} ${accessMode} from ${stagingPath}`;
}

/**
 * NodeExpandVolume, given the device, the export and whether anything is published:
 * - 'fs': the device already has the size; only the filesystem needs to grow (a no-op when it has);
 * - 'reattach': the device must be made again to see the export's new size (nbdfuse and the kernel
 *   nbd client both fix the size when they connect), which needs the volume unpublished;
 * - FAILED_PRECONDITION when it is published (the spec's "volume in use"), OUT_OF_RANGE when the
 *   export itself is smaller than required (ControllerExpandVolume has not grown it).
 */
export function expandDecision(o: {
  volumeId: string;
  deviceBytes: number;
  exportBytes: number;
  requiredBytes: number;
  limitBytes?: number;
  published: string[];
}): 'fs' | 'reattach' {
  if (o.requiredBytes > o.exportBytes) {
    throw outOfRange(
      `volume ${o.volumeId}: its export is ${o.exportBytes} bytes, less than the ${o.requiredBytes} required (expand it with ControllerExpandVolume first)`,
    );
  }
  // The device takes the export's whole size: a limit below it cannot be kept (volumes only grow).
  if (o.limitBytes && o.limitBytes < o.exportBytes) {
    throw outOfRange(
      `volume ${o.volumeId}: its export is ${o.exportBytes} bytes, more than capacity_range.limit_bytes ${o.limitBytes}`,
    );
  }
  if (o.deviceBytes >= o.exportBytes) return 'fs';
  if (o.published.length) {
    throw failedPrecondition(
      `volume ${o.volumeId} is published at ${o.published.join(', ')}` +
        `: its device (nbdfuse + loop) keeps the ${o.deviceBytes}-byte size it connected with` +
        ` and cannot grow while the filesystem is in use; unpublish it, then NodeExpandVolume grows it (offline expansion)`,
    );
  }
  return 'reattach';
}

/**
 * Options of the staging mount: the capability's mount_flags, `ro` for reader-only access modes
 * and read-only controller publishes, and for xfs `nouuid` (a clone from a snapshot has its source's UUID, and xfs refuses to mount
 * two filesystems with one UUID on a node).
 */
export function stagingMountOptions(access: Access, accessMode: string, readonly = false): string[] {
  if (access.kind !== 'mount') return [];
  const out = [...(readonly || isReadOnlyMode(accessMode) ? ['ro'] : []), ...access.mountFlags];
  if (access.fsType === 'xfs' && !out.includes('nouuid')) out.push('nouuid');
  return out;
}

/** The program and arguments that make a filesystem of `fsType` on `device`. */
export function mkfsCommand(fsType: string, mkfsParams: string[], device: string): [string, string[]] {
  const quiet = fsType === 'xfs' ? ['-q'] : ['-q', '-F'];
  return [`mkfs.${fsType}`, [...quiet, ...mkfsParams, device]];
}

/**
 * The unix socket of an nbd+unix:// (or nbds+unix://) URL: its `socket` query parameter when it
 * is an absolute path, else undefined (also for TCP URLs).
 */
export function nbdSocketOf(url: string): string | undefined {
  if (!/^nbds?\+unix:/.test(url) || !URL.canParse(url)) return undefined;
  const socket = new URL(url).searchParams.get('socket');
  return socket && socket.startsWith('/') ? socket : undefined;
}

/**
 * nbd-client's arguments to connect `device` to nbd://host:port/name, or to nbd+unix:///name?socket=PATH
 * (`-unix PATH`). The host and port are positional, so a host (or port) starting with '-' would be
 * read as an option: refused here too, not only where the request is parsed; a socket path is
 * absolute. The export name is the value of -name, never an option.
 */
export function nbdClientArgs(url: string, device: string): string[] {
  const u = new URL(url);
  if (!device.startsWith('/')) throw invalid(`nbd device ${JSON.stringify(device)} must be an absolute path`);
  const name = decodeURIComponent(u.pathname.replace(/^\//, ''));
  const rest = [device, ...(name ? ['-name', name] : []), '-block-size', '4096', '-connections', '4'];
  if (/^nbds?\+unix:/.test(url)) {
    const socket = nbdSocketOf(url);
    if (!socket) throw invalid(`nbd URL ${JSON.stringify(url)}: the socket must be an absolute path`);
    return ['-unix', socket, ...rest];
  }
  if (!u.hostname || u.hostname.startsWith('-'))
    throw invalid(
      `nbd URL ${JSON.stringify(url)}: the host must be a name or address, not ${JSON.stringify(u.hostname)}`,
    );
  return [u.hostname, u.port || '10809', ...rest];
}

/** The command that grows a mounted filesystem to its device's size. */
export function growFsCommand(fsType: string, device: string, mountPath: string): [string, string[]] {
  if (fsType === 'xfs') return ['xfs_growfs', [mountPath]];
  if (fsType.startsWith('ext')) return ['resize2fs', [device]];
  throw failedPrecondition(`cannot grow a ${fsType} filesystem`);
}

/**
 * The commands that grow an unmounted filesystem (ext2/3/4: a forced check first, as resize2fs
 * requires), or null when it can only be grown mounted (xfs). Offline growth is the fallback when
 * online growth is refused: ext4's online resize needs CAP_SYS_RESOURCE, which a container (or
 * this CI machine) may lack, while offline resize2fs only writes to the device.
 */
export function offlineGrowCommands(fsType: string, device: string): [string, string[]][] | null {
  if (!fsType.startsWith('ext')) return null;
  return [
    ['e2fsck', ['-f', '-p', device]],
    ['resize2fs', [device]],
  ];
}

/** e2fsck's exit status: below 4 the filesystem is consistent (0 clean, 1 fixed, 2 fixed and reboot). */
export function fsckOk(code: number): boolean {
  return code >= 0 && code < 4;
}

/** How blkid's probe of a device decides what stage does: make a filesystem, use it, or refuse. */
export function formatDecision(
  found: { type?: string; ptType?: string },
  fsType: string,
  device: string,
): 'mkfs' | 'use' {
  if (found.type) {
    if (found.type !== fsType)
      throw failedPrecondition(`${device} already has a ${found.type} filesystem; the capability asks for ${fsType}`);
    return 'use';
  }
  if (found.ptType)
    throw failedPrecondition(`${device} has a ${found.ptType} partition table and no filesystem: not formatting it`);
  return 'mkfs';
}

/** `blkid -p -o export` output as a map. */
export function parseBlkid(out: string): { type?: string; ptType?: string } {
  const kv = Object.fromEntries(
    out
      .split('\n')
      .map((l) => l.split('='))
      .filter((p) => p.length >= 2)
      .map(([k, ...v]) => [k!, v.join('=')]),
  );
  const r: { type?: string; ptType?: string } = {};
  if (kv['TYPE']) r.type = kv['TYPE'];
  if (kv['PTTYPE']) r.ptType = kv['PTTYPE'];
  return r;
}

export interface MountEntry {
  mountPoint: string;
  /** The mount's root within its filesystem (/ unless a bind of a subdirectory). */
  root: string;
  fsType: string;
  source: string;
  /** Per-mount options (rw/ro, nosuid, …). */
  options: string[];
  /** major:minor of the filesystem's device. */
  dev: string;
}

const unescapeMount = (s: string): string =>
  s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));

/** /proc/self/mountinfo, one entry per line (see proc(5)). */
export function parseMountInfo(text: string): MountEntry[] {
  const out: MountEntry[] = [];
  for (const line of text.split('\n')) {
    if (!line) continue;
    const f = line.split(' ');
    const sep = f.indexOf('-');
    if (sep < 6 || f.length < sep + 3) continue;
    out.push({
      dev: f[2]!,
      root: unescapeMount(f[3]!),
      mountPoint: unescapeMount(f[4]!),
      options: f[5]!.split(','),
      fsType: f[sep + 1]!,
      source: unescapeMount(f[sep + 2]!),
    });
  }
  return out;
}

/**
 * Whether a mount found at a target path is this volume's publish: for a filesystem a bind of the
 * staging mount (the same device numbers, major:minor), for a block volume a bind of its device
 * node (the mount's root is the node's path in /dev, e.g. /loop3). Anything else there belongs to
 * someone else and is not taken for a publish done before.
 */
export function isPublishMount(
  entry: MountEntry,
  of: { stagingMount: MountEntry | null } | { device: string },
): boolean {
  if ('device' in of) return entry.root === `/${of.device.replace(/^\/dev\//, '')}`;
  return of.stagingMount !== null && entry.dev === of.stagingMount.dev;
}

/** The topmost mount at `path` (the last in mountinfo order), or null. */
export function mountAt(entries: MountEntry[], path: string): MountEntry | null {
  let found: MountEntry | null = null;
  for (const e of entries) if (e.mountPoint === path) found = e;
  return found;
}

/** VolumeUsage list from statfs numbers (filesystem) or the device size (block). */
export function usageOf(
  s:
    | { kind: 'mount'; bsize: number; blocks: number; bfree: number; bavail: number; files: number; ffree: number }
    | { kind: 'block'; bytes: number },
) {
  if (s.kind === 'block') return [{ unit: 'BYTES' as const, total: s.bytes }];
  return [
    {
      unit: 'BYTES' as const,
      total: s.blocks * s.bsize,
      available: s.bavail * s.bsize,
      used: (s.blocks - s.bfree) * s.bsize,
    },
    { unit: 'INODES' as const, total: s.files, available: s.ffree, used: s.files - s.ffree },
  ];
}

/** Longest encoded id used whole as a record's name, and the part of a longer one kept beside its hash. */
const MAX_WHOLE_RECORD_NAME = 200;
const KEPT_RECORD_NAME_PREFIX = 120;

/**
 * File name of a volume's record: ids are opaque strings, so encode them. Encoding can triple an
 * id's length (128 bytes of '.' are 384 characters), past the 255 a file name may have: a longer
 * encoding than MAX_WHOLE_RECORD_NAME is shortened and made unique with the id's hash (such ids
 * could never be recorded before, so no existing record changes its name).
 */
export function recordFileName(volumeId: string): string {
  const encoded = encodeURIComponent(volumeId).replace(/\./g, '%2E');
  if (encoded.length <= MAX_WHOLE_RECORD_NAME) return `${encoded}.json`;
  const kept = encoded.slice(0, KEPT_RECORD_NAME_PREFIX).replace(/%[0-9A-F]?$/, '');
  return `${kept}~${createHash('sha256').update(volumeId).digest('hex').slice(0, 32)}.json`;
}
