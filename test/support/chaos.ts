// The chaos suite's I/O shell (issue 7, section 1). A cluster from `cairn up --managers 2
// --etcd-members 3`; volumes attached, each under a loop of fio verify runs through NBD; faults
// injected one after another at seeded random moments; after each, a recovery wait with a bound,
// `cairn audit verify`, and no fio verify error. At the end every region fio completed is read
// back and verified again, the event log is checked, and a table is printed.
//
// What "no verify error" means (see also the header of test/chaos.test.ts):
// - fio runs with --iodepth=1 --verify=crc32c --do_verify=1: every 4 KiB block carries a header
//   (offset, length) and a crc32c of its contents; after writing its region fio reads it all back.
//   A lost write reads as zeros (bad magic), a misplaced one as a wrong offset, a torn one as a
//   bad crc. Each run writes one region of the volume; the regions the suite saw completed are
//   verified again after a re-attach and at the end (so a write that was acknowledged and later
//   lost, e.g. by a rebuild, is caught).
// - When the engine's node agent is killed, the NBD connection dies and that fio run ends with an
//   I/O error mid-region. fio saves its verify state (--verify_state_save, the default) on exit;
//   after the volume is attached on another node, `fio --verify_only --verify_state_load=1`
//   verifies exactly the writes fio saw acknowledged before the crash. At queue depth 1 at most one
//   write was in flight, and that one is not verified (it may or may not have reached the
//   replicas: NBD promises nothing for a write it did not acknowledge). A deeper queue would make
//   fio's record of what completed unreliable after a crash (checked with nbdkit: blocks in flight
//   at the crash were counted as written), so the suite stays at depth 1.
// - A run cut short that left no verify state (fio killed before it could save it) cannot be
//   verified: it is a problem of the run, reported with the others, never only printed.
import { execFile, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { adminClient } from '@cairn/api';
import type { ClientReadableStream } from '@grpc/grpc-js';
import type { AdminClient } from '@cairn/api';
import type { EventEnvelope__Output } from '@cairn/schema/events';
import { freePort, openEtcd } from '@cairn/metadata';
import { CAIRN, etcdCredentials, sleep } from './cluster.js';
import type { EtcdCredentialFiles } from '@cairn/metadata';
import { DataProxy } from './data-proxy.js';
import { checkLog, pick, reportTable, rng } from './chaos-core.js';
import { SnapshotCheck } from './chaos-snapshots.js';
import { callAdmin, payloadFields } from './grpc-types.js';
import type { AdminMethod, AdminRequest, AdminResponse } from './grpc-types.js';
import type { Ack, FaultKind, FaultRecord, LoggedEvent } from './chaos-core.js';

const execFileP = promisify(execFile);
const MiB = 2 ** 20;

export interface ChaosOptions {
  seed: number;
  nodes: number;
  volumes: number;
  /** The faults to inject, in order (planFaults makes a plan). */
  faults: FaultKind[];
  volumeMiB: number;
  /** Each fio run writes one region of this size. */
  regionMiB: number;
  /** Every volume must be healthy again within this long after a fault. */
  recoveryBoundMs: number;
  /** Random pause before each fault, ms. */
  pauseMs: [number, number];
  log: (line: string) => void;
}

export interface ChaosResult {
  seed: number;
  faults: FaultRecord[];
  bytesVerified: number;
  fioRuns: number;
  eventsChecked: number;
  /** Snapshot contents compared, one per (replica, snapshot), each read from that replica alone. */
  snapshotsChecked: number;
  /** fio runs cut short that could not be verified (each is also one of `problems`). */
  unverifiable: string[];
  problems: string[];
  table: string;
  dir: string;
}

export interface ClusterJson {
  admin: string;
  token: string;
  /** The cluster CA when it serves TLS. */
  tlsCa?: string;
  managers: { id: string; pid: number; address: string }[];
  etcdMembers: { name: string; pid: number; clientUrl: string }[];
  etcdCredentials?: EtcdCredentialFiles;
  nodes: { id: string; pid: number; command: string[]; log: string }[];
}

interface Region {
  name: string;
  offset: number;
  /** Verify only what fio recorded as acknowledged (a run cut short by an engine crash). */
  partial: boolean;
  /** Bytes fio counted written in a run cut short; undefined when fio printed no report (killed). */
  acked?: number;
}

class Workload {
  uri = '';
  node = '';
  readonly completed = new Map<number, Region>();
  readonly errors: string[] = [];
  private round = 0;
  private fio: ChildProcess | null = null;
  private stopped = false;
  /** Set before the suite kills this volume's engine: a lost connection is then expected. */
  expectDisconnect = false;
  interrupted: Region | null = null;
  private wake: (() => void) | null = null;
  private loop: Promise<void> = Promise.resolve();
  runsOk = 0;
  /** Rounds finished since a given moment (the suite waits for one after each recovery). */
  finishedAt: number[] = [];
  bytesVerified = 0;
  fioRuns = 0;
  /** Runs cut short whose acknowledged writes fio could not tell (no verify state saved). */
  readonly unverifiable: string[] = [];

  constructor(
    readonly volume: string,
    private readonly dir: string,
    private readonly regions: number,
    private readonly regionBytes: number,
    private readonly say: (l: string) => void,
  ) {
    mkdirSync(dir, { recursive: true });
  }

  /** Puts back the verify state fio saved at the crash (a later run overwrote it). */
  private restoreState(r: Region): void {
    const state = join(this.dir, `local-${r.name}-0-verify.state`);
    if (existsSync(`${state}.crash`)) copyFileSync(`${state}.crash`, state);
  }

  private args(r: Region, uri: string): string[] {
    return [
      `--name=${r.name}`,
      '--ioengine=nbd',
      `--uri=${uri}`,
      '--rw=randwrite',
      '--bs=4k',
      '--iodepth=1',
      `--offset=${r.offset}`,
      `--size=${this.regionBytes}`,
      '--verify=crc32c',
      '--do_verify=1',
      '--verify_fatal=1',
      '--output-format=json',
    ];
  }

  /** Runs fio; resolves with its verdict. */
  private runFio(
    args: string[],
    timeoutMs: number,
  ): Promise<{
    ok: boolean;
    reported: boolean;
    verifyError: string;
    readBytes: number;
    writeBytes: number;
    text: string;
    why: string;
  }> {
    this.fioRuns++;
    return new Promise((resolve) => {
      const child = spawn('fio', args, { cwd: this.dir, stdio: ['ignore', 'pipe', 'pipe'] });
      this.fio = child;
      let out = '',
        err = '';
      child.stdout.on('data', (d) => (out += d));
      child.stderr.on('data', (d) => (err += d));
      const timer = setTimeout(() => {
        err += `\n[the suite killed fio after ${timeoutMs} ms]`;
        child.kill('SIGKILL');
      }, timeoutMs);
      child.on('close', (code) => {
        clearTimeout(timer);
        if (this.fio === child) this.fio = null;
        const text = `${out}\n${err}`;
        const verifyError = text
          .split('\n')
          .filter((l) => /verify: |bad magic|crc32c: verify failed|err=84/.test(l))
          .slice(0, 3)
          .join(' | ');
        let readBytes = 0,
          writeBytes = 0,
          jobError: number,
          reported = false;
        try {
          const job = (
            JSON.parse(out.slice(out.indexOf('{'))) as {
              jobs: { error: number; read: { io_bytes: number }; write: { io_bytes: number } }[];
            }
          ).jobs[0]!;
          readBytes = job.read.io_bytes;
          writeBytes = job.write.io_bytes;
          jobError = job.error;
          reported = true;
        } catch {
          jobError = -1;
        }
        const why = `fio exit ${code}, job error ${jobError}: ${err.trim().split('\n').slice(0, 4).join(' | ')}`;
        resolve({
          ok: code === 0 && jobError === 0 && !verifyError,
          reported,
          verifyError,
          readBytes,
          writeBytes,
          text,
          why,
        });
      });
    });
  }

  start(uri: string, node: string): void {
    this.uri = uri;
    this.node = node;
    this.loop = this.run();
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      if (this.interrupted) {
        await new Promise<void>((r) => (this.wake = r));
        continue;
      }
      const k = this.round++;
      const r: Region = { name: `${this.volume}-r${k}`, offset: (k % this.regions) * this.regionBytes, partial: false };
      this.completed.delete(r.offset); // being overwritten: no longer a known content
      const res = await this.runFio(this.args(r, this.uri), 120_000);
      if (res.ok) {
        this.completed.set(r.offset, r);
        this.bytesVerified += res.readBytes;
        this.runsOk++;
        this.finishedAt.push(Date.now());
        continue;
      }
      if (res.verifyError) {
        this.errors.push(`${r.name} on ${this.uri}: verify error: ${res.verifyError}`);
        this.interrupted = r; // stop writing; the suite reports it
        continue;
      }
      if (this.expectDisconnect) {
        // Ended in its write phase: what fio saw acknowledged is in its verify state file. Ended in
        // its read-back phase: every write of the region was acknowledged (no state file then).
        // No report (fio was killed): how much was acknowledged is not known, only the state file can tell.
        const whole = res.reported && res.writeBytes >= this.regionBytes;
        this.say(
          `  ${this.volume}: fio ${r.name} ended with the engine's node (its NBD connection is gone) ` +
            `in its ${whole ? 'read-back' : 'write'} phase, as expected`,
        );
        this.interrupted = { ...r, partial: !whole, acked: res.reported ? res.writeBytes : undefined };
        continue;
      }
      this.errors.push(`${r.name} on ${this.uri} failed without a fault that explains it: ${res.why}`);
      this.interrupted = r;
    }
  }

  /** Waits until the current fio run has ended (after its engine was killed). */
  async waitInterrupted(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.interrupted && Date.now() < deadline) await sleep(100);
    if (!this.interrupted) {
      // fio's nbd engine can spin after its server dies; stop it. SIGTERM first: fio then ends its
      // job and saves its verify state; SIGKILL (no state, the run unverifiable) only if it does not.
      this.say(`  ${this.volume}: fio did not end within ${timeoutMs} ms of its server's death; stopping it`);
      this.fio?.kill('SIGTERM');
      const killAt = Date.now() + 15_000;
      while (!this.interrupted && Date.now() < killAt) await sleep(100);
      if (!this.interrupted) {
        this.say(`  ${this.volume}: fio ignored SIGTERM for 15 s; killing it (its run cannot be verified)`);
        this.fio?.kill('SIGKILL');
      }
      while (!this.interrupted) await sleep(100);
    }
  }

  /**
   * On a new attachment: verify the interrupted run's acknowledged writes and every region
   * completed before, then go on writing.
   */
  async resume(uri: string, node: string): Promise<void> {
    this.uri = uri;
    this.node = node;
    const r = this.interrupted;
    if (r && !r.partial) this.completed.set(r.offset, r);
    const state = r ? join(this.dir, `local-${r.name}-0-verify.state`) : '';
    // Every fio run rewrites its state file when it exits, a verify run too: keep the crash's.
    if (r?.partial && existsSync(state)) copyFileSync(state, `${state}.crash`);
    if (r?.partial && r.acked === 0) {
      this.say(
        `  ${this.volume}: fio had no write acknowledged in ${r.name} before the crash: nothing of it to verify`,
      );
    } else if (r?.partial && !existsSync(state)) {
      // fio did not save what it had written (it was killed, or died before it could): the region
      // cannot be checked and is left out of every later verify. Counted, never hidden.
      this.unverifiable.push(r.name);
      this.say(`  ${this.volume}: fio left no verify state for ${r.name}: its region is not verified`);
    } else if (r?.partial) {
      this.restoreState(r);
      const res = await this.runFio([...this.args(r, uri), '--verify_only', '--verify_state_load=1'], 120_000);
      if (!res.ok)
        this.errors.push(
          `${r.name} after re-attach on ${node}: acknowledged writes do not verify: ${res.verifyError || res.why}`,
        );
      else {
        this.bytesVerified += res.readBytes;
        this.completed.set(r.offset, r);
        this.say(
          `  ${this.volume}: ${(res.readBytes / MiB).toFixed(1)} MiB fio saw acknowledged before the crash verify on ${node}`,
        );
      }
    }
    await this.verifyAll(`after re-attach on ${node}`);
    this.expectDisconnect = false;
    this.interrupted = null;
    this.wake?.();
    this.wake = null;
  }

  /** Reads back and verifies every region fio completed. */
  async verifyAll(when: string): Promise<void> {
    for (const r of [...this.completed.values()].sort((a, b) => a.offset - b.offset)) {
      const extra = r.partial ? ['--verify_only', '--verify_state_load=1'] : ['--verify_only'];
      if (r.partial) this.restoreState(r);
      const res = await this.runFio([...this.args(r, this.uri), ...extra], 120_000);
      if (res.ok) this.bytesVerified += res.readBytes;
      else this.errors.push(`${r.name} ${when}: ${res.verifyError || res.why}`);
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.loop;
  }
}

