// The engine: one per attached volume, on the node it is attached to. It is the BlockBackend the
// NBD frontend serves, over the volume's replicas:
// - writes (and trims, zeroes) go to every healthy and every rebuilding replica at once and are
//   acknowledged when all of them have them; a replica that fails is dropped from the set and
//   reported, and the volume goes on while one healthy replica is left;
// - reads come from a local healthy replica when there is one, else from the healthy ones in turn
//   (a failed read is retried on the next one);
// - FLUSH and FUA reach every replica's disk;
// - a replica being rebuilt receives live writes at once and the rest by copy (rebuild.ts); it
//   becomes readable when the copy is complete.
// Overlapping writes and rebuild copies take a range lock in arrival order, so a copy never
// overwrites a newer live write and every replica applies overlapping writes in the same order.
import { BLOCK_SIZE, BlockError, partsLength, writePartsTo } from '../block.js';
import type { BlockBackend } from '../block.js';
import type { Replica } from '../replica/api.js';
import { ReplicaError } from '../replica/api.js';
import { RangeLock } from '../replica/range-lock.js';
import { copyReplica } from './rebuild.js';

export type EngineReplicaMode = 'healthy' | 'rebuilding' | 'failed';

export interface EngineReplica {
  id: string;
  replica: Replica;
  /** On this node's disk: preferred for reads. */
  local: boolean;
}

export interface EngineEvents {
  /** A replica was dropped: it failed an I/O, or its connection died. */
  onReplicaFailed?(id: string, reason: string): void;
  /** A rebuilding replica completed its copy and is healthy. */
  onReplicaRebuilt?(id: string): void;
  /** Rebuild progress, 0..100. */
  onRebuildProgress?(id: string, percent: number): void;
}

interface Member extends EngineReplica {
  mode: EngineReplicaMode;
  /** Dropped and reported; its connection is closed. */
  dropped: boolean;
}

export class Engine implements BlockBackend {
  private readonly members = new Map<string, Member>();
  private readonly lock = new RangeLock();
  private nextRead = 0;
  private closed = false;

  private constructor(readonly volume: string, public size: number, private readonly events: EngineEvents) {}

  /**
   * Opens an engine over the given replicas. A restarted engine trusts only the replicas with the
   * highest revision (and not marked as rebuilding); the others are reported failed, to be rebuilt.
   */
  static async open(volume: string, replicas: EngineReplica[], events: EngineEvents = {}): Promise<Engine> {
    if (replicas.length === 0) throw new BlockError('EIO', `volume ${volume}: no replica to open`);
    const infos = await Promise.all(replicas.map(async (r) => {
      try {
        return { r, info: await r.replica.info() };
      } catch (e) {
        return { r, error: (e as Error).message };
      }
    }));
    const usable = infos.filter((x) => x.info && !x.info.rebuilding);
    if (usable.length === 0) throw new BlockError('EIO', `volume ${volume}: no replica with complete data among ${replicas.map((r) => r.id).join(', ')}`);
    const best = Math.max(...usable.map((x) => x.info!.revision));
    const size = Math.max(...usable.map((x) => x.info!.size));
    const engine = new Engine(volume, size, events);
    for (const x of infos) {
      const healthy = Boolean(x.info && !x.info.rebuilding && x.info.revision === best);
      engine.members.set(x.r.id, { ...x.r, mode: healthy ? 'healthy' : 'failed', dropped: false });
      if (!healthy) {
        const why = x.error ?? (x.info!.rebuilding ? 'its last rebuild did not finish' : `stale: revision ${x.info!.revision} < ${best}`);
        engine.drop(x.r.id, why);
      } else {
        engine.watch(engine.members.get(x.r.id)!);
      }
    }
    return engine;
  }

  /** Each replica's mode, for status reports. */
  replicaModes(): Record<string, EngineReplicaMode> {
    return Object.fromEntries([...this.members.values()].map((m) => [m.id, m.mode]));
  }

  private healthy(): Member[] {
    return [...this.members.values()].filter((m) => m.mode === 'healthy');
  }

  /** Replicas that take writes: healthy ones and those being rebuilt. */
  private writable(): Member[] {
    return [...this.members.values()].filter((m) => m.mode !== 'failed');
  }

