// Snapshots of the projected state, so a process starts from the newest snapshot plus the tail of
// the log instead of replaying it all. A snapshot is the state's canonical JSON, gzipped and cut
// into chunks that fit etcd's request limit; its manifest (seq, hash, chunk count) is written last,
// so a snapshot without a manifest does not exist. Loading checks the hash; a snapshot that fails
// is skipped for an older one, and with none the log is replayed from seq 1.
//
// A manifest also records the log's chain hash at its seq (chain.ts): a projection starting from
// the snapshot checks the tail of the log against it, and `cairn audit verify` checks that the
// log at that seq carries it and that a replay reaches the same state hash there.
import { promisify } from 'node:util';
import { gunzipSync, gzip } from 'node:zlib';
import type { Etcd3 } from 'etcd3';
import type { ClusterState } from './state.js';
import { canonicalJsonParts, cloneState, fromCanonicalJson, stateHash, CANONICAL_VERSION } from './canonical.js';
import { Keys } from './keys.js';
import { createHash } from 'node:crypto';
import type { ChainHash } from './chain.js';

const gzipAsync = promisify(gzip);

/** Longest stretch (ms) a snapshot serialises before it lets the event loop run. */
const SLICE_MS = 5;

export interface SnapshotManifest {
  seq: number;
  hash: string;
  /** The log's chain hash at `seq`, hex; absent in snapshots of logs (or cairns) from before the chain. */
  chain?: string;
  chunks: number;
  bytes: number;
  format: number;
}

export interface SnapshotStoreOptions {
  prefix?: string;
  /** Snapshots kept; older ones are deleted after a new one is written. */
  keep?: number;
  chunkBytes?: number;
}

export class SnapshotStore {
  readonly keys: Keys;
  private readonly keep: number;
  private readonly chunkBytes: number;

  constructor(
    private readonly client: Etcd3,
    opts: SnapshotStoreOptions = {},
  ) {
    this.keys = new Keys(opts.prefix);
    this.keep = opts.keep ?? 2;
    this.chunkBytes = opts.chunkBytes ?? 1024 * 1024;
  }

  /**
   * Stores a snapshot of `state` at its seq, with `chain`, the log's chain hash at that seq (null:
   * the log has none there). Writing the same seq twice is harmless.
   */
  async save(state: ClusterState, chain: ChainHash = null): Promise<SnapshotManifest> {
    // A copy, taken before the first await: the reducer moves on meanwhile. It is serialised a
    // slice at a time, letting the event loop run in between: at 10,000 volumes the canonical
    // JSON takes a few hundred milliseconds, which in one piece stalled every request.
    const seq = state.seq;
    const copy = cloneState(state);
    const parts: string[] = [];
    const hasher = createHash('sha256');
    let sliceStart = performance.now();
    for (const part of canonicalJsonParts(copy)) {
      parts.push(part);
      hasher.update(part);
      if (performance.now() - sliceStart > SLICE_MS) {
        await new Promise<void>((r) => setImmediate(r));
        sliceStart = performance.now();
      }
    }
    const json = parts.join('');
    const hash = hasher.digest('hex');
    // Compressed on the thread pool: the event loop has the reducer and every stream to serve.
    const zipped = await gzipAsync(json);
    const chunks: Buffer[] = [];
    for (let off = 0; off < zipped.length; off += this.chunkBytes)
      chunks.push(zipped.subarray(off, off + this.chunkBytes));
    if (chunks.length === 0) chunks.push(Buffer.alloc(0));
    // One chunk per request keeps every request under etcd's 1.5 MiB limit.
    for (let i = 0; i < chunks.length; i++) await this.client.put(this.keys.snapshotChunk(seq, i)).value(chunks[i]!);
    const manifest: SnapshotManifest = {
      seq,
      hash,
      ...(chain ? { chain: chain.toString('hex') } : {}),
      chunks: chunks.length,
      bytes: zipped.length,
      format: CANONICAL_VERSION,
    };
    await this.client.put(this.keys.snapshotManifest(seq)).value(JSON.stringify(manifest));
    await this.prune();
    return manifest;
  }

  async list(): Promise<SnapshotManifest[]> {
    const res = await this.client.getAll().prefix(this.keys.snapshotManifests).sort('Key', 'Descend').exec();
    const out: SnapshotManifest[] = [];
    for (const kv of res.kvs) {
      try {
        out.push(JSON.parse(kv.value.toString()) as SnapshotManifest);
      } catch {
        /* an unreadable manifest is no snapshot; an older one or the log will do */
      }
    }
    return out;
  }

  /**
   * The newest snapshot at or below `atMostSeq` whose hash checks out, or null. Snapshots that
   * fail to load are reported through `onSkip` and passed over.
   */
  async loadLatest(
    atMostSeq = Number.MAX_SAFE_INTEGER,
    onSkip?: (m: SnapshotManifest, why: string) => void,
  ): Promise<ClusterState | null> {
    return (await this.load(atMostSeq, onSkip))?.state ?? null;
  }

  /** loadLatest, with the manifest the state was loaded by. */
  async load(
    atMostSeq = Number.MAX_SAFE_INTEGER,
    onSkip?: (m: SnapshotManifest, why: string) => void,
  ): Promise<{ state: ClusterState; manifest: SnapshotManifest } | null> {
    for (const m of await this.list()) {
      if (m.seq > atMostSeq) continue;
      if (m.format !== CANONICAL_VERSION) {
        onSkip?.(m, `format ${m.format}`);
        continue;
      }
      try {
        const state = await this.read(m);
        const hash = stateHash(state);
        if (hash !== m.hash) throw new Error(`hash ${hash} does not match manifest ${m.hash}`);
        return { state, manifest: m };
      } catch (e) {
        onSkip?.(m, (e as Error).message);
      }
    }
    return null;
  }

  /** The state a manifest's chunks hold, unchecked (throws when a chunk is missing or does not unzip). */
  async read(m: SnapshotManifest): Promise<ClusterState> {
    const parts: Buffer[] = [];
    for (let i = 0; i < m.chunks; i++) {
      const b = await this.client.get(this.keys.snapshotChunk(m.seq, i)).buffer();
      if (b === null) throw new Error(`chunk ${i} missing`);
      parts.push(b);
    }
    return fromCanonicalJson(gunzipSync(Buffer.concat(parts)).toString(), m.seq);
  }

  private async prune(): Promise<void> {
    const all = await this.list();
    for (const m of all.slice(this.keep)) {
      await this.client.delete().key(this.keys.snapshotManifest(m.seq)).exec();
      await this.client.delete().prefix(this.keys.snapshotChunks(m.seq)).exec();
    }
  }
}
