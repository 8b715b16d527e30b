// A small benchmark of the NBD frontend with fio's nbd engine: the four workloads against
// a memory-backed export served by NbdServer and, for reference, nbdkit's memory plugin.
//   node packages/datapath/dist/test/nbd-bench.js [seconds per workload, default 5]
// fioNbd() is exported for the official datapath benchmark to reuse.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { MemoryBackend, NbdServer } from '../src/index.js';
import { freePort, run, sleep } from './nbd-support.js';

export interface Workload { name: string; rw: string; bs: string; iodepth: number }

/** The workloads: 4k random read and write at QD32, 128k sequential write at QD8, 4k write at QD1. */
export const WORKLOADS: Workload[] = [
  { name: 'randread-4k-qd32', rw: 'randread', bs: '4k', iodepth: 32 },
  { name: 'randwrite-4k-qd32', rw: 'randwrite', bs: '4k', iodepth: 32 },
  { name: 'seqwrite-128k-qd8', rw: 'write', bs: '128k', iodepth: 8 },
  { name: 'write-4k-qd1', rw: 'randwrite', bs: '4k', iodepth: 1 },
];

export interface FioResult { iops: number; bandwidthMiBs: number; meanLatencyUs: number; p99LatencyUs: number }

interface FioSide { iops: number; bw_bytes: number; lat_ns: { mean: number }; clat_ns?: { percentile?: Record<string, number> } }

/** Runs one time-based fio job with the nbd engine against `uri` and returns what it measured. */
export async function fioNbd(uri: string, w: Workload, seconds: number, size = '1g'): Promise<FioResult> {
  const r = await run('fio', [
    `--name=${w.name}`, '--ioengine=nbd', `--uri=${uri}`, `--rw=${w.rw}`, `--bs=${w.bs}`, `--iodepth=${w.iodepth}`,
    `--size=${size}`, '--time_based', `--runtime=${seconds}`, '--ramp_time=1', '--output-format=json',
  ], (seconds + 30) * 1000);
  if (r.code !== 0) throw new Error(`fio ${w.name} failed: ${r.stderr}`);
  const job = (JSON.parse(r.stdout.slice(r.stdout.indexOf('{'))) as { jobs: Array<{ read: FioSide; write: FioSide }> }).jobs[0]!;
  const side = w.rw.includes('read') ? job.read : job.write;
  return {
    iops: Math.round(side.iops),
    bandwidthMiBs: Math.round((side.bw_bytes / 2 ** 20) * 10) / 10,
    meanLatencyUs: Math.round(side.lat_ns.mean / 100) / 10,
    p99LatencyUs: Math.round((side.clat_ns?.percentile?.['99.000000'] ?? 0) / 100) / 10,
  };
}

async function main(): Promise<void> {
  const seconds = Number(process.argv[2] ?? 5);
  const server = new NbdServer({ exports: (n) => (n === 'bench' ? backend : undefined) });
  const backend = new MemoryBackend(2 ** 30);
  const { port } = await server.listen(0, '127.0.0.1');
  const kitPort = await freePort();
  const kit = spawn('nbdkit', ['--foreground', '--exit-with-parent', '-p', String(kitPort), '-i', '127.0.0.1', 'memory', '1G'], { stdio: 'ignore' });
  await sleep(500);
  try {
    // Fill both so reads do not just return holes.
    for (const uri of [`nbd://127.0.0.1:${port}/bench`, `nbd://127.0.0.1:${kitPort}/`]) {
      await fioNbd(uri, { name: 'fill', rw: 'write', bs: '1m', iodepth: 8 }, 3);
    }
    console.log(`workload              cairn (memory)                  nbdkit memory                   ratio`);
    for (const w of WORKLOADS) {
      const a = await fioNbd(`nbd://127.0.0.1:${port}/bench`, w, seconds);
      const b = await fioNbd(`nbd://127.0.0.1:${kitPort}/`, w, seconds);
      const fmt = (x: FioResult): string => `${String(x.iops).padStart(7)} IOPS ${x.bandwidthMiBs.toFixed(0).padStart(5)} MiB/s ${x.meanLatencyUs.toFixed(0).padStart(5)} us`;
      console.log(`${w.name.padEnd(21)} ${fmt(a)}   ${fmt(b)}   ${(a.iops / b.iops).toFixed(2)}`);
    }
  } finally {
    kit.kill();
    await server.close();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
