// npm run bench -- replica-protocol
// The replica protocol over loopback, one connection, pipelined: 4 KiB random writes then 4 KiB
// random reads (20,000 of each, queue depth 256, the same offsets), through a ReplicaClient to a
// ReplicaServer in this process. Baseline, run the same way in the same run: the same operations
// at the same depth straight on a ReplicaStore (what the server does for each request, without the
// framing, the authentication and the socket). Reported: IOPS of both and their ratio. Moved here
// from packages/datapath/test/replica-protocol.test.ts, where it printed a figure and checked
// nothing (issue 18). No target: the ratio is what the protocol costs on this machine.
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { ReplicaClient, ReplicaServer, ReplicaStore } from '@cairn/datapath';
import { writeResult } from './results.js';

const OPS = Number(process.env.CAIRN_BENCH_OPS ?? 20_000);
const DEPTH = 256;
const BLOCK = 4096;
const BLOCKS = 16_384; // a 64 MiB region
const SECRET = 'bench-secret';

interface Target {
  write(offset: number, data: Buffer): Promise<void>;
  read(offset: number, length: number): Promise<Buffer>;
}

/** IOPS of `op` run OPS times, DEPTH at a time, over a fixed pseudo-random walk of the region. */
async function iops(op: (offset: number) => Promise<unknown>): Promise<number> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < OPS) {
      const i = next++;
      await op(((i * 7919) % BLOCKS) * BLOCK);
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: DEPTH }, worker));
  return OPS / ((performance.now() - t0) / 1000);
}

async function measure(t: Target): Promise<{ write: number; read: number }> {
  const data = Buffer.alloc(BLOCK, 0x5a);
  const write = await iops((off) => t.write(off, data));
  const read = await iops((off) => t.read(off, BLOCK));
  return { write: Math.round(write), read: Math.round(read) };
}

export default async function run(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'cairn-bench-proto-'));
  try {
    const direct = await ReplicaStore.create(join(dir, 'direct'), BLOCKS * BLOCK);
    const baseline = await measure(direct);
    await direct.close();

    const store = await ReplicaStore.create(join(dir, 'served'), BLOCKS * BLOCK);
    const server = new ReplicaServer();
    server.addReplica('r1', 'vol', store, SECRET);
    const a = await server.listen(0, '127.0.0.1');
    const client = await ReplicaClient.connect(`${a.host}:${a.port}`, 'r1', SECRET);
    const proto = await measure(client);
    await client.close();
    await server.close();
    await store.close();

    const ratio = { write: +(proto.write / baseline.write).toFixed(3), read: +(proto.read / baseline.read).toFixed(3) };
    console.log(`replica protocol, 4 KiB random, queue depth ${DEPTH}, ${OPS} ops each, one connection over loopback`);
    console.log(`  writes: ${proto.write} IOPS vs ${baseline.write} straight on the store (ratio ${ratio.write})`);
    console.log(`  reads:  ${proto.read} IOPS vs ${baseline.read} straight on the store (ratio ${ratio.read})`);
    const file = writeResult('replica-protocol', {
      when: new Date().toISOString(),
      machine: { cpus: cpus().length, loadBefore: loadavg()[0] },
      ops: OPS,
      depth: DEPTH,
      blockBytes: BLOCK,
      baseline,
      replicaProtocol: proto,
      ratio,
    });
    console.log(`results in ${file}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
