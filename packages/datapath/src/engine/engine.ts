// The engine: one per attached volume, on the node it is attached to. It is the BlockBackend the
// NBD frontend serves, over the volume's replicas:
// - writes (and trims, zeroes) go to every healthy and every rebuilding replica at once and are
//   acknowledged when all of them have them; a replica that fails is dropped from the set and
//   reported, and the volume goes on while one healthy replica is left;
// - no acknowledged write is lost: the control plane's "running" set is the authority on which
//   replicas hold every acknowledged write, so once a replica has left the write set no write,
//   trim, write-zeroes or flush is acknowledged until its failure is RECORDED (onReplicaFailed's
//   promise resolved; a rejection is retried with backoff until it resolves or the engine closes).
//   The I/O itself goes on; only completions wait (as Longhorn's engine does);
// - reads come from a local healthy replica when there is one, else from the healthy ones in turn
//   (a failed read is retried on the next one);
// - FLUSH and FUA reach every replica's disk;
// - a replica being rebuilt gets its snapshot chain shaped to a healthy one's, then (from a
//   reference snapshot taken everywhere at once) live writes, while the layers below are synced
//   by hashes (rebuild.ts); it becomes readable when they are equal. Snapshot creation, deletion
//   and the rebuild's chain steps are ordered by one mutex (mutex.ts).
// - fenced (fence.ts): a replica that refuses it with FencedError means the volume has been
//   attached elsewhere since; the engine stops for good: that I/O and every later one fail (EIO to
//   the NBD client), nothing is acknowledged, no replica is dropped or reported (the refusing one
//   is fine: it serves the new engine), and onFenced says so once.
// Overlapping writes and the rebuild's fixes to a target's head take a range lock in arrival
// order, so a fix never overwrites a newer live write and every replica applies overlapping
// writes in the same order (the rebuild's copies into frozen layers need no lock: writes never
// reach those).
import { BLOCK_SIZE, BlockError, partsLength, writePartsTo } from '../block.js';
import type { BlockBackend } from '../block.js';
import type { Replica, SnapshotInfo } from '../replica/api.js';
import { randomBytes } from 'node:crypto';
import { FencedError, isSnapshotName, isSystemLayer, ReplicaError } from '../replica/api.js';
import { RangeLock } from '../replica/range-lock.js';
import { Mutex } from './mutex.js';
import { emptyStats, shapeChain, syncLayer } from './rebuild.js';
import type { RebuildStats } from './rebuild.js';

export type EngineReplicaMode = 'healthy' | 'rebuilding' | 'failed';

export interface EngineReplica {
  id: string;
  replica: Replica;
  /** On this node's disk: preferred for reads. */
  local: boolean;
}

export interface EngineEvents {
  /**
   * A replica was dropped (it failed an I/O, its connection died, its rebuild failed, or it was
   * left out at open), or markFailed() named one. Resolves once the control plane has RECORDED it
   * failed; until then the engine acknowledges no mutation. A rejection (the report was lost) is
   * retried with backoff, so the callback must be safe to call again for the same failure.
   */
  onReplicaFailed?(id: string, reason: string): Promise<void> | void;
  /** A rebuilding replica completed its copy and is healthy. */
  onReplicaRebuilt?(id: string): void;
  /** Rebuild progress, 0..100. */
  onRebuildProgress?(id: string, percent: number): void;
  /** A replica refused this engine's attachment epoch: the engine serves no more (once). */
  onFenced?(reason: string): void;
}

interface Member extends EngineReplica {
  mode: EngineReplicaMode;
  /** Dropped and reported; its connection is closed. */
  dropped: boolean;
}

const layerKey = (l: SnapshotInfo): string => `${l.name}@${l.createdAt}`;

/** What open() learns of a replica: its info, or why it could not be asked. */
export interface OpenCandidate {
  id: string;
  local: boolean;
  info?: { revision: number; cleanShutdown: boolean; rebuilding: boolean; engineOpen?: boolean };
  error?: string;
}

