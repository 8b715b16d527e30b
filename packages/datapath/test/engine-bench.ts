// A quick benchmark of the whole data path without a cluster, for profiling: this process plays
// node-1's agent (the NBD server, the engine and a local ReplicaStore used in-process), and each
// further replica is a ReplicaServer in a child process (as node-2 and node-3 agents would be),
// reached over loopback TCP. Optionally nbdkit's file plugin on the same filesystem as a baseline.
//   node packages/datapath/dist/test/engine-bench.js [--replicas N] [--seconds S] [--only a,b] [--baseline]
// Profile with `node --cpu-prof --cpu-prof-dir=DIR ...`; CAIRN_BENCH_CHILD_ARGS adds node flags to
// the replica children (e.g. "--cpu-prof --cpu-prof-dir=DIR").
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Engine, NbdServer, ReplicaClient, ReplicaStore } from '../src/index.js';
import type { BlockBackend, EngineReplica } from '../src/index.js';
import { fioNbd, WORKLOADS } from './nbd-bench.js';
import type { FioResult } from './nbd-bench.js';
import { freePort, run, sleep } from './nbd-support.js';

const SIZE = 2 ** 30;
/**
 * Every target is prefilled alike: fio, sequential 64 KiB writes at QD8 over the whole region. The
 * size matters: the page cache sizes its folios by the writes that create them, and later 4 KiB
 * overwrites cost in proportion (file-io.ts); the replica store writes in 64 KiB pieces, so with
 * 64 KiB prefills both files end up alike.
 */
export const PREFILL_ARGS = ['--name=prefill', '--ioengine=nbd', '--rw=write', '--bs=64k', '--iodepth=8', '--size=1g'];

/** The engine as the NBD server sees it, counting the FLUSHes that reach it (proof that a workload sends them). */
function counted(b: BlockBackend): BlockBackend & { flushes: number } {
  const c = {
    flushes: 0,
    get size() {
      return b.size;
    },
    read: (o: number, l: number) => b.read(o, l),
    write: (o: number, d: Buffer, fua?: boolean) => b.write(o, d, fua),
    writeParts: (o: number, p: Buffer[], fua?: boolean) => b.writeParts!(o, p, fua),
    flush: () => {
      c.flushes++;
      return b.flush();
    },
    trim: (o: number, l: number) => b.trim(o, l),
    writeZeroes: (o: number, l: number, fua?: boolean) => b.writeZeroes(o, l, fua),
  };
  return c;
}

/** CPU seconds (user + system, all threads) a process has used so far. */
function cpuSeconds(pid: number | string, mainThreadOnly = false): number {
  try {
    const stat = readFileSync(
      mainThreadOnly ? `/proc/${pid}/task/${pid === 'self' ? process.pid : pid}/stat` : `/proc/${pid}/stat`,
      'utf8',
    );
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
  } catch {
    return 0;
  }
}

