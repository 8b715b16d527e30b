// The node agent's data side: it runs what the manager assigns.
// - Replicas placed on this node's disks: a ReplicaStore each under DISK/replicas/<id>, served by
//   one ReplicaServer (the node's data address); a new one is reported running once it serves.
// - Engines of volumes attached to this node: an Engine over ReplicaClients to the replicas'
//   nodes, served as an NBD export named after the volume; reported attached with its endpoint.
//   Replica failures the engine sees are reported until recorded (the engine acknowledges no
//   write meanwhile); a replica the scheduler told to rebuild is rebuilt by the engine, with
//   progress, and reported rebuilt. An engine opens only on replicas recorded running, records
//   the ones it cannot reach failed before it serves, and when it can reach none of them it does
//   not open: it waits and says why (engine state 'waiting').
// - An engine of a volume made from a data source first copies that source (a snapshot of another
//   volume, read from one of its replicas) through itself, and only then serves and reports
//   attached, together with the copy being done; a failed copy is retried from the source
//   replicas the manager names then.
// - An engine of a volume made from a backup (or a standby volume with a newer backup) restores it
//   through itself (restore-runner.ts) without a frontend, reporting start, progress and the end.
// Assignments are applied one at a time, in order; each application compares the wanted set with
// what runs and changes only the difference.
import { rm } from 'node:fs/promises';
import type { Logger } from '@cairn/api';
import type { Assignments__Output, BackupAssignment__Output, EngineAssignment__Output, EngineSource__Output, ReplicaAssignment__Output, ReportRequest, RestoreAssignment__Output } from '@cairn/api';
import { BlockError, cloneFromAny, Engine, fencedView, IoStatsTable, NbdServer, nbdUri, ReplicaClient, ReplicaError, ReplicaServer, ReplicaStore, SnapshotView } from '@cairn/datapath';
import type { EngineReplica, NbdListen, Replica, ReplicaClientOptions, ReplicaTls } from '@cairn/datapath';
import { confineReplicaDir, PlaceRefused } from './disk-paths.js';
import type { RestoreOutcome } from './restore-runner.js';
import { credentialsOf, RestoreFailed, runRestore } from './restore-runner.js';
import { BackupRunner } from './backup-runner.js';

export interface DatapathOptions {
  nodeId: string;
  /** Host the data (replica) server listens on and advertises. */
  host: string;
  dataPort?: number;
  /**
   * Where the NBD exports are served (default: TCP 127.0.0.1, any port). `cairn node` serves them
   * on a unix socket unless told otherwise; off loopback TLS is required (@cairn/datapath's listen rule).
   */
  nbd?: NbdListen;
  /** The data address to announce (to the manager, hence to engines) instead of host:dataPort. */
  advertise?: string;
  /** The disks this node was started with: replica data is kept under these only (disk-paths.ts). */
  disks: readonly string[];
  /** Replica traffic over TLS (this node's certificate, the cluster CA); absent: plaintext. */
  tls?: ReplicaTls;
  report: (r: Omit<ReportRequest, 'nodeId'>) => Promise<void>;
  /** Where the data side logs (the agent's logger, component datapath). */
  logger: Logger;
}

type ReplicaReport = { replicaId: string; state: string; address: string; reason: string };

/** What the manager assigns this node: its replicas by id (folded from the pushes), its engines, the volumes detaching. */
export interface NodeAssignments {
  seq: number;
  replicas: ReadonlyMap<string, ReplicaAssignment__Output>;
  engines: Assignments__Output['engines'];
  detaching: string[];
  /** Backups to run on this node's replicas (backup-runner.ts); whole in every push. */
  backups?: BackupAssignment__Output[];
}

interface RunningReplica {
  store: ReplicaStore;
  dir: string;
  volume: string;
  /** The assignment last applied in full (size, attached, state, snapshots). */
  applied?: string;
  /** The assignment object it was applied from: pushes fold deltas in, so an unchanged replica is the same object. */
  appliedFrom?: object;
  /** The assignment object it was last reported running for (cleared when that report fails). */
  reportedFrom?: object;
}

interface RunningEngine {
  engine: Engine;
  /** Replicas being rebuilt by this engine right now. */
  rebuilding: Set<string>;
  /** False while the volume's data source is being copied: the export is not served until then. */
  ready: boolean;
  /** The newest data source the manager named (its source replicas change while the copy retries). */
  source: EngineSource__Output | null;
  /** Running replicas this engine never opened, already reported failed. */
  outside: Set<string>;
  /**
   * Whether the NBD export is served: false for an engine the scheduler started only to rebuild or
   * evict replicas of a detached volume (offline rebuilding); turned on when a user attaches the
   * volume here, without restarting the engine.
   */
  frontend: boolean;
  /** The backup this engine restores or restored last, and how that went (restore-runner.ts). */
  restore?: { backup: string; state: 'running' | 'done' | 'failed'; outcome?: RestoreOutcome; error?: string };
}

/** How often the figures of failed replicas are said again (salvage waits for fresh ones). */
const FIGURES_REPEAT_MS = 5000;

/** How long an engine waits for its volume's placed replicas to serve before opening without them. */
const ENGINE_WAIT_MS = 5000;

/** How long a copy that failed from every source replica waits before it tries again (times the attempt, up to 10 s). */
const COPY_RETRY_MS = 1000;
const retryDelay = (attempt: number): number => Math.min(10, attempt) * COPY_RETRY_MS;

