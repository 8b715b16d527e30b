// Runs etcd as child processes on free loopback ports: one member for `cairn up`, or three for the
// tests that kill members. Each member has its own data directory; stop() kills them all.
//
// With `tls`, members serve clients and each other over https only: a client must present a
// certificate the CA signed (--client-cert-auth, so etcd can take the etcd user from its common
// name once auth is on: etcd-auth.ts), and members verify each other's certificates the same way.
// Members always listen on 127.0.0.1: this runs a cluster for one machine, not a network service.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, openSync, closeSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { openEtcd } from './client.js';
import type { EtcdCredentials } from './client.js';

export interface EtcdMember {
  name: string;
  clientUrl: string;
  peerUrl: string;
  dataDir: string;
  process: ChildProcess | null;
}

export interface EtcdClusterOptions {
  dir: string;
  members?: number;
  /** etcd binary; default "etcd" on PATH. */
  bin?: string;
  /** Raft timing, ms. Shorter than etcd's defaults so a killed leader is replaced quickly. */
  heartbeatMs?: number;
  electionMs?: number;
  /** Write each member's log to DIR/<name>.log (default true). */
  logToFile?: boolean;
  /** Run members in their own process group, to outlive this process (`cairn up --detach`). */
  detached?: boolean;
  /**
   * Serve clients and peers with TLS: PEM files of the CA that signs every certificate, and the
   * members' certificate and key (valid for 127.0.0.1, usable as server and client: members dial
   * each other with it). `probe` is the credential this object uses to check members are ready
   * (any certificate from the CA before auth is on; one of a user allowed Status after).
   * `peerCommonName`: the CN of the members' certificate; given, a member takes only peers that
   * present it (--peer-cert-allowed-cn), not any client certificate of the CA (a manager's).
   */
  tls?: { ca: string; cert: string; key: string; probe: EtcdCredentials; peerCommonName?: string };
  /**
   * What this object has to say about its members (one cannot be started), with a level: the
   * caller's logger (metadata depends on no logging package). Default: a line on stderr.
   */
  log?: (level: 'warn' | 'error', message: string) => void;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

export class EtcdCluster {
  private constructor(
    readonly members: EtcdMember[],
    private readonly opts: Required<Omit<EtcdClusterOptions, 'members' | 'tls'>> & Pick<EtcdClusterOptions, 'tls'>,
  ) {}

  get endpoints(): string[] {
    return this.members.map((m) => m.clientUrl);
  }

  static async start(opts: EtcdClusterOptions): Promise<EtcdCluster> {
    const n = opts.members ?? 1;
    const full = {
      dir: opts.dir,
      bin: opts.bin ?? 'etcd',
      heartbeatMs: opts.heartbeatMs ?? 50,
      electionMs: opts.electionMs ?? 500,
      logToFile: opts.logToFile ?? true,
      detached: opts.detached ?? false,
      tls: opts.tls,
      log: opts.log ?? ((_level: string, message: string) => void process.stderr.write(`${message}\n`)),
    };
    const scheme = opts.tls ? 'https' : 'http';
    const members: EtcdMember[] = [];
    for (let i = 0; i < n; i++) {
      const name = `etcd-${i}`;
      members.push({
        name,
        clientUrl: `${scheme}://127.0.0.1:${await freePort()}`,
        peerUrl: `${scheme}://127.0.0.1:${await freePort()}`,
        dataDir: join(opts.dir, name),
        process: null,
      });
    }
    const cluster = new EtcdCluster(members, full);
    for (let i = 0; i < n; i++) cluster.spawnMember(i, 'new');
    await cluster.waitReady();
    return cluster;
  }

