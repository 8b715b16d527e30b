// ReplicaStore: one replica of one volume in one directory, as sparse files. A chain of layers,
// oldest first: frozen snapshot layers and the live head, each a sparse data file plus an
// allocation map (layer.ts). A read takes each 4 KiB block from the newest layer that defines it
// (data, or explicit zeroes); blocks no layer defines read as zeroes. Writes go to the head; a
// partial block the head lacks is completed from the layers below first (copy on write).
//
// Durability: FLUSH and FUA fdatasync the head's data file, then persist its map with the revision
// counter (layer.ts: the map never names data that is not durable, and its header never vouches
// for pages that are not), concurrent ones sharing one round (group commit); plain writes cost no
// sync. One request is one revision bump, however large (the client sends a large one in pieces
// that the server applies as one call, see protocol.ts FLAG_MORE), so a store reached over the
// wire and one on this node that saw the same requests have the same revision.
// After a crash the store reopens with the revision of its last flush (conservative: it may hold
// unflushed writes beyond it) and reports cleanShutdown false. Snapshot, snapshot deletion and
// resize commit by replacing replica.json atomically; files it does not name are removed on open.
//
// For rebuild: system layers (names starting with '.', never listed as snapshots), empty layers
// inserted into the chain, per-block hashes of any layer's view, and writes into frozen layers,
// made durable by endRebuild. A deletion merges the smaller of two neighbouring layers into the
// larger, so removing a rebuild's big reference layer under a small head costs the head's size.
import { existsSync } from 'node:fs';
import { readdir, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { alignParts, BLOCK_SIZE, BlockError, joinParts, partsLength } from '../block.js';
import { FencedError, isSystemLayer, ReplicaError } from './api.js';
import type { EpochFence, Extent, ExtentList, NewLayer, Replica, ReplicaInfo, SnapshotInfo } from './api.js';
import { blockHash, HASH_BYTES, MAX_HASH_RANGE, ZERO_HASH } from './block-hash.js';
import { makeDir, readFully, syncDir, syncDirShared, writeFully, writePartsFully } from './file-io.js';
import { Layer } from './layer.js';
import { ABSENT, BLOCKS_PER_PAGE, DATA, ZERO } from './layer-map.js';
import { MANIFEST, readManifest, writeManifest } from './manifest.js';
import type { Manifest } from './manifest.js';
import type { MapHeader } from './map-header.js';
import { FRESH_HEADER } from './map-header.js';
import { punchHole, zeroRange } from './punch.js';
import { RangeLock } from './range-lock.js';

const BS = BLOCK_SIZE;
/** Largest volume: 1 PiB (offsets stay exact doubles). */
export const MAX_VOLUME_SIZE = 2 ** 50;
const SNAPSHOT_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
/** System layers (a rebuild's reference point): a leading '.', which no user name can have. */
const SYSTEM_NAME = /^\.[A-Za-z0-9._-]{1,127}$/;
const HASH_READ_BLOCKS = 256;
const MERGE_CHUNK_BLOCKS = 256;
/** Merging the head down: passes under range locks before the last one under the whole-volume lock, */
const MERGE_DOWN_PASSES = 8;
/** which starts once the head holds at most this many blocks (4 MiB). */
const MERGE_DOWN_FINAL_BLOCKS = 1024;
const DEFAULT_EXTENT_LIMIT = 65_536;

export interface ReplicaStoreOptions {
  /** Release trimmed space with fallocate(FALLOC_FL_PUNCH_HOLE) (default true; see punch.ts). */
  punchHoles?: boolean;
  /**
   * Let small reads and writes of data run on the event loop's thread while the page cache serves
   * them quickly, instead of a thread-pool round trip each (default true; see file-io.ts).
   */
  inlineIo?: boolean;
}

export class ReplicaStore implements Replica, EpochFence {
  private layers: Layer[];
  /** The highest attachment epoch admitted: raised at once by admitEpoch, persisted in the manifest after. */
  private admittedEpoch: number;
  private manifest: Manifest;
  private revisionCount: number;
  /** Writes, trims and zeroes applied, and how many of them the last completed sync covered. */
  private mutations = 0;
  private syncedMutations = 0;
  private rebuilding: boolean;
  /** The durable engine-open mark (map-header.ts), carried by every header the head persists. */
  private engineOpen: boolean;
  /** Frozen layers written by writeLayer/zeroLayer since the last endRebuild (made durable there). */
  private readonly touched = new Set<Layer>();
  private readonly lock = new RangeLock();
  private control: Promise<unknown> = Promise.resolve();
  private readonly reads = new Set<Promise<unknown>>();
  private syncRunning: Promise<void> | null = null;
  private syncQueued: Promise<void> | null = null;
  private state: 'open' | 'closing' | 'closed' = 'open';
  private closing: Promise<void> | null = null;
  private failure: Error | null = null;
  private readonly punchHoles: boolean;
  private readonly inlineIo: boolean;

  private constructor(
    readonly dir: string,
    manifest: Manifest,
    layers: Layer[],
    header: MapHeader,
    /** Whether the store was closed cleanly before this open (set again by endRebuild: its data is then a copy of a good one). */
    public cleanShutdown: boolean,
    opts: ReplicaStoreOptions,
  ) {
    this.manifest = manifest;
    this.admittedEpoch = manifest.epoch ?? 0;
    this.layers = layers;
    this.revisionCount = header.rebuilding ? 0 : header.revision;
    this.rebuilding = header.rebuilding;
    this.engineOpen = header.engineOpen;
    this.punchHoles = opts.punchHoles ?? true;
    this.inlineIo = opts.inlineIo ?? true;
  }

  /** Creates an empty replica of `size` bytes in `dir` (created if missing; must hold no replica). */
  static async create(dir: string, size: number, opts: ReplicaStoreOptions = {}): Promise<ReplicaStore> {
    checkSize(size);
    // mkdir tells whether it made the directory: a new one holds nothing to check or clean up.
    // (A node creates hundreds of replicas at once when volumes are created in bulk; every
    // syscall here counts.)
    const inline = opts.inlineIo ?? true;
    const made = await makeDir(dir, inline);
    if (made === undefined) {
      if (existsSync(join(dir, MANIFEST))) throw new ReplicaError('EEXIST', `${dir} already holds a replica`);
      await removeStrays(dir, new Set());
    }
    const header: MapHeader = { ...FRESH_HEADER };
    const head = await Layer.create(dir, 1, size, header, inline);
    try {
      // The manifest's commit ends with an fsync of the directory, which makes the layer files'
      // entries durable too: before it, a crash leaves no manifest, and create starts over.
      const manifest: Manifest = { format: 1, size, nextId: 2, layers: [{ id: 1, name: null }] };
      await writeManifest(dir, manifest, inline);
      // And the names of the directories mkdir made, in their parents (shared: stores created
      // side by side sync their common parent once or twice, not once each).
      if (made !== undefined) {
        for (let parent = dirname(dir); ; parent = dirname(parent)) {
          await syncDirShared(parent, inline);
          if (parent === dirname(made) || parent === dirname(parent)) break;
        }
      }
      return new ReplicaStore(dir, manifest, [head], header, true, opts);
    } catch (err) {
      await head.close().catch(() => {});
      throw err;
    }
  }

  /** Opens the replica in `dir`, marking it in use (unclean until close) durably. */
  static async open(dir: string, opts: ReplicaStoreOptions = {}): Promise<ReplicaStore> {
    const manifest = await readManifest(dir);
    const layers: Layer[] = [];
    try {
      for (const l of manifest.layers) layers.push(await Layer.open(dir, l.id, opts.inlineIo ?? true));
      const head = layers.at(-1)!;
      const loaded = head.header;
      await head.persist({ ...loaded, clean: false }, false, false); // nothing written yet: no data sync
      await removeStrays(dir, new Set(manifest.layers.map((l) => l.id)));
      return new ReplicaStore(dir, manifest, layers, loaded, loaded.clean, opts);
    } catch (err) {
      await Promise.all(layers.map((l) => l.close().catch(() => {})));
      throw err;
    }
  }

  /** Opens the replica in `dir`, or creates it with `size` when there is none. */
  static async openOrCreate(dir: string, size: number, opts: ReplicaStoreOptions = {}): Promise<ReplicaStore> {
    // A sync stat of one name: no promise, and no error object with a stack for the usual "not there".
    return existsSync(join(dir, MANIFEST)) ? ReplicaStore.open(dir, opts) : ReplicaStore.create(dir, size, opts);
  }

  get size(): number {
    return this.manifest.size;
  }

  get revision(): number {
    return this.revisionCount;
  }

  get epoch(): number {
    return this.admittedEpoch;
  }

  /**
   * Fencing (fence.ts): refuses an epoch lower than the one admitted; a higher one is raised at
   * once (the views of older epochs refuse everything from their next call), then, once every
   * write, trim and zeroing already under way has finished (they hold range locks, taken in
   * arrival order), persisted in the manifest. When it resolves, no write of an older epoch is
   * still to land.
   */
  admitEpoch(epoch: number): Promise<void> {
    if (!Number.isSafeInteger(epoch) || epoch < 0)
      return Promise.reject(new BlockError('EINVAL', `bad epoch ${epoch}`));
    if (epoch < this.admittedEpoch) {
      return Promise.reject(
        new FencedError(
          `replica store ${this.dir}: epoch ${epoch} is older than ${this.admittedEpoch}, attached elsewhere since`,
        ),
      );
    }
    if (epoch === this.admittedEpoch && (this.manifest.epoch ?? 0) === epoch) return Promise.resolve();
    this.admittedEpoch = epoch;
    return this.serialize(async () => {
      const unlock = await this.lock.acquireAll();
      try {
        if ((this.manifest.epoch ?? 0) < this.admittedEpoch)
          await this.commit({ ...this.manifest, epoch: this.admittedEpoch });
      } finally {
        unlock();
      }
    });
  }

  private get head(): Layer {
    return this.layers.at(-1)!;
  }

  // ---- the data path ----

  async read(offset: number, length: number): Promise<Buffer> {
    this.assertOpen();
    checkRange(offset, length, this.size);
    return this.track(this.readView(this.layers, this.layers.length - 1, offset, length));
  }

  async write(offset: number, data: Buffer, fua = false): Promise<void> {
    this.assertOpen();
    checkRange(offset, data.length, this.size);
    if (data.length > 0) {
      const unlock = await this.lock.acquire(Math.floor(offset / BS), Math.ceil((offset + data.length) / BS));
      try {
        await this.writeLocked(offset, data);
        this.bump();
      } finally {
        unlock();
      }
    }
    if (fua) await this.sync();
  }

  /** write() of the parts joined, without joining them when the range is whole blocks (see BlockBackend). */
  async writeParts(offset: number, parts: Buffer[], fua = false): Promise<void> {
    const length = partsLength(parts);
    if (parts.length === 1 || offset % BS !== 0 || length % BS !== 0) return this.write(offset, joinParts(parts), fua);
    this.assertOpen();
    checkRange(offset, length, this.size);
    if (length > 0) {
      const unlock = await this.lock.acquire(offset / BS, (offset + length) / BS);
      try {
        // Whole blocks: no copy-on-write from older layers is needed; the parts go where they
        // lie, regrouped on block boundaries (so that no piece covers part of a page), gathered
        // into one pwritev per 64 KiB.
        const head = this.head;
        try {
          await writePartsFully(head.data, alignParts(parts, BS), offset, this.inlineIo);
        } catch (err) {
          throw toBlockError(err);
        }
        head.map.setRange(offset / BS, (offset + length) / BS, DATA);
        this.bump();
      } finally {
        unlock();
      }
    }
    if (fua) await this.sync();
  }

  async flush(): Promise<void> {
    this.assertOpen();
    return this.sync();
  }

  trim(offset: number, length: number): Promise<void> {
    return this.zeroRange(offset, length, false, false);
  }

  /** With `keepAllocated`, the whole blocks become zeroed data in the head, allocated on disk. */
  writeZeroes(offset: number, length: number, fua = false, keepAllocated = false): Promise<void> {
    return this.zeroRange(offset, length, fua, keepAllocated);
  }

  // ---- snapshots ----

  /**
   * Freezes the head under `name`: a user name (1-128 of A-Z a-z 0-9 . _ -, not starting with
   * . _ -) or a system one ('.' and 1-127 more), which listSnapshots and info leave out.
   */
  async snapshot(name: string): Promise<SnapshotInfo> {
    checkLayerName(name);
    return this.serialize(async () => {
      if (this.manifest.layers.some((l) => l.name === name))
        throw new ReplicaError('EEXIST', `snapshot ${name} exists`);
      const unlock = await this.lock.acquireAll();
      try {
        await this.sync();
        const id = this.manifest.nextId;
        const newHead = await Layer.create(this.dir, id, this.size, this.header(false), this.inlineIo).catch((err) => {
          throw toBlockError(err);
        });
        const frozen = {
          id: this.head.id,
          name,
          createdAt: new Date().toISOString(),
          revision: this.revision,
          size: this.size,
        };
        const manifest: Manifest = {
          ...this.manifest,
          nextId: id + 1,
          layers: [...this.manifest.layers.slice(0, -1), frozen, { id, name: null }],
        };
        await this.commit(manifest, async () => {
          await syncDir(this.dir, this.inlineIo);
        });
        this.layers = [...this.layers, newHead];
        return this.snapshotInfo(this.layers.length - 2);
      } finally {
        unlock();
      }
    });
  }

  /**
   * Removes a snapshot without changing any other view: the smaller of its layer and the next
   * newer one is merged into the larger (copying only what the larger lacks or overrides), and the
   * one merged from is dropped. Deleting the newest snapshot when it is larger than the head (a
   * rebuild's reference point under a few writes) copies the head's blocks down into it, chunk by
   * chunk under the range lock, then makes it the head: the cost is the head's size, not the volume's.
   */
  deleteSnapshot(name: string): Promise<void> {
    return this.serialize(async () => {
      const idx = this.snapshotIndex(name);
      const from = this.layers[idx]!;
      const into = this.layers[idx + 1]!;
      // Down into the snapshot only when the head is clearly smaller: that merge ends under the whole-volume lock.
      const down = into === this.head ? 2 * defined(into) < defined(from) : defined(into) < defined(from);
      if (down) await this.mergeDown(idx);
      else await this.merge(idx);
      const gone = down ? into : from;
      const unlock = await this.lock.acquireAll();
      try {
        if (down) await this.finishMergeDown(idx);
        else await this.commit({ ...this.manifest, layers: this.manifest.layers.filter((_, i) => i !== idx) });
        this.layers = this.layers.filter((l) => l !== gone);
        this.touched.delete(gone);
      } finally {
        unlock();
      }
      await this.drainReads();
      await gone.close().catch(() => {});
      await Layer.remove(this.dir, gone.id);
    });
  }

  /** The user's snapshots, oldest first (system layers left out). */
  async listSnapshots(): Promise<SnapshotInfo[]> {
    return (await this.listLayers()).filter((s) => !isSystemLayer(s.name));
  }

  /** Every frozen layer, oldest first, system ones included. */
  async listLayers(): Promise<SnapshotInfo[]> {
    this.assertOpen();
    return this.layers.slice(0, -1).map((_, i) => this.snapshotInfo(i));
  }

  async readSnapshot(name: string, offset: number, length: number): Promise<Buffer> {
    this.assertOpen();
    const idx = this.snapshotIndex(name);
    checkRange(offset, length, this.manifest.layers[idx]!.size ?? this.size);
    return this.track(this.readView(this.layers, idx, offset, length));
  }

  // ---- what a rebuild needs ----

  async allocatedRanges(
    offset: number,
    length: number,
    snapshot?: string,
    limit = DEFAULT_EXTENT_LIMIT,
  ): Promise<ExtentList> {
    this.assertOpen();
    const top = snapshot === undefined ? this.layers.length - 1 : this.snapshotIndex(snapshot);
    const viewSize = snapshot === undefined ? this.size : (this.manifest.layers[top]!.size ?? this.size);
    checkRange(offset, length, viewSize);
    const layers = this.layers.slice(0, top + 1);
    const from = Math.floor(offset / BS);
    const to = Math.ceil((offset + length) / BS);
    const extents: Extent[] = [];
    let runStart = -1;
    let b = from;
    const close = (at: number) => {
      if (runStart >= 0) extents.push({ offset: runStart * BS, length: (at - runStart) * BS, zero: false });
      runStart = -1;
    };
    while (b < to) {
      const p = Math.floor(b / BLOCKS_PER_PAGE);
      const stop = Math.min(to, (p + 1) * BLOCKS_PER_PAGE);
      if (!layers.some((l) => l.map.hasPage(p))) {
        close(b);
        b = stop;
        continue;
      }
      for (; b < stop; b++) {
        let data = false;
        for (let i = top; i >= 0; i--) {
          const s = layers[i]!.map.get(b);
          if (s !== ABSENT) {
            data = s === DATA;
            break;
          }
        }
        if (data) {
          if (runStart < 0) {
            if (extents.length >= limit) return { extents, end: b * BS };
            runStart = b;
          }
        } else close(b);
      }
    }
    close(to);
    return { extents, end: Math.min(to * BS, viewSize) };
  }

  async layerRanges(
    layer: string | null,
    offset: number,
    length: number,
    limit = DEFAULT_EXTENT_LIMIT,
  ): Promise<ExtentList> {
    this.assertOpen();
    const idx = layer === null ? this.layers.length - 1 : this.snapshotIndex(layer);
    const viewSize = layer === null ? this.size : (this.manifest.layers[idx]!.size ?? this.size);
    checkRange(offset, length, viewSize);
    const to = Math.ceil((offset + length) / BS);
    const extents: Extent[] = [];
    for (const run of this.layers[idx]!.map.runs(Math.floor(offset / BS), to)) {
      if (extents.length >= limit) return { extents, end: run.start * BS };
      extents.push({ offset: run.start * BS, length: (run.end - run.start) * BS, zero: run.state === ZERO });
    }
    return { extents, end: Math.min(to * BS, viewSize) };
  }

  beginRebuild(): Promise<void> {
    return this.serialize(async () => {
      const unlock = await this.lock.acquireAll();
      try {
        this.rebuilding = true;
        this.revisionCount = 0;
        await this.sync();
      } finally {
        unlock();
      }
    });
  }

  /** Sets or clears the engine-open mark; durable (the head's header persisted) before it resolves. */
  markEngine(open: boolean): Promise<void> {
    this.assertOpen();
    return this.serialize(async () => {
      this.engineOpen = open;
      await this.sync();
    });
  }

  endRebuild(revision: number): Promise<void> {
    if (!Number.isSafeInteger(revision) || revision < 0)
      return Promise.reject(new BlockError('EINVAL', `bad revision ${revision}`));
    return this.serialize(async () => {
      const unlock = await this.lock.acquireAll();
      try {
        // The layers the rebuild filled first: the mark must not clear before they are on disk.
        await this.persistTouched();
        this.rebuilding = false;
        this.cleanShutdown = true;
        // It joins the rebuilding engine's session: marked like the replicas that engine opened,
        // cleared by that engine's close.
        this.engineOpen = true;
        this.revisionCount = revision;
        await this.sync();
      } finally {
        unlock();
      }
    });
  }

  insertSnapshot(layer: NewLayer, below: string | null): Promise<SnapshotInfo> {
    checkLayerName(layer.name);
    if (
      !Number.isSafeInteger(layer.revision) ||
      layer.revision < 0 ||
      !Number.isSafeInteger(layer.size) ||
      layer.size <= 0 ||
      layer.size % BS !== 0 ||
      typeof layer.createdAt !== 'string'
    ) {
      throw new BlockError('EINVAL', `bad layer metadata for ${layer.name}`);
    }
    return this.serialize(async () => {
      if (this.manifest.layers.some((l) => l.name === layer.name))
        throw new ReplicaError('EEXIST', `snapshot ${layer.name} exists`);
      const at = below === null ? this.layers.length - 1 : this.snapshotIndex(below);
      const id = this.manifest.nextId;
      const created = await Layer.create(this.dir, id, this.size, { ...FRESH_HEADER }, this.inlineIo).catch((err) => {
        throw toBlockError(err);
      });
      const entry = { id, name: layer.name, createdAt: layer.createdAt, revision: layer.revision, size: layer.size };
      const layers = [...this.manifest.layers];
      layers.splice(at, 0, entry);
      await this.commit({ ...this.manifest, nextId: id + 1, layers });
      const next = [...this.layers];
      next.splice(at, 0, created);
      this.layers = next;
      return this.snapshotInfo(at);
    });
  }

  async hashBlocks(layer: string | null, offset: number, length: number): Promise<Buffer> {
    this.assertOpen();
    const top = layer === null ? this.layers.length - 1 : this.snapshotIndex(layer);
    checkRange(offset, length, layer === null ? this.size : (this.manifest.layers[top]!.size ?? this.size));
    if (offset % BS !== 0 || length % BS !== 0 || length > MAX_HASH_RANGE) {
      throw new BlockError(
        'EINVAL',
        `hash range ${offset}+${length} is not whole blocks within ${MAX_HASH_RANGE} bytes`,
      );
    }
    const layers = this.layers;
    const first = offset / BS;
    const count = length / BS;
    const out = Buffer.allocUnsafe(count * HASH_BYTES);
    // Blocks that read as zeroes without I/O get ZERO_HASH; the rest is read in runs and hashed.
    const hasData = (b: number): boolean => {
      for (let i = top; i >= 0; i--) {
        const st = layers[i]!.map.get(b);
        if (st !== ABSENT) return st === DATA;
      }
      return false;
    };
    const reads: Promise<void>[] = [];
    for (let i = 0; i < count;) {
      if (!hasData(first + i)) {
        ZERO_HASH.copy(out, i * HASH_BYTES);
        i++;
        continue;
      }
      let j = i + 1;
      while (j < count && j - i < HASH_READ_BLOCKS && hasData(first + j)) j++;
      const start = i;
      reads.push(
        this.readView(layers, top, (first + start) * BS, (j - start) * BS).then((buf) => {
          for (let k = 0; k < j - start; k++)
            blockHash(buf.subarray(k * BS, (k + 1) * BS)).copy(out, (start + k) * HASH_BYTES);
        }),
      );
      i = j;
    }
    await this.track(Promise.all(reads));
    return out;
  }

  async writeLayer(layer: string, offset: number, data: Buffer): Promise<void> {
    const target = this.frozenLayer(layer, offset, data.length);
    try {
      await writeFully(target.data, data, offset, this.inlineIo);
    } catch (err) {
      throw toBlockError(err);
    }
    target.map.setRange(offset / BS, (offset + data.length) / BS, DATA);
    this.touched.add(target);
  }

  async zeroLayer(layer: string, offset: number, length: number): Promise<void> {
    const target = this.frozenLayer(layer, offset, length);
    const from = offset / BS;
    const to = (offset + length) / BS;
    const hadData = target.map.any(from, to, DATA);
    target.map.setRange(from, to, target === this.layers[0] ? ABSENT : ZERO);
    this.touched.add(target);
    if (hadData && this.punchHoles) await punchHole(target.data, offset, length);
  }

  // ---- the rest of the control path ----

  resize(newSize: number): Promise<void> {
    return this.serialize(async () => {
      checkSize(newSize);
      if (newSize < this.size) throw new BlockError('EINVAL', `cannot shrink from ${this.size} to ${newSize}`);
      if (newSize === this.size) return;
      const unlock = await this.lock.acquireAll();
      try {
        await this.head.data.truncate(newSize).catch((err) => {
          throw toBlockError(err);
        });
        await this.commit({ ...this.manifest, size: newSize });
      } finally {
        unlock();
      }
    });
  }

  async info(): Promise<ReplicaInfo> {
    this.assertOpen();
    return {
      size: this.size,
      revision: this.revision,
      cleanShutdown: this.cleanShutdown,
      rebuilding: this.rebuilding,
      engineOpen: this.engineOpen,
      allocatedBytes: this.head.map.countData() * BS,
      snapshots: await this.listSnapshots(),
    };
  }

  /** Waits for operations under way, persists the revision with the clean mark, closes the files. */
  close(): Promise<void> {
    if (this.closing) return this.closing;
    this.state = 'closing';
    this.closing = (async () => {
      await this.control.catch(() => {});
      const unlock = await this.lock.acquireAll();
      try {
        await this.drainReads();
        while (this.syncRunning || this.syncQueued) await (this.syncQueued ?? this.syncRunning)!.catch(() => {});
        if (!this.failure) await this.head.persist(this.header(true)); // the data file's sync first, then the map
      } finally {
        this.state = 'closed';
        await Promise.all(this.layers.map((l) => l.close().catch(() => {})));
        unlock();
      }
    })();
    return this.closing;
  }

  // ---- internals ----

  private assertOpen(): void {
    if (this.state !== 'open') throw new BlockError('ESHUTDOWN', `replica store ${this.dir} is closed`);
    if (this.failure) throw new BlockError('EIO', `replica store ${this.dir} failed: ${this.failure.message}`);
  }

  private header(clean: boolean): MapHeader {
    return { revision: this.revision, clean, rebuilding: this.rebuilding, engineOpen: this.engineOpen };
  }

  private bump(): void {
    this.mutations++;
    if (!this.rebuilding) this.revisionCount++;
  }

  private fail(err: unknown): void {
    this.failure ??= err instanceof Error ? err : new Error(String(err));
  }

  /** Runs control operations one at a time. */
  private serialize<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.control
      .catch(() => {})
      .then(() => {
        this.assertOpen();
        return fn();
      });
    this.control = run;
    return run;
  }

  private track<T>(p: Promise<T>): Promise<T> {
    this.reads.add(p);
    const done = () => {
      this.reads.delete(p);
    };
    p.then(done, done);
    return p;
  }

  private async drainReads(): Promise<void> {
    await Promise.allSettled([...this.reads]);
  }

  /** A frozen (non-head) layer by name, for writeLayer/zeroLayer over whole blocks of it. */
  private frozenLayer(name: string, offset: number, length: number): Layer {
    this.assertOpen();
    const idx = this.snapshotIndex(name);
    checkRange(offset, length, this.manifest.layers[idx]!.size ?? this.size);
    if (offset % BS !== 0 || length % BS !== 0)
      throw new BlockError('EINVAL', `layer write ${offset}+${length} is not whole blocks`);
    return this.layers[idx]!;
  }

  /** Makes the frozen layers the rebuild wrote durable: data first, then the maps naming it. */
  private async persistTouched(): Promise<void> {
    const layers = [...this.touched].filter((l) => this.layers.includes(l) && l !== this.head);
    try {
      await Promise.all(
        layers.map(async (l) => {
          await l.data.datasync();
          await l.persist(l.header);
        }),
      );
    } catch (err) {
      this.fail(err);
      throw toBlockError(err);
    }
    this.touched.clear();
  }

  private snapshotIndex(name: string): number {
    const idx = this.manifest.layers.findIndex((l) => l.name !== null && l.name === name);
    if (idx < 0) throw new ReplicaError('ENOENT', `no snapshot ${JSON.stringify(name)}`);
    return idx;
  }

  private snapshotInfo(i: number): SnapshotInfo {
    const m = this.manifest.layers[i]!;
    return {
      name: m.name!,
      createdAt: m.createdAt ?? '',
      revision: m.revision ?? 0,
      size: m.size ?? this.size,
      allocatedBytes: this.layers[i]!.map.countData() * BS,
    };
  }

  /** Replaces the manifest (after `before`); a failure here leaves the store failed, as the chain on disk is then uncertain. */
  private async commit(manifest: Manifest, before?: () => Promise<void>): Promise<void> {
    try {
      await before?.();
      await writeManifest(this.dir, manifest, this.inlineIo);
    } catch (err) {
      this.fail(err);
      throw toBlockError(err);
    }
    this.manifest = manifest;
  }

  /** Reads [offset, offset+length) as seen through layers[0..top]. */
  private async readView(layers: Layer[], top: number, offset: number, length: number): Promise<Buffer> {
    const out = Buffer.alloc(length);
    if (length === 0 || top < 0) return out;
    const first = Math.floor(offset / BS);
    const last = Math.floor((offset + length - 1) / BS);
    const jobs: Promise<void>[] = [];
    let runLayer = -1;
    let runStart = offset;
    const endRun = (at: number) => {
      if (runLayer >= 0)
        jobs.push(readFully(layers[runLayer]!.data, out, runStart - offset, at - runStart, runStart, this.inlineIo));
    };
    for (let b = first; b <= last; b++) {
      let src = -1;
      for (let i = top; i >= 0; i--) {
        const s = layers[i]!.map.get(b);
        if (s !== ABSENT) {
          if (s === DATA) src = i;
          break;
        }
      }
      if (src !== runLayer) {
        const at = Math.max(b * BS, offset);
        endRun(at);
        runLayer = src;
        runStart = at;
      }
    }
    endRun(offset + length);
    try {
      await Promise.all(jobs);
    } catch (err) {
      throw toBlockError(err);
    }
    return out;
  }

  /** Writes `data` at `offset` into the head; the caller holds the range lock. */
  private async writeLocked(offset: number, data: Buffer): Promise<void> {
    const layers = this.layers;
    const head = layers.at(-1)!;
    const end = offset + data.length;
    const first = Math.floor(offset / BS);
    const last = Math.floor((end - 1) / BS);
    const fillFirst = offset % BS !== 0 && head.map.get(first) !== DATA;
    const fillLast = end % BS !== 0 && head.map.get(last) !== DATA && !(fillFirst && last === first);
    let buf = data;
    let at = offset;
    if (fillFirst || fillLast) {
      at = fillFirst ? first * BS : offset;
      const bufEnd = fillLast || (fillFirst && last === first) ? (last + 1) * BS : end;
      buf = Buffer.allocUnsafe(bufEnd - at);
      if (fillFirst) (await this.belowHead(layers, first)).copy(buf, 0);
      if (fillLast) (await this.belowHead(layers, last)).copy(buf, buf.length - BS);
      data.copy(buf, offset - at);
    }
    try {
      await writeFully(head.data, buf, at, this.inlineIo);
    } catch (err) {
      throw toBlockError(err);
    }
    head.map.setRange(first, last + 1, DATA);
  }

  /** A block's contents as the layers under the head define it (zeroes when the head says so). */
  private belowHead(layers: Layer[], block: number): Promise<Buffer> {
    if (layers.at(-1)!.map.get(block) === ZERO) return Promise.resolve(Buffer.alloc(BS));
    return this.readView(layers, layers.length - 2, block * BS, BS);
  }

  private async zeroRange(offset: number, length: number, fua: boolean, keepAllocated: boolean): Promise<void> {
    this.assertOpen();
    checkRange(offset, length, this.size);
    if (length > 0) {
      const end = offset + length;
      const unlock = await this.lock.acquire(Math.floor(offset / BS), Math.ceil(end / BS));
      try {
        const wholeFrom = Math.ceil(offset / BS);
        const wholeTo = Math.floor(end / BS);
        if (wholeFrom >= wholeTo) {
          await this.writeLocked(offset, Buffer.alloc(length));
        } else {
          if (offset < wholeFrom * BS) await this.writeLocked(offset, Buffer.alloc(wholeFrom * BS - offset));
          if (wholeTo * BS < end) await this.writeLocked(wholeTo * BS, Buffer.alloc(end - wholeTo * BS));
          const head = this.head;
          if (keepAllocated) {
            // Zeroed data, not a hole: the blocks are allocated in the head's file and marked DATA
            // (so a rebuild copies them, and the next flush syncs them before the map says so).
            await this.zeroAllocated(head, wholeFrom * BS, wholeTo * BS);
            head.map.setRange(wholeFrom, wholeTo, DATA);
          } else {
            const hadData = head.map.any(wholeFrom, wholeTo, DATA);
            // With no older layer, "absent" already reads as zeroes; otherwise mask the older data.
            head.map.setRange(wholeFrom, wholeTo, this.layers.length === 1 ? ABSENT : ZERO);
            if (hadData && this.punchHoles) await punchHole(head.data, wholeFrom * BS, (wholeTo - wholeFrom) * BS);
          }
        }
        this.bump();
      } finally {
        unlock();
      }
    }
    if (fua) await this.sync();
  }

  /** Makes the head's file read as zeroes over [from, to), allocated: fallocate's ZERO_RANGE, else written zeroes. */
  private async zeroAllocated(head: Layer, from: number, to: number): Promise<void> {
    try {
      if (await zeroRange(head.data, from, to - from)) return;
      const zeroes = Buffer.alloc(Math.min(to - from, MERGE_CHUNK_BLOCKS * BS));
      for (let at = from; at < to; at += zeroes.length) {
        await writeFully(head.data, zeroes.subarray(0, Math.min(zeroes.length, to - at)), at, this.inlineIo);
      }
    } catch (err) {
      throw toBlockError(err);
    }
  }

  /** FLUSH: the head's data, then its map (with the revision), durable; concurrent calls share a round. */
  private sync(): Promise<void> {
    if (this.syncQueued) return this.syncQueued;
    if (!this.syncRunning) return this.startSync();
    const queued = this.syncRunning
      .catch(() => {})
      .then(() => {
        this.syncQueued = null;
        return this.startSync();
      });
    this.syncQueued = queued;
    return queued;
  }

  private startSync(): Promise<void> {
    const run: Promise<void> = this.syncRound().finally(() => {
      if (this.syncRunning === run) this.syncRunning = null;
    });
    this.syncRunning = run;
    return run;
  }

  private async syncRound(): Promise<void> {
    if (this.failure) throw new BlockError('EIO', `replica store ${this.dir} failed: ${this.failure.message}`);
    const head = this.head;
    const mutations = this.mutations;
    const h = head.header;
    if (
      mutations === this.syncedMutations &&
      !head.map.isDirty &&
      !h.clean &&
      h.revision === this.revision &&
      h.rebuilding === this.rebuilding &&
      h.engineOpen === this.engineOpen
    ) {
      return; // nothing changed since the last round: a flush of an idle volume costs nothing
    }
    try {
      // The data file's sync, then the map's (Layer.persist keeps that order): the map never says
      // "data" over a block whose data could still be lost.
      await head.persist(this.header(false));
      if (this.head === head) this.syncedMutations = Math.max(this.syncedMutations, mutations);
    } catch (err) {
      this.fail(err); // after a failed fsync the page cache may have dropped the data
      throw toBlockError(err);
    }
  }

  /**
   * The first half of merging layer idx+1 down into the larger layer idx (deleteSnapshot): copies
   * idx+1's blocks into idx. When idx+1 is the live head this goes batch by batch under the range
   * lock, and each batch is made durable in idx before the head lets go of those blocks (marks
   * them absent: reads now find them in idx), so writes go on and a crash loses nothing;
   * finishMergeDown copies what was written meanwhile. A crash before the manifest commit leaves
   * the snapshot being deleted holding newer blocks: the deletion is not done and is retried.
   */
  private async mergeDown(idx: number): Promise<void> {
    const into = this.layers[idx]!;
    const from = this.layers[idx + 1]!;
    const fromHead = from === this.head;
    const blocks = Math.ceil((fromHead ? this.size : (this.manifest.layers[idx + 1]!.size ?? this.size)) / BS);
    try {
      if (!fromHead) {
        await this.copyDown(from, into, idx, 0, blocks);
        await into.data.datasync();
        await into.persist(into.header);
        return;
      }
      // Passes until what the head received meanwhile is small, so that the final copy under the
      // whole-volume lock is short even while writes pour in.
      for (let pass = 0; pass < MERGE_DOWN_PASSES; pass++) {
        for (const [s, e] of mergeBatches(from, blocks)) {
          const unlock = await this.lock.acquire(s, e);
          try {
            await this.copyDown(from, into, idx, s, e);
            await into.data.datasync();
            await into.persist(into.header);
            from.map.setRange(s, e, ABSENT);
          } finally {
            unlock();
          }
        }
        if (defined(from) <= MERGE_DOWN_FINAL_BLOCKS) break;
      }
    } catch (err) {
      throw toBlockError(err);
    }
  }

  /**
   * The second half, under the whole-volume lock: what the head received during the first half is
   * copied down too, then layer idx takes idx+1's place in the manifest (as the head, or with the
   * newer snapshot's name and metadata).
   */
  private async finishMergeDown(idx: number): Promise<void> {
    const into = this.layers[idx]!;
    const from = this.layers[idx + 1]!;
    const layers = this.manifest.layers.filter((_, i) => i !== idx + 1);
    if (from === this.head) {
      try {
        await this.copyDown(from, into, idx, 0, Math.ceil(this.size / BS));
        await into.data.truncate(this.size);
        await into.data.datasync();
        await into.persist(this.header(false));
      } catch (err) {
        this.fail(err);
        throw toBlockError(err);
      }
      layers[idx] = { id: into.id, name: null };
      await this.commit({ ...this.manifest, layers });
      this.syncedMutations = this.mutations; // everything is in the new head, synced above
    } else {
      layers[idx] = { ...this.manifest.layers[idx + 1]!, id: into.id };
      await this.commit({ ...this.manifest, layers });
    }
  }

  /** Copies what `from` defines in blocks [s, e) into `into` (layer idx): data, and zeroes as zero. */
  private async copyDown(from: Layer, into: Layer, idx: number, s: number, e: number): Promise<void> {
    const buf = Buffer.alloc(MERGE_CHUNK_BLOCKS * BS);
    for (const run of [...from.map.runs(s, e)]) {
      if (run.state === ZERO) {
        const hadData = into.map.any(run.start, run.end, DATA);
        into.map.setRange(run.start, run.end, idx === 0 ? ABSENT : ZERO);
        if (hadData && this.punchHoles) await punchHole(into.data, run.start * BS, (run.end - run.start) * BS);
        continue;
      }
      for (let b = run.start; b < run.end; b += MERGE_CHUNK_BLOCKS) {
        const n = (Math.min(run.end, b + MERGE_CHUNK_BLOCKS) - b) * BS;
        buf.fill(0, 0, n);
        await readFully(from.data, buf, 0, n, b * BS);
        await writeFully(into.data, buf.subarray(0, n), b * BS);
        into.map.setRange(b, b + n / BS, DATA);
      }
    }
  }

  /** Merges layer idx (a snapshot) into the next newer layer, copying what that one lacks. */
  private async merge(idx: number): Promise<void> {
    const from = this.layers[idx]!;
    const into = this.layers[idx + 1]!;
    const intoHead = idx + 1 === this.layers.length - 1;
    const isBase = idx === 0;
    const blocks = Math.ceil((this.manifest.layers[idx]!.size ?? this.size) / BS);
    const buf = Buffer.alloc(MERGE_CHUNK_BLOCKS * BS);
    try {
      for (const run of [...from.map.runs(0, blocks)]) {
        if (run.state === ZERO && isBase) continue; // at the bottom, zeroes and absence read alike
        for (let s = run.start; s < run.end; s += MERGE_CHUNK_BLOCKS) {
          const e = Math.min(run.end, s + MERGE_CHUNK_BLOCKS);
          const unlock = intoHead ? await this.lock.acquire(s, e) : null;
          try {
            for (let b = s; b < e;) {
              if (into.map.get(b) !== ABSENT) {
                b++;
                continue;
              }
              let t = b + 1;
              while (t < e && into.map.get(t) === ABSENT) t++;
              if (run.state === DATA) {
                const n = (t - b) * BS;
                buf.fill(0, 0, n);
                await readFully(from.data, buf, 0, n, b * BS);
                await writeFully(into.data, buf.subarray(0, n), b * BS);
                into.map.setRange(b, t, DATA);
              } else {
                into.map.setRange(b, t, ZERO);
              }
              b = t;
            }
          } finally {
            unlock?.();
          }
        }
      }
      if (intoHead) await this.sync();
      else await Promise.all([into.data.datasync(), into.persist(into.header)]);
    } catch (err) {
      throw toBlockError(err);
    }
  }
}