/**
 * How long a replica-failed report may go unanswered before it counts as lost and is said again:
 * a manager that stopped answering without closing the connection would otherwise hold every
 * write of the volume for ever (saying it twice is harmless: the manager records it once).
 */
const FAILED_REPORT_TIMEOUT_MS = 5000;

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
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
  private readonly replicaServer: ReplicaServer;
  private readonly nbd: NbdServer;
  private readonly replicas = new Map<string, RunningReplica>();
  private readonly engines = new Map<string, RunningEngine>();
  /** Replicas whose data address this agent has reported. */
  private readonly announced = new Set<string>();
  /** The newest assignments not yet applied, the replicas touched since the last pass (null: all), and the loop applying them. */
  private latest: NodeAssignments | null = null;
  private pendingTouched: Set<string> | null = null;
  private draining: Promise<void> | null = null;
  /** The newest assignments received, looked at again (all of them) after a failed rebuild. */
  private newest: NodeAssignments | null = null;
  /** Replicas a pass left unsettled: looked at again on the next pass, whatever it touches. */
  private readonly retry = new Set<string>();
  private recheck: NodeJS.Timeout | null = null;
  /** Says the figures of every failed replica again, every FIGURES_REPEAT_MS (see repeatFigures). */
  private figuresTimer: NodeJS.Timeout | null = null;
  private stopped = false;
  /** Figures of failed replicas found by this pass, reported at its end. */
  private figuresDue: { replicaId: string; revision: number; cleanShutdown: boolean; rebuilding: boolean }[] = [];
  /** Engines waiting for their volume's placed replicas to serve: since when. */
  private readonly engineWaits = new Map<string, number>();
  /** Volumes whose engine cannot open now, and why (logged once per change of reason). */
  private readonly waiting = new Map<string, string>();
  dataAddress = '';
  /** The NBD listener as bound (its port chosen when 0 was asked for). */
  private nbdBound: { listen: NbdListen; port: number } | null = null;
  /** Backups of snapshots of this node's replicas to the backup target. */
  private readonly backups: BackupRunner;
  /** Each attached volume's NBD READ and WRITE counters (its export's, snapshot views not counted), for /metrics. */
  readonly io = new IoStatsTable();

  private readonly log: Logger;

  constructor(private readonly o: DatapathOptions) {
    this.log = o.logger;
    this.backups = new BackupRunner({ source: (id) => this.replicas.get(id)?.store, report: o.report, logger: o.logger.child({ component: 'backup' }) });
    this.replicaServer = new ReplicaServer(o.tls ? { tls: o.tls } : {});
    // "VOLUME" is the volume; "VOLUME@SNAPSHOT" a read-only view of one of its snapshots.
    this.nbd = new NbdServer({
      ioStats: (name) => (name.includes('@') ? undefined : this.io.of(name)),
      exports: async (name) => {
        const at = name.indexOf('@');
        const run = this.engines.get(at < 0 ? name : name.slice(0, at));
        if (!run?.ready || !run.frontend) return undefined;
        if (at < 0) return run.engine;
        const engine = run.engine;
        const snap = name.slice(at + 1);
        if (!engine || !(await engine.listSnapshots()).includes(snap)) return undefined;
        return new SnapshotView(engine, snap, engine.size);
      },
      // A client's protocol trouble is the client's: at debug, seen when asked for.
      log: (line) => o.logger.child({ component: 'nbd' }).debug(line),
    });
  }

  async start(): Promise<void> {
    const d = await this.replicaServer.listen(this.o.dataPort ?? 0, this.o.host);
    this.dataAddress = this.o.advertise ?? `${this.o.host}:${d.port}`;
    const l = this.o.nbd ?? { kind: 'tcp', host: '127.0.0.1', port: 0 };
    const port = l.kind === 'unix' ? (await this.nbd.listenUnix(l.path), 0) : (await this.nbd.listen(l.port, l.host, l.tls)).port;
    this.nbdBound = { listen: l, port };
    this.log.info(`NBD exports served at ${this.nbdEndpoint('VOLUME')}`);
    this.figuresTimer = setInterval(() => void this.repeatFigures(), FIGURES_REPEAT_MS);
    this.figuresTimer.unref();
  }

  /** The bytes each replica served here holds (its head's allocated blocks), for /metrics. */
  async replicaSizes(): Promise<{ volume: string; replicaId: string; bytes: number }[]> {
    const out: { volume: string; replicaId: string; bytes: number }[] = [];
    for (const [replicaId, run] of this.replicas) {
      const info = await run.store.info().catch(() => null); // closed under us: left out of this scrape
      if (info) out.push({ volume: run.volume, replicaId, bytes: info.allocatedBytes });
    }
    return out;
  }

  /** The URI of a volume's export on this node (nbd+unix://, nbd:// on loopback, or nbds://). */
  nbdEndpoint(volume: string): string {
    if (!this.nbdBound) throw new Error('the NBD server is not listening yet');
    return nbdUri(this.nbdBound.listen, this.nbdBound.port, volume);
  }

  /**
   * The figures of failed replicas are observations, like heartbeats: said once per assignment by
   * a pass, and again every few seconds while the replica stays failed. A salvage trusts only
   * figures observed after the replica's newest recorded failure, and a failure can be recorded
   * again after the pass said them (an engine saying a lost report again, a replica recorded failed
   * as it comes back while its volume is attached) without its assignment changing: without the
   * repeat, such a replica would never count as reported and a salvage would wait for ever.
   */
  private async repeatFigures(): Promise<void> {
    const a = this.newest;
    if (!a || this.stopped) return;
    const figures: { replicaId: string; revision: number; cleanShutdown: boolean; rebuilding: boolean }[] = [];
    for (const [id, run] of this.replicas) {
      if (a.replicas.get(id)?.state !== 'failed') continue;
      try {
        const info = await run.store.info();
        figures.push({ replicaId: id, revision: info.revision, cleanShutdown: info.cleanShutdown, rebuilding: info.rebuilding });
      } catch {
        // A store closed under us: the next pass opens it again and says its figures then.
      }
    }
    if (figures.length === 0 || this.stopped) return;
    await this.o.report({ replicas: [], engines: [], progress: [], figures })
      .catch((e: unknown) => this.log.warn(`repeating the figures of ${figures.length} failed replica(s): ${(e as Error).message}`));
  }

  /**
   * Applies assignments. `a.replicas` is the whole truth for this node; `touched` names the
   * replicas whose assignment may have changed since the push before (null: any of them, look at
   * all). Pushes that arrive while one is being applied collapse into the newest, their touched
   * sets joined: under load the agent never works through a backlog of stale ones. Resolves when
   * assignments at least as new as `a` are applied.
   */
  apply(a: NodeAssignments, touched: ReadonlySet<string> | null = null): Promise<void> {
    this.latest = a;
    this.newest = a;
    if (touched === null || this.pendingTouched === null) this.pendingTouched = null;
    else for (const id of touched) this.pendingTouched.add(id);
    this.draining ??= this.drain();
    return this.draining;
  }

  private async drain(): Promise<void> {
    for (;;) {
      const a = this.latest;
      if (!a) {
        this.draining = null;
        return;
      }
      const touched = this.pendingTouched;
      this.latest = null;
      this.pendingTouched = new Set();
      await this.reconcile(a, touched).catch((e: Error) => this.log.warn({ seq: a.seq }, `applying assignments at seq ${a.seq}: ${e.message}`));
    }
  }

  private async reconcile(a: NodeAssignments, touched: ReadonlySet<string> | null): Promise<void> {
    // The replicas to look at: those the pushes touched, and those a pass left to be tried again
    // (a store that could not be opened, a snapshot that could not be synced); all after a whole
    // push. Their assignments are taken now: the map moves on with the pushes that come meanwhile.
    const ids = touched === null ? new Set([...this.replicas.keys(), ...a.replicas.keys()]) : new Set([...touched, ...this.retry]);
    this.retry.clear();
    const look = [...ids].sort().map((id) => [id, a.replicas.get(id)] as const);
    for (const [id, r] of look) {
      const run = this.replicas.get(id);
      if (r || !run) continue;
      this.replicaServer.removeReplica(id);
      this.replicas.delete(id);
      this.announced.delete(id);
      await run.store.close().catch(() => undefined);
      await rm(run.dir, { recursive: true, force: true });
      this.log.info({ replica: id }, `replica ${id} removed`);
    }
    // New replicas' stores are created side by side (file creation and its fsyncs dominate when
    // many volumes are placed at once), 8 at a time, and each group is reported running as soon
    // as it serves: under a create storm a push names dozens, and the first need not wait for
    // the last. The rest are looked at after them. Reports go out without waiting for each other
    // or holding up the next pass (a report returns once the manager has recorded it, which
    // under load is most of a pass); one that fails is said again by a pass a second later.
    const report = (replicas: ReplicaReport[]): void => {
      if (!replicas.length) return;
      this.o.report({ replicas, engines: [], progress: [] }).catch((e: unknown) => {
        this.log.warn(`reporting ${replicas.length} replica(s) failed, said again shortly: ${(e as Error).message}`);
        for (const x of replicas) {
          const run = this.replicas.get(x.replicaId);
          if (run) run.reportedFrom = undefined;
          this.announced.delete(x.replicaId); // said again
          this.retry.add(x.replicaId);
        }
        this.recheckSoon();
      });
    };
    const wanted = look.flatMap(([, r]) => (r ? [r] : []));
    const fresh = wanted.filter((r) => !this.replicas.has(r.replicaId));
    for (let i = 0; i < fresh.length; i += 8) {
      const group = fresh.slice(i, i + 8);
      const failed: ReplicaReport[] = [];
      await Promise.all(group.map(async (r) => {
        try {
          // Refused before anything is made or opened: the manager's path is not trusted.
          const dir = await confineReplicaDir(this.o.disks, r.diskPath, r.replicaId);
          const store = await ReplicaStore.openOrCreate(dir, r.size);
          this.replicas.set(r.replicaId, { store, dir, volume: r.volume });
          this.replicaServer.addReplica(r.replicaId, r.volume, store, r.secret);
          this.log.info({ volume: r.volume, replica: r.replicaId }, `replica ${r.replicaId} of ${r.volume} serving from ${dir}`);
        } catch (e) {
          if (e instanceof PlaceRefused) {
            // Not tried again: the same assignment is refused the same way.
            this.log.warn({ volume: r.volume, replica: r.replicaId }, `replica ${r.replicaId} of ${r.volume} refused: ${e.message}`);
            failed.push({ replicaId: r.replicaId, state: 'failed', address: '', reason: `refused: ${e.message}` });
            return;
          }
          this.retry.add(r.replicaId);
          failed.push({ replicaId: r.replicaId, state: 'failed', address: '', reason: `cannot open its store: ${(e as Error).message}` });
        }
      }));
      report([...failed, ...await this.applyReplicas(group)]);
    }
    const freshIds = new Set(fresh.map((r) => r.replicaId));
    report(await this.applyReplicas(wanted.filter((r) => !freshIds.has(r.replicaId))));
    const figures = this.figuresDue;
    this.figuresDue = [];
    if (figures.length) {
      this.o.report({ replicas: [], engines: [], progress: [], figures }).catch((e: unknown) => {
        this.log.warn(`reporting the figures of ${figures.length} failed replica(s) failed, said again shortly: ${(e as Error).message}`);
        for (const f of figures) {
          const run = this.replicas.get(f.replicaId);
          if (run) run.applied = run.appliedFrom = undefined;
          this.retry.add(f.replicaId);
        }
        this.recheckSoon();
      });
    }

    // Engines of volumes attached here.
    const engines = new Map(a.engines.map((e) => [e.volume, e]));
    for (const v of this.engineWaits.keys()) if (!engines.has(v)) this.engineWaits.delete(v);
    for (const v of this.waiting.keys()) if (!engines.has(v)) this.waiting.delete(v);
    const stopping = new Set<string>();
    for (const [volume, run] of this.engines) {
      if (engines.has(volume)) continue;
      stopping.add(volume);
      this.engines.delete(volume);
      this.io.drop(volume);
      await this.nbd.disconnectExport(volume).catch(() => undefined);
      await run.engine.close();
      await this.o.report({ replicas: [], engines: [{ volume, state: 'detached', endpoint: '' }], progress: [] });
      this.log.info({ volume }, `engine of ${volume} stopped`);
    }
    // A detach of an engine this process never ran (it died with the agent before a restart):
    // nothing to stop, so say it is detached, or the volume would stay detaching for ever.
    const gone = a.detaching.filter((v) => !stopping.has(v) && !this.engines.has(v));
    if (gone.length) {
      await this.o.report({ replicas: [], engines: gone.map((volume) => ({ volume, state: 'detached', endpoint: '' })), progress: [] });
      this.log.info(`no engine of ${gone.join(', ')} runs here: reported detached`);
    }
    for (const e of a.engines) {
      // Likewise one volume's engine failing to start does not keep the others from theirs.
      await this.runEngine(e).catch((err: Error) => {
        this.log.warn({ volume: e.volume }, `engine of ${e.volume}: ${err.message}`);
        this.recheckSoon();
      });
    }
    // After the stores are open: a backup reads its replica's.
    this.backups.apply(a.backups ?? []);
  }

  /**
   * Brings the stores of these replicas in line with their assignments; what to report running.
   * A replica not settled by it (reported running but not yet recorded so, snapshots not synced,
   * its store closed under us) is looked at again on the next pass.
   */
  private async applyReplicas(replicas: ReplicaAssignment__Output[]): Promise<ReplicaReport[]> {
    const started: ReplicaReport[] = [];
    for (const r of replicas) {
      const run = this.replicas.get(r.replicaId);
      // One whose assignment has not changed since it was applied needs nothing.
      if (!run || run.appliedFrom === r) continue; // (no run: its store could not be opened, reported above)
      // Reported running for this very assignment: the manager's answer is the next push.
      if (run.reportedFrom === r) continue;
      const key = `${r.size}|${r.attached}|${r.state}|${r.snapshots.join(',')}`;
      if (run.applied === key) {
        run.appliedFrom = r;
        continue;
      }
      let synced: boolean;
      try {
        const info = await run.store.info();
        // A failed replica: say what its store holds (salvage chooses by it when every replica
        // of the volume has failed). Once per assignment; said again if the report fails.
        if (r.state === 'failed') this.figuresDue.push({ replicaId: r.replicaId, revision: info.revision, cleanShutdown: info.cleanShutdown, rebuilding: info.rebuilding });
        if (info.size < r.size) await run.store.resize(r.size);
        // Detached, each replica's node keeps its store's snapshots as the volume's; attached, the engine does.
        synced = r.attached || await this.syncSnapshots(r.replicaId, r.state, run.store, r.snapshots, info.snapshots.map((x) => x.name));
      } catch (e) {
        // One replica's trouble must not stop the rest of the pass (the engines below included).
        // A store closed under us (after an I/O failure) is opened again on the next push.
        this.log.warn({ replica: r.replicaId }, `replica ${r.replicaId}: ${(e as Error).message}`);
        if (e instanceof BlockError && e.errno === 'ESHUTDOWN') {
          this.replicaServer.removeReplica(r.replicaId);
          this.replicas.delete(r.replicaId);
          this.recheckSoon();
        }
        this.retry.add(r.replicaId);
        continue;
      }
      // Say where it serves: a new replica becomes running; one to be rebuilt gets its address
      // recorded, which is what the engine waits for before it connects; so does a failed one
      // (once per process: after a restart it serves elsewhere), which a salvage may make
      // running again: an engine must then find it where it is now.
      if (r.state === 'scheduled' || ((r.state === 'rebuilding' || r.state === 'failed') && !this.announced.has(r.replicaId))) {
        started.push({ replicaId: r.replicaId, state: 'running', address: this.dataAddress, reason: '' });
        this.announced.add(r.replicaId);
        run.reportedFrom = r;
      } else if (synced) {
        // Settled (running, or rebuilding and announced): the same assignment again is a no-op.
        run.applied = key;
        run.appliedFrom = r;
      } else {
        this.retry.add(r.replicaId);
      }
    }
    return started;
  }

  /**
   * Brings a detached replica's snapshots in line with the volume's; false when a snapshot could
   * not be made or deleted (tried again on the next push). Deleting is always safe (a merge keeps
   * every other view). Making one is not: a snapshot made on a replica holds the replica's data of
   * now, which is right only if nothing was written since the volume took it. So only a running
   * replica (complete, current: no writes happen while detached) takes a snapshot the volume
   * gained while it was away; one being rebuilt or failed never does (its rebuild copies the
   * snapshots with their data), and it is not "fixed" by a snapshot of newer data.
   * Not detected here: a running replica lacking a snapshot OLDER than one it has (the assignment
   * names snapshots sorted by name, not in the order taken). The engine catches that case when
   * the volume attaches: a replica lacking a snapshot its peers have is dropped and rebuilt.
   */
  private async syncSnapshots(id: string, state: string, store: ReplicaStore, wanted: string[], have: string[]): Promise<boolean> {
    try {
      for (const name of have) if (!wanted.includes(name)) await store.deleteSnapshot(name);
      const missing = wanted.filter((name) => !have.includes(name));
      if (missing.length > 0 && state !== 'running') {
        this.log.warn({ replica: id }, `replica ${id}: lacks snapshot(s) ${missing.join(', ')}; not made from its current data (${state}): its rebuild brings them`);
        return true;
      }
      for (const name of missing) await store.snapshot(name);
      return true;
    } catch (e) {
      if (!(e instanceof ReplicaError)) throw e;
      this.log.warn({ replica: id }, `replica ${id}: snapshots: ${e.message}`);
      return false;
    }
  }

  private async connect(e: EngineAssignment__Output, r: EngineAssignment__Output['replicas'][number]): Promise<EngineReplica> {
    // A replica on this node is used in-process: no loopback TCP, no extra copies. The engine may
    // close what it holds; the store stays open for the replica server, so it gets a view whose
    // close() only detaches it.
    // Either way the engine shows its attachment epoch: a replica that admitted a newer one
    // refuses it (fencing; the view is how the local one does, as the server does for remote ones).
    const local = r.nodeId === this.o.nodeId ? this.replicas.get(r.replicaId) : undefined;
    if (local) {
      if (e.epoch > 0) await local.store.admitEpoch(e.epoch);
      return { id: r.replicaId, local: true, replica: fencedView(local.store, e.epoch) };
    }
    return { id: r.replicaId, local: r.nodeId === this.o.nodeId, replica: await ReplicaClient.connect(r.address, r.replicaId, e.secret, { ...this.replicaTls(r.nodeId), epoch: e.epoch }) };
  }

  /** Copies a healthy replica into `r` through the engine, in the background; reports it rebuilt or failed. */
  private rebuildInBackground(e: EngineAssignment__Output, run: RunningEngine, r: EngineAssignment__Output['replicas'][number]): void {
    run.rebuilding.add(r.replicaId);
    void (async () => {
      try {
        await run.engine.rebuild(await this.connect(e, r), r.rebuildFrom || undefined);
        await this.o.report({ replicas: [{ replicaId: r.replicaId, state: 'rebuilt', address: r.address, reason: '' }], engines: [], progress: [{ replicaId: r.replicaId, percent: 100 }] });
        this.log.info({ volume: e.volume, replica: r.replicaId }, `engine of ${e.volume}: replica ${r.replicaId} rebuilt`);
      } catch (err) {
        const reason = `rebuild failed: ${(err as Error).message}`;
        this.log.warn({ volume: e.volume, replica: r.replicaId }, `engine of ${e.volume}: ${reason}`);
        // Free to be rebuilt again before the report: the scheduler may reuse the replica at
        // once, and assignments saying so must not find this attempt still under way.
        run.rebuilding.delete(r.replicaId);
        // Reported so the scheduler decides again (reuse it later, or place another).
        await this.o.report({ replicas: [{ replicaId: r.replicaId, state: 'failed', address: '', reason }], engines: [], progress: [] })
          .catch((e2: Error) => this.log.warn({ volume: e.volume, replica: r.replicaId }, `reporting ${r.replicaId} failed: ${e2.message}`));
        // And if nothing changes (the report was lost, or the decision is the same), look at
        // the newest assignments again: a rebuild still wanted is started again.
        this.recheckSoon();
      } finally {
        run.rebuilding.delete(r.replicaId);
      }
    })();
  }

  private recheckSoon(): void {
    if (this.recheck || this.stopped) return;
    this.recheck = setTimeout(() => {
      this.recheck = null;
      if (this.newest && !this.stopped) void this.apply(this.newest, null);
    }, 1000);
  }

  private async runEngine(e: EngineAssignment__Output): Promise<void> {
    let run = this.engines.get(e.volume);
    // Salvaged: the manager counts replicas running that this engine holds failed, and it has no
    // healthy one left; it cannot take them back (a failed member stays failed), so it is opened
    // again over them.
    if (run && run.ready && !Object.values(run.engine.replicaModes()).includes('healthy')
      && e.replicas.some((r) => r.state === 'running' && r.address && run!.engine.replicaModes()[r.replicaId] === 'failed')) {
      this.log.info({ volume: e.volume }, `engine of ${e.volume}: no healthy replica left and the manager names running ones (salvaged): opening it again`);
      this.engines.delete(e.volume);
      await this.nbd.disconnectExport(e.volume).catch(() => undefined);
      await run.engine.close().catch(() => undefined);
      run = undefined;
    }
    if (!run) {
      // Only replicas the control plane records running are candidates: each holds every write an
      // engine acknowledged (an engine acknowledges nothing until a dropped replica is recorded
      // failed), whatever happened since (the old engine's node died, a report was lost and said
      // again, the manager changed).
      const healthy = e.replicas.filter((r) => r.state === 'running');
      if (healthy.length === 0) {
        // (A new volume's replicas still starting: the next push says when one runs.)
        this.log.info({ volume: e.volume }, `engine of ${e.volume}: waiting for a running replica`);
        return;
      }
      // The copy of a data source reaches only the replicas the engine holds: wait until none is
      // merely placed, so that every replica gets it (one that fails later is rebuilt from them).
      const placed = e.replicas.filter((r) => r.state === 'scheduled');
      if ((e.source || e.restore) && placed.length > 0) {
        this.log.info({ volume: e.volume }, `engine of ${e.volume}: waiting for replicas ${placed.map((r) => r.replicaId).join(', ')} to serve before ${e.source ? 'copying its data source' : 'restoring its backup'}`);
        return;
      }
      // A volume attached right after it was created has replicas still starting: opening on the
      // first one alone would leave the others to be rebuilt in. Give them a moment to serve.
      if (placed.length > 0) {
        const since = this.engineWaits.get(e.volume) ?? Date.now();
        if (!this.engineWaits.has(e.volume)) {
          this.engineWaits.set(e.volume, since);
          this.log.info({ volume: e.volume }, `engine of ${e.volume}: waiting up to ${ENGINE_WAIT_MS / 1000} s for replicas ${placed.map((r) => r.replicaId).join(', ')} to serve`);
        }
        if (Date.now() - since < ENGINE_WAIT_MS) {
          this.recheckSoon();
          return;
        }
      }
      this.engineWaits.delete(e.volume);
      const members: EngineReplica[] = [];
      const unreachable: { id: string; why: string }[] = [];
      await Promise.all(healthy.map(async (r) => {
        if (!r.address) {
          unreachable.push({ id: r.replicaId, why: 'no data address known' });
          return;
        }
        try {
          members.push(await this.connect(e, r));
        } catch (err) {
          unreachable.push({ id: r.replicaId, why: (err as Error).message });
        }
      }));
      // None reachable: they are the only replicas known to hold every acknowledged write. Opening
      // on any other would serve stale data, and reporting them failed would leave nothing good to
      // rebuild from: wait for one to come back, and say why.
      if (members.length === 0) {
        this.waitFor(e.volume, `none of its running replicas is reachable (${unreachable.sort((a, b) => a.id.localeCompare(b.id)).map((u) => `${u.id}: ${u.why}`).join('; ')})`);
        return;
      }
      let engine: Engine;
      try {
        engine = await Engine.open(e.volume, members, {
          // The engine says it again (with backoff) until it resolves, and acknowledges no write meanwhile.
          onReplicaFailed: async (id, reason) => {
            this.log.warn({ volume: e.volume, replica: id }, `engine of ${e.volume}: replica ${id} failed: ${reason}`);
            await withTimeout(this.o.report({ replicas: [{ replicaId: id, state: 'failed', address: '', reason }], engines: [], progress: [] }), FAILED_REPORT_TIMEOUT_MS)
              .catch((err: Error) => {
                this.log.warn({ volume: e.volume }, `engine of ${e.volume}: reporting ${id} failed was not recorded (said again shortly; writes wait): ${err.message}`);
                throw err;
              });
          },
          onRebuildProgress: (id, percent) => void this.o.report({ replicas: [], engines: [], progress: [{ replicaId: id, percent }] }).catch(() => undefined),
          onFenced: (reason) => this.log.warn({ volume: e.volume }, `engine of ${e.volume}: ${reason}`),
        });
      } catch (err) {
        // No replica with complete data among those reached (their info failed, or each is marked
        // rebuilding): the same as none reachable.
        this.waitFor(e.volume, (err as Error).message);
        return;
      }
      this.waiting.delete(e.volume);
      // The unreachable ones lack every write from now on: recorded failed before the export is
      // served (serve() waits for it), so that no later engine takes them for up to date.
      for (const u of unreachable) engine.markFailed(u.id, `unreachable: ${u.why}`);
      run = { engine, rebuilding: new Set(), ready: false, source: e.source, outside: new Set(), frontend: !e.noFrontend };
      this.engines.set(e.volume, run);
      if (engine.size < e.size) await engine.resize(e.size);
      // In the background: other volumes' assignments go on meanwhile.
      if (!e.source) void this.serve(e.volume, run, members.map((m) => m.id));
      else void this.copySource(e.volume, run);
    }
    if (e.source) run.source = e.source;
    if (e.restore) this.restoreInBackground(e.volume, e.restore, run);
    if (!run.frontend && !e.noFrontend && run.ready) {
      // A user attached the volume where its offline engine runs: the same engine serves it now.
      run.frontend = true;
      await this.o.report({ replicas: [], engines: [{ volume: e.volume, state: 'attached', endpoint: this.nbdEndpoint(e.volume) }], progress: [] })
        .catch((err: unknown) => {
          run!.frontend = false; // said again on the next pass
          throw err;
        });
      this.log.info({ volume: e.volume }, `engine of ${e.volume} now serving ${this.nbdEndpoint(e.volume)} (attached by a user during an offline rebuild)`);
    }
    if (run.engine.size < e.size) await run.engine.resize(e.size);
    // A replica the control plane counts as running but this engine never opened (it was not
    // running yet when the engine started, e.g. right after the volume was created) has none of
    // the writes since: it must not pass for a healthy copy. The engine reports it failed (until
    // recorded, holding acknowledgements meanwhile), so the scheduler rebuilds it (or places
    // another) and the engine takes it in through a rebuild.
    const plan = engineReplicaPlan(e.replicas, run.engine.replicaModes(), run.outside, run.rebuilding);
    for (const r of e.replicas.filter((x) => plan.outside.includes(x.replicaId))) {
      run.outside.add(r.replicaId);
      const reason = 'not in the engine\'s replica set (not running when the engine opened): it lacks the writes since';
      this.log.warn({ volume: e.volume, replica: r.replicaId }, `engine of ${e.volume}: replica ${r.replicaId} ${reason}`);
      run.engine.markFailed(r.replicaId, reason);
    }
    if (plan.rebuilt.length) {
      await this.o.report({ replicas: plan.rebuilt.map((replicaId) => ({ replicaId, state: 'rebuilt', address: '', reason: '' })), engines: [], progress: [] })
        .catch((err: Error) => this.log.warn({ volume: e.volume }, `reporting ${plan.rebuilt.join(', ')} rebuilt failed: ${err.message}`));
    }
    const have = await run.engine.listSnapshots();
    for (const name of e.snapshots) if (!have.includes(name)) await run.engine.snapshot(name);
    for (const name of have) if (!e.snapshots.includes(name)) await run.engine.deleteSnapshot(name);
    // Rebuilds the scheduler decided: copy from the named healthy replica, in the background.
    for (const r of e.replicas.filter((x) => plan.rebuild.includes(x.replicaId))) this.rebuildInBackground(e, run, r);
  }

  /**
   * The engine of a volume cannot open now: says why in the log (once per change of reason) and
   * to the manager (every time: it is status, not an event, and a new leader learns it so), and
   * looks again shortly. Nothing is reported failed: a replica that cannot be reached may be the
   * only one with the newest data.
   */
  private waitFor(volume: string, reason: string): void {
    if (this.waiting.get(volume) !== reason) {
      this.waiting.set(volume, reason);
      this.log.info({ volume }, `engine of ${volume}: waiting: ${reason}`);
    }
    void this.o.report({ replicas: [], engines: [{ volume, state: 'waiting', endpoint: '', reason }], progress: [] }).catch(() => undefined);
    this.recheckSoon();
  }

  /**
   * Serves a newly opened engine once every replica it left out is recorded failed, then reports
   * it attached (until the manager has that on record).
   */
  private async serve(volume: string, run: RunningEngine, over: string[]): Promise<void> {
    const current = (): boolean => this.engines.get(volume) === run;
    try {
      await run.engine.recorded();
    } catch {
      return; // stopped meanwhile
    }
    if (!current()) return;
    run.ready = true;
    // Offline rebuilding: attached, but nothing is served (an empty endpoint says so).
    const endpoint = run.frontend ? this.nbdEndpoint(volume) : '';
    for (let attempt = 1; current(); attempt++) {
      try {
        await this.o.report({ replicas: [], engines: [{ volume, state: 'attached', endpoint }], progress: [] });
        this.log.info({ volume }, run.frontend ? `engine of ${volume} serving ${endpoint} over ${over.join(', ')}`
          : `engine of ${volume} running without a frontend (offline rebuild) over ${over.join(', ')}`);
        return;
      } catch (err) {
        this.log.warn({ volume }, `engine of ${volume}: reporting it attached, attempt ${attempt}: ${(err as Error).message}`);
        await new Promise((res) => setTimeout(res, retryDelay(attempt)));
      }
    }
  }

  /**
   * Restores the backup the manager names into the engine, in the background, unless it runs or
   * ran already (a newer one waits for the one under way: its blocks are the base of the next).
   * Says it started (until recorded), reports progress, then the end or the failure. The manager
   * stops the engine once the restore is recorded (scheduler/offline.ts).
   */
  private restoreInBackground(volume: string, job: RestoreAssignment__Output, run: RunningEngine): void {
    const cur = run.restore;
    if (cur && cur.backup === job.backup) {
      // Already done or failed here: the manager has not recorded it yet (a lost report): say it again.
      if (cur.state !== 'running') void this.reportRestore(volume, run, cur.backup).catch(() => undefined);
      return;
    }
    if (cur?.state === 'running') return;
    // What the replicas hold: what this engine restored last, else what the manager says.
    const since = cur?.state === 'done' ? cur.backup : job.since;
    const me: NonNullable<RunningEngine['restore']> = { backup: job.backup, state: 'running' };
    run.restore = me;
    const current = (): boolean => this.engines.get(volume) === run && run.restore === me;
    const endpoint = (): string => (run.frontend ? this.nbdEndpoint(volume) : '');
    void (async () => {
      if (!(await run.engine.recorded().then(() => true, () => false))) return;
      for (let attempt = 1; current(); attempt++) {
        try {
          await this.o.report({ replicas: [], engines: [{ volume, state: 'attached', endpoint: endpoint(), restoring: job.backup, restoreProgress: 0 }], progress: [] });
          break;
        } catch (err) {
          this.log.warn({ volume }, `engine of ${volume}: reporting the restore of ${job.backup} started, attempt ${attempt}: ${(err as Error).message}`);
          await new Promise((res) => setTimeout(res, retryDelay(attempt)));
        }
      }
      let last = 0;
      for (let attempt = 1; current(); attempt++) {
        try {
          const started = Date.now();
          this.log.info({ volume }, `engine of ${volume}: restoring ${job.backup}${since ? ` over ${since}` : ''}`);
          me.outcome = await runRestore(run.engine, { backup: job.backup, since, credentials: credentialsOf(job.credentials) }, {
            alive: current,
            progress: (pct) => {
              const p = Math.floor(pct);
              if (p === last) return;
              last = p;
              void this.o.report({ replicas: [], engines: [{ volume, state: 'attached', endpoint: endpoint(), restoring: job.backup, restoreProgress: p }], progress: [] }).catch(() => undefined);
            },
          });
          me.state = 'done';
          this.log.info({ volume }, `engine of ${volume}: restored ${job.backup} (${me.outcome.writtenBlocks} blocks written, ${me.outcome.zeroedBlocks} zeroed) in ${Date.now() - started} ms`);
          break;
        } catch (err) {
          if (!current()) return;
          if (err instanceof RestoreFailed) {
            me.state = 'failed';
            me.error = err.message;
            this.log.warn({ volume }, `engine of ${volume}: restoring ${job.backup} failed: ${err.message}`);
            break;
          }
          this.log.warn({ volume }, `engine of ${volume}: restoring ${job.backup}, attempt ${attempt}: ${(err as Error).message}; retrying`);
          await new Promise((res) => setTimeout(res, retryDelay(attempt)));
        }
      }
      for (let attempt = 1; current(); attempt++) {
        try {
          await this.reportRestore(volume, run, job.backup);
          return;
        } catch (err) {
          this.log.warn({ volume }, `engine of ${volume}: reporting the restore of ${job.backup}, attempt ${attempt}: ${(err as Error).message}`);
          await new Promise((res) => setTimeout(res, retryDelay(attempt)));
        }
      }
    })();
  }

  /** Says how the restore of `backup` ended (done or failed). */
  private async reportRestore(volume: string, run: RunningEngine, backup: string): Promise<void> {
    const r = run.restore;
    if (!r || r.backup !== backup || r.state === 'running') return;
    const endpoint = run.frontend ? this.nbdEndpoint(volume) : '';
    await this.o.report({
      replicas: [], progress: [],
      engines: [r.state === 'done'
        ? { volume, state: 'attached', endpoint, restored: backup, restoredBlocks: r.outcome?.writtenBlocks ?? 0, zeroedBlocks: r.outcome?.zeroedBlocks ?? 0 }
        : { volume, state: 'attached', endpoint, restoreFailed: backup, restoreError: r.error ?? 'restore failed' }],
    });
  }

  /** A replica of the source volume: in-process when it is on this node, else over TCP. */
  private async connectSource(src: EngineSource__Output, r: EngineSource__Output['replicas'][number]): Promise<Replica> {
    const local = r.nodeId === this.o.nodeId ? this.replicas.get(r.replicaId) : undefined;
    if (local) return borrowed(local.store);
    return ReplicaClient.connect(r.address, r.replicaId, src.secret, this.replicaTls(r.nodeId));
  }

  /** TLS to a replica on `nodeId`: its server must show that node's certificate, wherever the address leads. */
  private replicaTls(nodeId: string): ReplicaClientOptions {
    return this.o.tls ? { tls: { ...this.o.tls, servername: nodeId } } : {};
  }

  /**
   * Copies the volume's data source into its engine, retrying (from the source replicas the
   * manager names by then) until it is done or the engine is stopped; then serves the export and
   * reports the copy done and the volume attached.
   */
  private async copySource(volume: string, run: RunningEngine): Promise<void> {
    const current = (): boolean => this.engines.get(volume) === run;
    for (let attempt = 1; current(); attempt++) {
      const src = run.source!;
      try {
        const started = Date.now();
        const r = await cloneFromAny(
          src.replicas.map((x) => ({ id: x.replicaId, connect: () => this.connectSource(src, x) })),
          src.snapshot, run.engine,
          { alive: current, onSourceFailed: (id, reason) => this.log.warn({ volume, replica: id }, `engine of ${volume}: copying from ${src.volume}@${src.snapshot} on replica ${id} failed: ${reason}`) },
        );
        this.log.info({ volume, replica: r.from }, `engine of ${volume}: copied ${src.volume}@${src.snapshot} from replica ${r.from} (${r.writtenBytes} bytes written) in ${Date.now() - started} ms`);
        break;
      } catch (err) {
        if (!current()) return;
        this.log.warn({ volume }, `engine of ${volume}: copy of its data source, attempt ${attempt}: ${(err as Error).message}; retrying`);
        await new Promise((res) => setTimeout(res, retryDelay(attempt)));
      }
    }
    if (!current()) return;
    // Replicas left out at open are recorded failed before anything is served.
    if (!(await run.engine.recorded().then(() => true, () => false)) || !current()) return;
    run.ready = true;
    const endpoint = this.nbdEndpoint(volume);
    // The copy is done and flushed; until the manager has it on record, keep saying so.
    for (let attempt = 1; current(); attempt++) {
      try {
        await this.o.report({ replicas: [], engines: [{ volume, state: 'attached', endpoint, dataSourceCopied: true }], progress: [] });
        this.log.info({ volume }, `engine of ${volume} serving ${endpoint}`);
        return;
      } catch (err) {
        this.log.warn({ volume }, `engine of ${volume}: reporting the copy done, attempt ${attempt}: ${(err as Error).message}`);
        await new Promise((res) => setTimeout(res, retryDelay(attempt)));
      }
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.backups.stop();
    if (this.recheck) clearTimeout(this.recheck);
    if (this.figuresTimer) clearInterval(this.figuresTimer);
    for (const run of this.engines.values()) await run.engine.close().catch(() => undefined);
    this.engines.clear();
    await this.nbd.close().catch(() => undefined);
    await this.replicaServer.close().catch(() => undefined);
    for (const run of this.replicas.values()) await run.store.close().catch(() => undefined);
    this.replicas.clear();
  }
}
