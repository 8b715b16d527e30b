// npm run bench -- control-plane
// (1) On a `cairn up --detach` cluster (3 nodes, in a temp dir): create 1,000 3-replica volumes
//     through the admin API with 32 creates in flight, each create followed until the log shows
//     all of its replicas placed and running (ReplicaScheduled + ReplicaRunning, read from the
//     manager's event stream); report p50/p99 of request -> all replicas running. The measured
//     creates follow 200 warm-up creates on the fresh cluster (reported apart): the first requests
//     to four new processes also pay for compiling their code paths, once per process lifetime.
// (2) A 10,000-volume state (volumes placed and running on 20 nodes, ~80k events) appended to a
//     fresh etcd, then a `cairn manager` process started on it three ways: replaying from seq 0
//     (no snapshot), from a snapshot at the head, and measured for resident memory once serving.
// Targets: p99 < 250 ms; manager RSS < 500 MiB with 10,000 volumes; start-up from a snapshot < 5 s.
// The bench reports PASS/FAIL and exits 0 either way.
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { adminClient } from '@cairn/api';
import type { AdminClient } from '@cairn/api';
import { draft, EtcdCluster, EventLog, LiveProjection, openEtcd, SnapshotStore } from '@cairn/metadata';
import type { EventDraft, EventEnvelope__Output } from '@cairn/metadata';
import { percentile, writeResult } from './results.js';

const execFileP = promisify(execFile);
const CAIRN = fileURLToPath(new URL('../../packages/cli/dist/src/main.js', import.meta.url));
const VOLUMES = Number(process.env.CAIRN_BENCH_VOLUMES ?? 1000);
const CONCURRENCY = Number(process.env.CAIRN_BENCH_CONCURRENCY ?? 32);
const WARMUP = Number(process.env.CAIRN_BENCH_WARMUP ?? 200);
const SCALE_VOLUMES = Number(process.env.CAIRN_BENCH_SCALE_VOLUMES ?? 10_000);
const MiB = 2 ** 20;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function unary<Res>(fn: (req: object, cb: (e: Error | null, r?: Res) => void) => unknown, req: object): Promise<Res> {
  return new Promise((ok, fail) => fn(req, (e, r) => (e ? fail(e) : ok(r as Res))));
}

/** Part 1: create latency on a live local cluster. */
interface CreateResult {
  p50: number;
  p99: number;
  max: number;
  volumes: number;
  wallSeconds: number;
  /**
   * Where the time went, per volume, from the events' append times (each event's time is its
   * appender's clock when it encoded it, just before the commit): request -> VolumeCreated ->
   * the last ReplicaScheduled -> the last ReplicaRunning. p50/p99 of each step.
   */
  stagesMs: Record<'requestToCreated' | 'createdToScheduled' | 'scheduledToRunning', { p50: number; p99: number }>;
  /** CPU seconds (user + system) each process of the cluster and this client spent during the creates, and their sum per volume. */
  cpuSeconds: Record<string, number>;
  cpuMsPerVolume: number;
  /** The warm-up creates before the measured ones (on the fresh cluster), measured the same way. */
  warmup: { volumes: number; p50: number; p99: number; max: number } | null;
}

/** user + system CPU seconds of a process so far (0 once it is gone). */
function cpuOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / CLOCK_TICKS;
  } catch {
    return 0;
  }
}
const CLOCK_TICKS = 100; // sysconf(_SC_CLK_TCK) on Linux

