// Sub-block incrementals: a delta object holds the 4 KiB pages of a 2 MiB block that changed
// since the block's content in the previous backup, so scattered small writes cost about the
// bytes written instead of a whole block each (issue 16: an incremental after 1% of a volume in
// random 4 KiB writes, which touches every block, uploads about 1%, not 100%).
//
// A block entry of a backup config keeps BlockChecksum (sha256 of the block's whole content at
// that backup: restore verification, DR `since` and dedup stay by content) and, when it is
// rebuilt from deltas, Chain = [base block checksum, delta id, delta id, ...]: the base is a
// block object (`<sha256>.blk`), each delta a delta object (`<id>.dlt`, id = sha256 of its
// uncompressed bytes, stored once per volume, compressed like a block). Rebuilding applies the
// deltas in order to the base; the result must hash to BlockChecksum.
//
// A delta's uncompressed bytes (all integers little-endian u32):
//   "CDL1" | run count | (offset, length) per run | the runs' bytes, in order
// Runs are ascending, not overlapping, inside the block; a delta carries no base: the config's
// chain says what it applies to.
import { BackupError } from './errors.js';
import { BACKUP_BLOCK_SIZE } from './format.js';

/** The unit compared between a block and its previous content. */
export const PAGE = 4096;
/** A delta is made only when at most this share of the block's pages changed; else the whole block is stored. */
export const MAX_DELTA_SHARE = 1 / 4;
/** A chain holds at most this many deltas; the next change of that block stores the whole block (restore cost stays bounded). */
export const MAX_DELTAS = 8;

const MAGIC = Buffer.from('CDL1');

export interface Run {
  offset: number;
  length: number;
}

/**
 * The byte runs (whole pages, adjacent changed pages merged) where `cur` differs from `base`, or
 * null when more than MAX_DELTA_SHARE of the pages differ (the whole block is cheaper). Both are
 * one block's content at two backups, of equal length.
 */
export function changedRuns(base: Buffer, cur: Buffer): Run[] | null {
  if (base.length !== cur.length) return null;
  const pages = Math.ceil(cur.length / PAGE);
  const limit = Math.floor(pages * MAX_DELTA_SHARE);
  const runs: Run[] = [];
  let changed = 0;
  for (let p = 0; p < pages; p++) {
    const start = p * PAGE;
    const end = Math.min(start + PAGE, cur.length);
    if (base.compare(cur, start, end, start, end) === 0) continue;
    if (++changed > limit) return null;
    const last = runs[runs.length - 1];
    if (last && last.offset + last.length === start) last.length += end - start;
    else runs.push({ offset: start, length: end - start });
  }
  return runs;
}

/** The delta's uncompressed bytes: `runs` of `cur`. */
export function encodeDelta(runs: Run[], cur: Buffer): Buffer {
  const header = Buffer.alloc(8 + runs.length * 8);
  MAGIC.copy(header, 0);
  header.writeUInt32LE(runs.length, 4);
  runs.forEach((r, i) => {
    header.writeUInt32LE(r.offset, 8 + i * 8);
    header.writeUInt32LE(r.length, 12 + i * 8);
  });
  return Buffer.concat([header, ...runs.map((r) => cur.subarray(r.offset, r.offset + r.length))]);
}

/**
 * Applies a delta (its uncompressed bytes) to `block` in place. A delta that is not well formed
 * or reaches past the block is BackupError CORRUPT naming `what`.
 */
export function applyDelta(block: Buffer, delta: Buffer, what: string): void {
  const bad = (why: string): never => {
    throw new BackupError('CORRUPT', `${what}: ${why}`);
  };
  if (delta.length < 8 || !delta.subarray(0, 4).equals(MAGIC)) bad('not a delta (no CDL1 header)');
  const n = delta.readUInt32LE(4);
  if (n > BACKUP_BLOCK_SIZE / PAGE || delta.length < 8 + n * 8) bad(`delta header names ${n} runs, more than it holds`);
  let data = 8 + n * 8;
  let end = 0;
  for (let i = 0; i < n; i++) {
    const offset = delta.readUInt32LE(8 + i * 8);
    const length = delta.readUInt32LE(12 + i * 8);
    if (offset < end || offset + length > block.length || data + length > delta.length)
      bad(`delta run ${i} (${offset}+${length}) is out of order or past the block or the delta`);
    delta.copy(block, offset, data, data + length);
    data += length;
    end = offset + length;
  }
  if (data !== delta.length) bad(`delta has ${delta.length - data} bytes after its runs`);
}
