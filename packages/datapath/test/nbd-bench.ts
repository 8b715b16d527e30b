// A small benchmark of the NBD frontend with fio's nbd engine: the four workloads against
// a memory-backed export served by NbdServer and, for reference, nbdkit's memory plugin; with
// --transports, the same export over TCP loopback, the unix socket (the agent's default) and TCP
// with TLS (STARTTLS, client certificate), as ratios to TCP.
//   node packages/datapath/dist/test/nbd-bench.js [seconds per workload, default 5] [--transports]
// fioNbd() is exported for the official datapath benchmark to reuse.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MemoryBackend, NbdServer, nbdUri } from '../src/index.js';
import { makeTestPki } from './nbd-pki.js';
import { freePort, run, sleep } from './nbd-support.js';

/** `fsync`: fio's --fsync=N, a FLUSH after every N writes (fio's nbd engine sends NBD_CMD_FLUSH for it; it refuses --fdatasync). */
export interface Workload {
  name: string;
  rw: string;
  bs: string;
  iodepth: number;
  fsync?: number;
}

/**
 * The workloads: 4k random read and write at QD32, 4k write at QD1, 4k writes each followed
 * by a FLUSH at QD1 and QD8, 128k sequential write at QD8. The sequential write comes last: it
 * rewrites the region in 128 KiB writes, which changes the page-cache folios every later 4 KiB
 * overwrite lands in (and differently for nbdkit's one write than for cairn's 64 KiB pieces).
 */
export const WORKLOADS: Workload[] = [
  { name: 'randread-4k-qd32', rw: 'randread', bs: '4k', iodepth: 32 },
  { name: 'randwrite-4k-qd32', rw: 'randwrite', bs: '4k', iodepth: 32 },
  { name: 'write-4k-qd1', rw: 'randwrite', bs: '4k', iodepth: 1 },
  { name: 'fsync-4k-qd1', rw: 'randwrite', bs: '4k', iodepth: 1, fsync: 1 },
  { name: 'fsync-4k-qd8', rw: 'randwrite', bs: '4k', iodepth: 8, fsync: 1 },
  { name: 'seqwrite-128k-qd8', rw: 'write', bs: '128k', iodepth: 8 },
];

/** `ios`: I/Os of the job's direction done in the measured time; `syncs`: FLUSHes fio sent (and saw complete). */
export interface FioResult {
  iops: number;
  bandwidthMiBs: number;
  meanLatencyUs: number;
  p99LatencyUs: number;
  ios: number;
  syncs: number;
}

interface FioSide {
  iops: number;
  bw_bytes: number;
  total_ios: number;
  lat_ns: { mean: number };
  clat_ns?: { percentile?: Record<string, number> };
}

/** Runs one time-based fio job with the nbd engine against `uri` and returns what it measured. */
export async function fioNbd(uri: string, w: Workload, seconds: number, size = '1g'): Promise<FioResult> {
  const r = await run(
    'fio',
    [
      `--name=${w.name}`,
      '--ioengine=nbd',
      `--uri=${uri}`,
      `--rw=${w.rw}`,
      `--bs=${w.bs}`,
      `--iodepth=${w.iodepth}`,
      `--size=${size}`,
      '--time_based',
      `--runtime=${seconds}`,
      '--ramp_time=1',
      '--output-format=json',
      ...(w.fsync ? [`--fsync=${w.fsync}`] : []),
    ],
    (seconds + 30) * 1000,
  );
  if (r.code !== 0) throw new Error(`fio ${w.name} failed: ${r.stderr}`);
  const job = (
    JSON.parse(r.stdout.slice(r.stdout.indexOf('{'))) as {
      jobs: Array<{ read: FioSide; write: FioSide; sync?: { total_ios: number } }>;
    }
  ).jobs[0]!;
  const side = w.rw.includes('read') ? job.read : job.write;
  return {
    ios: side.total_ios,
    syncs: job.sync?.total_ios ?? 0,
    iops: Math.round(side.iops),
    bandwidthMiBs: Math.round((side.bw_bytes / 2 ** 20) * 10) / 10,
    meanLatencyUs: Math.round(side.lat_ns.mean / 100) / 10,
    p99LatencyUs: Math.round((side.clat_ns?.percentile?.['99.000000'] ?? 0) / 100) / 10,
  };
}

