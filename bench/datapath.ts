// npm run bench -- datapath
// In one run, with fio's nbd engine (--ioengine=nbd --uri=...), on one machine and one filesystem:
// (a) nbdkit's file plugin serving a 1 GiB file (the baseline); (b) a cairn volume with 1 replica;
// (c) a cairn volume with 3 replicas. Both volumes live on a 3-node `cairn up --detach` cluster in
// a temp dir and are attached to node-1; the baseline file sits in the same temp dir. That cluster
// runs as `cairn up` does by default, with TLS (replica traffic included); (d) is the same
// 3-replica volume on a second 3-node cluster started with --no-tls, so (c)/(d) is what encryption
// costs, measured in the same run, on the same prefill and workloads.
//
// Fair by construction:
// - every target is prefilled the same way: fio, sequential 64 KiB writes at QD8 over the whole
//   region. The page cache sizes its folios by the writes that create them and a later 4 KiB
//   overwrite costs in proportion to its folio (packages/datapath/src/replica/file-io.ts): a
//   baseline prefilled with 1 MiB writes paid twice as much per random write as a cairn store
//   writing its 64 KiB pieces, which flattered cairn;
// - the sequential write runs last, since it rewrites the region in 128 KiB writes (folios again);
// - every job starts after a `sync`, so none pays for the writeback of the one before it;
// - workload by workload, (a) (b) (c) back to back, so load drift on a shared machine hits all
//   three alike; the load average is recorded before each job.
// Workloads: 4k random read and write at QD32, 4k write at QD1 (latency), 4k writes each followed
// by a FLUSH (fio --fsync=1; its nbd engine sends NBD_CMD_FLUSH, and refuses --fdatasync) at QD1
// and QD8, 128k sequential write at QD8. No ramp: the CPU of every process (nbdkit, each manager,
// each etcd member, each agent, and fio itself; utime+stime from /proc/PID/stat before and after
// the job, less each process's background rate measured over 5 s with no I/O) is divided by all
// of the job's I/Os.
// Targets, as ratios to (a): 3 replicas randread >= 0.9, randwrite >= 0.5, seqwrite >= 0.25, QD1
// write latency mean <= 3x; 1 replica seqwrite >= 0.7. The bench prints PASS or MISS per target and
// exits 0 either way.
import { execFile, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { adminClient } from '@cairn/api';
import { freePort } from '@cairn/metadata';
import type { AdminClient, Volume__Output } from '@cairn/api';
import { writeResult } from './results.js';

const execFileP = promisify(execFile);
const CAIRN = fileURLToPath(new URL('../../packages/cli/dist/src/main.js', import.meta.url));
const GiB = 2 ** 30;
const VOLUME_SIZE = GiB;
const REGION = '1g';
const SECONDS = Number(process.env.CAIRN_BENCH_SECONDS ?? 10);
const BACKGROUND_SECONDS = 5;
/** The baseline, exactly as started (nbdkit's defaults made explicit: 16 threads, the plugin's parallel thread model, page-cache I/O). */
const NBDKIT_ARGS = (port: number, file: string): string[] => [
  '--exit-with-parent',
  '-f',
  '-p',
  String(port),
  '-i',
  '127.0.0.1',
  '--threads',
  '16',
  'file',
  file,
  'cache=default',
  'fadvise=normal',
];
/** The prefill every target gets (see above). */
const PREFILL = { name: 'prefill', rw: 'write', bs: '64k', iodepth: 8 };

type Key = 'randread' | 'randwrite' | 'writeLatency' | 'fsyncQd1' | 'fsyncQd8' | 'seqwrite';
interface Workload {
  key: Key;
  name: string;
  rw: string;
  bs: string;
  iodepth: number;
  fsync?: number;
}

const WORKLOADS: Workload[] = [
  { key: 'randread', name: 'randread-4k-qd32', rw: 'randread', bs: '4k', iodepth: 32 },
  { key: 'randwrite', name: 'randwrite-4k-qd32', rw: 'randwrite', bs: '4k', iodepth: 32 },
  { key: 'writeLatency', name: 'write-4k-qd1', rw: 'randwrite', bs: '4k', iodepth: 1 },
  { key: 'fsyncQd1', name: 'write+flush-4k-qd1', rw: 'randwrite', bs: '4k', iodepth: 1, fsync: 1 },
  { key: 'fsyncQd8', name: 'write+flush-4k-qd8', rw: 'randwrite', bs: '4k', iodepth: 8, fsync: 1 },
  { key: 'seqwrite', name: 'seqwrite-128k-qd8', rw: 'write', bs: '128k', iodepth: 8 },
];

/**
 * `cpuUsPerIo`: CPU microseconds per I/O of each process (by name) over the whole job, less what
 * the process burns when no I/O runs (its background rate, measured beforehand: heartbeats,
 * status reports, etcd), which would otherwise count more per I/O the fewer I/Os a job does.
 * `cpuUsPerIoTotal`: their sum, fio included.
 */
interface FioResult {
  iops: number;
  bandwidthMiBs: number;
  meanLatencyUs: number;
  p99LatencyUs: number;
  ios: number;
  flushes: number;
  flushMeanLatencyUs?: number;
  loadBefore: number;
  cpuUsPerIo: Record<string, number>;
  cpuUsPerIoTotal: number;
}

/** CPU seconds per second each process uses with no I/O running, over `seconds`. */
async function backgroundRates(procs: Map<string, number>, seconds: number): Promise<Map<string, number>> {
  const before = new Map([...procs].map(([name, pid]) => [name, cpuSeconds(pid)]));
  const t0 = performance.now();
  await sleep(seconds * 1000);
  const elapsed = (performance.now() - t0) / 1000;
  return new Map([...procs].map(([name, pid]) => [name, Math.max(0, cpuSeconds(pid) - before.get(name)!) / elapsed]));
}
interface FioSide {
  iops: number;
  bw_bytes: number;
  total_ios: number;
  lat_ns: { mean: number; percentile?: Record<string, number> };
}

/** utime + stime (and, with children, cutime + cstime) of a process, in seconds; 0 once it is gone. */
function cpuSeconds(pid: number): number {
  try {
    return statCpu(readFileSync(`/proc/${pid}/stat`, 'utf8'), false);
  } catch {
    return 0;
  }
}

function statCpu(stat: string, children: boolean): number {
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[children ? 13 : 11]) + Number(f[children ? 14 : 12])) / 100; // clock ticks, USER_HZ = 100
}

