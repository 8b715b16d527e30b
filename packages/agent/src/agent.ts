// The node agent (`cairn node`): one per node. It registers its node and disks with a manager,
// keeps its liveness lease with heartbeats (statfs figures ride along), and follows the stream of
// what it must run (datapath.ts runs it). It holds no etcd credentials.
import { statfs } from 'node:fs/promises';
import { mkdirSync } from 'node:fs';
import { hostname } from 'node:os';
import type { ClientReadableStream } from '@grpc/grpc-js';
import type {
  Assignments__Output,
  ClientOptions,
  DiskInfo,
  Logger,
  NodeAgentClient,
  ReplicaAssignment__Output,
} from '@cairn/api';
import { createLogger, foldAssignments, nodeAgentClient } from '@cairn/api';
import { startNodeService } from '@cairn/csi';
import type { UnixServer } from '@cairn/csi';
import type { NbdListen } from '@cairn/datapath';
import type { MetricsListen } from '@cairn/api';
import { Datapath } from './datapath.js';
import { AgentMetrics } from './metrics.js';
import { TrimRunner } from './trim-runner.js';

export interface DiskSpec {
  path: string;
  tags: string[];
}

export interface AgentOptions {
  /** One or more manager addresses; the agent learns the others from the managers' answers. */
  manager: string | string[];
  nodeId: string;
  zone: string;
  disks: DiskSpec[];
  /**
   * The bearer for the node API: this node's own token (the admin token only against managers
   * without node credentials), or a function giving it on each call (a token file that is rotated).
   */
  token: string | (() => string);
  tags?: string[];
  /** Host the data (replica) server listens on and advertises (default 127.0.0.1). */
  dataHost?: string;
  dataPort?: number;
  /** Where the NBD exports are served (default TCP 127.0.0.1, any port; `cairn node`: a unix socket). */
  nbd?: NbdListen;
  /** The data address to announce instead of the one listened on (a proxy in front of it). */
  dataAdvertise?: string;
  /** Serve the CSI Identity and Node services on this unix socket. */
  csiSocket?: string;
  /** Where the CSI Node service keeps what it staged (default /var/lib/cairn/csi). */
  csiStateDir?: string;
  /**
   * TLS (PEM): the manager's certificate is checked against `ca`; with `cert` and `key` (this
   * node's certificate) the agent presents it to the manager and replica traffic is TLS too.
   */
  tls?: { ca: Buffer; cert?: Buffer; key?: Buffer; serverName?: string | undefined };
  /** Where the agent logs (default: JSON lines on stdout at info, named by the node id). */
  logger?: Logger;
  /** Serve Prometheus metrics (metrics.ts) there; absent: none. A port that cannot be bound is said, not fatal. */
  metricsListen?: MetricsListen;
}

/** Parses `PATH[:tag,tag]`. */
export function parseDiskFlag(flag: string): DiskSpec {
  const i = flag.indexOf(':');
  const path = i < 0 ? flag : flag.slice(0, i);
  const tags =
    i < 0
      ? []
      : flag
          .slice(i + 1)
          .split(',')
          .map((t) => t.trim())
          .filter(Boolean);
  if (!path.startsWith('/')) throw new Error(`--disk ${flag}: the path must be absolute`);
  return { path, tags };
}

export async function diskInfo(d: DiskSpec): Promise<DiskInfo> {
  mkdirSync(d.path, { recursive: true });
  const s = await statfs(d.path);
  return { path: d.path, tags: d.tags, storageMaximum: s.blocks * s.bsize, storageAvailable: s.bavail * s.bsize };
}

const call = <Req, Res>(fn: (req: Req, cb: (e: Error | null, r?: Res) => void) => unknown, req: Req): Promise<Res> =>
  new Promise((resolve, reject) => fn(req, (e, r) => (e ? reject(e) : resolve(r as Res))));

