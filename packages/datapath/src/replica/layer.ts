// One layer of a replica on disk: a sparse data file as large as the volume (block N at byte
// N*4096) and, next to it, the map file: a header (map-header.ts) and the allocation map's pages.
//
// Persisting, in this order: take a copy of the dirty map pages; fdatasync the data file; write
// the pages and the header; fdatasync the map file. The map never names data that is not durable:
// every block a copied page calls DATA was written before the copy (the store marks blocks after
// their pwrite completes), and the data sync starts after the copy and ends before any map byte
// is written (a write finishing during the sync is marked in a page copied by the next persist).
// Pages and header share one map sync (two fdatasyncs per persist, as before this order was
// kept): the header carries a digest of the pages it describes, and open believes it only when
// the pages on disk match (map-header.ts). Persists of one layer run one after another, so a
// finished persist covers every change made before it began.
import { stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { FileRef } from './file-io.js';
import { openFile, readFully, writeFully } from './file-io.js';
import { LayerMap, MAP_PAGE_BYTES } from './layer-map.js';
import {
  believedHeader,
  decodeHeader,
  emptyDigest,
  encodeHeader,
  FRESH_HEADER,
  HEADER_SLOT_BYTES,
  MAP_PAGES_OFFSET,
  pageDigest,
  xorDigest,
} from './map-header.js';
import type { MapHeader } from './map-header.js';

export const layerFiles = (dir: string, id: number) => ({
  data: join(dir, `layer-${id}.data`),
  map: join(dir, `layer-${id}.map`),
});

const sameHeader = (a: MapHeader, b: MapHeader): boolean =>
  a.revision === b.revision && a.clean === b.clean && a.rebuilding === b.rebuilding;

export class Layer {
  private persisting: Promise<void> = Promise.resolve();

  private constructor(
    readonly id: number,
    readonly dataPath: string,
    readonly data: FileRef,
    private readonly mapFile: FileRef,
    readonly map: LayerMap,
    /** The header last persisted (or loaded, as believed: see map-header.ts). */
    public header: MapHeader,
    private seq: number,
    /** Digest of each map page as last written or read (absent: all zeroes), and their XOR. */
    private readonly pageDigests = new Map<number, Buffer>(),
    private readonly mapDigest = emptyDigest(),
  ) {}

  /**
   * New empty layer files for a volume of `size` bytes, durable once the caller syncs the
   * directory. Only the map file's header is written and synced, and not even that when it is
   * FRESH_HEADER (an empty map file reads as that). The data file holds nothing yet, and its
   * length is never read (a read past its end gives zeros, and every block the map names was
   * written and synced before a map naming it was). `inline`: open and truncate on this thread.
   */
  static async create(dir: string, id: number, size: number, header: MapHeader, inline = true): Promise<Layer> {
    const paths = layerFiles(dir, id);
    const data = await openFile(paths.data, 'wx+', inline);
    let mapFile: FileRef | undefined;
    try {
      await data.truncate(size);
      mapFile = await openFile(paths.map, 'wx+', inline);
      const layer = new Layer(id, paths.data, data, mapFile, new LayerMap(), { ...FRESH_HEADER }, 0);
      // An empty map file reads as FRESH_HEADER (see map-header.ts): that one needs no write.
      if (!sameHeader(header, FRESH_HEADER)) await layer.persist(header, inline, false);
      return layer;
    } catch (err) {
      await data.close().catch(() => {});
      await mapFile?.close().catch(() => {});
      await Promise.all([unlink(paths.data).catch(() => {}), unlink(paths.map).catch(() => {})]);
      throw err;
    }
  }

  /** Opens a layer's files (`inline`: on this thread while fast, see metaCall). */
  static async open(dir: string, id: number, inline = true): Promise<Layer> {
    const paths = layerFiles(dir, id);
    const data = await openFile(paths.data, 'r+', inline);
    let mapFile: FileRef | undefined;
    try {
      mapFile = await openFile(paths.map, 'r+', inline);
      const { size } = await stat(paths.map);
      // Nothing was ever made durable in it: the layer as created (see FRESH_HEADER).
      if (size === 0) return new Layer(id, paths.data, data, mapFile, new LayerMap(), { ...FRESH_HEADER }, 0);
      const slots = Buffer.alloc(2 * HEADER_SLOT_BYTES);
      await readFully(mapFile, slots, 0, slots.length, 0);
      const found = [
        decodeHeader(slots.subarray(0, HEADER_SLOT_BYTES)),
        decodeHeader(slots.subarray(HEADER_SLOT_BYTES)),
      ]
        .filter((h) => h !== null)
        .sort((a, b) => b.seq - a.seq)[0];
      if (!found) throw new Error(`${paths.map}: no valid header`);
      const map = new LayerMap();
      const digests = new Map<number, Buffer>();
      const mapDigest = emptyDigest();
      const pages = Math.max(0, Math.ceil((size - MAP_PAGES_OFFSET) / MAP_PAGE_BYTES));
      const chunk = Buffer.alloc(256 * MAP_PAGE_BYTES);
      for (let first = 0; first < pages; first += 256) {
        const n = Math.min(256, pages - first);
        chunk.fill(0);
        await readFully(mapFile, chunk, 0, n * MAP_PAGE_BYTES, MAP_PAGES_OFFSET + first * MAP_PAGE_BYTES);
        for (let i = 0; i < n; i++) {
          const page = chunk.subarray(i * MAP_PAGE_BYTES, (i + 1) * MAP_PAGE_BYTES);
          map.loadPage(first + i, page);
          if (!map.hasPage(first + i)) continue; // all zeroes: digest zero
          const d = pageDigest(first + i, page);
          digests.set(first + i, d);
          xorDigest(mapDigest, d);
        }
      }
      return new Layer(
        id,
        paths.data,
        data,
        mapFile,
        map,
        believedHeader(found, mapDigest),
        found.seq,
        digests,
        mapDigest,
      );
    } catch (err) {
      await data.close().catch(() => {});
      await mapFile?.close().catch(() => {});
      throw err;
    }
  }

  /**
   * Makes the map as it is now, and `header`, durable, after the data its pages name (see the top
   * of this file). `inline`: the map writes on this thread while fast. `syncData` false skips the
   * data file's sync, for callers that know nothing was written to it (open, create).
   */
  persist(header: MapHeader, inline = false, syncData = true): Promise<void> {
    // The pages are copied when this persist's turn comes, not now: a persist still running may
    // be writing copies of them, and this one must see the map as it is when its data sync starts.
    const run = this.persisting.catch(() => {}).then(() => this.persistNow(header, inline, syncData));
    this.persisting = run;
    return run;
  }

  private async persistNow(header: MapHeader, inline: boolean, syncData: boolean): Promise<void> {
    const pages = this.map.takeDirty();
    try {
      if (syncData) await this.data.datasync();
      const digest = Buffer.from(this.mapDigest);
      const digests = new Map<number, Buffer>();
      for (const [p, bytes] of pages) {
        const d = pageDigest(p, bytes);
        digests.set(p, d);
        xorDigest(digest, this.pageDigests.get(p) ?? emptyDigest());
        xorDigest(digest, d);
      }
      const seq = this.seq + 1;
      const encoded = encodeHeader(header, seq, { pages: digest, previous: this.header });
      await Promise.all([
        ...[...pages].map(([p, bytes]) =>
          writeFully(this.mapFile, bytes, MAP_PAGES_OFFSET + p * MAP_PAGE_BYTES, inline),
        ),
        writeFully(this.mapFile, encoded, (seq % 2) * HEADER_SLOT_BYTES, inline),
      ]);
      await this.mapFile.datasync();
      this.seq = seq;
      this.header = header;
      digest.copy(this.mapDigest);
      for (const [p, d] of digests) this.pageDigests.set(p, d);
    } catch (err) {
      this.map.markDirty(pages.keys());
      throw err;
    }
  }

  async close(): Promise<void> {
    await this.persisting.catch(() => {});
    await Promise.all([this.data.close(), this.mapFile.close()]);
  }

  static async remove(dir: string, id: number): Promise<void> {
    const paths = layerFiles(dir, id);
    await Promise.all([unlink(paths.data).catch(() => {}), unlink(paths.map).catch(() => {})]);
  }
}
