// The Node service's decisions, with no I/O: what a request asks for (validated, with the spec's
// codes), what to do given what is already staged or published, how to split mkfsParams, how to
// read /proc/self/mountinfo and what a NodeExpandVolume can achieve. node.ts applies them with the
// wrappers in node-os.ts; node-plan.test.ts covers them without a kernel.
import { createHash } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import { CsiError, invalid } from './errors.js';
import { PUBLISH_CONTEXT } from './contract.js';
import type { VolumeCapability__Output } from './types.js';

export const DEFAULT_FS_TYPE = 'ext4';
/** Filesystems NodeStageVolume makes and NodeExpandVolume grows. */
export const FS_TYPES = ['ext4', 'ext3', 'ext2', 'xfs'] as const;

export const failedPrecondition = (m: string): CsiError => new CsiError(grpc.status.FAILED_PRECONDITION, m);
export const alreadyExists = (m: string): CsiError => new CsiError(grpc.status.ALREADY_EXISTS, m);
export const outOfRange = (m: string): CsiError => new CsiError(grpc.status.OUT_OF_RANGE, m);
export const aborted = (m: string): CsiError => new CsiError(grpc.status.ABORTED, m);
/** The volume's NBD export cannot be reached (not served yet, or gone): the CO retries. */
export const unavailable = (m: string): CsiError => new CsiError(grpc.status.UNAVAILABLE, m);

/** How a staged volume is used: a filesystem (made if missing) or the raw block device. */
export type Access =
  | { kind: 'mount'; fsType: string; mountFlags: string[]; mkfsParams: string[] }
  | { kind: 'block' };

export interface StageRequest {
  volumeId: string;
  stagingPath: string;
  nbdUrl: string;
  access: Access;
  accessMode: string;
}

const READ_ONLY_MODES = new Set(['SINGLE_NODE_READER_ONLY', 'MULTI_NODE_READER_ONLY']);
const KNOWN_MODES = new Set([
  'SINGLE_NODE_WRITER', 'SINGLE_NODE_READER_ONLY', 'MULTI_NODE_READER_ONLY', 'MULTI_NODE_SINGLE_WRITER',
  'MULTI_NODE_MULTI_WRITER', 'SINGLE_NODE_SINGLE_WRITER', 'SINGLE_NODE_MULTI_WRITER',
]);

export function isReadOnlyMode(mode: string): boolean {
  return READ_ONLY_MODES.has(mode);
}

function required(value: string | undefined, field: string): string {
  if (!value) throw invalid(`${field} is required`);
  return value;
}

/** The CSI spec's size limit for a string field such as volume_id. */
export const MAX_ID_BYTES = 128;

/**
 * A volume_id: required and at most 128 bytes (the spec's limit). It names the stage record's
 * file, so a longer one would fail as ENAMETOOLONG (an internal error) instead of bad input.
 */
function volumeIdOf(value: string | undefined): string {
  const v = required(value, 'volume_id');
  if (Buffer.byteLength(v) > MAX_ID_BYTES) throw invalid(`volume_id must be at most ${MAX_ID_BYTES} bytes, got ${Buffer.byteLength(v)}`);
  // Control characters (NUL above all) cannot be part of the paths and records a stage makes;
  // the spec's ids are printable (cairn's are volume names).
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(v)) throw invalid(`volume_id must not contain control characters, got ${JSON.stringify(v)}`);
  return v;
}

function absolute(value: string | undefined, field: string): string {
  const v = required(value, field);
  if (!v.startsWith('/')) throw invalid(`${field} must be an absolute path, got ${JSON.stringify(v)}`);
  return v;
}

