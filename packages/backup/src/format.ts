// What is stored: the backup config (a JSON file naming every non-zero 2 MiB block by offset and
// checksum) and the blocks, named by the sha256 of their uncompressed bytes. A block object is the
// gzip (level 1) of the block, or, when the block does not compress (its first 64 KiB gain under
// 5% at level 1: random or already compressed data), the block's bytes as they are: zlib would
// only copy them, and that copy and its CRC were most of a restore's CPU. No flag says which:
// an object that starts with gzip's magic bytes is gunzipped, and the checksum decides (a raw
// block that happens to start with those bytes fails to gunzip or to match, and is then taken as
// it is, and must match). Readers refuse a config of a newer Version than they know.
// Version 2 adds a block entry's Chain (delta.ts: a block rebuilt from a base block and deltas);
// a version-1 config (every entry a whole block) reads as it is.
import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { deflateRawSync, gunzip, gzip } from 'node:zlib';
import { BackupError } from './errors.js';
import { isChecksum } from './layout.js';

/** Bytes per backup block (Longhorn's 2 MiB). A volume's last block may be shorter. */
export const BACKUP_BLOCK_SIZE = 2 * 1024 * 1024;
export const FORMAT_VERSION = 2;

const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);

export interface BlockEntry {
  Offset: number;
  /** sha256 of the block's whole content at this backup. */
  BlockChecksum: string;
  /**
   * How to rebuild it when it is not stored whole under BlockChecksum: [base block checksum,
   * delta id, ...] (delta.ts). Absent: the block object named BlockChecksum.
   */
  Chain?: string[];
}

/** The objects an entry is rebuilt from: its chain, or the one block named by its checksum. */
export const chainOf = (e: BlockEntry): string[] => e.Chain ?? [e.BlockChecksum];

/** backup_<name>.cfg. Field names follow Longhorn's where it has one. */
export interface BackupCfg {
  Version: number;
  Name: string;
  VolumeName: string;
  SnapshotName: string;
  SnapshotCreatedAt: string;
  CreatedTime: string;
  /** The volume's size in bytes when the snapshot was taken. */
  Size: number;
  Labels: Record<string, string>;
  Settings?: Record<string, string>;
  BlockSize: number;
  CompressionMethod: 'gzip';
  ChecksumMethod: 'sha256';
  /** Every non-zero block, by offset ascending. */
  Blocks: BlockEntry[];
  /** Bytes this backup uploaded (compressed blocks and deltas it stored that were not there yet). */
  StoredBytes: number;
}

/** volume.cfg: what the target knows of a volume; rewritten after each backup (informational, not relied on). */
export interface VolumeCfg {
  Version: number;
  Name: string;
  Size: number;
  CreatedTime: string;
  LastBackupName: string;
  LastBackupAt: string;
  BlockSize: number;
  CompressionMethod: 'gzip';
}

export const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

let zeroes = Buffer.alloc(BACKUP_BLOCK_SIZE);
export function isZero(b: Buffer): boolean {
  if (zeroes.length < b.length) zeroes = Buffer.alloc(b.length);
  return b.equals(zeroes.subarray(0, b.length));
}

const SAMPLE = 64 * 1024;
const CHUNK = BACKUP_BLOCK_SIZE + 64 * 1024;

/** The stored form of a block: gzip level 1 (on libuv's thread pool) if a sample compresses, else `data` itself. */
export async function encodeBlock(data: Buffer): Promise<Buffer> {
  const sample = data.subarray(0, SAMPLE);
  if (deflateRawSync(sample, { level: 1 }).length >= sample.length * 0.95) return data;
  // One output chunk for the whole block (zlib's default is 16 KiB chunks joined at the end).
  return gzipAsync(data, { level: 1, chunkSize: CHUNK });
}

const isGzip = (b: Buffer): boolean => b.length >= 18 && b[0] === 0x1f && b[1] === 0x8b && b[2] === 0x08;

/**
 * A delta's bytes from its stored form (gzip, or the bytes themselves), verified against its id
 * (the sha256 of its uncompressed bytes); otherwise BackupError CORRUPT naming `what`.
 */
export async function decodeDelta(stored: Buffer, id: string, what: string): Promise<Buffer> {
  let why = '';
  if (isGzip(stored)) {
    try {
      const data = await gunzipAsync(stored, { chunkSize: CHUNK, maxOutputLength: BACKUP_BLOCK_SIZE * 2 });
      if (sha256(data) === id) return data;
      why = 'gunzips to data whose checksum does not match';
    } catch (e) {
      why = `does not gunzip (${(e as Error).message})`;
    }
  }
  if (sha256(stored) === id) return stored;
  throw new BackupError('CORRUPT', `${what}: ${why || `checksum ${sha256(stored)} does not match`}`);
}

