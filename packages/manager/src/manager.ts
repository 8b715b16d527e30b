// `cairn manager`: serves the admin and node-facing APIs from any manager; the one that wins the
// etcd election also runs the reconciler (the scheduler) and node liveness, fenced by its lease.
import { hostname } from 'node:os';
import * as grpc from '@grpc/grpc-js';
import type { Etcd3, Lease } from 'etcd3';
import {
  addServiceRefusingUndecodable,
  adminProto,
  bearerOf,
  callerOf,
  createLogger,
  errorText,
  GRPC_SERVER_OPTIONS,
  hasBearer,
  nodeProto,
} from '@cairn/api';
import type { Logger } from '@cairn/api';
import { startControllerService } from '@cairn/csi';
import type { UnixServer } from '@cairn/csi';
import type { CairnEvent, EtcdCredentials, LeaderInfo } from '@cairn/metadata';
import { Keys, LeaderElection, LiveProjection, openEtcd, SnapshotStore, storedBytes } from '@cairn/metadata';
import type { EventLog } from '@cairn/metadata';
import { LoggedEventLog } from './logged-event-log.js';
import { adminHandlers } from './admin-service.js';
import { CommandRunner } from './command-runner.js';
import { BackupService } from './backup-service.js';
import { NodeService } from './node-service.js';
import { VolumeSecrets } from './volume-secrets.js';
import { Reconciler } from './reconciler.js';
import { ReplicaFigures } from './replica-figures.js';
import { Salvager } from './salvager.js';
import { Liveness } from './liveness.js';
import { RecurringJobs } from './recurring-jobs.js';
import { restoreAccess, StandbyPoller } from './restores.js';
import type { ManagerContext } from './context.js';
import type { KubeSync } from './kube-sync.js';
import type { KubeClient } from '@cairn/kube';
import { startUiServer } from '@cairn/ui';
import type { UiServer } from '@cairn/ui';
import type { MetricsListen } from '@cairn/api';
import { ManagerMetrics } from './metrics.js';

/**
 * The admin service with WatchEvents sending each event's stored bytes as they are (the log
 * holds the same EventEnvelope message the stream carries): no encoding per event and stream.
 */
function withStoredEvents(def: grpc.ServiceDefinition): grpc.ServiceDefinition {
  const watch = def['WatchEvents'] as grpc.MethodDefinition<unknown, CairnEvent>;
  const encode = watch.responseSerialize;
  return {
    ...def,
    WatchEvents: {
      ...watch,
      responseSerialize: (ev: CairnEvent) => {
        const bytes = storedBytes(ev);
        return bytes ? Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) : encode(ev);
      },
    },
  };
}

/** Events between the leader's snapshots of the state. */
export const DEFAULT_SNAPSHOT_EVERY = 5000;

export interface ManagerOptions {
  etcd: string[];
  /** How to prove itself to etcd (TLS CA, client certificate, user); absent: plain http, no auth. */
  etcdCredentials?: EtcdCredentials;
  /** How long an append retries an etcd that does not answer before it fails UNAVAILABLE (the log's default, 30 s). */
  logRetryForMs?: number;
  /** host:port for the gRPC server (port 0: any free port). */
  listen: string;
  /** The admin token: every admin call. */
  token: string;
  /**
   * The node key, from which each node's token is made (@cairn/api nodeToken): node-facing calls
   * then need their node's own token and the admin token is refused there. Absent (the default
   * for in-process use): the admin token acts for any node, as before per-node credentials.
   */
  nodeKey?: string;
  /**
   * Kubernetes node credentials: a bearer that is neither the admin token nor a node token of the
   * node key is given to this verifier (@cairn/kube NodeAuthenticator: a TokenReview of the agent's
   * projected service-account token, the node being its pod's). Like the node key, it makes
   * node-facing calls need a node's own credential.
   */
  nodeTokens?: NodeTokenVerifier;
  /**
   * Serve gRPC with TLS: this certificate and key (PEM). `ca`: the cluster CA, which the manager's
   * own clients (the CSI controller) check the certificate against; absent, the certificate itself
   * (self-signed). `serverName`: the name in the certificate it checks, when the address it
   * listens on (a pod IP) is not.
   */
  tls?: { cert: Buffer; key: Buffer; ca?: Buffer; serverName?: string | undefined };
  id?: string;
  prefix?: string;
  /** Leader lease TTL, seconds. */
  electionTtl?: number;
  /** Node liveness lease TTL, seconds, and the heartbeat interval node agents are told to keep. */
  nodeLeaseTtl?: number;
  heartbeatMs?: number;
  /** Events between snapshots (DEFAULT_SNAPSHOT_EVERY); 0: none. */
  snapshotEvery?: number;
  /** Serve the CSI Identity and Controller services on this unix socket. */
  csiSocket?: string;
  /**
   * In Kubernetes (in a pod, or --kubeconfig): the leader also runs the Kubernetes loop (kube-sync.ts)
   * with this client, its drain guards in `namespace` (pods of `guardImage`). Absent: nothing talks to Kubernetes.
   */
  kube?: { client: KubeClient; namespace: string; guardImage?: string | undefined; pdbRelistMs?: number };
  /** A mounted Secret with the backup target's credentials (one file per key), used when none are stored. */
  backupCredentialDir?: string;
  /** Where the manager logs (default: JSON lines on stdout at info, named by its id). */
  logger?: Logger;
  /** Serve the web UI (@cairn/ui) on this host:port, a client of this manager's admin API; HTTPS with `tls`. */
  uiListen?: string;
  /** Serve Prometheus metrics (metrics.ts) there; absent: none. A port that cannot be bound is said, not fatal. */
  metricsListen?: MetricsListen;
}