function startChild(dir: string, id: string, secret: string): Promise<{ child: ChildProcess; port: number }> {
  const extra = (process.env.CAIRN_BENCH_CHILD_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(
    process.execPath,
    [...extra, fileURLToPath(new URL('./replica-server-child.js', import.meta.url)), dir, id, secret, String(SIZE)],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const nl = out.indexOf('\n');
      if (nl >= 0) resolve({ child, port: (JSON.parse(out.slice(0, nl)) as { port: number }).port });
    });
    child.on('exit', (code) => reject(new Error(`replica child exited with ${code}`)));
  });
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      replicas: { type: 'string', default: '3' },
      seconds: { type: 'string', default: '5' },
      only: { type: 'string' },
      baseline: { type: 'boolean', default: false },
      noprefill: { type: 'boolean', default: false },
      'no-inline': { type: 'boolean', default: false },
    },
  });
  const replicas = Number(values.replicas);
  const seconds = Number(values.seconds);
  const only = values.only?.split(',');
  const workloads = WORKLOADS.filter((w) => !only || only.some((o) => w.name.startsWith(o)));
  const dir = await mkdtemp(join(tmpdir(), 'cairn-engine-bench-'));
  const children: ChildProcess[] = [];
  let kit: ChildProcess | undefined;
  const server = new NbdServer({ exports: (n) => (n === 'bench' ? served : undefined) });
  let engine: Engine | undefined;
  let served: ReturnType<typeof counted> | undefined;
  try {
    const secret = randomBytes(16).toString('hex');
    const inlineIo = !values['no-inline'];
    if (!inlineIo) process.env.CAIRN_STORE_INLINE_IO = '0'; // for the children
    const members: EngineReplica[] = [
      { id: 'r0', replica: await ReplicaStore.create(join(dir, 'r0'), SIZE, { inlineIo }), local: true },
    ];
    for (let i = 1; i < replicas; i++) {
      const { child, port } = await startChild(join(dir, `r${i}`), `r${i}`, secret);
      children.push(child);
      members.push({
        id: `r${i}`,
        replica: await ReplicaClient.connect(`127.0.0.1:${port}`, `r${i}`, secret),
        local: false,
      });
    }
    engine = await Engine.open('bench', members, {
      onReplicaFailed: (id, why) => console.error(`replica ${id} failed: ${why}`),
    });
    served = counted(engine);
    const { port } = await server.listen(0, '127.0.0.1');
    const uris: [string, string][] = [[`cairn ${replicas}r`, `nbd://127.0.0.1:${port}/bench`]];
    if (values.baseline) {
      const file = join(dir, 'baseline.img');
      await writeFile(file, '');
      await truncate(file, SIZE);
      const kitPort = await freePort();
      kit = spawn('nbdkit', ['--exit-with-parent', '-f', '-p', String(kitPort), '-i', '127.0.0.1', 'file', file], {
        stdio: 'ignore',
      });
      await sleep(500);
      uris.unshift(['nbdkit file', `nbd://127.0.0.1:${kitPort}/`]);
    }
    const results = new Map<string, Map<string, FioResult>>();
    for (const [label, uri] of uris) {
      // The whole region once, as the datapath bench does, so that reads and overwrites hit data.
      if (!values.noprefill) await run('fio', [...PREFILL_ARGS, `--uri=${uri}`], 300_000);
      const m = new Map<string, FioResult>();
      results.set(label, m);
      for (const w of workloads) {
        await run('sync', [], 300_000); // as the datapath bench: no job pays for the writeback of the one before
        const pids = label === 'nbdkit file' ? [kit!.pid!] : ['self', ...children.map((c) => c.pid!)];
        const before = pids.map((p) => cpuSeconds(p));
        const beforeMain = pids.map((p) => cpuSeconds(p, true));
        const flushesBefore = served!.flushes;
        const r = await fioNbd(uri, w, seconds);
        // CPU per I/O of the server side (this process and the replica children; nbdkit for the
        // baseline), over the job's whole run including its ramp: less sensitive to a busy machine.
        const cpu = pids.map((p, i) => cpuSeconds(p) - before[i]!);
        const cpuMain = pids.map((p, i) => cpuSeconds(p, true) - beforeMain[i]!);
        const perIo = (cpu.reduce((a, b) => a + b, 0) / (r.iops * (seconds + 1))) * 1e6;
        m.set(w.name, r);
        const flushes = label === 'nbdkit file' ? '' : `, ${served!.flushes - flushesBefore} FLUSH at the server`;
        console.log(
          `${label.padEnd(12)} ${w.name.padEnd(20)} ${String(r.iops).padStart(7)} IOPS ` +
            `${r.bandwidthMiBs.toFixed(1).padStart(7)} MiB/s ${r.meanLatencyUs.toFixed(0).padStart(6)} us mean ` +
            `${r.p99LatencyUs.toFixed(0).padStart(6)} us p99  ` +
            `cpu ${cpu.map((c, i) => `${c.toFixed(1)}(main ${cpuMain[i]!.toFixed(1)})`).join('+')} s, ` +
            `~${perIo.toFixed(0)} us/io${r.syncs ? `, fio ${r.syncs} FLUSH` : ''}${flushes}`,
        );
      }
    }
  } finally {
    await server.close();
    await engine?.close();
    kit?.kill();
    for (const c of children) c.kill('SIGINT');
    await sleep(300);
    await rm(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
