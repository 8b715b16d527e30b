// npm run bench -- datapath
// In one run, with fio's nbd engine (--ioengine=nbd --uri=...), on one machine and one filesystem:
// (a) nbdkit's file plugin serving a 1 GiB file (the baseline); (b) a cairn volume with 1 replica;
// (c) a cairn volume with 3 replicas. Both volumes live on a 3-node `cairn up --detach` cluster in
// a temp dir and are attached to node-1; the baseline file sits in the same temp dir.
// Workloads: 4k random read IOPS at QD32 (after the region is prefilled, so reads hit data), 4k
// random write IOPS at QD32, 128k sequential write bandwidth at QD8, 4k write latency at QD1.
// Every job starts after a `sync`, so none pays for the writeback of the one before it. The three
// are measured workload by workload, back to back, so that load drift on a shared machine hits
// them alike.
// Targets for 3 replicas, as ratios to (a): randread >= 0.7, randwrite >= 0.3, seqwrite >= 0.6.
// The bench reports PASS/FAIL and exits 0 either way.
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

interface Workload { key: 'randread' | 'randwrite' | 'seqwrite' | 'writeLatency'; name: string; rw: string; bs: string; iodepth: number }

const WORKLOADS: Workload[] = [
  { key: 'randread', name: 'randread-4k-qd32', rw: 'randread', bs: '4k', iodepth: 32 },
  { key: 'randwrite', name: 'randwrite-4k-qd32', rw: 'randwrite', bs: '4k', iodepth: 32 },
  { key: 'seqwrite', name: 'seqwrite-128k-qd8', rw: 'write', bs: '128k', iodepth: 8 },
  { key: 'writeLatency', name: 'write-4k-qd1', rw: 'randwrite', bs: '4k', iodepth: 1 },
];

interface FioResult { iops: number; bandwidthMiBs: number; meanLatencyUs: number; p99LatencyUs: number }
interface FioSide { iops: number; bw_bytes: number; lat_ns: { mean: number; percentile?: Record<string, number> } }

/** One fio job with the nbd engine against `uri` (after packages/datapath/test/nbd-bench.ts). */
async function fio(uri: string, w: { name: string; rw: string; bs: string; iodepth: number }, seconds: number | null): Promise<FioResult> {
  const timing = seconds === null ? [] : ['--time_based', `--runtime=${seconds}`, '--ramp_time=1'];
  const { stdout } = await execFileP('fio', [
    `--name=${w.name}`, '--ioengine=nbd', `--uri=${uri}`, `--rw=${w.rw}`, `--bs=${w.bs}`, `--iodepth=${w.iodepth}`,
    `--size=${REGION}`, '--lat_percentiles=1', '--output-format=json', ...timing,
  ], { timeout: ((seconds ?? 600) + 60) * 1000, maxBuffer: 64 * 2 ** 20 }).catch((e: Error & { stderr?: string }) => {
    throw new Error(`fio ${w.name} on ${uri} failed: ${e.stderr || e.message}`);
  });
  const job = (JSON.parse(stdout.slice(stdout.indexOf('{'))) as { jobs: Array<{ read: FioSide; write: FioSide; error: number }> }).jobs[0]!;
  if (job.error) throw new Error(`fio ${w.name} on ${uri}: error ${job.error}`);
  const side = w.rw.includes('read') ? job.read : job.write;
  return {
    iops: Math.round(side.iops),
    bandwidthMiBs: Math.round((side.bw_bytes / 2 ** 20) * 10) / 10,
    meanLatencyUs: Math.round(side.lat_ns.mean / 100) / 10,
    p99LatencyUs: Math.round((side.lat_ns.percentile?.['99.000000'] ?? 0) / 100) / 10,
  };
}

/** Writes the whole region once (1 MiB sequential, QD8) so random reads hit data, not holes. */
async function prefill(uri: string): Promise<{ seconds: number; bandwidthMiBs: number }> {
  const t0 = performance.now();
  const r = await fio(uri, { name: 'prefill', rw: 'write', bs: '1m', iodepth: 8 }, null);
  return { seconds: Math.round((performance.now() - t0) / 100) / 10, bandwidthMiBs: r.bandwidthMiBs };
}

/**
 * Writes back all dirty pages, so that no job pays for the writeback of the one before it (the
 * baseline's last job leaves gigabytes of dirty page cache that would otherwise land on (b)).
 */
async function settle(): Promise<void> {
  await execFileP('sync', [], { timeout: 300_000 });
}