  private watch(m: Member): void {
    const closed = (m.replica as { closed?: Promise<Error> }).closed;
    if (closed) void closed.then((e) => this.drop(m.id, `connection lost: ${e.message}`));
  }

  private drop(id: string, reason: string): void {
    const m = this.members.get(id);
    if (!m || m.dropped) return;
    m.mode = 'failed';
    m.dropped = true;
    void m.replica.close().catch(() => undefined);
    if (!this.closed) this.events.onReplicaFailed?.(id, reason);
  }

  private check(offset: number, length: number): void {
    if (this.closed) throw new BlockError('ESHUTDOWN', `volume ${this.volume} is detached`);
    if (offset < 0 || length < 0 || offset + length > this.size) {
      throw new BlockError('EINVAL', `range ${offset}+${length} is outside the volume (${this.size} bytes)`);
    }
  }

  /** Runs a mutation on every writable replica; drops the ones that fail; fails only if none is left healthy. */
  private async everywhere(what: string, fn: (r: Replica) => Promise<void>): Promise<void> {
    // Remote replicas first: their requests are queued (and sent, output-batcher.ts) before the
    // local replica's pwrite runs, so they copy while it does.
    const targets = this.writable().sort((a, b) => Number(a.local) - Number(b.local));
    if (targets.filter((m) => m.mode === 'healthy').length === 0) throw new BlockError('EIO', `volume ${this.volume}: no healthy replica`);
    const results = await Promise.allSettled(targets.map((m) => fn(m.replica)));
    results.forEach((res, i) => {
      if (res.status === 'rejected') this.drop(targets[i]!.id, `${what} failed: ${(res.reason as Error).message}`);
    });
    if (!targets.some((m, i) => m.mode === 'healthy' && results[i]!.status === 'fulfilled')) {
      throw new BlockError('EIO', `volume ${this.volume}: ${what} failed on every replica`);
    }
  }

  private async locked<T>(offset: number, length: number, fn: () => Promise<T>): Promise<T> {
    const unlock = await this.lock.acquire(Math.floor(offset / BLOCK_SIZE), Math.ceil((offset + length) / BLOCK_SIZE));
    try {
      return await fn();
    } finally {
      unlock();
    }
  }

  async read(offset: number, length: number): Promise<Buffer> {
    this.check(offset, length);
    for (;;) {
      const healthy = this.healthy();
      if (healthy.length === 0) throw new BlockError('EIO', `volume ${this.volume}: no healthy replica to read from`);
      const m = healthy.find((x) => x.local) ?? healthy[this.nextRead++ % healthy.length]!;
      try {
        return await m.replica.read(offset, length);
      } catch (e) {
        if (e instanceof BlockError && e.errno === 'EINVAL') throw e;
        this.drop(m.id, `read failed: ${(e as Error).message}`);
      }
    }
  }

  write(offset: number, data: Buffer, fua = false): Promise<void> {
    this.check(offset, data.length);
    return this.locked(offset, data.length, () => this.everywhere('write', (r) => r.write(offset, data, fua)));
  }

  /** write() of the parts joined, passed on to the replicas unjoined (see BlockBackend). */
  writeParts(offset: number, parts: Buffer[], fua = false): Promise<void> {
    const length = partsLength(parts);
    this.check(offset, length);
    return this.locked(offset, length, () => this.everywhere('write', (r) => writePartsTo(r, offset, parts, fua)));
  }

  trim(offset: number, length: number): Promise<void> {
    this.check(offset, length);
    return this.locked(offset, length, () => this.everywhere('trim', (r) => r.trim(offset, length)));
  }

  writeZeroes(offset: number, length: number, fua = false): Promise<void> {
    this.check(offset, length);
    return this.locked(offset, length, () => this.everywhere('write-zeroes', (r) => r.writeZeroes(offset, length, fua)));
  }

  flush(): Promise<void> {
    if (this.closed) return Promise.reject(new BlockError('ESHUTDOWN', `volume ${this.volume} is detached`));
    return this.everywhere('flush', (r) => r.flush());
  }

