// Restoring a backup into a volume: every block the backup names is fetched (its base block and,
// for a block stored as deltas, each delta of its chain, applied in order: delta.ts), decompressed,
// verified against its checksum and written at its offset; then the target is flushed. A missing
// or corrupt block fails the restore naming the block and the backup (never a silent hole).
// A fresh volume reads as zeroes, so blocks the backup does not name are not written. For a DR
// volume that already holds backup `since` of the same volume, only blocks whose checksum differs
// are written, and blocks `since` had that this backup does not are zeroed.
import type { BlockBackend } from '@cairn/datapath';
import { readBackupCfgByUrl } from './backup.js';
import { BackupError } from './errors.js';
import { applyDelta } from './delta.js';
import { blockLength, chainOf, decodeBlock, decodeBlockUnverified, decodeDelta, sha256 } from './format.js';
import type { BlockEntry } from './format.js';
import { blockKey, deltaKey } from './layout.js';
import type { BackupStore } from './store.js';

/** Where a restore writes: the new volume's engine (or a replica store). writeZeroes is needed only with `since`. */
export type RestoreTarget = Pick<BlockBackend, 'size' | 'write' | 'flush'> & Partial<Pick<BlockBackend, 'writeZeroes'>>;

export interface RestoreOptions {
  /** The backup (URL) the target already holds, of the same volume: only the difference is written. */
  since?: string;
  progress?: (percent: number) => void;
  alive?: () => boolean;
  /** Blocks in flight at once (default 4). */
  concurrency?: number;
}

export interface RestoreResult {
  writtenBlocks: number;
  zeroedBlocks: number;
  /** Bytes fetched from the target (compressed). */
  downloadedBytes: number;
  /** The volume size the backup was taken at. */
  size: number;
}

export async function restoreBackup(
  store: BackupStore,
  url: string,
  target: RestoreTarget,
  o: RestoreOptions = {},
): Promise<RestoreResult> {
  const alive = o.alive ?? (() => true);
  const cfg = await readBackupCfgByUrl(store, url);
  const what = `backup ${cfg.Name} of volume ${cfg.VolumeName}`;
  if (cfg.Size > target.size)
    throw new BackupError(
      'INVALID',
      `${what} is ${cfg.Size} bytes, larger than the volume restored into (${target.size} bytes)`,
    );
  const have = new Map<number, string>();
  if (o.since !== undefined) {
    const base = await readBackupCfgByUrl(store, o.since);
    if (base.VolumeName !== cfg.VolumeName)
      throw new BackupError(
        'INVALID',
        `restore since backup ${base.Name} of volume ${base.VolumeName}: not a backup of volume ${cfg.VolumeName}`,
      );
    for (const b of base.Blocks) have.set(b.Offset, b.BlockChecksum);
  }
  const todo = cfg.Blocks.filter((b) => have.get(b.Offset) !== b.BlockChecksum);
  const wanted = new Set(cfg.Blocks.map((b) => b.Offset));
  const zero = [...have.keys()].filter((off) => !wanted.has(off) && off < cfg.Size).sort((a, b) => a - b);
  const r: RestoreResult = { writtenBlocks: 0, zeroedBlocks: 0, downloadedBytes: 0, size: cfg.Size };
  const total = todo.length + zero.length;
  let done = 0;
  let lastPct = -1;
  const report = (): void => {
    const pct = total === 0 ? 100 : Math.floor((done / total) * 100);
    if (pct !== lastPct) o.progress?.((lastPct = pct));
  };
  report();
  const stopped = (): BackupError => new BackupError('STOPPED', `restore of ${what} stopped`);
  let next = 0;
  let failed = false;
  const worker = async (): Promise<void> => {
    while (!failed && next < todo.length) {
      const b = todo[next++]!;
      if (!alive()) throw stopped();
      const data = await rebuild(store, cfg.VolumeName, what, b, blockLength(b.Offset, cfg.Size), (n) => {
        r.downloadedBytes += n;
      });
      await target.write(b.Offset, data);
      r.writtenBlocks++;
      done++;
      report();
    }
  };
  const workers = Array.from({ length: Math.max(1, Math.min(o.concurrency ?? 4, todo.length)) }, () =>
    worker().catch((e: unknown) => {
      failed = true;
      throw e;
    }),
  );
  const settled = await Promise.allSettled(workers);
  const bad = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (bad) throw bad.reason;
  for (const off of zero) {
    if (!alive()) throw stopped();
    const len = blockLength(off, cfg.Size);
    if (target.writeZeroes) await target.writeZeroes(off, len);
    else await target.write(off, Buffer.alloc(len));
    r.zeroedBlocks++;
    done++;
    report();
  }
  await target.flush();
  return r;
}

/**
 * The content of block entry `b` (of `length` bytes) of `what` (a backup): its base block, with its
 * chain's deltas applied in order, checked against the entry's checksum. A missing object is
 * BackupError NOT_FOUND, a corrupt one (or a rebuilt block that does not match) CORRUPT, naming
 * the backup, the block's offset and the object.
 */
export async function rebuild(
  store: BackupStore,
  volume: string,
  what: string,
  b: BlockEntry,
  length: number,
  fetched: (bytes: number) => void,
): Promise<Buffer> {
  const chain = chainOf(b);
  const get = async (key: string, label: string): Promise<Buffer> => {
    try {
      const stored = await store.get(key);
      fetched(stored.length);
      return stored;
    } catch (e) {
      if (e instanceof BackupError && e.code === 'NOT_FOUND')
        throw new BackupError('NOT_FOUND', `${label} is missing from ${store.url}`);
      throw e;
    }
  };
  const baseKey = blockKey(volume, chain[0]!);
  const baseLabel = `${what}: block at offset ${b.Offset} (${baseKey}${chain.length > 1 ? `, the base of its ${chain.length - 1} deltas` : ''})`;
  if (chain.length === 1) return decodeBlock(await get(baseKey, baseLabel), chain[0]!, length, baseLabel);
  // The chain's objects are fetched at once (a block's restore waits for one round trip, not one per object).
  const labels = chain
    .slice(1)
    .map(
      (id, i) =>
        `${what}: block at offset ${b.Offset}: delta ${i + 1} of ${chain.length - 1} (${deltaKey(volume, id)})`,
    );
  const [base, ...deltas] = await Promise.all([
    get(baseKey, baseLabel),
    ...chain.slice(1).map(async (id, i) => decodeDelta(await get(deltaKey(volume, id), labels[i]!), id, labels[i]!)),
  ]);
  const applied = (data: Buffer): Buffer => {
    deltas.forEach((d, i) => applyDelta(data, d, labels[i]!));
    return data;
  };
  // The rebuilt block's checksum covers the base too: it is hashed on its own only to name what
  // is wrong when the rebuilt block does not match (one sha256 per block less on the usual path).
  const quick = await decodeBlockUnverified(base, length);
  if (quick && sha256(applied(quick)) === b.BlockChecksum) return quick;
  const data = applied(await decodeBlock(base, chain[0]!, length, baseLabel));
  if (sha256(data) !== b.BlockChecksum)
    throw new BackupError(
      'CORRUPT',
      `${what}: block at offset ${b.Offset} rebuilt from ${chain.length - 1} deltas does not match its checksum ${b.BlockChecksum}`,
    );
  return data;
}
