// The node agent's data side: it runs what the manager assigns. One pass per push (pushes that
// arrive meanwhile collapse into the newest): reconcile-plan.ts decides, from the assignments and
// what runs here, what to remove, create, update, stop or open; the replica runner
// (replica-runner.ts: the stores on this node's disks, served by one ReplicaServer) and the engine
// runner (engine-runner.ts: engines of volumes attached here, served over NBD) do it; this file
// orders the pass, sends the reports that batch several replicas, and owns the timers.
// Each application compares the wanted set with what runs and changes only the difference.
import type { Logger } from '@cairn/api';
import type {
  Assignments__Output,
  BackupAssignment__Output,
  ReplicaAssignment__Output,
  ReportRequest,
} from '@cairn/api';
import { IoStatsTable, NbdServer, nbdUri, ReplicaServer } from '@cairn/datapath';
import type { NbdListen, ReplicaTls } from '@cairn/datapath';
import { BackupRunner } from './backup-runner.js';
import { EngineRunner } from './engine-runner.js';
import { planReplicas, replicasToLook } from './reconcile-plan.js';
import type { ReplicaReport } from './replica-runner.js';
import { ReplicaRunner } from './replica-runner.js';

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

/** What the manager assigns this node: its replicas by id (folded from the pushes), its engines, the volumes detaching. */
export interface NodeAssignments {
  seq: number;
  replicas: ReadonlyMap<string, ReplicaAssignment__Output>;
  engines: Assignments__Output['engines'];
  detaching: string[];
  /** Backups to run on this node's replicas (backup-runner.ts); whole in every push. */
  backups?: BackupAssignment__Output[];
}

/** How often the figures of failed replicas are said again (salvage waits for fresh ones). */
const FIGURES_REPEAT_MS = 5000;

/** How long after something is left unsettled the newest assignments are applied again. */
const RECHECK_MS = 1000;