type Measured = { prefill: { seconds: number; bandwidthMiBs: number } } & Record<Workload['key'], FioResult>;

/**
 * Measures the targets workload by workload, (a), (b) and (c) back to back for each, so that all
 * three see the machine in much the same state: on a shared machine the load drifts over minutes,
 * and measuring all of (a) first and all of (c) last turned that drift into the ratios.
 */
async function measureAll(targets: { label: string; uri: string }[]): Promise<Measured[]> {
  const out = targets.map(() => ({}) as Partial<Measured>);
  for (const [i, t] of targets.entries()) {
    process.stdout.write(`${t.label}: prefill\n`);
    await settle();
    out[i]!.prefill = await prefill(t.uri);
  }
  for (const w of WORKLOADS) {
    process.stdout.write(`${w.name}:`);
    for (const [i, t] of targets.entries()) {
      process.stdout.write(` ${t.label}`);
      await settle();
      out[i]![w.key] = await fio(t.uri, w, SECONDS);
    }
    process.stdout.write('\n');
  }
  return out as Measured[];
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T | null | undefined | false>): Promise<T> {
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
    (client as unknown as Record<string, (r: object, o: object, cb: (e: Error | null, r?: T) => void) => void>)[method]!
      .call(client, req, { deadline: Date.now() + 15_000 }, (e, r) => (e ? reject(e) : resolve(r as T))));

/** Creates a volume, waits for its replicas to run, attaches it to node-1 and returns it once served. */
async function attachedVolume(client: AdminClient, name: string, replicas: number): Promise<Volume__Output> {
  await unary(client, 'CreateVolume', { name, size: VOLUME_SIZE, numberOfReplicas: replicas });
  await until(`${replicas} running replica(s) of ${name}`, 60_000, async () =>
    (await unary<Volume__Output>(client, 'GetVolume', { name })).replicas.filter((r) => r.state === 'running').length === replicas);
  await unary(client, 'AttachVolume', { name, nodeId: 'node-1' });
  return until(`${name} attached to node-1`, 60_000, async () => {
    const v = await unary<Volume__Output>(client, 'GetVolume', { name });
    return v.state === 'attached' && v.endpoint ? v : null;
  });
}

async function tool(cmd: string, args: string[]): Promise<string> {
  return (await execFileP(cmd, args).catch(() => ({ stdout: '' }))).stdout.trim();
}