/** An admin client that moves to the next manager when one does not answer. */
export class Admin {
  private i = 0;
  private clients = new Map<string, AdminClient>();
  /** tlsCa: the cluster CA (clusterCa) when the cluster serves TLS. */
  constructor(
    private readonly addresses: () => string[],
    private readonly token: string,
    private readonly tlsCa?: Buffer,
  ) {}

  private client(a: string): AdminClient {
    let c = this.clients.get(a);
    if (!c)
      this.clients.set(a, (c = adminClient(a, { token: this.token, ...(this.tlsCa ? { tlsCa: this.tlsCa } : {}) })));
    return c;
  }

  async call<M extends AdminMethod>(method: M, req: AdminRequest<M>, timeoutMs = 5000): Promise<AdminResponse<M>> {
    const list = this.addresses();
    let last: Error | null = null;
    for (let n = 0; n < list.length * 3; n++) {
      const a = list[this.i % list.length]!;
      try {
        return await callAdmin(this.client(a), method, req, timeoutMs);
      } catch (e) {
        last = e as Error;
        const code = (e as { code?: number }).code;
        if (code !== 14 && code !== 4) throw e; // only UNAVAILABLE and DEADLINE_EXCEEDED move on
        this.i++;
        await sleep(200);
      }
    }
    throw last ?? new Error(`${method}: no manager answered`);
  }