export class Datapath {
  private readonly replicaServer: ReplicaServer;
  private readonly nbd: NbdServer;
  private readonly replicaRunner: ReplicaRunner;
  private readonly engineRunner: EngineRunner;
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
    this.replicaServer = new ReplicaServer(o.tls ? { tls: o.tls } : {});
    this.replicaRunner = new ReplicaRunner({
      disks: o.disks,
      server: this.replicaServer,
      logger: o.logger,
      dataAddress: () => this.dataAddress,
      unsettled: (id) => this.retry.add(id),
      recheckSoon: () => this.recheckSoon(),
    });
    this.backups = new BackupRunner({
      source: (id) => this.replicaRunner.store(id),
      report: o.report,
      logger: o.logger.child({ component: 'backup' }),
    });
    // "VOLUME" is the volume; "VOLUME@SNAPSHOT" a read-only view of one of its snapshots.
    this.nbd = new NbdServer({
      ioStats: (name) => (name.includes('@') ? undefined : this.io.of(name)),
      exports: (name) => this.engineRunner.exportOf(name),
      // A client's protocol trouble is the client's: at debug, seen when asked for.
      log: (line) => o.logger.child({ component: 'nbd' }).debug(line),
    });
    this.engineRunner = new EngineRunner({
      nodeId: o.nodeId,
      ...(o.tls ? { tls: o.tls } : {}),
      report: o.report,
      logger: o.logger,
      nbd: this.nbd,
      localStore: (id) => this.replicaRunner.store(id),
      endpoint: (volume) => this.nbdEndpoint(volume),
      recheckSoon: () => this.recheckSoon(),
      dropped: (volume) => this.io.drop(volume),
    });
  }

  async start(): Promise<void> {
    const d = await this.replicaServer.listen(this.o.dataPort ?? 0, this.o.host);
    this.dataAddress = this.o.advertise ?? `${this.o.host}:${d.port}`;
    const l = this.o.nbd ?? { kind: 'tcp', host: '127.0.0.1', port: 0 };
    const port =
      l.kind === 'unix' ? (await this.nbd.listenUnix(l.path), 0) : (await this.nbd.listen(l.port, l.host, l.tls)).port;
    this.nbdBound = { listen: l, port };
    this.log.info(`NBD exports served at ${this.nbdEndpoint('VOLUME')}`);
    this.figuresTimer = setInterval(() => void this.repeatFigures(), FIGURES_REPEAT_MS);
    this.figuresTimer.unref();
  }

  /** The bytes each replica served here holds (its head's allocated blocks), for /metrics. */
  replicaSizes(): Promise<{ volume: string; replicaId: string; bytes: number }[]> {
    return this.replicaRunner.sizes();
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
    const figures = await this.replicaRunner.failedFigures(a.replicas);
    if (figures.length === 0 || this.stopped) return;
    await this.o
      .report({ replicas: [], engines: [], progress: [], figures })
      .catch((e: unknown) =>
        this.log.warn(`repeating the figures of ${figures.length} failed replica(s): ${(e as Error).message}`),
      );
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
      await this.reconcile(a, touched).catch((e: Error) =>
        this.log.warn({ seq: a.seq }, `applying assignments at seq ${a.seq}: ${e.message}`),
      );
    }
  }

  private async reconcile(a: NodeAssignments, touched: ReadonlySet<string> | null): Promise<void> {
    // The replicas to look at: those the pushes touched, and those a pass left to be tried again
    // (a store that could not be opened, a snapshot that could not be synced); all after a whole
    // push. Their assignments are taken now: the map moves on with the pushes that come meanwhile.
    const look = replicasToLook(a.replicas, this.replicaRunner.ids(), touched, this.retry);
    this.retry.clear();
    const plan = planReplicas(look, new Set(this.replicaRunner.ids()));
    for (const id of plan.remove) await this.replicaRunner.remove(id);
    // New replicas' stores are created a group at a time (CREATE_BATCH), and each group is
    // reported running as soon as it serves: under a create storm a push names dozens, and the
    // first need not wait for the last. The rest are looked at after them. Reports go out without
    // waiting for each other or holding up the next pass (a report returns once the manager has
    // recorded it, which under load is most of a pass); one that fails is said again by a pass a
    // second later.
    for (const group of plan.create) {
      const failed = await this.replicaRunner.open(group);
      this.reportReplicas([...failed, ...(await this.replicaRunner.apply(group))]);
    }
    this.reportReplicas(await this.replicaRunner.apply(plan.update));
    const figures = this.replicaRunner.takeFigures();
    if (figures.length) {
      this.o.report({ replicas: [], engines: [], progress: [], figures }).catch((e: unknown) => {
        this.log.warn(
          `reporting the figures of ${figures.length} failed replica(s) failed, said again shortly: ${(e as Error).message}`,
        );
        this.replicaRunner.figuresLost(figures.map((f) => f.replicaId));
        this.recheckSoon();
      });
    }
    // Engines of volumes attached here; one failing to start does not keep the others from theirs.
    await this.engineRunner.reconcile(a.engines, a.detaching);
    // After the stores are open: a backup reads its replica's.
    this.backups.apply(a.backups ?? []);
  }

  /** Reports replicas in the background; a lost report is said again by a pass shortly. */
  private reportReplicas(replicas: ReplicaReport[]): void {
    if (!replicas.length) return;
    this.o.report({ replicas, engines: [], progress: [] }).catch((e: unknown) => {
      this.log.warn(`reporting ${replicas.length} replica(s) failed, said again shortly: ${(e as Error).message}`);
      this.replicaRunner.reportLost(replicas.map((x) => x.replicaId));
      this.recheckSoon();
    });
  }

  private recheckSoon(): void {
    if (this.recheck || this.stopped) return;
    this.recheck = setTimeout(() => {
      this.recheck = null;
      if (this.newest && !this.stopped) void this.apply(this.newest, null);
    }, RECHECK_MS);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.backups.stop();
    if (this.recheck) clearTimeout(this.recheck);
    if (this.figuresTimer) clearInterval(this.figuresTimer);
    await this.engineRunner.closeAll();
    await this.nbd.close().catch(() => undefined);
    await this.replicaServer.close().catch(() => undefined);
    await this.replicaRunner.closeAll();
  }
}