/** What checks a Kubernetes node credential (@cairn/kube NodeAuthenticator has this shape). */
export interface NodeTokenVerifier {
  nodeOf(token: string): Promise<{ nodeId: string } | { refused: string }>;
}

export class Manager {
  private server: grpc.Server | null = null;
  private stopped = false;
  private leading = false;
  private reconciler: Reconciler | null = null;
  private liveness: Liveness | null = null;
  private salvager: Salvager | null = null;
  private jobs: RecurringJobs | null = null;
  private standby: StandbyPoller | null = null;
  /** The backup target as restores use it (H-backup's access, once serve() made it). */
  private readonly restoreTarget = restoreAccess(() => this.backups?.target ?? null);
  private kube: KubeSync | null = null;
  private figures: ReplicaFigures | null = null;
  private election: LeaderElection | null = null;
  private nodes: NodeService | null = null;
  private backups: BackupService | null = null;
  private presence: Lease | null = null;
  private csi: UnixServer | null = null;
  private ui: UiServer | null = null;
  address = '';
  /** http(s)://host:port of the web UI, when --ui-listen was given. */
  uiUrl = '';
  /** unix:///path of the CSI Controller service, when --csi-socket was given. */
  csiEndpoint = '';
  /** host:port of /metrics, when served. */
  metricsAddress = '';
  private metrics: ManagerMetrics | null = null;

  private constructor(
    readonly id: string,
    private readonly client: Etcd3,
    readonly log: EventLog,
    readonly projection: LiveProjection,
    private readonly snapshots: SnapshotStore,
    private readonly o: ManagerOptions,
    private readonly logger: Logger,
  ) {}

  static async start(o: ManagerOptions): Promise<Manager> {
    if (!o.token) throw new Error('a bearer token is required (--token, --token-file or CAIRN_TOKEN)');
    // Such an admin token would be read as a node token, and refused on every admin call.
    if (o.nodeKey && o.token.startsWith('cairn-node.'))
      throw new Error('the admin token must not look like a node token ("cairn-node.")');
    const id = o.id ?? `${hostname()}-${process.pid}`;
    const client = openEtcd(o.etcd, o.etcdCredentials);
    const logger = o.logger ?? createLogger({ name: id });
    const metrics = o.metricsListen ? new ManagerMetrics(id) : null;
    let projected: LiveProjection | null = null;
    const log = new LoggedEventLog(
      client,
      {
        prefix: o.prefix,
        actor: `manager/${id}`,
        ...(o.logRetryForMs !== undefined ? { retryForMs: o.logRetryForMs } : {}),
        ...(metrics ? { onAppended: metrics.appended } : {}),
      },
      logger.child({ component: 'event-log' }),
      (replica) => projected?.state.replicas.get(replica)?.volume,
    );
    const snapshots = new SnapshotStore(client, { prefix: o.prefix });
    const plog = logger.child({ component: 'projection' });
    // A log that does not hold (a broken hash chain, a corrupt event) stops the projection before
    // that seq; the manager still starts, so that `cairn audit verify` can say where and why, but
    // it serves nothing past that seq: commands fail with DATA_LOSS and it never leads.
    const projection = await LiveProjection.open(log, {
      snapshots,
      snapshotEvery: 0,
      onWarning: (m) => plog.warn(m),
      openDespiteError: true,
    });
    projected = projection;
    if (projection.error)
      plog.error(
        { seq: projection.state.seq },
        `projection stopped at seq ${projection.state.seq}: ${(projection.error as Error).message}`,
      );
    const m = new Manager(id, client, log, projection, snapshots, o, logger);
    await m.serve();
    if (o.csiSocket) await m.serveCsi(o.csiSocket);
    if (o.uiListen) await m.serveUi(o.uiListen);
    if (metrics && o.metricsListen) await m.serveMetrics(metrics, o.metricsListen);
    void m.campaignLoop();
    logger.info(
      { component: 'manager', seq: projection.state.seq, address: m.address },
      `manager ${id} serving on ${m.address} (log at seq ${projection.state.seq}, from snapshot ${projection.startedFromSeq})`,
    );
    return m;
  }