/**
 * One fio job with the nbd engine against `uri`, with the CPU that `procs` and fio itself used
 * during it. fio runs under a shell that prints its own /proc stat when fio has exited: the
 * shell's cutime + cstime are fio's CPU.
 */
async function fio(
  uri: string,
  w: Omit<Workload, 'key'>,
  seconds: number | null,
  procs: Map<string, number>,
  background = new Map<string, number>(),
): Promise<FioResult> {
  const timing = seconds === null ? [] : ['--time_based', `--runtime=${seconds}`];
  const args = [
    `--name=${w.name}`,
    '--ioengine=nbd',
    `--uri=${uri}`,
    `--rw=${w.rw}`,
    `--bs=${w.bs}`,
    `--iodepth=${w.iodepth}`,
    `--size=${REGION}`,
    '--lat_percentiles=1',
    '--output-format=json',
    ...timing,
    ...(w.fsync ? [`--fsync=${w.fsync}`] : []),
  ];
  const loadBefore = Math.round(loadavg()[0]! * 100) / 100;
  const before = new Map([...procs].map(([name, pid]) => [name, cpuSeconds(pid)]));
  const t0 = performance.now();
  const { stdout, stderr } = await execFileP(
    'sh',
    ['-c', 'fio "$@"; rc=$?; echo "CPUSTAT $(cat /proc/$$/stat)" >&2; exit $rc', 'sh', ...args],
    { timeout: ((seconds ?? 600) + 60) * 1000, maxBuffer: 64 * 2 ** 20 },
  ).catch((e: Error & { stderr?: string }) => {
    throw new Error(`fio ${w.name} on ${uri} failed: ${e.stderr || e.message}`);
  });
  const elapsed = (performance.now() - t0) / 1000;
  const cpu: Record<string, number> = {};
  for (const [name, pid] of procs)
    cpu[name] = Math.max(0, cpuSeconds(pid) - before.get(name)! - (background.get(name) ?? 0) * elapsed);
  const stat = /CPUSTAT (.*)/.exec(stderr)?.[1];
  cpu.fio = stat ? statCpu(stat, true) : NaN;
  const job = (
    JSON.parse(stdout.slice(stdout.indexOf('{'))) as {
      jobs: Array<{
        read: FioSide;
        write: FioSide;
        sync?: { total_ios: number; lat_ns: { mean: number } };
        error: number;
      }>;
    }
  ).jobs[0]!;
  if (job.error) throw new Error(`fio ${w.name} on ${uri}: error ${job.error}`);
  const side = w.rw.includes('read') ? job.read : job.write;
  const ios = side.total_ios;
  const perIo = (s: number): number => Math.round((s / ios) * 1e7) / 10;
  const cpuUsPerIo = Object.fromEntries(Object.entries(cpu).map(([k, v]) => [k, perIo(v)]));
  return {
    iops: Math.round(side.iops),
    bandwidthMiBs: Math.round((side.bw_bytes / 2 ** 20) * 10) / 10,
    meanLatencyUs: Math.round(side.lat_ns.mean / 100) / 10,
    p99LatencyUs: Math.round((side.lat_ns.percentile?.['99.000000'] ?? 0) / 100) / 10,
    ios,
    flushes: job.sync?.total_ios ?? 0,
    ...(w.fsync ? { flushMeanLatencyUs: Math.round((job.sync?.lat_ns.mean ?? 0) / 100) / 10 } : {}),
    loadBefore,
    cpuUsPerIo,
    cpuUsPerIoTotal: perIo(Object.values(cpu).reduce((a, b) => a + b, 0)),
  };
}

