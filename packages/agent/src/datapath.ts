// The node agent's data side: it runs what the manager assigns.
// - Replicas placed on this node's disks: a ReplicaStore each under DISK/replicas/<id>, served by
//   one ReplicaServer (the node's data address); a new one is reported running once it serves.
// - Engines of volumes attached to this node: an Engine over ReplicaClients to the replicas'
//   nodes, served as an NBD export named after the volume; reported attached with its endpoint.
//   Replica failures the engine sees are reported; a replica the scheduler told to rebuild is
//   rebuilt by the engine, with progress, and reported rebuilt.
// Assignments are applied one at a time, in order; each application compares the wanted set with
// what runs and changes only the difference.
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Assignments__Output, EngineAssignment__Output, ReportRequest } from '@cairn/api';
import { Engine, NbdServer, ReplicaClient, ReplicaError, ReplicaServer, ReplicaStore, SnapshotView } from '@cairn/datapath';
import type { EngineReplica, Replica } from '@cairn/datapath';

export interface DatapathOptions {
  nodeId: string;
  /** Host the data and NBD servers listen on and advertise. */
  host: string;
  dataPort?: number;
  nbdPort?: number;
  /** The data address to announce (to the manager, hence to engines) instead of host:dataPort. */
  advertise?: string;
  report: (r: Omit<ReportRequest, 'nodeId'>) => Promise<void>;
  log: (line: string) => void;
}

interface RunningReplica {
  store: ReplicaStore;
  dir: string;
  volume: string;
}

interface RunningEngine {
  engine: Engine;
  /** Replicas being rebuilt by this engine right now. */
  rebuilding: Set<string>;
  /** Running replicas this engine never opened, already reported failed. */
  outside: Set<string>;
}