export default async function run(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'cairn-bench-datapath-'));
  const clusterDir = join(dir, 'cluster');
  let kit: ChildProcess | undefined;
  let client: AdminClient | undefined;
  let clusterStarted = false;
  // The machine may be shared: the load before and after says how much the figures can be trusted.
  const loadBefore = loadavg().map((x) => Math.round(x * 100) / 100);
  try {
    // (a) the baseline: nbdkit's file plugin on a sparse 1 GiB file in the same temp dir.
    const file = join(dir, 'baseline.img');
    writeFileSync(file, '');
    await execFileP('truncate', ['-s', String(VOLUME_SIZE), file]);
    const kitPort = await freePort();
    kit = spawn('nbdkit', ['--exit-with-parent', '-f', '-p', String(kitPort), '-i', '127.0.0.1', 'file', file], { stdio: 'ignore' });
    const kitUri = `nbd://127.0.0.1:${kitPort}/`;
    await until('nbdkit to listen', 10_000, async () => (await execFileP('nbdinfo', ['--size', kitUri])).stdout.trim() === String(VOLUME_SIZE));

    // The cluster: 3 nodes, both volumes attached to node-1.
    clusterStarted = true;
    await execFileP(process.execPath, [CAIRN, 'up', '--detach', '--dir', clusterDir, '--nodes', '3'], { timeout: 120_000 });
    const info = JSON.parse(readFileSync(join(clusterDir, 'cluster.json'), 'utf8')) as { admin: string; token: string };
    client = adminClient(info.admin, { token: readFileSync(info.token, 'utf8').trim() });
    const one = await attachedVolume(client, 'bench-r1', 1);
    const three = await attachedVolume(client, 'bench-r3', 3);

    const [baseline, r1, r3] = (await measureAll([
      { label: '(a) nbdkit file', uri: kitUri },
      { label: '(b) cairn, 1 replica', uri: one.endpoint },
      { label: '(c) cairn, 3 replicas', uri: three.endpoint },
    ])) as [Measured, Measured, Measured];
    kit.kill();
    kit = undefined;

    const ratio = (x: number, base: number): number => Math.round((x / base) * 100) / 100;
    const ratios = (m: typeof r1) => ({
      randreadIops: ratio(m.randread.iops, baseline.randread.iops),
      randwriteIops: ratio(m.randwrite.iops, baseline.randwrite.iops),
      seqwriteBandwidth: ratio(m.seqwrite.bandwidthMiBs, baseline.seqwrite.bandwidthMiBs),
      writeLatencyMean: ratio(m.writeLatency.meanLatencyUs, baseline.writeLatency.meanLatencyUs),
      writeLatencyP99: ratio(m.writeLatency.p99LatencyUs, baseline.writeLatency.p99LatencyUs),
    });
    const r3Ratios = ratios(r3);
    const fsType = (await tool('findmnt', ['-n', '-o', 'FSTYPE', '-T', dir])) || (await tool('stat', ['-f', '-c', '%T', dir]));
    const result = {
      machine: {
        cpus: cpus().length, cpuModel: cpus()[0]?.model ?? '', memoryGiB: Math.round(totalmem() / GiB), kernel: release(),
        node: process.version, fio: await tool('fio', ['--version']), nbdkit: (await tool('nbdkit', ['--version'])).split('\n')[0],
        filesystem: fsType, loadAverageBefore: loadBefore, loadAverageAfter: loadavg().map((x) => Math.round(x * 100) / 100),
      },
      setup: {
        engine: 'fio --ioengine=nbd, one job, one connection; sync before each job', order: 'workload by workload, (a) (b) (c) back to back', region: REGION, secondsPerWorkload: SECONDS, rampSeconds: 1,
        volumeSize: VOLUME_SIZE, cluster: '3 nodes from cairn up --detach, volumes attached to node-1',
        baseline: 'nbdkit file plugin, sparse 1 GiB file on the same filesystem',
        replicaNodes: { oneReplica: one.replicas.map((r) => r.node), threeReplicas: three.replicas.map((r) => r.node) },
        workloads: WORKLOADS.map(({ key, name, rw, bs, iodepth }) => ({ key, name, rw, bs, iodepth })),
      },
      baseline,
      oneReplica: { ...r1, ratios: ratios(r1) },
      threeReplicas: { ...r3, ratios: r3Ratios },
      targets: {
        randread: { want: '>= 0.7', got: r3Ratios.randreadIops, ok: r3Ratios.randreadIops >= 0.7 },
        randwrite: { want: '>= 0.3', got: r3Ratios.randwriteIops, ok: r3Ratios.randwriteIops >= 0.3 },
        seqwrite: { want: '>= 0.6', got: r3Ratios.seqwriteBandwidth, ok: r3Ratios.seqwriteBandwidth >= 0.6 },
      },
    };
    const out = writeResult('datapath', result);

    console.log(`\ndatapath benchmark (fio nbd engine, ${SECONDS} s per workload over ${REGION}, ${result.machine.cpus} CPUs, ${fsType}, ${result.machine.fio}; load average ${loadBefore[0]} before, ${result.machine.loadAverageAfter[0]} after)`);
    const row = (m: typeof r1, base = baseline) => ({
      'randread 4k QD32 IOPS': `${m.randread.iops} (${ratio(m.randread.iops, base.randread.iops)})`,
      'randwrite 4k QD32 IOPS': `${m.randwrite.iops} (${ratio(m.randwrite.iops, base.randwrite.iops)})`,
      'seqwrite 128k QD8 MiB/s': `${m.seqwrite.bandwidthMiBs} (${ratio(m.seqwrite.bandwidthMiBs, base.seqwrite.bandwidthMiBs)})`,
      'write 4k QD1 mean/p99 us': `${m.writeLatency.meanLatencyUs} / ${m.writeLatency.p99LatencyUs}`,
    });
    console.table({ '(a) nbdkit file': row(baseline), '(b) cairn 1 replica': row(r1), '(c) cairn 3 replicas': row(r3) });
    const t = result.targets;
    const verdict = (x: { want: string; got: number; ok: boolean }): string => `${x.got} (want ${x.want}) ${x.ok ? 'PASS' : 'FAIL'}`;
    console.log(`targets for 3 replicas vs (a): randread ${verdict(t.randread)}; randwrite ${verdict(t.randwrite)}; seqwrite ${verdict(t.seqwrite)}`);
    console.log(`wrote ${out}`);
  } finally {
    client?.close();
    kit?.kill();
    if (clusterStarted) await execFileP(process.execPath, [CAIRN, 'down', '--dir', clusterDir], { timeout: 60_000 }).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}