  /** One call to one manager, no failover (is that manager serving?). */
  callAt<M extends AdminMethod>(
    address: string,
    method: M,
    req: AdminRequest<M>,
    timeoutMs = 2000,
  ): Promise<AdminResponse<M>> {
    return callAdmin(this.client(address), method, req, timeoutMs);
  }

  stream(): { client: AdminClient; address: string } {
    const list = this.addresses();
    const address = list[this.i % list.length]!;
    return { client: this.client(address), address };
  }

  next(): void {
    this.i++;
  }

  close(): void {
    for (const c of this.clients.values()) c.close();
  }
}

const toLogged = (ev: EventEnvelope__Output): LoggedEvent => {
  const type: string = ev.payload ?? 'unknown';
  const p = payloadFields(ev);
  const key =
    type === 'replicaScheduled' || type.startsWith('replica')
      ? String(p.replicaId ?? p.id ?? '')
      : String(p.name ?? p.volume ?? p.nodeId ?? '');
  return { seq: Number(ev.seq), type, timeMs: Number(ev.timeMs), key };
};

/** Follows the log live from seq 1 across manager failures; records every event it sees. */
class EventWatcher {
  readonly seen = new Map<number, LoggedEvent>();
  readonly problems: string[] = [];
  private last = 0;
  private stopped = false;
  private call: ClientReadableStream<EventEnvelope__Output> | null = null;
  private done: Promise<void>;