async function createLatency(dir: string): Promise<CreateResult> {
  await execFileP(process.execPath, [CAIRN, 'up', '--dir', dir, '--detach', '--nodes', '3'], { timeout: 120_000 });
  const cluster = JSON.parse(readFileSync(join(dir, 'cluster.json'), 'utf8')) as {
    admin: string;
    token: string;
    tlsCa?: string;
    managers: { id: string; pid: number }[];
    nodes: { id: string; pid: number }[];
    etcdPids: number[];
  };
  const procs: [string, number][] = [
    ...cluster.managers.map((m): [string, number] => [m.id, m.pid]),
    ...cluster.nodes.map((n): [string, number] => [n.id, n.pid]),
    ...cluster.etcdPids.map((pid, i): [string, number] => [`etcd-${i}`, pid]),
  ];
  const client: AdminClient = adminClient(cluster.admin, {
    token: readFileSync(cluster.token, 'utf8').trim(),
    ...(cluster.tlsCa ? { tlsCa: readFileSync(cluster.tlsCa) } : {}),
  });
  try {
    const info = await unary<{ seq: number }>(client.GetClusterInfo.bind(client), {});
    // Follow the log: which volume each replica belongs to, and when each volume has all running.
    const replicaVolume = new Map<string, string>();
    const running = new Map<string, number>();
    const waiters = new Map<string, { ok: () => void; fail: (e: Error) => void }>();
    let streamError: Error | null = null;
    const stream = client.WatchEvents({ fromSeq: (info.seq ?? 0) + 1, follow: true });
    const requested = new Map<string, number>();
    const created = new Map<string, number>();
    const scheduled = new Map<string, number>();
    const allRunning = new Map<string, number>();
    stream.on('data', (ev: EventEnvelope__Output) => {
      if (ev.volumeCreated) created.set(ev.volumeCreated.name, Number(ev.timeMs));
      if (ev.replicaScheduled) {
        replicaVolume.set(ev.replicaScheduled.replicaId, ev.replicaScheduled.volume);
        scheduled.set(ev.replicaScheduled.volume, Number(ev.timeMs));
      }
      if (ev.replicaRunning) {
        const v = replicaVolume.get(ev.replicaRunning.replicaId);
        if (!v) return;
        allRunning.set(v, Number(ev.timeMs));
        const n = (running.get(v) ?? 0) + 1;
        running.set(v, n);
        if (n === 3) waiters.get(v)?.ok();
      }
    });
    // The stream is how the bench sees creates finish: if it ends, every wait fails at once.
    let cancelled = false;
    const broken = (e: Error): void => {
      streamError ??= e;
      for (const w of waiters.values()) w.fail(streamError);
    };
    stream.on('error', (e: Error) => {
      if (!cancelled) broken(new Error(`the event stream failed: ${e.message}`));
    });
    stream.on('end', () => {
      if (!cancelled) broken(new Error('the event stream ended'));
    });
    /** Creates `count` volumes named PREFIX-NNNN, CONCURRENCY at a time; each one's latency (ms). */
    const creates = async (prefix: string, count: number): Promise<number[]> => {
      const latencies: number[] = [];
      let next = 0;
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          for (let i = next++; i < count; i = next++) {
            const name = `${prefix}-${String(i).padStart(4, '0')}`;
            const start = performance.now();
            requested.set(name, Date.now());
            if (streamError) throw streamError;
            const done = new Promise<void>((ok, fail) => waiters.set(name, { ok, fail }));
            await unary(client.CreateVolume.bind(client), { name, size: 16 * MiB, numberOfReplicas: 3 });
            await Promise.race([
              done,
              sleep(60_000).then(() => {
                throw new Error(`${name}: not all replicas running after 60 s`);
              }),
            ]);
            latencies.push(performance.now() - start);
            waiters.delete(name);
          }
        }),
      );
      return latencies.sort((a, b) => a - b);
    };
    // Warm-up first, measured apart: the first creates of a fresh cluster also pay for compiling
    // the code paths of four new processes (and of this client), which is not what a create costs.
    const warm = WARMUP > 0 ? await creates('warmup', WARMUP) : [];
    requested.clear();
    const cpu0 = new Map(procs.map(([name, pid]) => [name, cpuOf(pid)]));
    const self0 = process.cpuUsage();
    const t0 = performance.now();
    const latencies = await creates('bench', VOLUMES);
    const wallSeconds = (performance.now() - t0) / 1000;
    const self = process.cpuUsage(self0);
    const cpuSeconds: Record<string, number> = {};
    for (const [name, pid] of procs) cpuSeconds[name] = +(cpuOf(pid) - cpu0.get(name)!).toFixed(2);
    cpuSeconds['bench-client'] = +((self.user + self.system) / 1e6).toFixed(2);
    cancelled = true;
    stream.cancel();
    const step = (from: Map<string, number>, to: Map<string, number>): { p50: number; p99: number } => {
      const d = [...requested.keys()]
        .filter((v) => from.has(v) && to.has(v))
        .map((v) => to.get(v)! - from.get(v)!)
        .sort((a, b) => a - b);
      return d.length ? { p50: percentile(d, 50), p99: percentile(d, 99) } : { p50: NaN, p99: NaN };
    };
    const totalCpu = Object.values(cpuSeconds).reduce((a, b) => a + b, 0);
    return {
      volumes: latencies.length,
      wallSeconds: +wallSeconds.toFixed(1),
      p50: +percentile(latencies, 50).toFixed(1),
      p99: +percentile(latencies, 99).toFixed(1),
      max: +latencies[latencies.length - 1]!.toFixed(1),
      stagesMs: {
        requestToCreated: step(requested, created),
        createdToScheduled: step(created, scheduled),
        scheduledToRunning: step(scheduled, allRunning),
      },
      cpuSeconds,
      cpuMsPerVolume: +((totalCpu * 1000) / Math.max(1, latencies.length)).toFixed(1),
      warmup: warm.length
        ? {
            volumes: warm.length,
            p50: +percentile(warm, 50).toFixed(1),
            p99: +percentile(warm, 99).toFixed(1),
            max: +warm[warm.length - 1]!.toFixed(1),
          }
        : null,
    };
  } finally {
    client.close();
    await execFileP(process.execPath, [CAIRN, 'down', '--dir', dir], { timeout: 60_000 }).catch(() => undefined);
  }
}