/**
 * Writes back all dirty pages, so that no job pays for the writeback of the one before it (the
 * baseline's last job leaves gigabytes of dirty page cache that would otherwise land on (b)).
 */
async function settle(): Promise<void> {
  await execFileP('sync', [], { timeout: 300_000 });
}

type Measured = { prefill: { seconds: number; bandwidthMiBs: number } } & Record<Key, FioResult>;

/**
 * Prefills every target alike, then measures workload by workload, (a), (b) and (c) back to back
 * for each, so that all three see the machine in much the same state: on a shared machine the load
 * drifts over minutes, and measuring all of (a) first and all of (c) last turned that drift into
 * the ratios.
 */
async function measureAll(
  targets: { label: string; uri: string }[],
  procs: Map<string, number>,
): Promise<{ measured: Measured[]; background: Record<string, number> }> {
  const out = targets.map(() => ({}) as Partial<Measured>);
  for (const [i, t] of targets.entries()) {
    process.stdout.write(`${t.label}: prefill\n`);
    await settle();
    const t0 = performance.now();
    const r = await fio(t.uri, PREFILL, null, procs);
    out[i]!.prefill = { seconds: Math.round((performance.now() - t0) / 100) / 10, bandwidthMiBs: r.bandwidthMiBs };
  }
  await settle();
  process.stdout.write(`background CPU, ${BACKGROUND_SECONDS} s with no I/O\n`);
  const background = await backgroundRates(procs, BACKGROUND_SECONDS);
  for (const w of WORKLOADS) {
    process.stdout.write(`${w.name}:`);
    for (const [i, t] of targets.entries()) {
      process.stdout.write(` ${t.label}`);
      await settle();
      out[i]![w.key] = await fio(t.uri, w, SECONDS, procs, background);
    }
    process.stdout.write('\n');
  }
  const rates = Object.fromEntries([...background].map(([k, v]) => [k, Math.round(v * 1000) / 1000]));
  return { measured: out as Measured[], background: rates };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function until<T>(
  what: string,
  timeoutMs: number,
  probe: () => Promise<T | null | undefined | false>,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe().catch(() => null);
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await sleep(100);
  }
}

const unary = <T>(client: AdminClient, method: string, req: object): Promise<T> =>
  new Promise((resolve, reject) =>
    (client as unknown as Record<string, (r: object, o: object, cb: (e: Error | null, r?: T) => void) => void>)[
      method
    ]!.call(client, req, { deadline: Date.now() + 15_000 }, (e, r) => (e ? reject(e) : resolve(r as T))),
  );

