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
  await forEachAllocatedChunk({
    source: o.source, size: o.size, chunkBytes: o.chunkBytes, windowBytes: o.windowBytes, parallel: o.parallel ?? 4,
    alive: o.alive, stopped: () => new BlockError('EIO', 'rebuild stopped'), progress: o.progress,
  }, (off, n) => o.lock(off, n, async () => {
    const data = await o.source.read(off, n);
    await o.target.write(off, data);
  }));
}

export interface ChunkWalk {
  source: Replica;
  /** Walk this snapshot's data instead of the live head's. */
  snapshot?: string;
  size: number;
  /** Bytes per chunk (default 1 MiB) and per allocatedRanges call (default 1 GiB). */
  chunkBytes?: number;
  windowBytes?: number;
  /** Chunks in flight at once. */
  parallel: number;
  alive: () => boolean;
  /** The error thrown once alive() is false. */
  stopped: () => Error;
  progress?: (percent: number) => void;
}

/**
 * Calls `fn` for every chunk of the source's allocated extents in [0, size), window by window,
 * `parallel` chunks at a time, reporting progress in percent: the walk both a rebuild and a clone
 * from a snapshot make. Unallocated ranges are never visited.
 */
export async function forEachAllocatedChunk(o: ChunkWalk, fn: (offset: number, length: number) => Promise<void>): Promise<void> {
  const chunk = o.chunkBytes ?? 1024 * 1024;
  const window = o.windowBytes ?? 1024 * 1024 * 1024;
  let lastPct = -1;
  const report = (at: number): void => {
    const pct = Math.min(100, Math.floor((at / Math.max(1, o.size)) * 100));
    if (pct !== lastPct) o.progress?.((lastPct = pct));
  };
  report(0);
  for (let start = 0; start < o.size;) {
    if (!o.alive()) throw o.stopped();
    const len = Math.min(window, o.size - start);
    const { extents, end } = await o.source.allocatedRanges(start, len, o.snapshot, 4096);
    const chunks: [number, number][] = [];
    for (const e of extents) {
      for (let off = e.offset; off < e.offset + e.length; off += chunk) chunks.push([off, Math.min(chunk, e.offset + e.length - off)]);
    }
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < chunks.length) {
        const [off, n] = chunks[next++]!;
        if (!o.alive()) throw o.stopped();
        await fn(off, n);
      }
    };
    await Promise.all(Array.from({ length: Math.min(o.parallel, chunks.length) }, worker));
    start = end > start ? end : start + len;
    report(start);
  }
  report(o.size);
}