/** A 10,000-volume history: 20 nodes, every volume placed on 3 of them and running. */
function* scaleHistory(volumes: number): Generator<EventDraft> {
  for (let i = 0; i < 20; i++) {
    yield draft.nodeRegistered(`node-${i}`, { zone: `zone-${i % 3}`, address: `10.0.0.${i}:9500` });
    yield draft.diskAdded(`node-${i}`, 'disk-1', { maximum: 2 ** 44 });
  }
  for (let v = 0; v < volumes; v++) {
    const name = `pvc-${String(v).padStart(5, '0')}`;
    yield draft.volumeCreated(name, { size: 2 ** 30 });
    for (let r = 0; r < 3; r++) {
      yield {
        replicaScheduled: {
          replicaId: `${name}-r${r}`,
          volume: name,
          nodeId: `node-${(v + r * 7) % 20}`,
          diskId: 'disk-1',
          trigger: 'new',
        },
      };
    }
    for (let r = 0; r < 3; r++)
      yield { replicaRunning: { replicaId: `${name}-r${r}`, address: `10.0.0.${(v + r * 7) % 20}:9500` } };
  }
}

interface ManagerRun {
  readyMs: number;
  rssMiB: number;
  peakRssMiB: number;
  fromSnapshotSeq: number;
}