/** Creates a volume, waits for its replicas to run, attaches it to node-1 and returns it once served. */
async function attachedVolume(client: AdminClient, name: string, replicas: number): Promise<Volume__Output> {
  await unary(client, 'CreateVolume', { name, size: VOLUME_SIZE, numberOfReplicas: replicas });
  await until(
    `${replicas} running replica(s) of ${name}`,
    60_000,
    async () =>
      (await unary<Volume__Output>(client, 'GetVolume', { name })).replicas.filter((r) => r.state === 'running')
        .length === replicas,
  );
  await unary(client, 'AttachVolume', { name, nodeId: 'node-1' });
  return until(`${name} attached to node-1`, 60_000, async () => {
    const v = await unary<Volume__Output>(client, 'GetVolume', { name });
    return v.state === 'attached' && v.endpoint ? v : null;
  });
}

async function tool(cmd: string, args: string[]): Promise<string> {
  return (await execFileP(cmd, args).catch(() => ({ stdout: '' }))).stdout.trim();
}

/** The cluster's processes by name, from the cluster.json `cairn up` wrote. */
function clusterProcesses(clusterDir: string, prefix = ''): Map<string, number> {
  const c = JSON.parse(readFileSync(join(clusterDir, 'cluster.json'), 'utf8')) as {
    manager: { id: string; pid: number };
    managers?: { id: string; pid: number }[];
    etcdPids?: number[];
    etcdMembers?: { name: string; pid: number }[];
    nodes: { id: string; pid: number }[];
  };
  const out = new Map<string, number>();
  for (const m of c.managers ?? [c.manager]) out.set(`${prefix}manager ${m.id}`, m.pid);
  for (const [i, e] of (c.etcdMembers ?? (c.etcdPids ?? []).map((pid, j) => ({ name: String(j), pid }))).entries())
    out.set(`${prefix}etcd ${e.name || i}`, e.pid);
  for (const n of c.nodes) out.set(`${prefix}agent ${n.id}`, n.pid);
  return out;
}