/**
 * The bytes a stored block decodes to when they are `length` long, not verified, in a buffer the
 * caller may change (null when neither form has that length). For a chain's base, whose check the
 * rebuilt block's checksum covers: decodeBlock names the culprit when that does not match.
 */
export async function decodeBlockUnverified(stored: Buffer, length: number): Promise<Buffer | null> {
  if (isGzip(stored)) {
    try {
      const data = await gunzipAsync(stored, { chunkSize: CHUNK, maxOutputLength: BACKUP_BLOCK_SIZE });
      if (data.length === length) return data;
    } catch {
      /* taken as it is, below */
    }
  }
  return stored.length === length ? Buffer.from(stored) : null;
}

/**
 * The block's bytes from its stored form (gzip, or the bytes themselves), verified: `length`
 * bytes that hash to `checksum`. Otherwise BackupError CORRUPT naming `what` (the block and its
 * backup) and why.
 */
export async function decodeBlock(stored: Buffer, checksum: string, length: number, what: string): Promise<Buffer> {
  let why = '';
  if (isGzip(stored)) {
    try {
      const data = await gunzipAsync(stored, { chunkSize: CHUNK, maxOutputLength: BACKUP_BLOCK_SIZE });
      if (data.length === length && sha256(data) === checksum) return data;
      why =
        data.length !== length
          ? `gunzips to ${data.length} bytes, expected ${length}`
          : 'gunzips to data whose checksum does not match';
    } catch (e) {
      why = `does not gunzip (${(e as Error).message})`;
    }
  }
  if (stored.length === length && sha256(stored) === checksum) return stored;
  if (!why)
    why =
      stored.length !== length
        ? `${stored.length} bytes, expected ${length}`
        : `checksum ${sha256(stored)} does not match`;
  throw new BackupError('CORRUPT', `${what}: ${why}`);
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isStrMap = (v: unknown): v is Record<string, string> =>
  isObj(v) && Object.values(v).every((x) => typeof x === 'string');
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

/** Parses and checks a backup config; BackupError CORRUPT naming `what` when it is not one. */
export function parseBackupCfg(text: Buffer | string, what: string): BackupCfg {
  let v: unknown;
  try {
    v = JSON.parse(text.toString());
  } catch {
    throw new BackupError('CORRUPT', `${what}: not valid JSON`);
  }
  const bad = (why: string): never => {
    throw new BackupError('CORRUPT', `${what}: ${why}`);
  };
  if (!isObj(v)) return bad('not an object');
  if (!isCount(v.Version) || v.Version > FORMAT_VERSION)
    return bad(`format version ${String(v.Version)} is not one this cairn reads (${FORMAT_VERSION})`);
  for (const k of ['Name', 'VolumeName', 'SnapshotName', 'SnapshotCreatedAt', 'CreatedTime'] as const)
    if (typeof v[k] !== 'string') bad(`${k} is not a string`);
  if (!isCount(v.Size) || !isCount(v.StoredBytes)) bad('Size or StoredBytes is not a count');
  if (v.BlockSize !== BACKUP_BLOCK_SIZE) bad(`BlockSize ${String(v.BlockSize)} is not ${BACKUP_BLOCK_SIZE}`);
  if (v.CompressionMethod !== 'gzip' || v.ChecksumMethod !== 'sha256')
    bad('CompressionMethod/ChecksumMethod is not gzip/sha256');
  if (!isStrMap(v.Labels) || (v.Settings !== undefined && !isStrMap(v.Settings)))
    bad('Labels or Settings is not a map of strings');
  if (!Array.isArray(v.Blocks)) return bad('Blocks is not a list');
  let last = -1;
  for (const b of v.Blocks as unknown[]) {
    if (!isObj(b) || !isCount(b.Offset) || typeof b.BlockChecksum !== 'string' || !isChecksum(b.BlockChecksum))
      return bad('a block entry is not {Offset, BlockChecksum}');
    if (
      b.Chain !== undefined &&
      !(Array.isArray(b.Chain) && b.Chain.length >= 2 && b.Chain.every((c) => typeof c === 'string' && isChecksum(c)))
    )
      bad(`block at offset ${b.Offset}: Chain is not a list of a base checksum and delta ids`);
    if (b.Offset % BACKUP_BLOCK_SIZE !== 0 || b.Offset <= last || b.Offset >= (v.Size as number))
      bad(`block offset ${b.Offset} is misaligned, out of order or past the end`);
    last = b.Offset;
  }
  return v as unknown as BackupCfg;
}

export const serialize = (v: BackupCfg | VolumeCfg): Buffer => Buffer.from(JSON.stringify(v, null, 1));

/** The length of the block at `offset` of a volume of `size` bytes. */
export const blockLength = (offset: number, size: number): number => Math.min(BACKUP_BLOCK_SIZE, size - offset);