export class Agent {
  private client: NodeAgentClient;
  private managers: string[];
  private current = 0;
  private stopped = false;
  private heartbeatTimer: NodeJS.Timeout | null = null;
  private stream: ClientReadableStream<Assignments__Output> | null = null;
  registered = false;
  readonly datapath: Datapath;
  private csi: UnixServer | null = null;
  /** unix:///path of the CSI Node service, when csiSocket was given. */
  csiEndpoint = '';
  /** host:port of /metrics, when served. */
  metricsAddress = '';
  private metrics: AgentMetrics | null = null;
  /** fstrim on the filesystems the CSI node service mounted (recurring jobs' filesystem-trim). */
  private readonly trims: TrimRunner;

  /** The agent's own lines (component agent); the datapath, trims and CSI have their own components. */
  private readonly log: Logger;
  private readonly logger: Logger;

  constructor(private readonly o: AgentOptions) {
    this.logger = o.logger ?? createLogger({ name: o.nodeId });
    this.log = this.logger.child({ component: 'agent' });
    this.managers = Array.isArray(o.manager) ? [...o.manager] : o.manager.split(',');
    this.client = nodeAgentClient(this.managers[0]!, this.clientOptions());
    this.datapath = new Datapath({
      nodeId: o.nodeId,
      host: o.dataHost ?? '127.0.0.1',
      dataPort: o.dataPort,
      ...(o.nbd ? { nbd: o.nbd } : {}),
      advertise: o.dataAdvertise,
      disks: o.disks.map((d) => d.path),
      ...(o.tls?.cert && o.tls.key ? { tls: { ca: o.tls.ca, cert: o.tls.cert, key: o.tls.key } } : {}),
      logger: this.logger.child({ component: 'datapath' }),
      report: (r) =>
        call<object, unknown>(this.client.Report.bind(this.client), { nodeId: o.nodeId, ...r }).then(() => undefined),
    });
    this.trims = new TrimRunner({
      nodeId: o.nodeId,
      csiStateDir: o.csiSocket ? (o.csiStateDir ?? '/var/lib/cairn/csi') : null,
      logger: this.logger.child({ component: 'trim' }),
      report: (r) =>
        call<object, unknown>(this.client.Report.bind(this.client), { nodeId: o.nodeId, ...r }).then(() => undefined),
    });
  }

  /** The manager this agent talks to now. */
  get manager(): string {
    return this.managers[this.current % this.managers.length]!;
  }

  /** Remembers every live manager the cluster announced (keeping the ones given at start). */
  private learn(managers: string[]): void {
    for (const m of managers) if (!this.managers.includes(m)) this.managers.push(m);
  }

  /** Moves to the next known manager after a failure. */
  private failover(): void {
    if (this.managers.length < 2) return;
    this.current = (this.current + 1) % this.managers.length;
    this.client.close();
    this.client = nodeAgentClient(this.manager, this.clientOptions());
    this.log.info({ manager: this.manager }, `moving to manager ${this.manager}`);
    this.stream?.cancel();
  }

  /** The token, and TLS to the manager when configured (never plaintext then). */
  private clientOptions(): ClientOptions {
    const t = this.o.tls;
    return {
      token: this.o.token,
      ...(t
        ? {
            tlsCa: t.ca,
            ...(t.cert && t.key ? { tlsCert: { cert: t.cert, key: t.key } } : {}),
            ...(t.serverName ? { tlsServerName: t.serverName } : {}),
          }
        : {}),
    };
  }

  /** Registers (retrying until the manager answers), then heartbeats and follows assignments. */
  async start(): Promise<void> {
    await this.datapath.start();
    if (this.o.metricsListen) await this.serveMetrics(this.o.metricsListen);
    if (this.o.csiSocket) {
      this.csi = await startNodeService({
        socket: this.o.csiSocket,
        nodeId: this.o.nodeId,
        zone: this.o.zone,
        stateDir: this.o.csiStateDir ?? '/var/lib/cairn/csi',
        log: this.logger.child({ component: 'csi-node' }),
      });
      this.csiEndpoint = this.csi.endpoint;
      this.log.info(`CSI node service on ${this.csiEndpoint}`);
    }
    const interval = await this.register();
    this.followAssignments();
    const beat = async (): Promise<void> => {
      try {
        const disks = await Promise.all(this.o.disks.map(diskInfo));
        const res = await call<{ nodeId: string; disks: DiskInfo[] }, { known: boolean; managers: string[] }>(
          this.client.Heartbeat.bind(this.client),
          { nodeId: this.o.nodeId, disks },
        );
        this.learn(res.managers);
        if (!res.known) await this.register();
      } catch (e) {
        this.log.warn({ manager: this.manager }, `heartbeat to ${this.manager} failed: ${(e as Error).message}`);
        this.failover();
      }
      if (!this.stopped) this.heartbeatTimer = setTimeout(() => void beat(), interval);
    };
    this.heartbeatTimer = setTimeout(() => void beat(), interval);
  }