/** Head blocks in batches for mergeDown: spans of at most 64 MiB holding at most 4 MiB of blocks. */
function mergeBatches(head: Layer, blocks: number): [number, number][] {
  const out: [number, number][] = [];
  let start = -1;
  let end = 0;
  let count = 0;
  for (const run of head.map.runs(0, blocks)) {
    for (let b = run.start; b < run.end;) {
      if (start >= 0 && (b - start >= BLOCKS_PER_PAGE || count >= 4 * MERGE_CHUNK_BLOCKS)) {
        out.push([start, end]);
        start = -1;
      }
      if (start < 0) {
        start = b;
        count = 0;
      }
      const take = Math.min(run.end - b, 4 * MERGE_CHUNK_BLOCKS - count, start + BLOCKS_PER_PAGE - b);
      count += take;
      b += take;
      end = b;
    }
  }
  if (start >= 0) out.push([start, end]);
  return out;
}

/** Blocks a layer defines: a merge copies the smaller into the larger. */
const defined = (l: Layer): number => l.map.countDefined();

function checkLayerName(name: string): void {
  if (typeof name !== 'string' || !(SNAPSHOT_NAME.test(name) || SYSTEM_NAME.test(name))) {
    throw new BlockError(
      'EINVAL',
      `bad snapshot name ${JSON.stringify(name)}: 1-128 of A-Z a-z 0-9 . _ -, not starting with . _ -`,
    );
  }
}