  constructor(private readonly admin: Admin) {
    this.done = this.run();
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      const { client } = this.admin.stream();
      await new Promise<void>((resolve) => {
        const call = client.WatchEvents({ fromSeq: this.last + 1, follow: true });
        this.call = call;
        call.on('data', (ev) => {
          const e = toLogged(ev);
          if (e.seq !== this.last + 1) this.problems.push(`the live stream jumped from seq ${this.last} to ${e.seq}`);
          const before = this.seen.get(e.seq);
          if (before && (before.type !== e.type || before.key !== e.key))
            this.problems.push(`seq ${e.seq} streamed twice with different events`);
          this.seen.set(e.seq, e);
          this.last = Math.max(this.last, e.seq);
        });
        call.on('error', () => resolve());
        call.on('end', () => resolve());
      });
      if (!this.stopped) {
        this.admin.next();
        await sleep(250);
      }
    }
  }

  get lastSeq(): number {
    return this.last;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.call?.cancel();
    await this.done;
  }
}

export function readCluster(dir: string): ClusterJson {
  return JSON.parse(readFileSync(join(dir, 'cluster.json'), 'utf8')) as ClusterJson;
}

/** The CA a client of this cluster checks the managers against (undefined: the cluster runs without TLS). */
export function clusterCa(c: { tlsCa?: string }): Buffer | undefined {
  return c.tlsCa ? readFileSync(c.tlsCa) : undefined;
}

export async function cairn(args: string[], timeoutMs = 60_000): Promise<{ code: number; out: string }> {
  try {
    const { stdout, stderr } = await execFileP(process.execPath, [CAIRN, ...args], { timeout: timeoutMs });
    return { code: 0, out: stdout + stderr };
  } catch (e) {
    const x = e as { code?: number; stdout?: string; stderr?: string; message: string };
    return { code: typeof x.code === 'number' ? x.code : 1, out: `${x.stdout ?? ''}${x.stderr ?? x.message}` };
  }
}

/**
 * Alive and not a zombie waiting to be reaped: the same test as the CLI's `alive` (packages/cli/
 * src/up.ts), which `cairn restart` uses (the test build cannot import the CLI's sources).
 */
export const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
};

/**
 * SIGKILLs a process and resolves once it is gone (the kernel has reaped it): a `cairn restart`
 * issued while it is still dying finds it alive and does nothing.
 */
export async function kill9(pid: number): Promise<void> {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    return; // already gone
  }
  while (alive(pid)) await sleep(10);
}

export async function until<T>(
  what: string,
  timeoutMs: number,
  probe: () => Promise<T | null | undefined | false>,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    try {
      const v = await probe();
      if (v) return v;
    } catch (e) {
      last = (e as Error).message;
    }
    if (Date.now() > deadline)
      throw new Error(
        `timed out after ${(timeoutMs / 1000).toFixed(0)} s: ${what}${last ? ` (last error: ${last})` : ''}`,
      );
    await sleep(200);
  }
}

/**
 * Puts every node's data network behind its own proxy: restarts each agent on a fixed data port,
 * advertising its proxy (`cairn restart` runs what cluster.json says, which this rewrites). Done
 * before any volume exists, so the restarts cost nothing. Resolves when every node is registered
 * at its proxy's address.
 */
export async function proxyEveryNode(dir: string, api: Admin): Promise<Map<string, DataProxy>> {
  const c = readCluster(dir);
  const proxies = new Map<string, DataProxy>();
  for (const n of c.nodes) {
    const port = await freePort();
    const p = new DataProxy(port);
    await p.listen();
    proxies.set(n.id, p);
    await kill9(n.pid);
    n.command = [...n.command, '--data-port', String(port), '--data-advertise', p.address];
  }
  while (c.nodes.some((n) => alive(n.pid))) await sleep(20);
  writeFileSync(
    join(dir, 'cluster.json'),
    JSON.stringify({ ...JSON.parse(readFileSync(join(dir, 'cluster.json'), 'utf8')), nodes: c.nodes }, null, 2),
  );
  for (const n of c.nodes) {
    const rs = await cairn(['restart', n.id, '--dir', dir]);
    if (rs.code !== 0) throw new Error(`cairn restart ${n.id}: ${rs.out}`);
  }
  await until('every node registered at its data proxy', 60_000, async () => {
    const ns = (await api.call('ListNodes', {})).nodes;
    return c.nodes.every((n) =>
      ns.some((x) => x.id === n.id && x.address === proxies.get(n.id)!.address && x.state === 'up'),
    );
  });
  return proxies;
}

