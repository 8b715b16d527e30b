// The copy half of a rebuild: every extent that holds data on the source is read and written to
// the target, chunk by chunk, each chunk under the engine's range lock so that a live write to the
// same blocks is never overwritten by older copied data. Unallocated ranges are skipped (the target
// was cleared first), so a sparse volume rebuilds in proportion to its data, not its size.
import type { Replica } from '../replica/api.js';
import { BlockError } from '../block.js';

export interface CopyOptions {
  source: Replica;
  target: Replica;
  size: number;
  lock: <T>(offset: number, length: number, fn: () => Promise<T>) => Promise<T>;
  /** False once the rebuild should stop (target dropped, source lost, engine closed). */
  alive: () => boolean;
  progress?: (percent: number) => void;
  /** Bytes per copied chunk (default 1 MiB). */
  chunkBytes?: number;
  /** Window scanned per allocatedRanges call (default 1 GiB). */
  windowBytes?: number;
  /** Chunks in flight at once (default 4). */
  parallel?: number;
}

export async function copyReplica(o: CopyOptions): Promise<void> {
  const chunk = o.chunkBytes ?? 1024 * 1024;
  const window = o.windowBytes ?? 1024 * 1024 * 1024;
  const parallel = o.parallel ?? 4;
  let lastPct = -1;
  const report = (at: number): void => {
    const pct = Math.min(100, Math.floor((at / Math.max(1, o.size)) * 100));
    if (pct !== lastPct) o.progress?.((lastPct = pct));
  };
  report(0);
  for (let start = 0; start < o.size;) {
    if (!o.alive()) throw new BlockError('EIO', 'rebuild stopped');
    const len = Math.min(window, o.size - start);
    const { extents, end } = await o.source.allocatedRanges(start, len, undefined, 4096);
    const chunks: [number, number][] = [];
    for (const e of extents) {
      for (let off = e.offset; off < e.offset + e.length; off += chunk) chunks.push([off, Math.min(chunk, e.offset + e.length - off)]);
    }
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < chunks.length) {
        const [off, n] = chunks[next++]!;
        if (!o.alive()) throw new BlockError('EIO', 'rebuild stopped');
        await o.lock(off, n, async () => {
          const data = await o.source.read(off, n);
          await o.target.write(off, data);
        });
      }
    };
    await Promise.all(Array.from({ length: Math.min(parallel, chunks.length) }, worker));
    start = end > start ? end : start + len;
    report(start);
  }
  report(o.size);
}