function checkRange(offset: number, length: number, size: number): void {
  if (
    !Number.isSafeInteger(offset) ||
    !Number.isSafeInteger(length) ||
    offset < 0 ||
    length < 0 ||
    offset + length > size
  ) {
    throw new BlockError('EINVAL', `range ${offset}+${length} is outside the volume (0..${size})`);
  }
}

function checkSize(size: number): void {
  if (!Number.isSafeInteger(size) || size <= 0 || size % BS !== 0 || size > MAX_VOLUME_SIZE) {
    throw new BlockError('EINVAL', `size ${size} is not a positive multiple of ${BS} up to ${MAX_VOLUME_SIZE}`);
  }
}

function toBlockError(err: unknown): Error {
  if (err instanceof BlockError || err instanceof ReplicaError) return err;
  const code = (err as NodeJS.ErrnoException)?.code;
  const message = err instanceof Error ? err.message : String(err);
  return new BlockError(code === 'ENOSPC' || code === 'EDQUOT' || code === 'EFBIG' ? 'ENOSPC' : 'EIO', message);
}

/** Removes layer files no manifest names (left by a crash during snapshot or deletion). */
async function removeStrays(dir: string, keep: Set<number>): Promise<void> {
  for (const name of await readdir(dir)) {
    const m = /^layer-(\d+)\.(data|map)$/.exec(name);
    if ((m && !keep.has(Number(m[1]))) || name === `${MANIFEST}.tmp`) await unlink(join(dir, name)).catch(() => {});
  }
}