  /**
   * Adds a replica to rebuild from a healthy one: it joins write-only at once (live writes reach
   * it), the rest is copied under range locks, and it becomes readable when the copy completes.
   * Resolves when the rebuild is done; rejects (and drops it) if it fails.
   */
  async rebuild(target: EngineReplica, fromId?: string): Promise<void> {
    const source = (fromId ? this.members.get(fromId) : undefined) ?? this.healthy().find((m) => m.local) ?? this.healthy()[0];
    if (!source || source.mode !== 'healthy') throw new BlockError('EIO', `volume ${this.volume}: no healthy replica to rebuild ${target.id} from`);
    const old = this.members.get(target.id);
    if (old && old.mode !== 'failed') throw new BlockError('EINVAL', `replica ${target.id} is already ${old.mode}`);
    await target.replica.beginRebuild();
    const m: Member = { ...target, mode: 'rebuilding', dropped: false };
    this.members.set(target.id, m);
    this.watch(m);
    try {
      // A reused replica may hold stale data anywhere: clear it, under the lock, before copying.
      await this.locked(0, this.size, async () => {
        const info = await target.replica.info();
        if (info.size < this.size) await target.replica.resize(this.size);
        await target.replica.trim(0, this.size);
      });
      await copyReplica({
        source: source.replica, target: target.replica, size: this.size,
        lock: (off, len, fn) => this.locked(off, len, fn),
        alive: () => m.mode === 'rebuilding' && source.mode === 'healthy' && !this.closed,
        progress: (pct) => this.events.onRebuildProgress?.(target.id, pct),
      });
      // Everything written so far is on the target: it is as new as the source.
      await this.locked(0, this.size, async () => {
        await target.replica.flush();
        const { revision } = await source.replica.info();
        await target.replica.endRebuild(revision);
        m.mode = 'healthy';
      });
      this.events.onReplicaRebuilt?.(target.id);
    } catch (e) {
      this.drop(target.id, `rebuild failed: ${(e as Error).message}`);
      throw e;
    }
  }

  /** Takes a snapshot on every healthy replica (after a flush), named for the volume's history. */
  async snapshot(name: string): Promise<void> {
    await this.locked(0, this.size, async () => {
      await this.flush();
      // Idempotent per replica: one that already has it (taken while detached) is fine.
      await this.everywhere('snapshot', async (r) => {
        try {
          await r.snapshot(name);
        } catch (e) {
          if (!(e instanceof ReplicaError && e.code === 'EEXIST')) throw e;
        }
      });
    });
  }

  /** The snapshots every healthy replica has (what reads through a snapshot can use). */
  async listSnapshots(): Promise<string[]> {
    const healthy = this.healthy();
    if (healthy.length === 0) return [];
    const lists = await Promise.all(healthy.map((m) => m.replica.listSnapshots().then((l) => new Set(l.map((x) => x.name)))));
    return [...lists[0]!].filter((n) => lists.every((l) => l.has(n))).sort();
  }

  /** Reads the volume as it was when the snapshot was taken, from a healthy replica. */
  async readSnapshot(name: string, offset: number, length: number): Promise<Buffer> {
    for (;;) {
      const healthy = this.healthy();
      if (healthy.length === 0) throw new BlockError('EIO', `volume ${this.volume}: no healthy replica to read from`);
      const m = healthy.find((x) => x.local) ?? healthy[this.nextRead++ % healthy.length]!;
      try {
        return await m.replica.readSnapshot(name, offset, length);
      } catch (e) {
        if (!(e instanceof BlockError) || e.errno === 'EINVAL') throw e;
        this.drop(m.id, `snapshot read failed: ${e.message}`);
      }
    }
  }

  async deleteSnapshot(name: string): Promise<void> {
    await this.everywhere('delete snapshot', async (r) => {
      try {
        await r.deleteSnapshot(name);
      } catch (e) {
        if (!(e instanceof ReplicaError && e.code === 'ENOENT')) throw e;
      }
    });
  }

  async resize(newSize: number): Promise<void> {
    await this.locked(0, Math.max(this.size, newSize), () => this.everywhere('resize', (r) => r.resize(newSize)));
    this.size = newSize;
  }

  /** Stops serving: flushes what it can and closes every replica connection. */
  async close(): Promise<void> {
    if (this.closed) return;
    await this.flush().catch(() => undefined);
    this.closed = true;
    await Promise.all([...this.members.values()].map((m) => m.replica.close().catch(() => undefined)));
  }
}