/** The store itself for every call but close(), which the engine may call when it drops it. */
function borrowed(store: ReplicaStore): Replica {
  return new Proxy(store, {
    get(target, prop) {
      if (prop === 'close') return () => Promise.resolve();
      const v = Reflect.get(target, prop) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  }) as Replica;
}

/**
 * What an open engine does about its assigned replicas (pure):
 * - outside: running in the control plane's eyes but never opened by this engine (not running
 *   when it started): it lacks the writes since, so it is reported failed (once) and rebuilt in;
 * - rebuild: the scheduler says rebuilding, it has an address, and the engine is not already
 *   rebuilding it nor has it healthy (assignments that predate the rebuilt report still say
 *   rebuilding: starting again would fail and report a healthy replica failed);
 * - rebuilt: the scheduler says rebuilding and the engine has it healthy: report rebuilt again.
 */
export function engineReplicaPlan(
  replicas: { replicaId: string; state: string; address: string }[], modes: Record<string, string>,
  reported: ReadonlySet<string>, rebuilding: ReadonlySet<string>,
): { outside: string[]; rebuild: string[]; rebuilt: string[] } {
  const outside = replicas.filter((r) => r.state === 'running' && !(r.replicaId in modes) && !reported.has(r.replicaId)).map((r) => r.replicaId);
  const rebuild = replicas.filter((r) => r.state === 'rebuilding' && r.address && !rebuilding.has(r.replicaId)
    && modes[r.replicaId] !== 'healthy' && modes[r.replicaId] !== 'rebuilding').map((r) => r.replicaId);
  // Healthy here but still rebuilding there: the rebuilt report is in flight or was lost (a
  // manager gone at that moment); say it again (the manager records it once).
  const rebuilt = replicas.filter((r) => r.state === 'rebuilding' && !rebuilding.has(r.replicaId) && modes[r.replicaId] === 'healthy').map((r) => r.replicaId);
  return { outside, rebuild, rebuilt };
}

export class Datapath {
  private readonly replicaServer = new ReplicaServer();
  private readonly nbd: NbdServer;
  private readonly replicas = new Map<string, RunningReplica>();
  private readonly engines = new Map<string, RunningEngine>();
  /** Replicas whose data address this agent has reported. */
  private readonly announced = new Set<string>();
  private queue: Promise<void> = Promise.resolve();
  /** The newest assignments, applied again after a failed rebuild. */
  private latest: Assignments__Output | null = null;
  private recheck: NodeJS.Timeout | null = null;
  private stopped = false;
  dataAddress = '';
  nbdAddress = '';

  constructor(private readonly o: DatapathOptions) {
    // "VOLUME" is the volume; "VOLUME@SNAPSHOT" a read-only view of one of its snapshots.
    this.nbd = new NbdServer({
      exports: async (name) => {
        const at = name.indexOf('@');
        if (at < 0) return this.engines.get(name)?.engine;
        const engine = this.engines.get(name.slice(0, at))?.engine;
        const snap = name.slice(at + 1);
        if (!engine || !(await engine.listSnapshots()).includes(snap)) return undefined;
        return new SnapshotView(engine, snap, engine.size);
      },
    });
  }

  async start(): Promise<void> {
    const d = await this.replicaServer.listen(this.o.dataPort ?? 0, this.o.host);
    this.dataAddress = this.o.advertise ?? `${this.o.host}:${d.port}`;
    const n = await this.nbd.listen(this.o.nbdPort ?? 0, this.o.host);
    this.nbdAddress = `${this.o.host}:${n.port}`;
  }

  /** Applies assignments in arrival order (never two at once). */
  apply(a: Assignments__Output): Promise<void> {
    this.latest = a;
    this.queue = this.queue.then(() => this.reconcile(a)).catch((e: Error) => this.o.log(`applying assignments at seq ${a.seq}: ${e.message}`));
    return this.queue;
  }

  private async reconcile(a: Assignments__Output): Promise<void> {
    // Replicas on this node.
    const wanted = new Map(a.replicas.map((r) => [r.replicaId, r]));
    for (const [id, run] of this.replicas) {
      if (wanted.has(id)) continue;
      this.replicaServer.removeReplica(id);
      this.replicas.delete(id);
      this.announced.delete(id);
      await run.store.close().catch(() => undefined);
      await rm(run.dir, { recursive: true, force: true });
      this.o.log(`replica ${id} removed`);
    }
    const started: { replicaId: string; state: string; address: string; reason: string }[] = [];
    for (const r of a.replicas) {
      let run = this.replicas.get(r.replicaId);
      if (!run) {
        const dir = join(r.diskPath, 'replicas', r.replicaId);
        try {
          const store = await ReplicaStore.openOrCreate(dir, r.size);
          run = { store, dir, volume: r.volume };
          this.replicas.set(r.replicaId, run);
          this.replicaServer.addReplica(r.replicaId, r.volume, store, r.secret);
          this.o.log(`replica ${r.replicaId} of ${r.volume} serving from ${dir}`);
        } catch (e) {
          started.push({ replicaId: r.replicaId, state: 'failed', address: '', reason: `cannot open its store: ${(e as Error).message}` });
          continue;
        }
      }
      const info = await run.store.info();
      if (info.size < r.size) await run.store.resize(r.size);
      // Detached, each replica's node keeps its store's snapshots as the volume's; attached, the engine does.
      if (!r.attached) await this.syncSnapshots(r.replicaId, run.store, r.snapshots, info.snapshots.map((x) => x.name));
      // Say where it serves: a new replica becomes running; one to be rebuilt gets its address
      // recorded, which is what the engine waits for before it connects.
      if (r.state === 'scheduled' || (r.state === 'rebuilding' && !this.announced.has(r.replicaId))) {
        started.push({ replicaId: r.replicaId, state: 'running', address: this.dataAddress, reason: '' });
        this.announced.add(r.replicaId);
      }
    }
    if (started.length) await this.o.report({ replicas: started, engines: [], progress: [] });

    // Engines of volumes attached here.
    const engines = new Map(a.engines.map((e) => [e.volume, e]));
    const stopping = new Set<string>();
    for (const [volume, run] of this.engines) {
      if (engines.has(volume)) continue;
      stopping.add(volume);
      this.engines.delete(volume);
      await this.nbd.disconnectExport(volume).catch(() => undefined);
      await run.engine.close();
      await this.o.report({ replicas: [], engines: [{ volume, state: 'detached', endpoint: '' }], progress: [] });
      this.o.log(`engine of ${volume} stopped`);
    }
    // A detach of an engine this process never ran (it died with the agent before a restart):
    // nothing to stop, so say it is detached, or the volume would stay detaching for ever.
    const gone = a.detaching.filter((v) => !stopping.has(v) && !this.engines.has(v));
    if (gone.length) {
      await this.o.report({ replicas: [], engines: gone.map((volume) => ({ volume, state: 'detached', endpoint: '' })), progress: [] });
      this.o.log(`no engine of ${gone.join(', ')} runs here: reported detached`);
    }
    for (const e of a.engines) await this.runEngine(e);
  }

  private async syncSnapshots(id: string, store: ReplicaStore, wanted: string[], have: string[]): Promise<void> {
    try {
      for (const name of wanted) if (!have.includes(name)) await store.snapshot(name);
      for (const name of have) if (!wanted.includes(name)) await store.deleteSnapshot(name);
    } catch (e) {
      if (!(e instanceof ReplicaError)) throw e;
      this.o.log(`replica ${id}: snapshots: ${e.message}`);
    }
  }

  private async connect(e: EngineAssignment__Output, r: EngineAssignment__Output['replicas'][number]): Promise<EngineReplica> {
    // A replica on this node is used in-process: no loopback TCP, no extra copies. The engine may
    // close what it holds; the store stays open for the replica server, so it gets a view whose
    // close() only detaches it.
    const local = r.nodeId === this.o.nodeId ? this.replicas.get(r.replicaId) : undefined;
    if (local) return { id: r.replicaId, local: true, replica: borrowed(local.store) };
    return { id: r.replicaId, local: r.nodeId === this.o.nodeId, replica: await ReplicaClient.connect(r.address, r.replicaId, e.secret) };
  }

  private async runEngine(e: EngineAssignment__Output): Promise<void> {
    let run = this.engines.get(e.volume);
    if (!run) {
      const healthy = e.replicas.filter((r) => r.state === 'running' && r.address);
      if (healthy.length === 0) {
        this.o.log(`engine of ${e.volume}: waiting for a running replica`);
        return;
      }
      const members: EngineReplica[] = [];
      for (const r of healthy) {
        try {
          members.push(await this.connect(e, r));
        } catch (err) {
          await this.o.report({ replicas: [{ replicaId: r.replicaId, state: 'failed', address: '', reason: `unreachable: ${(err as Error).message}` }], engines: [], progress: [] });
        }
      }
      if (members.length === 0) return;
      const engine = await Engine.open(e.volume, members, {
        onReplicaFailed: (id, reason) => {
          this.o.log(`engine of ${e.volume}: replica ${id} failed: ${reason}`);
          void this.o.report({ replicas: [{ replicaId: id, state: 'failed', address: '', reason }], engines: [], progress: [] })
            .catch((err: Error) => this.o.log(`reporting ${id} failed: ${err.message}`));
        },
        onRebuildProgress: (id, percent) => void this.o.report({ replicas: [], engines: [], progress: [{ replicaId: id, percent }] }).catch(() => undefined),
      });
      run = { engine, rebuilding: new Set(), outside: new Set() };
      this.engines.set(e.volume, run);
      if (engine.size < e.size) await engine.resize(e.size);
      await this.o.report({ replicas: [], engines: [{ volume: e.volume, state: 'attached', endpoint: `nbd://${this.nbdAddress}/${e.volume}` }], progress: [] });
      this.o.log(`engine of ${e.volume} serving nbd://${this.nbdAddress}/${e.volume} over ${members.map((m) => m.id).join(', ')}`);
    }
    if (run.engine.size < e.size) await run.engine.resize(e.size);
    // A replica the control plane counts as running but this engine never opened (it was not
    // running yet when the engine started, e.g. right after the volume was created) has none of
    // the writes since: it must not pass for a healthy copy. Report it failed, so the scheduler
    // rebuilds it (or places another) and the engine takes it in through a rebuild.
    const plan = engineReplicaPlan(e.replicas, run.engine.replicaModes(), run.outside, run.rebuilding);
    for (const r of e.replicas.filter((x) => plan.outside.includes(x.replicaId))) {
      run.outside.add(r.replicaId);
      const reason = 'not in the engine\'s replica set (not running when the engine opened): it lacks the writes since';
      this.o.log(`engine of ${e.volume}: replica ${r.replicaId} ${reason}`);
      await this.o.report({ replicas: [{ replicaId: r.replicaId, state: 'failed', address: '', reason }], engines: [], progress: [] })
        .catch((err: Error) => this.o.log(`reporting ${r.replicaId} failed: ${err.message}`));
    }
    if (plan.rebuilt.length) {
      await this.o.report({ replicas: plan.rebuilt.map((replicaId) => ({ replicaId, state: 'rebuilt', address: '', reason: '' })), engines: [], progress: [] })
        .catch((err: Error) => this.o.log(`reporting ${plan.rebuilt.join(', ')} rebuilt failed: ${err.message}`));
    }
    const have = await run.engine.listSnapshots();
    for (const name of e.snapshots) if (!have.includes(name)) await run.engine.snapshot(name);
    for (const name of have) if (!e.snapshots.includes(name)) await run.engine.deleteSnapshot(name);
    // Rebuilds the scheduler decided: copy from the named healthy replica, in the background.
    for (const r of e.replicas.filter((x) => plan.rebuild.includes(x.replicaId))) {
      run.rebuilding.add(r.replicaId);
      const engineRun = run;
      void (async () => {
        try {
          await engineRun.engine.rebuild(await this.connect(e, r), r.rebuildFrom || undefined);
          await this.o.report({ replicas: [{ replicaId: r.replicaId, state: 'rebuilt', address: r.address, reason: '' }], engines: [], progress: [{ replicaId: r.replicaId, percent: 100 }] });
          this.o.log(`engine of ${e.volume}: replica ${r.replicaId} rebuilt`);
        } catch (err) {
          const reason = `rebuild failed: ${(err as Error).message}`;
          this.o.log(`engine of ${e.volume}: ${reason}`);
          // Free to be rebuilt again before the report: the scheduler may reuse the replica at
          // once, and assignments saying so must not find this attempt still under way.
          engineRun.rebuilding.delete(r.replicaId);
          // Reported so the scheduler decides again (reuse it later, or place another).
          await this.o.report({ replicas: [{ replicaId: r.replicaId, state: 'failed', address: '', reason }], engines: [], progress: [] })
            .catch((e2: Error) => this.o.log(`reporting ${r.replicaId} failed: ${e2.message}`));
          // And if nothing changes (the report was lost, or the decision is the same), look at
          // the newest assignments again: a rebuild still wanted is started again.
          this.recheckSoon();
        } finally {
          engineRun.rebuilding.delete(r.replicaId);
        }
      })();
    }
  }

  private recheckSoon(): void {
    if (this.recheck || this.stopped) return;
    this.recheck = setTimeout(() => {
      this.recheck = null;
      if (this.latest && !this.stopped) void this.apply(this.latest);
    }, 1000);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.recheck) clearTimeout(this.recheck);
    for (const run of this.engines.values()) await run.engine.close().catch(() => undefined);
    this.engines.clear();
    await this.nbd.close().catch(() => undefined);
    await this.replicaServer.close().catch(() => undefined);
    for (const run of this.replicas.values()) await run.store.close().catch(() => undefined);
    this.replicas.clear();
  }
}