export default async function run(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'cairn-bench-datapath-'));
  const clusterDir = join(dir, 'cluster');
  const plainDir = join(dir, 'cluster-no-tls');
  let kit: ChildProcess | undefined;
  let client: AdminClient | undefined;
  let plainClient: AdminClient | undefined;
  let clusterStarted = false;
  let plainStarted = false;
  // The machine may be shared: the load before and after says how much the figures can be trusted.
  const loadBefore = loadavg().map((x) => Math.round(x * 100) / 100);
  try {
    // (a) the baseline: nbdkit's file plugin on a sparse 1 GiB file in the same temp dir.
    const file = join(dir, 'baseline.img');
    writeFileSync(file, '');
    await execFileP('truncate', ['-s', String(VOLUME_SIZE), file]);
    const kitPort = await freePort();
    const kitArgs = NBDKIT_ARGS(kitPort, file);
    kit = spawn('nbdkit', kitArgs, { stdio: 'ignore' });
    const kitUri = `nbd://127.0.0.1:${kitPort}/`;
    await until(
      'nbdkit to listen',
      10_000,
      async () => (await execFileP('nbdinfo', ['--size', kitUri])).stdout.trim() === String(VOLUME_SIZE),
    );

    // The cluster: 3 nodes, both volumes attached to node-1.
    clusterStarted = true;
    await execFileP(process.execPath, [CAIRN, 'up', '--detach', '--dir', clusterDir, '--nodes', '3'], {
      timeout: 120_000,
    });
    const info = JSON.parse(readFileSync(join(clusterDir, 'cluster.json'), 'utf8')) as {
      admin: string;
      token: string;
      tlsCa?: string;
    };
    if (!info.tlsCa) throw new Error('cairn up started a cluster without TLS; (c) would not measure encryption');
    client = adminClient(info.admin, {
      token: readFileSync(info.token, 'utf8').trim(),
      tlsCa: readFileSync(info.tlsCa),
    });
    const one = await attachedVolume(client, 'bench-r1', 1);
    const three = await attachedVolume(client, 'bench-r3', 3);
    // (d): the same, without TLS, on its own cluster.
    plainStarted = true;
    await execFileP(process.execPath, [CAIRN, 'up', '--detach', '--no-tls', '--dir', plainDir, '--nodes', '3'], {
      timeout: 120_000,
    });
    const plainInfo = JSON.parse(readFileSync(join(plainDir, 'cluster.json'), 'utf8')) as {
      admin: string;
      token: string;
    };
    plainClient = adminClient(plainInfo.admin, { token: readFileSync(plainInfo.token, 'utf8').trim() });
    const threePlain = await attachedVolume(plainClient, 'bench-r3-plain', 3);
    const procs = new Map([
      ['nbdkit', kit.pid!],
      ...clusterProcesses(clusterDir),
      ...clusterProcesses(plainDir, 'no-tls '),
    ]);

    const { measured, background } = await measureAll(
      [
        { label: '(a) nbdkit file', uri: kitUri },
        { label: '(b) cairn, 1 replica', uri: one.endpoint },
        { label: '(c) cairn, 3 replicas', uri: three.endpoint },
        { label: '(d) cairn, 3 replicas, no TLS', uri: threePlain.endpoint },
      ],
      procs,
    );
    const [baseline, r1, r3, r3Plain] = measured as [Measured, Measured, Measured, Measured];
    kit.kill();
    kit = undefined;

    const ratio = (x: number, base: number): number => Math.round((x / base) * 100) / 100;
    const ratios = (m: Measured) => ({
      randreadIops: ratio(m.randread.iops, baseline.randread.iops),
      randwriteIops: ratio(m.randwrite.iops, baseline.randwrite.iops),
      seqwriteBandwidth: ratio(m.seqwrite.bandwidthMiBs, baseline.seqwrite.bandwidthMiBs),
      writeLatencyMean: ratio(m.writeLatency.meanLatencyUs, baseline.writeLatency.meanLatencyUs),
      writeLatencyP99: ratio(m.writeLatency.p99LatencyUs, baseline.writeLatency.p99LatencyUs),
      flushQd1Iops: ratio(m.fsyncQd1.iops, baseline.fsyncQd1.iops),
      flushQd8Iops: ratio(m.fsyncQd8.iops, baseline.fsyncQd8.iops),
    });
    const r1Ratios = ratios(r1);
    const r3Ratios = ratios(r3);
    // What TLS on replica traffic costs: (c) as a ratio to (d), throughput and CPU per I/O.
    const tlsCost = Object.fromEntries(
      WORKLOADS.map((w) => [
        w.name,
        {
          throughput:
            w.key === 'seqwrite'
              ? ratio(r3.seqwrite.bandwidthMiBs, r3Plain.seqwrite.bandwidthMiBs)
              : ratio(r3[w.key].iops, r3Plain[w.key].iops),
          meanLatency: ratio(r3[w.key].meanLatencyUs, r3Plain[w.key].meanLatencyUs),
          cpuUsPerIo: ratio(r3[w.key].cpuUsPerIoTotal, r3Plain[w.key].cpuUsPerIoTotal),
        },
      ]),
    );
    const atLeast = (got: number, want: number) => ({ want: `>= ${want}`, got, ok: got >= want });
    const atMost = (got: number, want: number) => ({ want: `<= ${want}`, got, ok: got <= want });
    const targets = {
      'randread, 3 replicas': atLeast(r3Ratios.randreadIops, 0.9),
      'randwrite, 3 replicas': atLeast(r3Ratios.randwriteIops, 0.5),
      'seqwrite, 3 replicas': atLeast(r3Ratios.seqwriteBandwidth, 0.25),
      'QD1 write latency mean, 3 replicas': atMost(r3Ratios.writeLatencyMean, 3),
      'seqwrite, 1 replica': atLeast(r1Ratios.seqwriteBandwidth, 0.7),
    };
    const fsType =
      (await tool('findmnt', ['-n', '-o', 'FSTYPE', '-T', dir])) || (await tool('stat', ['-f', '-c', '%T', dir]));
    const result = {
      machine: {
        cpus: cpus().length,
        cpuModel: cpus()[0]?.model ?? '',
        memoryGiB: Math.round(totalmem() / GiB),
        kernel: release(),
        node: process.version,
        fio: await tool('fio', ['--version']),
        nbdkit: (await tool('nbdkit', ['--version'])).split('\n')[0],
        filesystem: fsType,
        loadAverageBefore: loadBefore,
        loadAverageAfter: loadavg().map((x) => Math.round(x * 100) / 100),
      },
      setup: {
        engine: 'fio --ioengine=nbd, one job, one connection; sync before each job; no ramp',
        order: 'prefill each target, then workload by workload, (a) (b) (c) back to back; seqwrite last',
        prefill: `fio --rw=write --bs=${PREFILL.bs} --iodepth=${PREFILL.iodepth} over the whole ${REGION} region, the same for every target`,
        region: REGION,
        secondsPerWorkload: SECONDS,
        volumeSize: VOLUME_SIZE,
        cluster:
          '3 nodes from cairn up --detach (TLS), volumes attached to node-1; (d): a second 3-node cluster from cairn up --detach --no-tls',
        baseline:
          `nbdkit ${kitArgs.join(' ').replace(file, '<dir>/baseline.img').replace(String(kitPort), '<port>')} ` +
          '(a sparse 1 GiB file on the same filesystem)',
        cpu:
          'utime+stime from /proc/PID/stat before and after each job (fio: its cutime+cstime via a shell), ' +
          "less the process's background rate times the job's duration, over all of the job's I/Os, in microseconds",
        backgroundCpuSecondsPerSecond: background,
        flush:
          'fio --fsync=1: its nbd engine sends NBD_CMD_FLUSH after every write; `flushes` is the number fio completed',
        replicaNodes: {
          oneReplica: one.replicas.map((r) => r.node),
          threeReplicas: three.replicas.map((r) => r.node),
          threeReplicasNoTls: threePlain.replicas.map((r) => r.node),
        },
        workloads: WORKLOADS,
      },
      baseline,
      oneReplica: { ...r1, ratios: r1Ratios },
      threeReplicas: { ...r3, ratios: r3Ratios },
      threeReplicasNoTls: { ...r3Plain, ratios: ratios(r3Plain) },
      tlsCost,
      targets,
    };
    const out = writeResult('datapath', result);

    console.log(
      `\ndatapath benchmark (fio nbd engine, ${SECONDS} s per workload over ${REGION}, ${result.machine.cpus} CPUs, ` +
        `${fsType}, ${result.machine.fio}; load average ${loadBefore[0]} before, ${result.machine.loadAverageAfter[0]} after)`,
    );
    const row = (m: Measured) => ({
      'randread 4k QD32 IOPS': `${m.randread.iops} (${ratio(m.randread.iops, baseline.randread.iops)})`,
      'randwrite 4k QD32 IOPS': `${m.randwrite.iops} (${ratio(m.randwrite.iops, baseline.randwrite.iops)})`,
      'write 4k QD1 mean/p99 us': `${m.writeLatency.meanLatencyUs} / ${m.writeLatency.p99LatencyUs}`,
      'write+flush QD1 IOPS': `${m.fsyncQd1.iops} (${ratio(m.fsyncQd1.iops, baseline.fsyncQd1.iops)})`,
      'write+flush QD8 IOPS': `${m.fsyncQd8.iops} (${ratio(m.fsyncQd8.iops, baseline.fsyncQd8.iops)})`,
      'seqwrite 128k QD8 MiB/s': `${m.seqwrite.bandwidthMiBs} (${ratio(m.seqwrite.bandwidthMiBs, baseline.seqwrite.bandwidthMiBs)})`,
    });
    console.table({
      '(a) nbdkit file': row(baseline),
      '(b) cairn 1 replica': row(r1),
      '(c) cairn 3 replicas': row(r3),
      '(d) 3 replicas, no TLS': row(r3Plain),
    });
    console.log('CPU us per I/O, all processes (fio included):');
    const cpuRow = (m: Measured) => Object.fromEntries(WORKLOADS.map((w) => [w.name, m[w.key].cpuUsPerIoTotal]));
    console.table({
      '(a) nbdkit file': cpuRow(baseline),
      '(b) cairn 1 replica': cpuRow(r1),
      '(c) cairn 3 replicas': cpuRow(r3),
      '(d) 3 replicas, no TLS': cpuRow(r3Plain),
    });
    console.log('TLS on replica traffic, (c) / (d): throughput, mean latency, CPU us per I/O:');
    console.table(tlsCost);
    for (const [name, t] of Object.entries(targets))
      console.log(`${t.ok ? 'PASS' : 'MISS'} ${name}: ${t.got} (want ${t.want})`);
    console.log(`wrote ${out}`);
  } finally {
    client?.close();
    plainClient?.close();
    kit?.kill();
    if (plainStarted)
      await execFileP(process.execPath, [CAIRN, 'down', '--dir', plainDir], { timeout: 60_000 }).catch(() => undefined);
    if (clusterStarted)
      await execFileP(process.execPath, [CAIRN, 'down', '--dir', clusterDir], { timeout: 60_000 }).catch(
        () => undefined,
      );
    rmSync(dir, { recursive: true, force: true });
  }
}
