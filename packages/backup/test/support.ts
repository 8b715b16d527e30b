// Helpers for the backup suites: scratch directories, replica stores with recognisable data, a
// store wrapper that counts what is uploaded, and digests of what a volume or snapshot reads.
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BlockBackend, Replica } from '@cairn/datapath';
import type { BackupStore } from '../src/index.js';

export const KiB = 1024;
export const MiB = 1024 * KiB;

export async function scratch(name = 'cairn-backup-'): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), name));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** `length` bytes that depend on `seed` and position, never all zero. */
export function pattern(length: number, seed: number): Buffer {
  const b = Buffer.allocUnsafe(length);
  let x = (seed * 2654435761) >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    b[i] = (x & 0xff) | 1;
  }
  return b;
}

const digestOf = async (size: number, read: (off: number, len: number) => Promise<Buffer>): Promise<string> => {
  const h = createHash('sha256');
  for (let off = 0; off < size; off += 4 * MiB) h.update(await read(off, Math.min(4 * MiB, size - off)));
  return h.digest('hex');
};

/** sha256 of everything a snapshot reads (its size). */
export async function snapshotDigest(r: Replica, snapshot: string): Promise<string> {
  const info = (await r.listSnapshots()).find((s) => s.name === snapshot)!;
  return digestOf(info.size, (o, l) => r.readSnapshot(snapshot, o, l));
}

/** sha256 of the first `size` bytes of a volume. */
export const volumeDigest = (b: BlockBackend, size = b.size): Promise<string> => digestOf(size, (o, l) => b.read(o, l));

/** `store`, with every put counted: whole blocks, deltas (and their bytes) and other objects. */
export function counting(
  store: BackupStore,
): BackupStore & { blockPuts: number; blockBytes: number; deltaPuts: number; deltaBytes: number; reset(): void } {
  const c = Object.create(store) as BackupStore & {
    blockPuts: number;
    blockBytes: number;
    deltaPuts: number;
    deltaBytes: number;
    reset(): void;
  };
  c.reset = () => {
    c.blockPuts = 0;
    c.blockBytes = 0;
    c.deltaPuts = 0;
    c.deltaBytes = 0;
  };
  c.reset();
  c.put = async (key: string, body: Buffer) => {
    await store.put(key, body);
    if (key.endsWith('.blk')) {
      c.blockPuts++;
      c.blockBytes += body.length;
    }
    if (key.endsWith('.dlt')) {
      c.deltaPuts++;
      c.deltaBytes += body.length;
    }
  };
  return c;
}
