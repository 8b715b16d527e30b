// The copy half of a rebuild: making a target replica's snapshot chain hold what the source's
// holds, layer by layer, moving only the blocks that differ (Longhorn v1's rebuild: a reference
// snapshot taken on every replica, then the snapshot files synced, fast by checksums).
//
// The engine has already shaped the target's chain to the source's names (shapeChain) and taken
// the reference snapshot everywhere, so every head started empty at the same point and gets the
// same writes. For a frozen layer L, view_L = layer_L over view_{L-1}: once the views below L are
// equal on both sides, a block can differ in view_L only where the source's or the target's own
// layer L defines it. For those blocks the two replicas hash their view at L (computed where the
// data is, 16 bytes per 4 KiB block) and only the blocks whose hashes differ cross: read from the
// source's view, written into the target's layer L (zero blocks as "zero", no data). Where the
// target's layer defines nothing (a fresh target) there is nothing to compare: the source's own
// blocks are copied as they are. On the source these layers are frozen, so no lock against live
// writes is needed; the engine runs each window under its chain mutex, so a snapshot or a
// deletion happens between windows, never inside one (a deletion's merge keeps every remaining
// view as it was, so what was found equal stays equal).
//
// The head is the exception: heads are in lockstep, except that a partial-block write copies the
// rest of its block from the layers below, which on the target were not synced yet. The last pass
// compares the heads' views where either head defines something, chunk by chunk under the engine's
// range lock (no write in flight there), and fixes the target with ordinary writes.
import type { Extent, Replica } from '../replica/api.js';
import { BLOCK_SIZE, BlockError } from '../block.js';
import { HASH_BYTES, isZeroHash, sameHash } from '../replica/block-hash.js';

const BS = BLOCK_SIZE;

/** What a rebuild moved, for the log and the delta-rebuild test. */
export interface RebuildStats {
  /** Layers synced (snapshots, system layers and the head). */
  layers: number;
  /** Volume bytes whose hashes were compared. */
  comparedBytes: number;
  /** Hash bytes received from the source and the target. */
  hashBytes: number;
  /** Data bytes read from the source and written to the target. */
  copiedBytes: number;
  /** Bytes set to zero on the target without moving data. */
  zeroedBytes: number;
}

export const emptyStats = (): RebuildStats => ({
  layers: 0,
  comparedBytes: 0,
  hashBytes: 0,
  copiedBytes: 0,
  zeroedBytes: 0,
});

/**
 * How to make the target's chain of frozen layers carry the source's names in the source's order
 * (pure): the target's layers to delete (those the source lacks, or out of the source's order),
 * then the empty layers to insert, each just below a named layer (null: below the head), newest
 * first so that every `below` exists when its turn comes. The layers kept hold old data close to
 * the source's: a good start for the comparison.
 */
export function shapeChain(
  source: string[],
  target: string[],
): { remove: string[]; insert: { name: string; below: string | null }[] } {
  const keep = new Set<string>();
  let at = 0;
  for (const name of target) {
    const i = source.indexOf(name, at);
    if (i >= 0) {
      keep.add(name);
      at = i + 1;
    }
  }
  const remove = target.filter((n) => !keep.has(n));
  const insert: { name: string; below: string | null }[] = [];
  for (let i = source.length - 1; i >= 0; i--) {
    if (!keep.has(source[i]!)) insert.push({ name: source[i]!, below: i + 1 < source.length ? source[i + 1]! : null });
  }
  return { remove, insert };
}

export interface LayerSyncOptions {
  source: Replica;
  target: Replica;
  /** The frozen layer to sync, or null for the live head (then `lock` guards each chunk). */
  layer: string | null;
  /** The layer's size (a snapshot's size at the time it was taken). */
  size: number;
  /** Runs one window exclusively against chain changes (frozen layers) or live writes (the head, via `lock`). */
  exclusive: <T>(fn: () => Promise<T>) => Promise<T>;
  lock: <T>(offset: number, length: number, fn: () => Promise<T>) => Promise<T>;
  /** False once the rebuild should stop; checked between windows. */
  alive: () => boolean;
  /** Whether the layer still exists on both sides (a deletion may have removed it between windows). */
  exists: () => Promise<boolean>;
  stats: RebuildStats;
  /** Bytes of volume per window (default 64 MiB). */
  windowBytes?: number;
  /** Called after each window with the bytes of the layer done. */
  progress?: (done: number) => void;
}

/** Makes the target's view at `layer` equal the source's, window by window; false if the layer went away. */
export async function syncLayer(o: LayerSyncOptions): Promise<boolean> {
  const window = o.windowBytes ?? 64 * 1024 * 1024;
  for (let start = 0; start < o.size; start += window) {
    if (!o.alive()) throw new BlockError('EIO', 'rebuild stopped');
    const len = Math.min(window, o.size - start);
    const gone = await o.exclusive(async () => {
      if (o.layer !== null && !(await o.exists())) return true;
      const [s, t] = await Promise.all([
        listAll(o.source, o.layer, start, len),
        listAll(o.target, o.layer, start, len),
      ]);
      const todo = candidates(s, t);
      let next = 0;
      const worker = async (): Promise<void> => {
        while (next < todo.length) {
          const c = todo[next++]!;
          // The head: always compared (its listing may be older than the lock), under the range lock.
          if (o.layer === null) await o.lock(c.offset, c.length, () => syncRange(o, c.offset, c.length, true, s));
          else await syncRange(o, c.offset, c.length, c.targetDefines, s);
        }
      };
      await Promise.all(Array.from({ length: Math.min(PARALLEL, todo.length) }, worker));
      return false;
    });
    if (gone) return false;
    o.progress?.(start + len);
  }
  o.stats.layers++;
  return true;
}

