// Per-block hashes for a delta rebuild: the engine asks the source and the target for the hashes
// of the same view and copies only the blocks whose hashes differ. A hash is the first 16 bytes of
// SHA-256 of the block's 4 KiB as read through the view, so a block that reads as zeroes hashes to
// ZERO_HASH whether it is absent, explicitly zero or written with zeroes: equal content, equal hash,
// and the engine can tell a zero block from its hash alone (it then sets "zero" on the target
// instead of moving 4 KiB). 16 bytes per 4 KiB block is 0.4% of the data it stands for.
import { hash } from 'node:crypto';
import { BLOCK_SIZE } from '../block.js';

export const HASH_BYTES = 16;
/** Largest range one hash request covers: 64 MiB of volume, 256 KiB of hashes. */
export const MAX_HASH_RANGE = 64 * 1024 * 1024;

/** One-shot `crypto.hash` (measured ~1.5x faster than createHash for 4 KiB inputs). */
export function blockHash(block: Buffer): Buffer {
  return hash('sha256', block, 'buffer').subarray(0, HASH_BYTES);
}

export const ZERO_HASH = blockHash(Buffer.alloc(BLOCK_SIZE));

/** Whether the i-th hash of `a` equals the i-th hash of `b`. */
export function sameHash(a: Buffer, b: Buffer, i: number): boolean {
  return a.compare(b, i * HASH_BYTES, (i + 1) * HASH_BYTES, i * HASH_BYTES, (i + 1) * HASH_BYTES) === 0;
}

export function isZeroHash(a: Buffer, i: number): boolean {
  return ZERO_HASH.compare(a, i * HASH_BYTES, (i + 1) * HASH_BYTES) === 0;
}