  isLeader(): boolean {
    return this.leading;
  }

  /** The logger of one part of the manager. */
  private part(component: string): Logger {
    return this.logger.child({ component });
  }

  private context(): ManagerContext {
    const election = new LeaderElection(this.client, { prefix: this.o.prefix, id: this.id });
    return {
      id: this.id,
      log: this.log,
      snapshots: this.snapshots,
      projection: this.projection,
      runner: new CommandRunner({ log: this.log, projection: this.projection }),
      authorize: (md) => hasBearer(md, this.o.token),
      caller: async (md) => {
        const caller = callerOf(md, { adminToken: this.o.token, nodeKey: this.o.nodeKey });
        const bearer = bearerOf(md);
        if (caller || !bearer || !this.o.nodeTokens) return { caller };
        const r = await this.o.nodeTokens.nodeOf(bearer);
        return 'nodeId' in r ? { caller: { kind: 'node', nodeId: r.nodeId } } : { caller: null, why: r.refused };
      },
      nodeCredentials: Boolean(this.o.nodeKey || this.o.nodeTokens),
      logger: this.logger,
      reportedDisk: (nodeId, path) => this.nodes?.reportedDisk(nodeId, path),
      rebuildProgress: (replicaId) => this.nodes?.progress.get(replicaId) ?? 0,
      restoreProgress: (volume) => this.nodes?.restoreProgress.get(volume),
      backupTarget: this.restoreTarget,
      figures: (this.figures ??= new ReplicaFigures(this.client, this.o.prefix)),
      leader: (): Promise<LeaderInfo | null> => election.leader(),
    };
  }