const CHUNK = 1024 * 1024;
/** Candidate chunks in flight at once. */
const PARALLEL = 8;

/** One layer's own extents in a window, all of them (layerRanges stops at its limit). */
async function listAll(r: Replica, layer: string | null, offset: number, length: number): Promise<Extent[]> {
  const out: Extent[] = [];
  for (let at = offset; at < offset + length;) {
    const { extents, end } = await r.layerRanges(layer, at, offset + length - at);
    out.push(...extents);
    if (end <= at) break;
    at = end;
  }
  return out;
}

interface Candidate extends Extent {
  /** Whether the target's own layer defines anything in it (else: copy without comparing). */
  targetDefines: boolean;
}

/**
 * The blocks that can differ: the union of both layers' extents, cut into pieces of at most 1 MiB,
 * each marked with whether the target defines anything in it.
 */
export function candidates(source: Extent[], target: Extent[]): Candidate[] {
  const all = [...source, ...target].map((e) => [e.offset, e.offset + e.length] as const).sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const [s, e] of all) {
    const last = merged.at(-1);
    if (last && s <= last[1]) last[1] = Math.max(last[1], e);
    else merged.push([s, e]);
  }
  const out: Candidate[] = [];
  let ti = 0;
  for (const [s, e] of merged) {
    for (let off = s; off < e; off += CHUNK) {
      const end = Math.min(e, off + CHUNK);
      while (ti < target.length && target[ti]!.offset + target[ti]!.length <= off) ti++;
      const t = target[ti];
      out.push({ offset: off, length: end - off, zero: false, targetDefines: t !== undefined && t.offset < end });
    }
  }
  return out;
}

/** Makes [offset, offset+length) of the target's view at the layer equal the source's. */
async function syncRange(
  o: LayerSyncOptions,
  offset: number,
  length: number,
  compare: boolean,
  source: Extent[],
): Promise<void> {
  if (!compare) {
    // The target's layer defines nothing here: the source's own blocks are what differs.
    for (const e of source) {
      const s = Math.max(e.offset, offset);
      const end = Math.min(e.offset + e.length, offset + length);
      if (s >= end) continue;
      if (e.zero) await setZero(o, s, end - s);
      else await copy(o, s, end - s);
    }
    return;
  }
  const [hs, ht] = await Promise.all([
    o.source.hashBlocks(o.layer, offset, length),
    o.target.hashBlocks(o.layer, offset, length),
  ]);
  o.stats.comparedBytes += length;
  o.stats.hashBytes += hs.length + ht.length;
  const blocks = length / BS;
  if (hs.length !== blocks * HASH_BYTES || ht.length !== blocks * HASH_BYTES)
    throw new BlockError('EIO', 'hash reply of the wrong length');
  // The differing runs of a chunk are disjoint: fixed all at once (pipelined on the connections).
  const fixes: Promise<void>[] = [];
  for (let i = 0; i < blocks;) {
    if (sameHash(hs, ht, i)) {
      i++;
      continue;
    }
    const zero = isZeroHash(hs, i);
    let j = i + 1;
    while (j < blocks && !sameHash(hs, ht, j) && isZeroHash(hs, j) === zero) j++;
    fixes.push(zero ? setZero(o, offset + i * BS, (j - i) * BS) : copy(o, offset + i * BS, (j - i) * BS));
    i = j;
  }
  await Promise.all(fixes);
}

async function copy(o: LayerSyncOptions, offset: number, length: number): Promise<void> {
  if (o.layer === null) {
    const data = await o.source.read(offset, length);
    await o.target.write(offset, data);
  } else {
    const data = await o.source.readSnapshot(o.layer, offset, length);
    await o.target.writeLayer(o.layer, offset, data);
  }
  o.stats.copiedBytes += length;
}

async function setZero(o: LayerSyncOptions, offset: number, length: number): Promise<void> {
  if (o.layer === null) await o.target.writeZeroes(offset, length);
  else await o.target.zeroLayer(o.layer, offset, length);
  o.stats.zeroedBytes += length;
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
 * `parallel` chunks at a time, reporting progress in percent: the walk a clone from a snapshot
 * makes. Unallocated ranges are never visited.
 */
export async function forEachAllocatedChunk(
  o: ChunkWalk,
  fn: (offset: number, length: number) => Promise<void>,
): Promise<void> {
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
      for (let off = e.offset; off < e.offset + e.length; off += chunk)
        chunks.push([off, Math.min(chunk, e.offset + e.length - off)]);
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