/** The access type and mode of a capability; null capability -> INVALID_ARGUMENT naming `field`. */
export function parseCapability(
  cap: VolumeCapability__Output | null | undefined, field: string, ctx: Record<string, string> = {},
): { access: Access; accessMode: string } {
  if (!cap) throw invalid(`${field} is required`);
  const mode = String(cap.accessMode?.mode ?? 'UNKNOWN');
  if (!KNOWN_MODES.has(mode)) throw invalid(`${field}.access_mode is required (got ${mode})`);
  if (cap.block) return { access: { kind: 'block' }, accessMode: mode };
  if (cap.mount) {
    const fsType = cap.mount.fsType || ctx[PUBLISH_CONTEXT.fsType] || DEFAULT_FS_TYPE;
    if (!(FS_TYPES as readonly string[]).includes(fsType)) {
      throw invalid(`${field}.mount.fs_type ${JSON.stringify(fsType)} is not supported (one of ${FS_TYPES.join(', ')})`);
    }
    const params = ctx[PUBLISH_CONTEXT.mkfsParams] ?? '';
    let mkfsParams: string[];
    try {
      mkfsParams = splitShellWords(params);
    } catch (e) {
      throw invalid(`mkfsParams: ${(e as Error).message}`);
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
  const nbdUrl = required(r.publishContext[PUBLISH_CONTEXT.nbdUrl], `publish_context.${PUBLISH_CONTEXT.nbdUrl}`);
  if (!/^nbds?(\+unix)?:\/\//.test(nbdUrl)) throw invalid(`publish_context.${PUBLISH_CONTEXT.nbdUrl} must be an nbd:// URL, got ${JSON.stringify(nbdUrl)}`);
  if (!URL.canParse(nbdUrl)) throw invalid(`publish_context.${PUBLISH_CONTEXT.nbdUrl} is not a valid URL: ${JSON.stringify(nbdUrl)}`);
  return { volumeId, stagingPath, nbdUrl, access, accessMode };
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
  volumeId: string; stagingTargetPath: string; targetPath: string; readonly: boolean;
  volumeCapability: VolumeCapability__Output | null; publishContext: Record<string, string>; volumeContext: Record<string, string>;
}): PublishRequest {
  const volumeId = volumeIdOf(r.volumeId);
  const targetPath = absolute(r.targetPath, 'target_path');
  const { access, accessMode } = parseCapability(r.volumeCapability, 'volume_capability', { ...r.volumeContext, ...r.publishContext });
  // The spec: STAGE_UNSTAGE_VOLUME is set but no staging_target_path -> FAILED_PRECONDITION.
  if (!r.stagingTargetPath) throw failedPrecondition('staging_target_path is required (this plugin has STAGE_UNSTAGE_VOLUME)');
  const stagingPath = absolute(r.stagingTargetPath, 'staging_target_path');
  // Publishing onto the staging mount (or inside it) would stack the volume on itself, and the
  // unstage would then wait for ever for that publish to go (found by the fuzz pass, seed
  // 1687821603: the volume could never be unstaged).
  const trim = (p: string): string => p.replace(/\/+$/, '') || '/';
  if (trim(targetPath) === trim(stagingPath) || trim(targetPath).startsWith(`${trim(stagingPath)}/`)) {
    throw invalid(`target_path ${targetPath} must lie outside staging_target_path ${stagingPath}`);
  }
  return { volumeId, stagingPath, targetPath, readonly: r.readonly || isReadOnlyMode(accessMode), access, accessMode };
}

export function parseVolumeAndPath(volumeId: string, path: string, pathField: string): { volumeId: string; path: string } {
  return { volumeId: volumeIdOf(volumeId), path: absolute(path, pathField) };
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
  /** Published target paths; a read-only block publish has its own read-only loop device. */
  publishes: Record<string, { readonly: boolean; device?: string }>;
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
    throw alreadyExists(`volume ${req.volumeId} is staged at ${rec.stagingPath} with an incompatible capability (${describeAccess(rec.access)}, asked ${describeAccess(req.access)})`);
  }
  if (rec.nbdUrl !== req.nbdUrl) {
    throw alreadyExists(`volume ${req.volumeId} is staged from ${rec.nbdUrl}, not ${req.nbdUrl}`);
  }
  return 'ensure';
}

export function describeAccess(a: Access): string {
  return a.kind === 'block' ? 'block' : `mount ${a.fsType}${a.mountFlags.length ? ` -o ${a.mountFlags.join(',')}` : ''}`;
}

/** NodePublishVolume against the stage record: NOT_FOUND / FAILED_PRECONDITION / ALREADY_EXISTS, or what to do. */
export function publishDecision(rec: StageRecord | null, req: PublishRequest): 'publish' | 'ensure' {
  if (!rec) throw new CsiError(grpc.status.NOT_FOUND, `volume ${req.volumeId} is not staged on this node`);
  if (rec.stagingPath !== req.stagingPath) {
    throw failedPrecondition(`volume ${req.volumeId} is staged at ${rec.stagingPath}, not ${req.stagingPath}`);
  }
  if (rec.access.kind !== req.access.kind) {
    throw failedPrecondition(`volume ${req.volumeId} is staged as ${describeAccess(rec.access)}, cannot publish it as ${req.access.kind}`);
  }
  if (!rec.device) throw failedPrecondition(`volume ${req.volumeId} is not fully staged (no device yet): stage it again`);
  const existing = rec.publishes[req.targetPath];
  if (existing) {
    if (existing.readonly !== req.readonly) {
      throw alreadyExists(`volume ${req.volumeId} is published at ${req.targetPath} ${existing.readonly ? 'read-only' : 'read-write'}, asked ${req.readonly ? 'read-only' : 'read-write'}`);
    }
    return 'ensure';
  }
  if (req.accessMode === 'SINGLE_NODE_SINGLE_WRITER' && !req.readonly) {
    const writer = Object.entries(rec.publishes).find(([, p]) => !p.readonly);
    if (writer) throw failedPrecondition(`volume ${req.volumeId} is SINGLE_NODE_SINGLE_WRITER and already published read-write at ${writer[0]}`);
  }
  return 'publish';
}

/**
 * NodeExpandVolume, given the device, the export and whether anything is published:
 * - 'fs': the device already has the size; only the filesystem needs to grow (a no-op when it has);
 * - 'reattach': the device must be made again to see the export's new size (nbdfuse and the kernel
 *   nbd client both fix the size when they connect), which needs the volume unpublished;
 * - FAILED_PRECONDITION when it is published (the spec's "volume in use"), OUT_OF_RANGE when the
 *   export itself is smaller than required (ControllerExpandVolume has not grown it).
 */
export function expandDecision(o: { volumeId: string; deviceBytes: number; exportBytes: number; requiredBytes: number; published: string[] }): 'fs' | 'reattach' {
  if (o.requiredBytes > o.exportBytes) {
    throw outOfRange(`volume ${o.volumeId}: its export is ${o.exportBytes} bytes, less than the ${o.requiredBytes} required (expand it with ControllerExpandVolume first)`);
  }
  if (o.deviceBytes >= o.exportBytes) return 'fs';
  if (o.published.length) {
    throw failedPrecondition(`volume ${o.volumeId} is published at ${o.published.join(', ')}: its device (nbdfuse + loop) keeps the ${o.deviceBytes}-byte size it connected with and cannot grow while the filesystem is in use; unpublish it, then NodeExpandVolume grows it (offline expansion)`);
  }
  return 'reattach';
}

/**
 * Options of the staging mount: the capability's mount_flags, `ro` for reader-only access modes,
 * and for xfs `nouuid` (a clone from a snapshot has its source's UUID, and xfs refuses to mount
 * two filesystems with one UUID on a node).
 */
export function stagingMountOptions(access: Access, accessMode: string): string[] {
  if (access.kind !== 'mount') return [];
  const out = [...(isReadOnlyMode(accessMode) ? ['ro'] : []), ...access.mountFlags];
  if (access.fsType === 'xfs' && !out.includes('nouuid')) out.push('nouuid');
  return out;
}

/** The program and arguments that make a filesystem of `fsType` on `device`. */
export function mkfsCommand(fsType: string, mkfsParams: string[], device: string): [string, string[]] {
  const quiet = fsType === 'xfs' ? ['-q'] : ['-q', '-F'];
  return [`mkfs.${fsType}`, [...quiet, ...mkfsParams, device]];
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
  return [['e2fsck', ['-f', '-p', device]], ['resize2fs', [device]]];
}

/** e2fsck's exit status: below 4 the filesystem is consistent (0 clean, 1 fixed, 2 fixed and reboot). */
export function fsckOk(code: number): boolean {
  return code >= 0 && code < 4;
}

/** How blkid's probe of a device decides what stage does: make a filesystem, use it, or refuse. */
export function formatDecision(found: { type?: string; ptType?: string }, fsType: string, device: string): 'mkfs' | 'use' {
  if (found.type) {
    if (found.type !== fsType) throw failedPrecondition(`${device} already has a ${found.type} filesystem; the capability asks for ${fsType}`);
    return 'use';
  }
  if (found.ptType) throw failedPrecondition(`${device} has a ${found.ptType} partition table and no filesystem: not formatting it`);
  return 'mkfs';
}

/** `blkid -p -o export` output as a map. */
export function parseBlkid(out: string): { type?: string; ptType?: string } {
  const kv = Object.fromEntries(out.split('\n').map((l) => l.split('=')).filter((p) => p.length >= 2).map(([k, ...v]) => [k!, v.join('=')]));
  const r: { type?: string; ptType?: string } = {};
  if (kv['TYPE']) r.type = kv['TYPE'];
  if (kv['PTTYPE']) r.ptType = kv['PTTYPE'];
  return r;
}

/**
 * Splits mkfsParams the way a POSIX shell splits words: whitespace separates, '…' is literal,
 * "…" allows \" \\ \$ \`, a backslash outside quotes escapes the next character. No expansion.
 */
export function splitShellWords(s: string): string[] {
  const words: string[] = [];
  let cur = '';
  let inWord = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === "'") {
      const end = s.indexOf("'", i + 1);
      if (end < 0) throw new Error(`unterminated ' in ${JSON.stringify(s)}`);
      cur += s.slice(i + 1, end);
      i = end;
      inWord = true;
    } else if (c === '"') {
      let j = i + 1;
      for (; j < s.length && s[j] !== '"'; j++) {
        if (s[j] === '\\' && j + 1 < s.length && '"\\$`'.includes(s[j + 1]!)) j++;
        cur += s[j];
      }
      if (j >= s.length) throw new Error(`unterminated " in ${JSON.stringify(s)}`);
      i = j;
      inWord = true;
    } else if (c === '\\') {
      if (i + 1 >= s.length) throw new Error(`trailing backslash in ${JSON.stringify(s)}`);
      cur += s[++i];
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(cur);
      cur = '';
      inWord = false;
    } else {
      cur += c;
      inWord = true;
    }
  }
  if (inWord) words.push(cur);
  return words;
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