  private async serve(): Promise<void> {
    const ctx = this.context();
    const keys = new Keys(this.o.prefix);
    this.backups = new BackupService(ctx, this.client, this.o.prefix, this.o.backupCredentialDir);
    await this.backups.start();
    this.nodes = new NodeService(ctx, this.client, {
      backups: this.backups,
      heartbeatIntervalMs: this.o.heartbeatMs ?? 1000,
      leaseTtlSeconds: this.o.nodeLeaseTtl ?? 5,
      prefix: this.o.prefix,
      secrets: await VolumeSecrets.open(this.client, keys, this.o.token, await this.log.headSeq()),
      restoreCredentials: () => this.restoreTarget.assignment(),
      managers: async () => (await this.client.getAll().prefix(keys.managers).strings().then(Object.values)).sort(),
    });
    const server = new grpc.Server(GRPC_SERVER_OPTIONS);
    // Requests that do not decode are refused INVALID_ARGUMENT (grpc-js alone answers INTERNAL).
    addServiceRefusingUndecodable(
      server,
      withStoredEvents(adminProto().cairn.admin.v1.Admin.service),
      adminHandlers(ctx, this.backups.handlers()) as grpc.UntypedServiceImplementation,
    );
    addServiceRefusingUndecodable(
      server,
      nodeProto().cairn.node.v1.NodeAgent.service,
      this.nodes.handlers() as grpc.UntypedServiceImplementation,
    );
    const creds = this.o.tls
      ? grpc.ServerCredentials.createSsl(null, [{ cert_chain: this.o.tls.cert, private_key: this.o.tls.key }])
      : grpc.ServerCredentials.createInsecure();
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync(this.o.listen, creds, (err, p) => (err ? reject(err) : resolve(p))),
    );
    this.server = server;
    const host = this.o.listen.slice(0, this.o.listen.lastIndexOf(':'));
    this.address = `${host}:${port}`;
    // Announce this manager's address under a lease, so node agents learn where else to go.
    this.presence = this.client.lease(this.o.electionTtl ?? 3);
    this.presence.on('lost', () => undefined);
    await this.presence.put(keys.manager(this.id)).value(this.address).exec();
  }

  /** The CSI controller is a client of this manager's own admin API (any manager can serve it). */
  private async serveCsi(socket: string): Promise<void> {
    const endpoint = this.address.replace(/^(0\.0\.0\.0|\[::\]):/, '127.0.0.1:');
    this.csi = await startControllerService({
      socket,
      admin: {
        endpoint,
        token: this.o.token,
        ca: this.o.tls ? (this.o.tls.ca ?? this.o.tls.cert) : undefined,
        serverName: this.o.tls?.serverName,
      },
      log: this.part('csi-controller'),
    });
    this.csiEndpoint = this.csi.endpoint;
  }

  /** The web UI is a client of this manager's own admin API too, with each browser's token. */
  private async serveUi(listen: string): Promise<void> {
    const endpoint = this.address.replace(/^(0\.0\.0\.0|\[::\]):/, '127.0.0.1:');
    this.ui = await startUiServer({
      listen,
      admin: {
        endpoint,
        ca: this.o.tls ? (this.o.tls.ca ?? this.o.tls.cert) : undefined,
        serverName: this.o.tls?.serverName,
      },
      tls: this.o.tls ? { cert: this.o.tls.cert, key: this.o.tls.key } : undefined,
      log: (l) => this.part('ui').warn(l),
    });
    this.uiUrl = this.ui.url;
    this.part('ui').info({ url: this.uiUrl }, `manager ${this.id} serves the web UI on ${this.uiUrl}`);
  }

  /** /metrics; a port that cannot be bound costs the metrics, not the manager (said in the log). */
  private async serveMetrics(metrics: ManagerMetrics, listen: MetricsListen): Promise<void> {
    const nodes = this.nodes!;
    try {
      this.metricsAddress = await metrics.serve(
        {
          log: this.log,
          projection: this.projection,
          isLeader: () => this.leading,
          live: { rebuildProgress: nodes.progress, restoreProgress: nodes.restoreProgress },
        },
        listen,
      );
      this.metrics = metrics;
      this.part('metrics').info(
        { address: this.metricsAddress },
        `manager ${this.id} serving /metrics on ${this.metricsAddress}`,
      );
    } catch (e) {
      await metrics.stop();
      this.part('metrics').error(
        `/metrics not served: cannot listen on ${listen.host}:${listen.port}: ${(e as Error).message}`,
      );
    }
  }

  /** Campaign, lead until the lease is lost, campaign again; until stopped. */
  private async campaignLoop(): Promise<void> {
    // A stopped projection is stale for good: its manager must not decide anything.
    const projectionStopped = new Promise<void>((resolve) =>
      this.projection.changes$.subscribe({ complete: () => resolve() }),
    );
    while (!this.stopped && !this.projection.error) {
      const election = new LeaderElection(this.client, {
        prefix: this.o.prefix,
        id: this.id,
        ttlSeconds: this.o.electionTtl ?? 3,
      });
      this.election = election;
      try {
        const fence = await election.campaign();
        if (this.stopped) break;
        if (this.projection.error) {
          await election.resign();
          break;
        }
        this.leading = true;
        this.part('election').info(`manager ${this.id} is the leader`);
        const lost = Promise.race([
          projectionStopped,
          new Promise<void>((resolve) =>
            election.fence$.subscribe({ next: (f) => f === null && resolve(), complete: resolve }),
          ),
        ]);
        const onFenced = (): void => void election.resign();
        // Each loop of the leader says its errors under its own component.
        const errorsOf =
          (component: string) =>
          (e: unknown): void =>
            this.part(component).error(`leader: ${errorText(e)}`);
        this.reconciler = new Reconciler({
          projection: this.projection,
          log: this.log,
          fence,
          actor: `manager/${this.id}`,
          onError: errorsOf('reconciler'),
          onFenced,
        });
        this.liveness = new Liveness({
          client: this.client,
          log: this.log,
          projection: this.projection,
          fence,
          actor: `manager/${this.id}`,
          prefix: this.o.prefix,
          onError: errorsOf('liveness'),
          onFenced,
          startupGraceMs: (this.o.nodeLeaseTtl ?? 5) * 1000 + 2 * (this.o.heartbeatMs ?? 1000),
        });
        this.salvager = new Salvager({
          projection: this.projection,
          log: this.log,
          fence,
          actor: `manager/${this.id}`,
          figures: (this.figures ??= new ReplicaFigures(this.client, this.o.prefix)),
          onError: errorsOf('salvager'),
          onFenced,
          onWaiting: (volume, why) => this.part('salvager').info({ volume }, `auto-salvage of ${volume}: ${why}`),
        });
        const backups = this.backups;
        this.jobs = new RecurringJobs({
          projection: this.projection,
          log: this.log,
          fence,
          actor: `manager/${this.id}`,
          onError: errorsOf('recurring-jobs'),
          onFenced,
          ...(backups
            ? { removeBackup: (url: string, cause: string) => backups.remove(url, `manager/${this.id}`, cause) }
            : {}),
        });
        this.standby = new StandbyPoller({
          projection: this.projection,
          log: this.log,
          fence,
          actor: `manager/${this.id}`,
          access: this.restoreTarget,
          onError: errorsOf('restores'),
          onFenced,
        });
        if (this.o.kube) {
          // Loaded on use: client-node is heavy, and only managers in Kubernetes need it.
          const { KubeSync } = await import('./kube-sync.js');
          this.kube = new KubeSync({
            client: this.o.kube.client,
            namespace: this.o.kube.namespace,
            guardImage: this.o.kube.guardImage,
            instance: this.id,
            ...(this.o.kube.pdbRelistMs !== undefined ? { pdbRelistMs: this.o.kube.pdbRelistMs } : {}),
            log: this.log,
            projection: this.projection,
            fence,
            onFenced,
            onError: (e) => this.part('kubernetes').error(`kubernetes: ${errorText(e)}`),
          });
        }
        this.reconciler.start();
        this.backups?.lead({
          log: this.log,
          projection: this.projection,
          fence,
          actor: `manager/${this.id}`,
          onError: errorsOf('backups'),
          onFenced,
        });
        this.liveness.start();
        this.salvager.start();
        this.jobs.start();
        this.standby.start();
        this.kube?.start();
        // The leader also writes snapshots (through its projection); followers only read them.
        this.projection.writeSnapshots(this.o.snapshotEvery ?? DEFAULT_SNAPSHOT_EVERY);
        await lost;
        if (this.projection.error) await election.resign();
      } catch (e) {
        if (!this.stopped) this.part('election').error(`election: ${errorText(e)}`);
      } finally {
        this.projection.writeSnapshots(0);
        this.reconciler?.stop();
        this.backups?.unlead();
        this.liveness?.stop();
        this.salvager?.stop();
        this.jobs?.stop();
        this.standby?.stop();
        await this.kube?.stop();
        this.salvager = null;
        this.jobs = null;
        this.standby = null;
        this.kube = null;
        this.reconciler = null;
        this.liveness = null;
        if (this.leading) this.part('election').info(`manager ${this.id} is no longer the leader`);
        this.leading = false;
      }
      if (!this.stopped) await new Promise((r) => setTimeout(r, 500));
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.csi?.close();
    await this.ui?.close();
    await this.metrics?.stop();
    await this.election?.resign();
    await this.presence?.revoke().catch(() => undefined);
    this.nodes?.close();
    this.backups?.stop();
    this.projection.close();
    this.log.close();
    // Open streams (agents' WatchAssignments, `events -f`) would keep a graceful shutdown waiting
    // for ever, and a half-stopped manager keeps agents on a stream that never moves again: give
    // calls a moment to finish, then cut the rest, so clients reconnect to a live manager.
    await new Promise<void>((resolve) => {
      if (!this.server) return resolve();
      const force = setTimeout(() => {
        this.server?.forceShutdown();
        resolve();
      }, 1000);
      this.server.tryShutdown(() => {
        clearTimeout(force);
        resolve();
      });
    });
    this.client.close();
  }
}