  /**
   * The command line of member i: [bin, ...args]. With state 'existing' it is what restarts the
   * member on its data (what `cairn up` records so a killed member can be started again).
   */
  memberCommand(i: number, state: 'new' | 'existing'): string[] {
    const m = this.members[i]!;
    const initialCluster = this.members.map((x) => `${x.name}=${x.peerUrl}`).join(',');
    const args = [
      '--name',
      m.name,
      '--data-dir',
      m.dataDir,
      '--listen-client-urls',
      m.clientUrl,
      '--advertise-client-urls',
      m.clientUrl,
      '--listen-peer-urls',
      m.peerUrl,
      '--initial-advertise-peer-urls',
      m.peerUrl,
      '--initial-cluster',
      initialCluster,
      '--initial-cluster-state',
      state,
      '--initial-cluster-token',
      'cairn',
      '--heartbeat-interval',
      String(this.opts.heartbeatMs),
      '--election-timeout',
      String(this.opts.electionMs),
      '--logger',
      'zap',
      '--log-level',
      'warn',
    ];
    const tls = this.opts.tls;
    if (tls) {
      args.push(
        '--cert-file',
        tls.cert,
        '--key-file',
        tls.key,
        '--trusted-ca-file',
        tls.ca,
        '--client-cert-auth',
        '--peer-cert-file',
        tls.cert,
        '--peer-key-file',
        tls.key,
        '--peer-trusted-ca-file',
        tls.ca,
        '--peer-client-cert-auth',
      );
      if (tls.peerCommonName) args.push('--peer-cert-allowed-cn', tls.peerCommonName);
    }
    return [this.opts.bin, ...args];
  }

  /** Where member i writes its log (when logToFile). */
  memberLog(i: number): string {
    return join(this.opts.dir, `${this.members[i]!.name}.log`);
  }

  private spawnMember(i: number, state: 'new' | 'existing'): void {
    const m = this.members[i]!;
    mkdirSync(m.dataDir, { recursive: true });
    const [bin, ...args] = this.memberCommand(i, state) as [string, ...string[]];
    let out: 'ignore' | number = 'ignore';
    if (this.opts.logToFile) out = openSync(this.memberLog(i), 'a');
    const child = spawn(bin, args, { stdio: ['ignore', out, out], detached: this.opts.detached });
    if (this.opts.detached) child.unref();
    if (typeof out === 'number') closeSync(out);
    child.on('error', (e) => {
      this.opts.log(
        'error',
        `cannot start etcd (${this.opts.bin}): ${e.message}; install etcd-server (scripts/setup.sh)`,
      );
    });
    m.process = child;
  }

  /** Waits until every running member answers and the cluster has a leader. */
  async waitReady(timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (const m of this.members) {
      if (!m.process) continue;
      const client = openEtcd(m.clientUrl, { ...this.opts.tls?.probe, callTimeoutMs: 1000 });
      try {
        for (;;) {
          try {
            const st = await client.maintenance.status();
            if (st.leader !== '0') break;
          } catch (e) {
            if (Date.now() > deadline)
              throw new Error(`etcd member ${m.name} at ${m.clientUrl} not ready: ${(e as Error).message}`, {
                cause: e,
              });
          }
          if (m.process.exitCode !== null)
            throw new Error(
              `etcd member ${m.name} exited with ${m.process.exitCode}; see ${join(this.opts.dir, m.name + '.log')}`,
            );
          await new Promise((r) => setTimeout(r, 100));
        }
      } finally {
        client.close();
      }
    }
  }

  /** Process ids of the running members. */
  get pids(): number[] {
    return this.members.map((m) => m.process?.pid ?? 0).filter((p) => p > 0);
  }

  /** Index of the member that leads the Raft group now. */
  async leaderIndex(): Promise<number> {
    for (let i = 0; i < this.members.length; i++) {
      const m = this.members[i]!;
      if (!m.process) continue;
      const client = openEtcd(m.clientUrl, { ...this.opts.tls?.probe, callTimeoutMs: 1000 });
      try {
        const st = await client.maintenance.status();
        if (st.leader === st.header.member_id) return i;
      } catch {
        /* try the next */
      } finally {
        client.close();
      }
    }
    throw new Error('no etcd member reports itself leader');
  }

  /** kill -9 one member. */
  async kill(i: number): Promise<void> {
    const p = this.members[i]!.process;
    if (!p) return;
    this.members[i]!.process = null;
    await new Promise<void>((resolve) => {
      if (p.exitCode !== null || p.signalCode !== null) return resolve();
      p.once('exit', () => resolve());
      p.kill('SIGKILL');
    });
  }

  /** Starts a killed member again with its data. */
  async restart(i: number): Promise<void> {
    if (this.members[i]!.process) return;
    this.spawnMember(i, 'existing');
    await this.waitReady();
  }

  async stop(): Promise<void> {
    await Promise.all(this.members.map((_, i) => this.kill(i)));
  }
}