/**
 * Which replicas a (re)starting engine serves as healthy, and why each other one is not (pure).
 * Every candidate is one the control plane records running, so each holds every acknowledged
 * write; what can differ is what was never acknowledged. A cleanly closed replica's revision is
 * exact; an unclean one's (its process died) is the revision of its last flush, a lower bound,
 * and it may hold unflushed, unacknowledged writes the others lack or order differently. A replica
 * still marked engineOpen counts as unclean too: the engine that had it open died (it never
 * cleared the mark), so clean replicas at one revision may still hold different unacknowledged
 * writes from it (clean describes the replica's process, the mark the engine's session). So:
 * - all clean: the ones with the highest revision;
 * - any unclean: ONE is chosen (highest revision; on a tie the clean one, then the local one),
 *   and kept with it only the clean ones of exactly its revision when it is clean itself (two
 *   clean replicas at one revision applied the same writes); every other one is rebuilt from it.
 * A replica marked rebuilding, or whose info could not be read, is never healthy.
 */
export function chooseHealthy(candidates: OpenCandidate[]): {
  healthy: string[];
  dropped: { id: string; reason: string }[];
} {
  const usable = candidates.filter((c) => c.info && !c.info.rebuilding);
  const dropped: { id: string; reason: string }[] = [];
  for (const c of candidates) {
    if (c.error !== undefined || !c.info) dropped.push({ id: c.id, reason: c.error ?? 'no info' });
    else if (c.info.rebuilding) dropped.push({ id: c.id, reason: 'its last rebuild did not finish' });
  }
  if (usable.length === 0) return { healthy: [], dropped };
  const best = Math.max(...usable.map((c) => c.info!.revision));
  const clean = (c: OpenCandidate): boolean => c.info!.cleanShutdown && !c.info!.engineOpen;
  let healthy: OpenCandidate[];
  if (usable.every(clean)) {
    healthy = usable.filter((c) => c.info!.revision === best);
  } else {
    const rank = (c: OpenCandidate): number[] => [c.info!.revision, clean(c) ? 1 : 0, c.local ? 1 : 0];
    const chosen = [...usable].sort((a, b) => {
      const [x, y] = [rank(a), rank(b)];
      return y[0]! - x[0]! || y[1]! - x[1]! || y[2]! - x[2]! || a.id.localeCompare(b.id);
    })[0]!;
    healthy = clean(chosen) ? usable.filter((c) => clean(c) && c.info!.revision === chosen.info!.revision) : [chosen];
  }
  const ids = new Set(healthy.map((c) => c.id));
  for (const c of usable) {
    if (ids.has(c.id)) continue;
    const why =
      c.info!.revision < best
        ? `stale: revision ${c.info!.revision} < ${best}`
        : !c.info!.cleanShutdown
          ? `unclean shutdown: revision ${c.info!.revision} is only a lower bound and it may differ from ${healthy[0]!.id} in unacknowledged writes`
          : c.info!.engineOpen
            ? `an engine died with it open: it may differ from ${healthy[0]!.id} in unacknowledged writes`
            : `${healthy[0]!.id} (unclean, revision ${healthy[0]!.info!.revision}) was chosen: this replica may differ from it in unacknowledged writes`;
    dropped.push({ id: c.id, reason: why });
  }
  return { healthy: healthy.map((c) => c.id), dropped };
}

/** The first wait before a report of a failure is tried again, doubled per attempt up to the cap. */
const RECORD_RETRY_MS = 200;
const RECORD_RETRY_MAX_MS = 5000;

