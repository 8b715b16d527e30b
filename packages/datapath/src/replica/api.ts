// What a replica offers, whether it is the store on this node's disk (ReplicaStore) or one reached
// over the replica protocol (ReplicaClient): the BlockBackend data path plus the control operations
// that snapshots, expansion, restart and rebuild need. The engine can hold either behind this type.
import { BlockError } from '../block.js';
import type { BlockBackend } from '../block.js';

export interface SnapshotInfo {
  name: string;
  /** ISO 8601 time the snapshot was taken. */
  createdAt: string;
  /** The replica's revision when the snapshot was taken. */
  revision: number;
  /** The volume's size when the snapshot was taken (a snapshot reads only within it). */
  size: number;
  /** Bytes this snapshot's own layer holds (blocks written between it and the one before). */
  allocatedBytes: number;
}

export interface ReplicaInfo {
  size: number;
  /** Incremented by every write, trim and write-zeroes; persisted by FLUSH, FUA and close. */
  revision: number;
  /** False when the store was not closed cleanly last time (the revision is then the last persisted one). */
  cleanShutdown: boolean;
  /** Set by beginRebuild(), cleared by endRebuild(): the replica's data is incomplete. */
  rebuilding: boolean;
  /**
   * An engine had it open and did not close it (markEngine(true) with no markEngine(false) after):
   * that engine died, and may have sent it unacknowledged writes its peers lack.
   */
  engineOpen: boolean;
  /** Bytes the live head layer holds. */
  allocatedBytes: number;
  /** Oldest first. */
  snapshots: SnapshotInfo[];
}

/** A run of blocks: `offset` and `length` in bytes, multiples of 4096. */
export interface Extent {
  offset: number;
  length: number;
  /** True when the run reads as zeroes by an explicit trim or write-zeroes (layer listings only). */
  zero: boolean;
}

/** Extents found in a window, and where the scan stopped (it stops early when `limit` is reached). */
export interface ExtentList {
  extents: Extent[];
  /** The byte offset up to which the window was scanned; continue from here when it is short of the window's end. */
  end: number;
}

export interface Replica extends BlockBackend {
  info(): Promise<ReplicaInfo>;
  /** Freezes the current contents under `name`; later writes do not change what it reads. */
  snapshot(name: string): Promise<SnapshotInfo>;
  /** Merges the snapshot's layer into the next newer one; no other view's data changes. */
  deleteSnapshot(name: string): Promise<void>;
  listSnapshots(): Promise<SnapshotInfo[]>;
  /** Reads the volume as it was when the snapshot was taken. */
  readSnapshot(name: string, offset: number, length: number): Promise<Buffer>;
  /**
   * The extents in [offset, offset+length) that hold data when read through the volume (or through
   * `snapshot`); everything else reads as zeroes. For a rebuild: copy only these.
   */
  allocatedRanges(offset: number, length: number, snapshot?: string, limit?: number): Promise<ExtentList>;
  /**
   * The extents one layer defines by itself: its data and its explicit zeroes (`zero: true`); all
   * other blocks come from older layers. `layer` is a snapshot name, or null for the live head.
   * With readSnapshot/read, enough to copy a chain layer by layer.
   */
  layerRanges(layer: string | null, offset: number, length: number, limit?: number): Promise<ExtentList>;
  /** Grows the volume (a multiple of 4096, not smaller than the current size). */
  resize(newSize: number): Promise<void>;
  /**
   * Marks the replica as being rebuilt, persistently: its revision reads 0 and stays there until
   * endRebuild, so a restarted engine never prefers a half-copied replica.
   */
  beginRebuild(): Promise<void>;
  /**
   * The copy is complete: makes the layers written with writeLayer/zeroLayer durable, sets the
   * revision (that of the source, say) and clears the mark, durably.
   */
  endRebuild(revision: number): Promise<void>;
  /**
   * Sets (an engine opens it for writing) or clears (that engine's close flushed everything) the
   * durable engine-open mark, which info() reports as engineOpen until cleared, across restarts.
   * Durable before it resolves.
   */
  markEngine(open: boolean): Promise<void>;

  // ---- what a snapshot-preserving (and delta) rebuild needs ----

  /**
   * Every frozen layer, oldest first: the user's snapshots and the system ones (names starting
   * with '.', such as a rebuild's reference point), which listSnapshots and info leave out.
   */
  listLayers(): Promise<SnapshotInfo[]>;
  /**
   * Inserts an empty frozen layer named `layer.name` just below the layer named `below` (null: just
   * below the live head), with the given metadata. Being empty, it changes no view; it reads as the
   * layer under it until writeLayer/zeroLayer fill it. Only for a replica being rebuilt.
   */
  insertSnapshot(layer: NewLayer, below: string | null): Promise<SnapshotInfo>;
  /**
   * Per-block hashes (block-hash.ts: 16 bytes per 4 KiB block, in order) of the view through layer
   * `layer` (a frozen layer's name, or null for the live volume) over [offset, offset+length),
   * block-aligned, at most MAX_HASH_RANGE bytes. Blocks reading as zeroes hash to ZERO_HASH.
   */
  hashBlocks(layer: string | null, offset: number, length: number): Promise<Buffer>;
  /**
   * Writes whole blocks into a frozen layer's own data (not the head), making them "data" there:
   * how a rebuild fills a layer of its target. Durable at endRebuild (or a later deletion merge).
   */
  writeLayer(layer: string, offset: number, data: Buffer): Promise<void>;
  /** Makes whole blocks of a frozen layer read as zeroes (explicit zero; absent in the oldest layer). */
  zeroLayer(layer: string, offset: number, length: number): Promise<void>;
  close(): Promise<void>;
}

/** A layer to insert: a snapshot's name and metadata as the source replica has them. */
export interface NewLayer {
  name: string;
  createdAt: string;
  revision: number;
  size: number;
}

/** System layers (a rebuild's reference point) are named with a leading '.', which user names cannot have. */
export const isSystemLayer = (name: string): boolean => name.startsWith('.');

/** A user snapshot name: 1-128 of A-Z a-z 0-9 . _ -, not starting with . _ - (so never a system layer's). */
export const isSnapshotName = (name: string): boolean =>
  typeof name === 'string' && /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/.test(name);

export type ReplicaErrorCode = 'ENOENT' | 'EEXIST' | 'EBUSY';

/** A control operation that names something absent or already there (a snapshot, a replica). */
export class ReplicaError extends Error {
  constructor(
    readonly code: ReplicaErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ReplicaError';
  }
}

/**
 * The caller's attachment epoch is older than one the replica has admitted: the volume has been
 * attached elsewhere since, and this engine must stop. An EIO to the NBD frontend (the client
 * sees a failed I/O); the engine stops serving rather than dropping the replica (engine.ts).
 */
export class FencedError extends BlockError {
  constructor(message: string) {
    super('EIO', message);
    this.name = 'FencedError';
  }
}

/**
 * What fences a replica against engines of older attachments (ReplicaStore): the highest epoch it
 * has admitted, durable across restarts.
 */
export interface EpochFence {
  /** The highest epoch admitted (0: none yet). */
  readonly epoch: number;
  /**
   * Admits `epoch`: a lower one is refused with FencedError; a higher one becomes the replica's
   * (durably) once every write already admitted under an older one has finished, so that none of
   * them lands after this resolves.
   */
  admitEpoch(epoch: number): Promise<void>;
}