/** Starts `cairn manager` on the given etcd; time to serving, then its resident memory. */
async function startManager(dir: string, endpoints: string[], label: string): Promise<ManagerRun> {
  const ready = join(dir, `${label}.ready.json`);
  rmSync(ready, { force: true });
  const t0 = performance.now();
  const child = spawn(
    process.execPath,
    [
      CAIRN,
      'manager',
      '--etcd',
      endpoints.join(','),
      '--listen',
      '127.0.0.1:0',
      '--token',
      'bench',
      '--id',
      label,
      '--ready-file',
      ready,
      '--snapshot-every',
      '0',
      '--node-lease-ttl',
      '60',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  child.stdout.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr.on('data', (b: Buffer) => (out += b.toString()));
  try {
    while (!existsSync(ready)) {
      if (child.exitCode !== null) throw new Error(`manager exited: ${out}`);
      if (performance.now() - t0 > 120_000) throw new Error(`manager not ready after 120 s: ${out}`);
      await sleep(10);
    }
    const readyMs = performance.now() - t0;
    // Resident memory once serving, after the leader's first reconcile pass has run.
    await sleep(3000);
    const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
    const kib = (k: string) =>
      Number(/(\d+) kB/.exec(status.split('\n').find((l) => l.startsWith(k)) ?? '')?.[1] ?? NaN);
    const fromSnapshotSeq = Number(/from snapshot (\d+)/.exec(out)?.[1] ?? 0);
    return {
      readyMs: Math.round(readyMs),
      rssMiB: Math.round(kib('VmRSS:') / 1024),
      peakRssMiB: Math.round(kib('VmHWM:') / 1024),
      fromSnapshotSeq,
    };
  } finally {
    child.kill('SIGKILL');
    await new Promise((r) => (child.exitCode !== null ? r(null) : child.once('exit', r)));
  }
}

async function scale(dir: string): Promise<Record<string, unknown>> {
  mkdirSync(join(dir, 'etcd'), { recursive: true });
  const etcd = await EtcdCluster.start({ dir: join(dir, 'etcd'), members: 1 });
  const client = openEtcd(etcd.endpoints);
  try {
    const log = new EventLog(client, { actor: 'bench' });
    let batch: EventDraft[] = [];
    let events = 0;
    const tAppend = performance.now();
    for (const d of scaleHistory(SCALE_VOLUMES)) {
      batch.push(d);
      if (batch.length === 120) {
        await log.append(batch);
        events += batch.length;
        batch = [];
      }
    }
    if (batch.length) await log.append(batch);
    events += batch.length;
    const appendSeconds = (performance.now() - tAppend) / 1000;
    // In-process replay from seq 0 (projection only, no server).
    const tReplay = performance.now();
    const projection = await LiveProjection.open(log, { snapshotEvery: 0 });
    const replayMs = performance.now() - tReplay;
    const volumes = projection.state.volumes.size;
    const noSnapshot = await startManager(dir, etcd.endpoints, 'replay');
    await new SnapshotStore(client).save(projection.state);
    projection.close();
    log.close();
    const fromSnapshot = await startManager(dir, etcd.endpoints, 'snapshot');
    return {
      events,
      volumes,
      appendSeconds: +appendSeconds.toFixed(1),
      inProcessReplayMs: Math.round(replayMs),
      noSnapshot,
      fromSnapshot,
    };
  } finally {
    client.close();
    await etcd.stop();
  }
}

export default async function run(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'cairn-bench-cp-'));
  try {
    console.log(
      `control-plane: creating ${VOLUMES} volumes (after ${WARMUP} to warm up), ${CONCURRENCY} in flight, on a 3-node cairn up ...`,
    );
    const create = await createLatency(join(dir, 'cluster'));
    if (create.warmup)
      console.log(
        `  warm-up, ${create.warmup.volumes} creates on the fresh cluster first: ` +
          `p50 ${create.warmup.p50} ms, p99 ${create.warmup.p99} ms, max ${create.warmup.max} ms`,
      );
    console.log(
      `  request -> all 3 replicas running: p50 ${create.p50} ms, p99 ${create.p99} ms, max ${create.max} ms (${create.wallSeconds} s for ${create.volumes})`,
    );
    const st = create.stagesMs;
    console.log(
      `  steps p50/p99 (ms): request -> created ${st.requestToCreated.p50}/${st.requestToCreated.p99}, ` +
        `-> all scheduled ${st.createdToScheduled.p50}/${st.createdToScheduled.p99}, ` +
        `-> all running ${st.scheduledToRunning.p50}/${st.scheduledToRunning.p99}`,
    );
    console.log(
      `  CPU seconds: ${Object.entries(create.cpuSeconds)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')}; ${create.cpuMsPerVolume} ms per volume in all`,
    );
    console.log(`control-plane: a ${SCALE_VOLUMES}-volume state, manager start-up and memory ...`);
    const s = await scale(join(dir, 'scale'));
    const noSnap = s.noSnapshot as ManagerRun,
      snap = s.fromSnapshot as ManagerRun;
    console.log(
      `  ${s.events} events; manager ready in ${noSnap.readyMs} ms replaying from seq 0, ` +
        `${snap.readyMs} ms from a snapshot (seq ${snap.fromSnapshotSeq}); ` +
        `RSS ${snap.rssMiB} MiB (peak ${Math.max(snap.peakRssMiB, noSnap.peakRssMiB)} MiB)`,
    );
    const rss = Math.max(snap.rssMiB, noSnap.rssMiB);
    const targets = {
      createP99Ms: { target: 250, measured: create.p99, pass: create.p99 < 250 },
      managerRssMiB: { target: 500, measured: rss, pass: rss < 500 },
      startupFromSnapshotMs: { target: 5000, measured: snap.readyMs, pass: snap.readyMs < 5000 },
    };
    for (const [k, t] of Object.entries(targets))
      console.log(`  ${t.pass ? 'PASS' : 'FAIL'} ${k}: ${t.measured} (target < ${t.target})`);
    const file = writeResult('control-plane', {
      machine: {
        cpus: cpus().length,
        memoryGiB: Math.round(totalmem() / 2 ** 30),
        node: process.version,
        loadavgAtStart: loadavg().map((x) => +x.toFixed(2)),
      },
      create: {
        volumes: VOLUMES,
        concurrency: CONCURRENCY,
        replicas: 3,
        sizeMiB: 16,
        nodes: 3,
        wallSeconds: create.wallSeconds,
        latencyMs: {
          volumes: create.volumes,
          wallSeconds: create.wallSeconds,
          p50: create.p50,
          p99: create.p99,
          max: create.max,
        },
        stagesMs: create.stagesMs,
        cpuSeconds: create.cpuSeconds,
        cpuMsPerVolume: create.cpuMsPerVolume,
        warmup: create.warmup,
      },
      scale: s,
      targets,
    });
    console.log(`  written to ${file}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