export async function runChaos(o: ChaosOptions): Promise<ChaosResult> {
  const say = o.log;
  const r = rng(o.seed);
  const dir = mkdtempSync(join(tmpdir(), 'cairn-chaos-'));
  const problems: string[] = [];
  const faults: FaultRecord[] = [];
  const acks: Ack[] = [];
  const proxies = new Map<string, DataProxy>();
  let admin: Admin | null = null;
  let watcher: EventWatcher | null = null;
  const workloads: Workload[] = [];
  const dirArgs = ['--dir', dir];
  const clusterArg = ['--cluster', join(dir, 'cluster.json')];
  const t0 = Date.now();
  const elapsed = (): string => `${((Date.now() - t0) / 1000).toFixed(1)}s`;
  try {
    say(
      `chaos: seed ${o.seed} (replay with CAIRN_CHAOS_SEED=${o.seed}); ` +
        `${o.nodes} nodes, 2 managers, 3 etcd members, ${o.volumes} volume(s); faults: ${o.faults.join(', ')}`,
    );
    const up = await cairn(
      ['up', ...dirArgs, '--nodes', String(o.nodes), '--managers', '2', '--etcd-members', '3', '--detach'],
      120_000,
    );
    if (up.code !== 0) throw new Error(`cairn up failed: ${up.out}`);
    say(`[${elapsed()}] cluster up in ${dir}`);
    let c = readCluster(dir);
    const token = readFileSync(c.token, 'utf8').trim();
    admin = new Admin(() => readCluster(dir).managers.map((m) => m.address), token, clusterCa(c));
    const api = admin;

    // Every node's data network goes through its own proxy (see proxyEveryNode).
    for (const [id, p] of await proxyEveryNode(dir, api)) proxies.set(id, p);
    c = readCluster(dir);
    say(
      `[${elapsed()}] every node's replicas are reached through its data proxy (${[...proxies].map(([id, p]) => `${id} ${p.address}`).join(', ')})`,
    );

    watcher = new EventWatcher(api);
    const settings = await api.call('UpdateSettings', { values: { 'replica-replenishment-wait-interval': '2' } });
    acks.push({ kind: 'by-seq', atMost: Number(settings.seq), type: 'settingsChanged', key: '' });

    // Volumes, attached round-robin from node-1.
    const engineNodes = c.nodes.map((n) => n.id);
    const regions = Math.floor(o.volumeMiB / o.regionMiB);
    for (let i = 1; i <= o.volumes; i++) {
      const name = `chaos-${i}`;
      const v = await api.call('CreateVolume', { name, size: o.volumeMiB * MiB, numberOfReplicas: 3 });
      acks.push({ kind: 'at-seq', seq: Number(v.createdSeq), type: 'volumeCreated', key: name });
    }
    for (let i = 1; i <= o.volumes; i++) {
      const name = `chaos-${i}`;
      const node = engineNodes[(i - 1) % engineNodes.length]!;
      const uri = await attach(api, acks, name, node);
      const w = new Workload(name, join(dir, 'fio', name), regions, o.regionMiB * MiB, say);
      workloads.push(w);
      w.start(uri, node);
    }
    say(`[${elapsed()}] ${o.volumes} volume(s) attached, fio verify running on each`);
    await until('every volume healthy before the first fault', o.recoveryBoundMs, () =>
      allHealthy(api, workloads, o.nodes, dir),
    );
    // Snapshots under fio, before any fault (so every later rebuild must copy them), and once
    // more while the first replica-node or data-cut fault's rebuild is under way.
    const snaps = new SnapshotCheck(api, token, dir, say);
    for (const w of workloads) await snaps.take(w.volume, w.uri, 'before the faults');
    let snappedDuringRebuild = false;

    for (const kind of o.faults) {
      const pause = o.pauseMs[0] + r() * (o.pauseMs[1] - o.pauseMs[0]);
      await sleep(pause);
      c = readCluster(dir);
      const restartDelay = 1000 + r() * 2000;
      const at = Date.now();
      let target = '';
      const later: Promise<void>[] = [];
      const resumed: Promise<void>[] = [];
      const restartLater = (name: string): void => {
        later.push(
          (async () => {
            await sleep(restartDelay);
            const x = await cairn(['restart', name, ...dirArgs]);
            if (x.code !== 0) problems.push(`cairn restart ${name}: ${x.out}`);
          })(),
        );
      };
      const vols = await Promise.all(workloads.map((w) => api.call('GetVolume', { name: w.volume })));
      const enginesOn = (node: string): Workload[] => workloads.filter((w) => w.node === node);
      if (kind === 'replica-node') {
        // A node with a replica of some volume and no engine (else it would be an engine fault too).
        const candidates = [...new Set(vols.flatMap((v) => v.replicas.map((x) => x.node as string)))].filter(
          (n) => enginesOn(n).length === 0,
        );
        const pool = candidates.length
          ? candidates
          : [...new Set(vols.flatMap((v) => v.replicas.map((x) => x.node as string)))].filter(
              (n) => enginesOn(n).length === 0,
            );
        target = pick(r, pool.sort());
        await kill9(c.nodes.find((n) => n.id === target)!.pid);
        restartLater(target);
      } else if (kind === 'engine-node') {
        const w = pick(r, workloads);
        target = w.node;
        const affected = enginesOn(target);
        for (const x of affected) x.expectDisconnect = true;
        await kill9(c.nodes.find((n) => n.id === target)!.pid);
        await Promise.all(affected.map((x) => x.waitInterrupted(15_000)));
        restartLater(target);
        await Promise.all(later);
        // Re-attach each affected volume on another node and verify what was written.
        for (const x of affected) {
          const d = await api.call('DetachVolume', { name: x.volume });
          acks.push({
            kind: 'by-seq',
            atMost: Number(d.seq),
            type: 'volumeDetachRequested|volumeDetached',
            key: x.volume,
          });
          await until(
            `${x.volume} detached from ${target}`,
            o.recoveryBoundMs,
            async () => (await api.call('GetVolume', { name: x.volume })).state === 'detached',
          );
          const others = engineNodes.filter((n) => n !== target);
          const dest = [...others].sort((a, b) => enginesOn(a).length - enginesOn(b).length || a.localeCompare(b))[0]!;
          const uri = await attach(api, acks, x.volume, dest);
          say(`  ${x.volume}: re-attached on ${dest} (${uri})`);
          resumed.push(x.resume(uri, dest));
        }
      } else if (kind === 'acked-drop') {
        const w = pick(r, workloads);
        target = w.node;
        const v = vols[workloads.indexOf(w)]!;
        const holders: { id: string; node: string }[] = v.replicas.filter(
          (x) => x.state === 'running' && x.node !== target,
        );
        if (holders.length === 0) throw new Error(`${w.volume}: no running replica off its engine's node ${target}`);
        const dropped = pick(
          r,
          holders.sort((a, b) => a.id.localeCompare(b.id)),
        );
        const affected = enginesOn(target);
        // Hold the control plane (every manager stopped, SIGSTOP), then drop the replica: its
        // failure cannot be recorded now, so the engine must acknowledge nothing from here on.
        // Then the engine's node dies. Whether the report it sent is recorded when the managers
        // resume (it waited in their sockets) or was lost with the node is the run's luck; the
        // check holds either way.
        for (const m of c.managers) process.kill(m.pid, 'SIGSTOP');
        try {
          proxies.get(dropped.node)!.cut();
          const engineLog = c.nodes.find((n) => n.id === target)!.log;
          await until(`the engine on ${target} dropped ${dropped.id}`, 15_000, async () =>
            readFileSync(engineLog, 'utf8').includes(`replica ${dropped.id} failed`),
          );
          for (const x of affected) x.expectDisconnect = true;
          await kill9(c.nodes.find((n) => n.id === target)!.pid);
          await Promise.all(affected.map((x) => x.waitInterrupted(15_000)));
        } finally {
          for (const m of c.managers) process.kill(m.pid, 'SIGCONT');
        }
        const back = await cairn(['restart', target, ...dirArgs]);
        if (back.code !== 0) problems.push(`cairn restart ${target}: ${back.out}`);
        // Only the dropped replica in reach: every other node holding one of the volume's
        // replicas is cut off (an engine there would reach its local replica in-process, so the
        // volume is attached elsewhere when it can be).
        const others = [...new Set<string>(v.replicas.map((x) => x.node as string))].filter((n) => n !== dropped.node);
        proxies.get(dropped.node)!.heal();
        for (const n of others) proxies.get(n)!.cut({ refuse: true });
        say(
          `  ${w.volume}: ${dropped.id} on ${dropped.node} dropped while the managers were held, ${target} killed; ${others.join(', ')} cut off`,
        );
        for (const x of affected) {
          const d = await api.call('DetachVolume', { name: x.volume }, 15_000);
          acks.push({
            kind: 'by-seq',
            atMost: Number(d.seq),
            type: 'volumeDetachRequested|volumeDetached',
            key: x.volume,
          });
          await until(
            `${x.volume} detached from ${target}`,
            o.recoveryBoundMs,
            async () => (await api.call('GetVolume', { name: x.volume })).state === 'detached',
          );
          const free = engineNodes.filter((n) => n !== target && !others.includes(n) && n !== dropped.node);
          const pool = free.length ? free : engineNodes.filter((n) => n !== target);
          const dest = [...pool].sort((a, b) => enginesOn(a).length - enginesOn(b).length || a.localeCompare(b))[0]!;
          const at2 = await api.call('AttachVolume', { name: x.volume, nodeId: dest });
          acks.push({ kind: 'by-seq', atMost: Number(at2.seq), type: 'volumeAttachRequested', key: x.volume });
          // The report lost: it opens on the dropped replica alone (every write acknowledged is
          // there). The report recorded: no running replica is in reach, so it waits, says why,
          // and opens once the others are back.
          const uri = await until(`${x.volume} attached on ${dest}, or waiting there`, 60_000, async () => {
            const y = await api.call('GetVolume', { name: x.volume });
            if (y.waiting && others.some((n) => proxies.get(n)!.isCut)) {
              say(`  ${x.volume}: waits on ${dest}: ${y.waiting}; healing ${others.join(', ')}`);
              for (const n of others) proxies.get(n)!.heal();
            }
            return y.state === 'attached' && y.attachedTo === dest && y.endpoint ? (y.endpoint as string) : null;
          });
          say(`  ${x.volume}: re-attached on ${dest} (${uri})`);
          resumed.push(x.resume(uri, dest));
        }
        for (const n of others) proxies.get(n)!.heal();
      } else if (kind === 'manager-leader') {
        const info = await api.call('GetClusterInfo', {});
        const m = c.managers.find((x) => x.id === info.leaderId);
        if (!m) throw new Error(`no manager of this cluster leads (leader "${info.leaderId}")`);
        target = m.id;
        await kill9(m.pid);
        restartLater(m.id);
      } else if (kind === 'etcd-leader') {
        const leader = await etcdLeader(c);
        target = leader.name;
        await kill9(leader.pid);
        restartLater(leader.name);
      } else {
        // Inbound data to a node holding replicas and running no engine: all its data paths (an
        // engine on it would reach a local replica in-process, and its own outbound is not cut).
        const holders = [
          ...new Set(vols.flatMap((v) => v.replicas.filter((x) => x.state === 'running').map((x) => x.node as string))),
        ].sort();
        const quiet = holders.filter((n) => enginesOn(n).length === 0);
        target = pick(r, quiet.length ? quiet : holders);
        const proxy = proxies.get(target)!;
        const [d0, b0] = [proxy.destroyed, proxy.blackholed];
        proxy.cut();
        later.push(
          sleep(restartDelay + 3000).then(() => {
            proxy.heal();
            const destroyed = proxy.destroyed - d0,
              held = proxy.blackholed - b0;
            say(
              `  data cut of ${target}: ${destroyed} connection(s) destroyed, ${held} new one(s) black-holed, ` +
                `healed after ${((restartDelay + 3000) / 1000).toFixed(1)} s`,
            );
            // A cut that touched nothing tested nothing.
            if (destroyed === 0)
              problems.push(`the data cut of ${target} destroyed no connection: no engine was using its replicas`);
          }),
        );
      }
      say(`[${elapsed()}] fault ${faults.length + 1}/${o.faults.length}: ${kind} (${target})`);
      await Promise.all(later);
      if (!snappedDuringRebuild && (kind === 'replica-node' || kind === 'data-cut')) {
        snappedDuringRebuild = true;
        await Promise.all(workloads.map((w) => snaps.take(w.volume, w.uri, `while ${kind} (${target}) recovers`)));
      }
      const runsBefore = workloads.map((w) => w.finishedAt.length);
      try {
        await until(
          `every volume healthy within ${o.recoveryBoundMs / 1000} s of ${kind} (${target})`,
          Math.max(0, at + o.recoveryBoundMs - Date.now()),
          () => allHealthy(api, workloads, o.nodes, dir),
        );
      } catch (e) {
        problems.push((e as Error).message);
        say(`  ${(e as Error).message}`);
        for (const v of await Promise.all(
          workloads.map((w) => api.call('GetVolume', { name: w.volume }).catch(() => null)),
        ))
          if (v)
            say(
              `    ${v.name}: ${v.state} ${v.robustness} ${v.replicas.map((x) => `${x.id}@${x.node}:${x.state}`).join(' ')}`,
            );
        break;
      }
      const recoveryMs = Date.now() - at;
      faults.push({ kind, target, atMs: at - t0, recoveryMs });
      say(`  healthy again after ${(recoveryMs / 1000).toFixed(1)} s`);
      const audit = await cairn(['audit', 'verify', ...clusterArg]);
      if (audit.code !== 0) problems.push(`cairn audit verify after ${kind}: ${audit.out.trim()}`);
      // fio goes on: each volume finishes a verify run after the recovery (a re-attached one first
      // verifies what was written before its engine died).
      await Promise.all(resumed);
      await until('a fio verify run finished on every volume after the recovery', 120_000, async () =>
        workloads.every((w, i) => w.errors.length > 0 || w.finishedAt.length > runsBefore[i]!),
      );
      const errs = workloads.flatMap((w) => w.errors);
      if (errs.length) {
        problems.push(...errs.map((e) => `after ${kind}: ${e}`));
        break;
      }
    }

    // The end: stop writing, verify everything fio completed, check the log.
    for (const w of workloads) await w.stop();
    for (const w of workloads) await w.verifyAll('at the end');
    // Every replica, read alone, holds every snapshot as it was taken.
    const snapCheck = await snaps.verify(workloads.map((w) => w.volume));
    problems.push(...snapCheck.problems);
    problems.push(
      ...workloads
        .flatMap((w) => w.errors.map((e) => `${w.volume}: ${e}`))
        .filter((e) => !problems.some((p) => p.endsWith(e.slice(e.indexOf(': ') + 2)))),
    );
    const audit = await cairn(['audit', 'verify', ...clusterArg]);
    if (audit.code !== 0) problems.push(`cairn audit verify at the end: ${audit.out.trim()}`);
    const head = Number((await api.call('GetClusterInfo', {})).seq);
    await until(`the live event stream reached seq ${head}`, 20_000, async () => watcher!.lastSeq >= head);
    await watcher.stop();
    const log = await readLog(api);
    problems.push(...watcher.problems, ...checkLog(log, watcher.seen, acks));
    const bytesVerified = workloads.reduce((s, w) => s + w.bytesVerified, 0);
    const fioRuns = workloads.reduce((s, w) => s + w.fioRuns, 0);
    const table = reportTable(faults, bytesVerified, fioRuns, o.recoveryBoundMs);
    // A run that could not be verified is a failure: the suite set out to verify it.
    const unverifiable = workloads.flatMap((w) => w.unverifiable);
    problems.push(
      ...unverifiable.map(
        (n) =>
          `fio run ${n} was cut short by an engine crash and left no verify state: its acknowledged writes could not be verified`,
      ),
    );
    say(
      `\n${table}\n` +
        `unverifiable fio runs (no verify state after an engine crash): ${unverifiable.length ? unverifiable.join(', ') : 'none'}\n` +
        `events: ${log.length} in the log, seqs 1..${log.length}, ${watcher.seen.size} seen live, ` +
        `${acks.length} acknowledged requests checked`,
    );
    return {
      seed: o.seed,
      faults,
      bytesVerified,
      fioRuns,
      eventsChecked: log.length,
      snapshotsChecked: snapCheck.compared,
      unverifiable,
      problems,
      table,
      dir,
    };
  } finally {
    for (const w of workloads) await w.stop().catch(() => undefined);
    await watcher?.stop().catch(() => undefined);
    admin?.close();
    for (const p of proxies.values()) await p.close();
    await cairn(['down', ...dirArgs]);
    if (!process.env.CAIRN_CHAOS_KEEP) rmSync(dir, { recursive: true, force: true });
    else say(`kept ${dir}`);
  }
}