/** One export on three listeners: TCP loopback, a unix socket, TCP loopback with TLS required. */
async function transports(seconds: number): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'cairn-nbd-bench-'));
  const pki = makeTestPki(dir);
  const backend = new MemoryBackend(2 ** 30);
  const server = new NbdServer({ exports: (n) => (n === 'bench' ? backend : undefined) });
  const tcp = (await server.listen(0, '127.0.0.1')).port;
  const socket = join(dir, 'run', 'nbd.sock');
  await server.listenUnix(socket);
  const tlsPort = (await server.listen(0, '127.0.0.1', pki.server)).port;
  const uris: [string, string][] = [
    ['tcp', nbdUri({ kind: 'tcp', host: '127.0.0.1', port: tcp }, tcp, 'bench')],
    ['unix', nbdUri({ kind: 'unix', path: socket }, 0, 'bench')],
    [
      'tls',
      `${nbdUri({ kind: 'tcp', host: '127.0.0.1', port: tlsPort, tls: pki.server }, tlsPort, 'bench')}?tls-certificates=${pki.clientDir}`,
    ],
  ];
  try {
    await fioNbd(uris[0]![1], { name: 'fill', rw: 'write', bs: '64k', iodepth: 8 }, 3);
    // fio's nbd engine refuses URIs naming local files (tls-certificates): fio compares TCP and
    // the unix socket; nbdcopy (which allows them) compares all three on a sequential copy.
    console.log(`fio, IOPS              tcp       unix   unix/tcp`);
    for (const w of WORKLOADS) {
      const a = (await fioNbd(uris[0]![1], w, seconds)).iops;
      const b = (await fioNbd(uris[1]![1], w, seconds)).iops;
      console.log(
        `${w.name.padEnd(21)} ${String(a).padStart(8)} ${String(b).padStart(8)} ${(b / a).toFixed(2).padStart(8)}`,
      );
    }
    const file = join(dir, 'copy.bin');
    await run('dd', ['if=/dev/urandom', `of=${file}`, 'bs=1M', 'count=256'], 60_000);
    const copy = async (args: string[]): Promise<number> => {
      const t0 = process.hrtime.bigint();
      const r = await run('nbdcopy', args, 120_000);
      if (r.code !== 0) throw new Error(`nbdcopy ${args.join(' ')}: ${r.stderr}`);
      return 256 / (Number(process.hrtime.bigint() - t0) / 1e9);
    };
    console.log(`nbdcopy 256 MiB, MiB/s ${uris.map(([n]) => n.padStart(8)).join(' ')}   unix/tcp  tls/tcp`);
    for (const [what, args] of [
      ['write', (u: string) => [file, u]],
      ['read', (u: string) => [u, 'null:']],
    ] as [string, (u: string) => string[]][]) {
      const r: number[] = [];
      for (const [, uri] of uris) r.push(await copy(args(uri)));
      console.log(
        `${what.padEnd(21)} ${r.map((x) => x.toFixed(0).padStart(8)).join(' ')} ` +
          `${(r[1]! / r[0]!).toFixed(2).padStart(10)} ${(r[2]! / r[0]!).toFixed(2).padStart(8)}`,
      );
    }
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const seconds = Number(process.argv.slice(2).find((a) => /^\d+$/.test(a)) ?? 5);
  if (process.argv.includes('--transports')) return transports(seconds);
  const server = new NbdServer({ exports: (n) => (n === 'bench' ? backend : undefined) });
  const backend = new MemoryBackend(2 ** 30);
  const { port } = await server.listen(0, '127.0.0.1');
  const kitPort = await freePort();
  const kit = spawn(
    'nbdkit',
    ['--foreground', '--exit-with-parent', '-p', String(kitPort), '-i', '127.0.0.1', 'memory', '1G'],
    { stdio: 'ignore' },
  );
  await sleep(500);
  try {
    // Fill both so reads do not just return holes.
    for (const uri of [`nbd://127.0.0.1:${port}/bench`, `nbd://127.0.0.1:${kitPort}/`]) {
      await fioNbd(uri, { name: 'fill', rw: 'write', bs: '64k', iodepth: 8 }, 3);
    }
    console.log(`workload              cairn (memory)                  nbdkit memory                   ratio`);
    for (const w of WORKLOADS) {
      const a = await fioNbd(`nbd://127.0.0.1:${port}/bench`, w, seconds);
      const b = await fioNbd(`nbd://127.0.0.1:${kitPort}/`, w, seconds);
      const fmt = (x: FioResult): string =>
        `${String(x.iops).padStart(7)} IOPS ${x.bandwidthMiBs.toFixed(0).padStart(5)} MiB/s ${x.meanLatencyUs.toFixed(0).padStart(5)} us`;
      console.log(`${w.name.padEnd(21)} ${fmt(a)}   ${fmt(b)}   ${(a.iops / b.iops).toFixed(2)}`);
    }
  } finally {
    kit.kill();
    await server.close();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