const unescapeMount = (s: string): string => s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));

/** /proc/self/mountinfo, one entry per line (see proc(5)). */
export function parseMountInfo(text: string): MountEntry[] {
  const out: MountEntry[] = [];
  for (const line of text.split('\n')) {
    if (!line) continue;
    const f = line.split(' ');
    const sep = f.indexOf('-');
    if (sep < 6 || f.length < sep + 3) continue;
    out.push({
      dev: f[2]!, root: unescapeMount(f[3]!), mountPoint: unescapeMount(f[4]!), options: f[5]!.split(','),
      fsType: f[sep + 1]!, source: unescapeMount(f[sep + 2]!),
    });
  }
  return out;
}

/** The topmost mount at `path` (the last in mountinfo order), or null. */
export function mountAt(entries: MountEntry[], path: string): MountEntry | null {
  let found: MountEntry | null = null;
  for (const e of entries) if (e.mountPoint === path) found = e;
  return found;
}

/** VolumeUsage list from statfs numbers (filesystem) or the device size (block). */
export function usageOf(s: { kind: 'mount'; bsize: number; blocks: number; bfree: number; bavail: number; files: number; ffree: number } | { kind: 'block'; bytes: number }) {
  if (s.kind === 'block') return [{ unit: 'BYTES' as const, total: s.bytes }];
  return [
    { unit: 'BYTES' as const, total: s.blocks * s.bsize, available: s.bavail * s.bsize, used: (s.blocks - s.bfree) * s.bsize },
    { unit: 'INODES' as const, total: s.files, available: s.ffree, used: s.files - s.ffree },
  ];
}

/**
 * File name of a volume's record: ids are opaque strings, so encode them. Encoding can triple an
 * id's length (128 bytes of '.' are 384 characters), past the 255 a file name may have: an
 * encoding longer than 200 characters is shortened and made unique with the id's hash (such ids
 * could never be recorded before, so no existing record changes its name).
 */
export function recordFileName(volumeId: string): string {
  const encoded = encodeURIComponent(volumeId).replace(/\./g, '%2E');
  if (encoded.length <= 200) return `${encoded}.json`;
  return `${encoded.slice(0, 120).replace(/%[0-9A-F]?$/, '')}~${createHash('sha256').update(volumeId).digest('hex').slice(0, 32)}.json`;
}