async function attach(api: Admin, acks: Ack[], name: string, node: string): Promise<string> {
  const v = await api.call('AttachVolume', { name, nodeId: node });
  acks.push({ kind: 'by-seq', atMost: Number(v.seq), type: 'volumeAttachRequested', key: name });
  return until(`${name} attached on ${node}`, 60_000, async () => {
    const x = await api.call('GetVolume', { name });
    return x.state === 'attached' && x.attachedTo === node && x.endpoint ? (x.endpoint as string) : null;
  });
}

/**
 * The cluster whole again: every etcd member and every manager answers (a leader among them), every
 * node is up, every volume is attached where its workload runs, healthy, with all replicas running.
 */
async function allHealthy(api: Admin, ws: Workload[], nodes: number, dir: string): Promise<boolean> {
  const c = readCluster(dir);
  for (const m of c.etcdMembers) {
    const client = openEtcd(m.clientUrl, { ...etcdCredentials(c), callTimeoutMs: 1000 });
    try {
      if ((await client.maintenance.status()).leader === '0') return false;
    } finally {
      client.close();
    }
  }
  const infos = await Promise.all(c.managers.map((m) => api.callAt(m.address, 'GetClusterInfo', {})));
  if (!infos.every((i) => i.leaderId)) return false;
  const ns = (await api.call('ListNodes', {})).nodes;
  if (ns.filter((n) => n.state === 'up').length !== nodes) return false;
  for (const w of ws) {
    const v = await api.call('GetVolume', { name: w.volume });
    const running = v.replicas.filter((x) => x.state === 'running').length;
    if (v.robustness !== 'healthy' || running !== v.numberOfReplicas || v.state !== 'attached' || v.endpoint !== w.uri)
      return false;
  }
  return true;
}

async function etcdLeader(c: ClusterJson): Promise<{ name: string; pid: number }> {
  for (const m of c.etcdMembers) {
    const client = openEtcd(m.clientUrl, { ...etcdCredentials(c), callTimeoutMs: 1000 });
    try {
      const st = await client.maintenance.status();
      if (st.leader === st.header.member_id) return m;
    } catch {
      /* next */
    } finally {
      client.close();
    }
  }
  throw new Error('no etcd member reports itself leader');
}

async function readLog(api: Admin): Promise<LoggedEvent[]> {
  for (let attempt = 0; ; attempt++) {
    const { client } = api.stream();
    try {
      return await new Promise<LoggedEvent[]>((resolve, reject) => {
        const out: LoggedEvent[] = [];
        const call = client.WatchEvents({ fromSeq: 1, follow: false });
        call.on('data', (ev) => out.push(toLogged(ev)));
        call.on('error', reject);
        call.on('end', () => resolve(out));
      });
    } catch (e) {
      if (attempt >= 3) throw e;
      api.next();
    }
  }
}