  /** /metrics; a port that cannot be bound costs the metrics, not the agent (said in the log). */
  private async serveMetrics(listen: MetricsListen): Promise<void> {
    const metrics = new AgentMetrics(this.o.nodeId, this.datapath);
    try {
      this.metricsAddress = await metrics.serve(listen);
      this.metrics = metrics;
      this.log.info({ address: this.metricsAddress }, `serving /metrics on ${this.metricsAddress}`);
    } catch (e) {
      await metrics.stop();
      this.log.error(`/metrics not served: cannot listen on ${listen.host}:${listen.port}: ${(e as Error).message}`);
    }
  }

  private async register(): Promise<number> {
    for (let delay = 100; ; delay = Math.min(delay * 2, 2000)) {
      try {
        const disks = await Promise.all(this.o.disks.map(diskInfo));
        const res = await call<object, { heartbeatIntervalMs: number; managers: string[] }>(
          this.client.Register.bind(this.client),
          {
            nodeId: this.o.nodeId,
            address: this.datapath.dataAddress,
            zone: this.o.zone,
            tags: this.o.tags ?? [],
            hostname: hostname(),
            disks,
          },
        );
        this.registered = true;
        this.learn(res.managers);
        this.log.info(
          { manager: this.manager },
          `registered with ${this.manager} (${disks.length} disk(s), zone ${this.o.zone})`,
        );
        return res.heartbeatIntervalMs || 1000;
      } catch (e) {
        if (this.stopped) throw e;
        this.log.warn(
          { manager: this.manager },
          `register with ${this.manager} failed, retrying: ${(e as Error).message}`,
        );
        this.failover();
        await new Promise((r) => setTimeout(r, delay));
      }
    }
  }

  private followAssignments(): void {
    if (this.stopped) return;
    const stream = this.client.WatchAssignments({ nodeId: this.o.nodeId, deltas: true });
    this.stream = stream;
    // The first push is whole, the later ones deltas folded into it (a new stream starts whole).
    let held: Map<string, ReplicaAssignment__Output> | null = null;
    stream.on('data', (push: Assignments__Output) => {
      let folded: ReturnType<typeof foldAssignments>;
      try {
        folded = foldAssignments(held, push);
      } catch (e) {
        this.log.warn(`assignments: ${(e as Error).message}; following again`);
        stream.cancel();
        return;
      }
      held = folded.replicas;
      this.log.info(
        { seq: push.seq },
        `assignments at seq ${push.seq}: ${held.size} replica(s)` +
          (push.delta ? ` (${push.replicas.length} changed, ${push.removedReplicas.length} gone)` : '') +
          `, ${push.engines.length} engine(s)`,
      );
      void this.datapath.apply(
        { seq: push.seq, replicas: held, engines: push.engines, detaching: push.detaching, backups: push.backups },
        folded.touched,
      );
      this.trims.apply(push.trims ?? []);
    });
    const again = (): void => {
      if (this.stream !== stream || this.stopped) return;
      this.stream = null;
      setTimeout(() => this.followAssignments(), 500);
    };
    stream.on('error', again);
    stream.on('end', again);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.heartbeatTimer) clearTimeout(this.heartbeatTimer);
    this.stream?.cancel();
    this.trims.stop();
    await this.metrics?.stop();
    await this.csi?.close();
    await this.datapath.stop();
    this.client.close();
  }
}
