// The node agent (`cairn node`): one per node. It registers its node and disks with a manager,
// keeps its liveness lease with heartbeats (statfs figures ride along), and follows the stream of
// what it must run. It holds no etcd credentials. Running replicas and engines arrives with the
// datapath (issue 5); until then it only logs its assignments.
import { statfs } from 'node:fs/promises';
import { mkdirSync } from 'node:fs';
import { hostname } from 'node:os';
import type { ClientReadableStream } from '@grpc/grpc-js';
import type { Assignments__Output, DiskInfo, NodeAgentClient } from '@cairn/api';
import { nodeAgentClient } from '@cairn/api';

export interface DiskSpec {
  path: string;
  tags: string[];
}

export interface AgentOptions {
  manager: string;
  nodeId: string;
  zone: string;
  disks: DiskSpec[];
  token: string;
  tags?: string[];
  /** host:port others reach this agent at (its data and CSI servers come with later issues). */
  address?: string;
  log?: (line: string) => void;
}

/** Parses `PATH[:tag,tag]`. */
export function parseDiskFlag(flag: string): DiskSpec {
  const i = flag.indexOf(':');
  const path = i < 0 ? flag : flag.slice(0, i);
  const tags = i < 0 ? [] : flag.slice(i + 1).split(',').map((t) => t.trim()).filter(Boolean);
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
  private readonly client: NodeAgentClient;
  private stopped = false;
  private heartbeatTimer: NodeJS.Timeout | null = null;
  private stream: ClientReadableStream<Assignments__Output> | null = null;
  /** The newest assignments received from the manager. */
  assignments: Assignments__Output | null = null;
  registered = false;

  constructor(private readonly o: AgentOptions) {
    this.client = nodeAgentClient(o.manager, { token: o.token });
  }

  private say(line: string): void {
    (this.o.log ?? ((l: string) => process.stdout.write(`${l}\n`)))(`[${this.o.nodeId}] ${line}`);
  }

  /** Registers (retrying until the manager answers), then heartbeats and follows assignments. */
  async start(): Promise<void> {
    const interval = await this.register();
    this.followAssignments();
    const beat = async (): Promise<void> => {
      try {
        const disks = await Promise.all(this.o.disks.map(diskInfo));
        const res = await call<{ nodeId: string; disks: DiskInfo[] }, { known: boolean }>(this.client.Heartbeat.bind(this.client), { nodeId: this.o.nodeId, disks });
        if (!res.known) await this.register();
      } catch (e) {
        this.say(`heartbeat failed: ${(e as Error).message}`);
      }
      if (!this.stopped) this.heartbeatTimer = setTimeout(() => void beat(), interval);
    };
    this.heartbeatTimer = setTimeout(() => void beat(), interval);
  }

  private async register(): Promise<number> {
    for (let delay = 100; ; delay = Math.min(delay * 2, 2000)) {
      try {
        const disks = await Promise.all(this.o.disks.map(diskInfo));
        const res = await call<object, { heartbeatIntervalMs: number }>(this.client.Register.bind(this.client), {
          nodeId: this.o.nodeId, address: this.o.address ?? '', zone: this.o.zone, tags: this.o.tags ?? [],
          hostname: hostname(), disks,
        });
        this.registered = true;
        this.say(`registered with ${this.o.manager} (${disks.length} disk(s), zone ${this.o.zone})`);
        return res.heartbeatIntervalMs || 1000;
      } catch (e) {
        if (this.stopped) throw e;
        this.say(`register failed, retrying: ${(e as Error).message}`);
        await new Promise((r) => setTimeout(r, delay));
      }
    }
  }

  private followAssignments(): void {
    if (this.stopped) return;
    const stream = this.client.WatchAssignments({ nodeId: this.o.nodeId });
    this.stream = stream;
    stream.on('data', (a: Assignments__Output) => {
      this.assignments = a;
      this.say(`assignments at seq ${a.seq}: ${a.replicas.length} replica(s), ${a.engines.length} engine(s)`);
    });
    const again = (): void => {
      if (this.stream !== stream || this.stopped) return;
      this.stream = null;
      setTimeout(() => this.followAssignments(), 500);
    };
    stream.on('error', again);
    stream.on('end', again);
  }

  stop(): void {
    this.stopped = true;
    if (this.heartbeatTimer) clearTimeout(this.heartbeatTimer);
    this.stream?.cancel();
    this.client.close();
  }
}