export class Engine implements BlockBackend {
  private readonly members = new Map<string, Member>();
  private readonly lock = new RangeLock();
  private nextRead = 0;
  private closed = false;
  /** Snapshot creation/deletion vs. the chain steps of rebuilds (mutex.ts). */
  private readonly chain = new Mutex();
  /** Targets of rebuilds not yet past their reference point (not members yet). */
  private readonly starting = new Set<string>();
  /** Reference snapshots of the rebuilds under way. */
  private readonly refs = new Set<string>();
  /** Failures reported and not yet recorded, by replica id: no mutation is acknowledged while any is. */
  private readonly unrecorded = new Map<string, Promise<void>>();
  /** Resolved by close(): completions held for a recording give up (they were never acknowledged). */
  private readonly closing: Promise<void>;
  private signalClosing!: () => void;
  /** Set when a replica refused this engine's epoch: every later I/O fails with it. */
  private fencedBy: FencedError | null = null;

  private constructor(
    readonly volume: string,
    public size: number,
    private readonly events: EngineEvents,
  ) {
    this.closing = new Promise((r) => (this.signalClosing = r));
  }

  /**
   * Opens an engine over the given replicas, which must be the ones the control plane records as
   * running (the caller filters). chooseHealthy() decides which are served as healthy; the others
   * are reported failed (to be rebuilt) like any dropped replica, so no mutation is acknowledged
   * before those reports are recorded (await recorded() before serving to know they are).
   */
  static async open(volume: string, replicas: EngineReplica[], events: EngineEvents = {}): Promise<Engine> {
    if (replicas.length === 0) throw new BlockError('EIO', `volume ${volume}: no replica to open`);
    const infos = await Promise.all(
      replicas.map(async (r) => {
        try {
          return { r, info: await r.replica.info() };
        } catch (e) {
          return { r, error: (e as Error).message };
        }
      }),
    );
    const { healthy, dropped } = chooseHealthy(
      infos.map((x) => ({ id: x.r.id, local: x.r.local, info: x.info, error: x.error })),
    );
    if (healthy.length === 0) {
      await Promise.all(replicas.map((r) => r.replica.close().catch(() => undefined)));
      throw new BlockError(
        'EIO',
        `volume ${volume}: no replica with complete data among ${replicas.map((r) => r.id).join(', ')}`,
      );
    }
    const size = Math.max(...infos.filter((x) => x.info && healthy.includes(x.r.id)).map((x) => x.info!.size));
    const engine = new Engine(volume, size, events);
    for (const x of infos) {
      const ok = healthy.includes(x.r.id);
      engine.members.set(x.r.id, { ...x.r, mode: ok ? 'healthy' : 'failed', dropped: false });
      if (ok) engine.watch(engine.members.get(x.r.id)!);
    }
    for (const d of dropped) engine.drop(d.id, d.reason);
    // The session mark, durable before anything is served: if this engine dies, the next open
    // knows these replicas may differ in unacknowledged writes (chooseHealthy). close() clears it.
    await Promise.all(
      engine.healthy().map((m) =>
        m.replica.markEngine(true).catch((e: Error) => {
          if (e instanceof FencedError) engine.fence(e);
          else engine.drop(m.id, `engine mark: ${e.message}`);
        }),
      ),
    );
    if (engine.fencedBy) {
      const err = engine.fencedBy;
      await engine.close();
      throw err;
    }
    if (engine.healthy().length === 0) {
      await engine.close();
      throw new BlockError('EIO', `volume ${volume}: no replica took the engine's mark`);
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
    // A fenced engine reports nothing: its view of the replicas is no longer the volume's.
    if (!this.closed && !this.fencedBy) this.record(id, reason);
  }

  /** The volume was attached elsewhere since this engine opened: it stops serving (see the header). */
  private fence(err: FencedError): void {
    if (this.fencedBy) return;
    this.fencedBy = new FencedError(
      `volume ${this.volume}: fenced, attached elsewhere since this engine opened (${err.message})`,
    );
    this.signalClosing(); // completions held for a recording give up: they are never acknowledged
    this.events.onFenced?.(this.fencedBy.message);
  }

  /** Whether a replica refused this engine's epoch (it then serves nothing more). */
  get fenced(): boolean {
    return this.fencedBy !== null;
  }

  /**
   * A replica the control plane records as running that this engine does not hold (unreachable
   * at open, or never opened by it): it lacks writes this engine acknowledges, so it is reported
   * failed like a dropped one, and no mutation is acknowledged until that is recorded.
   */
  markFailed(id: string, reason: string): void {
    const m = this.members.get(id);
    if (m && m.mode !== 'failed') {
      this.drop(id, reason);
      return;
    }
    if (!this.closed && !this.unrecorded.has(id)) this.record(id, reason);
  }

  /** Reports a failure until it is recorded (or the engine closes); tracked in `unrecorded` meanwhile. */
  private record(id: string, reason: string): void {
    const report = this.events.onReplicaFailed;
    if (!report) return;
    const attempt = async (): Promise<void> => {
      for (
        let delay = RECORD_RETRY_MS;
        !this.closed && !this.fencedBy;
        delay = Math.min(2 * delay, RECORD_RETRY_MAX_MS)
      ) {
        try {
          await report.call(this.events, id, reason);
          return;
        } catch {
          // Lost (no manager, a leader change): said again; completions keep waiting.
          await Promise.race([new Promise((r) => setTimeout(r, delay)), this.closing]);
        }
      }
    };
    const done = attempt().finally(() => {
      if (this.unrecorded.get(id) === done) this.unrecorded.delete(id);
    });
    this.unrecorded.set(id, done);
  }

  /**
   * Resolves once every failure reported so far is recorded by the control plane; rejects with
   * ESHUTDOWN if the engine closes first. Mutations pass through here before they complete; a
   * caller awaits it before serving a newly opened engine.
   */
  async recorded(): Promise<void> {
    while (this.unrecorded.size > 0 && !this.closed && !this.fencedBy) {
      await Promise.race([Promise.all(this.unrecorded.values()), this.closing]);
    }
    if (this.fencedBy) throw this.fencedBy;
    if (this.closed) throw new BlockError('ESHUTDOWN', `volume ${this.volume} is detached`);
  }

  /** Ids of replicas whose failure is reported but not yet recorded (for status and tests). */
  unrecordedFailures(): string[] {
    return [...this.unrecorded.keys()].sort();
  }

  private check(offset: number, length: number): void {
    if (this.fencedBy) throw this.fencedBy;
    if (this.closed) throw new BlockError('ESHUTDOWN', `volume ${this.volume} is detached`);
    if (offset < 0 || length < 0 || offset + length > this.size) {
      throw new BlockError('EINVAL', `range ${offset}+${length} is outside the volume (${this.size} bytes)`);
    }
  }

  /**
   * Runs a mutation on every writable replica; drops the ones that fail; fails only if none is
   * left healthy. Completes only once every failure reported so far is recorded (recorded()).
   */
  private async everywhere(what: string, fn: (r: Replica) => Promise<void>): Promise<void> {
    if (this.fencedBy) throw this.fencedBy;
    // Remote replicas first: their requests are queued (and sent, output-batcher.ts) before the
    // local replica's pwrite runs, so they copy while it does.
    const targets = this.writable().sort((a, b) => Number(a.local) - Number(b.local));
    if (targets.filter((m) => m.mode === 'healthy').length === 0)
      throw new BlockError('EIO', `volume ${this.volume}: no healthy replica`);
    const results = await Promise.allSettled(targets.map((m) => fn(m.replica)));
    // Refused as stale by any replica: not acknowledged, whatever the others did.
    const stale = results.find((res) => res.status === 'rejected' && res.reason instanceof FencedError);
    if (stale) this.fence((stale as PromiseRejectedResult).reason as FencedError);
    if (this.fencedBy) throw this.fencedBy;
    results.forEach((res, i) => {
      if (res.status === 'rejected') this.drop(targets[i]!.id, `${what} failed: ${(res.reason as Error).message}`);
    });
    if (!targets.some((m, i) => m.mode === 'healthy' && results[i]!.status === 'fulfilled')) {
      throw new BlockError('EIO', `volume ${this.volume}: ${what} failed on every replica`);
    }
    if (this.unrecorded.size > 0) await this.recorded();
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
        if (e instanceof FencedError) this.fence(e);
        if (this.fencedBy) throw this.fencedBy;
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

  writeZeroes(offset: number, length: number, fua = false, keepAllocated = false): Promise<void> {
    this.check(offset, length);
    return this.locked(offset, length, () =>
      this.everywhere('write-zeroes', (r) => r.writeZeroes(offset, length, fua, keepAllocated)),
    );
  }

  flush(): Promise<void> {
    if (this.fencedBy) return Promise.reject(this.fencedBy);
    if (this.closed) return Promise.reject(new BlockError('ESHUTDOWN', `volume ${this.volume} is detached`));
    return this.everywhere('flush', (r) => r.flush());
  }

  /**
   * Adds a replica to rebuild from a healthy one, snapshots included (rebuild.ts), moving only the
   * blocks that differ. Steps: (a) mark the target rebuilding and shape its chain to the source's
   * snapshot names; (b) under the whole-volume lock, flush and take a system reference snapshot R
   * on every replica and the target, and let the target take writes: from here every head starts
   * empty at the same point and gets the same writes; (c) sync the frozen layers oldest first, then
   * the heads; (d) under the whole-volume lock set the target's revision to the source's and make
   * it healthy; then delete R everywhere (a merge of the head down into R: as cheap as the writes
   * made meanwhile). Snapshots and deletions asked for meanwhile run between sync windows; one
   * taken after (b) reaches the target too (its head is in lockstep). Resolves with what moved;
   * rejects (and drops the target) if it fails.
   */
  async rebuild(target: EngineReplica, fromId?: string, opts: { windowBytes?: number } = {}): Promise<RebuildStats> {
    const source =
      (fromId ? this.members.get(fromId) : undefined) ?? this.healthy().find((m) => m.local) ?? this.healthy()[0];
    if (!source || source.mode !== 'healthy')
      throw new BlockError('EIO', `volume ${this.volume}: no healthy replica to rebuild ${target.id} from`);
    const old = this.members.get(target.id);
    if (old && old.mode !== 'failed') throw new BlockError('EINVAL', `replica ${target.id} is already ${old.mode}`);
    if (this.starting.has(target.id)) throw new BlockError('EINVAL', `replica ${target.id} is already being rebuilt`);
    this.starting.add(target.id);
    const t = target.replica;
    const s = source.replica;
    const ref = `.rebuild-${target.id.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 80)}-${randomBytes(4).toString('hex')}`;
    const stats = emptyStats();
    this.refs.add(ref);
    let m: Member | null = null;
    const alive = () => !this.closed && source.mode === 'healthy' && (m === null || m.mode === 'rebuilding');
    try {
      await t.beginRebuild();
      // (a) and (b), with no snapshot or deletion in between.
      await this.chain.run(async () => {
        const info = await t.info();
        if (info.size < this.size) await t.resize(this.size);
        const [sChain, tChain] = await Promise.all([s.listLayers(), t.listLayers()]);
        const plan = shapeChain(
          sChain.map((l) => l.name),
          tChain.map((l) => l.name),
        );
        for (const name of plan.remove) await t.deleteSnapshot(name);
        for (const { name, below } of plan.insert) {
          const l = sChain.find((x) => x.name === name)!;
          await t.insertSnapshot({ name, createdAt: l.createdAt, revision: l.revision, size: l.size }, below);
        }
        await this.locked(0, this.size, async () => {
          await this.flush();
          await this.everywhere('rebuild reference snapshot', (r) => r.snapshot(ref).then(() => undefined));
          await t.snapshot(ref);
          m = { ...target, mode: 'rebuilding', dropped: false };
          this.members.set(target.id, m);
          this.watch(m);
        });
      });
      this.starting.delete(target.id);
      // (c) Frozen layers oldest first, until every one on the source is known equal; the chain
      // may change between windows (snapshots, deletions), so it is read again after each layer.
      // Keyed by name and creation time: a snapshot deleted and taken again under its name is another layer.
      const equal = new Set<string>();
      for (;;) {
        if (!alive()) throw new BlockError('EIO', 'rebuild stopped');
        const next = await this.chain.run(async () => {
          const layers = await s.listLayers();
          const l = layers.find((x) => !equal.has(layerKey(x)));
          if (l) return l;
          // (c, last) the heads, then (d), holding the chain lock so that no snapshot freezes a head meanwhile.
          await syncLayer({
            source: s,
            target: t,
            layer: null,
            size: this.size,
            stats,
            alive,
            exclusive: (fn) => fn(),
            lock: (off, len, fn) => this.locked(off, len, fn),
            exists: async () => true,
          });
          await this.locked(0, this.size, async () => {
            if (!alive()) throw new BlockError('EIO', 'rebuild stopped');
            await t.flush();
            const { revision } = await s.info();
            await t.endRebuild(revision);
            m!.mode = 'healthy';
          });
          return null;
        });
        if (next === null) break;
        await syncLayer({
          source: s,
          target: t,
          layer: next.name,
          size: next.size,
          stats,
          alive,
          windowBytes: opts.windowBytes,
          exclusive: (fn) => this.chain.run(fn),
          lock: (off, len, fn) => this.locked(off, len, fn),
          exists: async () => (await s.listLayers()).some((x) => layerKey(x) === layerKey(next)),
          progress: (done) =>
            this.events.onRebuildProgress?.(
              target.id,
              Math.min(99, Math.floor((100 * (equal.size + done / next.size)) / (equal.size + 2))),
            ),
        });
        // Synced, or deleted meanwhile (on both sides: deletions reach the target too).
        equal.add(layerKey(next));
      }
    } catch (e) {
      if (e instanceof FencedError) this.fence(e);
      this.starting.delete(target.id);
      this.refs.delete(ref);
      if (m) this.drop(target.id, `rebuild failed: ${(e as Error).message}`);
      else await t.close().catch(() => undefined);
      if (!this.closed && source.mode === 'healthy') void this.dropReferences(s, ref);
      throw e;
    }
    this.events.onRebuildProgress?.(target.id, 100);
    this.events.onReplicaRebuilt?.(target.id);
    this.refs.delete(ref);
    // The reference point is no longer needed: merged away on every replica (its head's few
    // blocks copied down), with any left by a rebuild that failed or an engine that stopped.
    await this.dropReferences(s, ref);
    return stats;
  }

  /** Deletes `ref` and every rebuild reference no rebuild of this engine still uses, everywhere (best effort). */
  private async dropReferences(source: Replica, ref: string | null): Promise<void> {
    await this.chain
      .run(async () => {
        const stale = (await source.listLayers())
          .map((l) => l.name)
          .filter((n) => isSystemLayer(n) && !this.refs.has(n));
        for (const name of new Set([...(ref ? [ref] : []), ...stale])) {
          await this.everywhere('delete rebuild reference', (r) =>
            r.deleteSnapshot(name).catch((e: unknown) => {
              if (!(e instanceof ReplicaError && e.code === 'ENOENT')) throw e;
            }),
          );
        }
      })
      .catch(() => undefined);
  }

  /**
   * Takes a snapshot on every healthy replica and on every one being rebuilt that is past its
   * reference point (their heads are in lockstep, so the new layer is exact there too), after a
   * flush. A replica that already has it (taken while detached) is fine.
   */
  async snapshot(name: string): Promise<void> {
    // Checked here, not left to the replicas: a bad name must not read as a replica failure.
    if (!isSnapshotName(name))
      throw new BlockError(
        'EINVAL',
        `bad snapshot name ${JSON.stringify(name)}: 1-128 of A-Z a-z 0-9 . _ -, not starting with . _ -`,
      );
    await this.chain.run(() =>
      this.locked(0, this.size, async () => {
        await this.flush();
        // Replicas that already have it (taken while the volume was detached) are fine; one that
        // lacks it while others have it missed it, and taking it now would freeze newer data under
        // the old name: it is dropped instead, to be rebuilt (which copies the snapshot as it was).
        const members = this.writable();
        const has = await Promise.all(
          members.map((m) =>
            m.replica.listSnapshots().then(
              (l) => l.some((x) => x.name === name),
              () => null,
            ),
          ),
        );
        const holders = members.filter((_, i) => has[i] === true).map((m) => m.id);
        if (holders.length > 0) {
          members.forEach((m, i) => {
            if (has[i] === false) this.drop(m.id, `lacks snapshot ${name} that ${holders.join(', ')} have`);
          });
        }
        await this.everywhere('snapshot', async (r) => {
          try {
            await r.snapshot(name);
          } catch (e) {
            if (!(e instanceof ReplicaError && e.code === 'EEXIST')) throw e;
          }
        });
      }),
    );
  }

  /** The user snapshots every healthy replica has (what reads through a snapshot can use); system layers never show. */
  async listSnapshots(): Promise<string[]> {
    const healthy = this.healthy();
    if (healthy.length === 0) return [];
    const lists = await Promise.all(
      healthy.map((m) => m.replica.listSnapshots().then((l) => new Set(l.map((x) => x.name)))),
    );
    return [...lists[0]!].filter((n) => !isSystemLayer(n) && lists.every((l) => l.has(n))).sort();
  }

  /** Reads the volume as it was when the snapshot was taken, from a healthy replica. */
  async readSnapshot(name: string, offset: number, length: number): Promise<Buffer> {
    if (isSystemLayer(name)) throw new ReplicaError('ENOENT', `no snapshot ${JSON.stringify(name)}`);
    for (;;) {
      const healthy = this.healthy();
      if (healthy.length === 0) throw new BlockError('EIO', `volume ${this.volume}: no healthy replica to read from`);
      const m = healthy.find((x) => x.local) ?? healthy[this.nextRead++ % healthy.length]!;
      try {
        return await m.replica.readSnapshot(name, offset, length);
      } catch (e) {
        if (e instanceof FencedError) this.fence(e);
        if (this.fencedBy) throw this.fencedBy;
        if (!(e instanceof BlockError) || e.errno === 'EINVAL') throw e;
        this.drop(m.id, `snapshot read failed: ${e.message}`);
      }
    }
  }

  /** Deletes a snapshot everywhere, rebuilding replicas included (a merge keeps every other view, so their sync stays right). */
  async deleteSnapshot(name: string): Promise<void> {
    if (isSystemLayer(name))
      throw new BlockError('EINVAL', `snapshot names cannot start with '.': ${JSON.stringify(name)}`);
    await this.chain.run(() =>
      this.everywhere('delete snapshot', async (r) => {
        try {
          await r.deleteSnapshot(name);
        } catch (e) {
          if (!(e instanceof ReplicaError && e.code === 'ENOENT')) throw e;
        }
      }),
    );
  }

  async resize(newSize: number): Promise<void> {
    await this.locked(0, Math.max(this.size, newSize), () => this.everywhere('resize', (r) => r.resize(newSize)));
    this.size = newSize;
  }

  /**
   * Stops serving: flushes what it can and closes every replica connection. Completions still
   * held for a recording fail with ESHUTDOWN (never acknowledged), and reports stop being retried.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.signalClosing();
    // Only a replica whose final flush succeeded loses the session mark: any other one may hold
    // writes its peers lack, and the next open must treat it so. A fenced engine's session is
    // over: it touches nothing more (a replica it could still reach keeps its mark).
    if (!this.fencedBy)
      await Promise.allSettled(this.writable().map((m) => m.replica.flush().then(() => m.replica.markEngine(false))));
    await Promise.all([...this.members.values()].map((m) => m.replica.close().catch(() => undefined)));
  }
}
