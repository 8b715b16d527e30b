// What a flush costs on a ReplicaStore, on this machine's disk: the latency of write+FLUSH pairs
// (4 KiB overwrites of allocated blocks: only the revision changes in the map; and writes into
// new blocks: map pages change too) and the rate of FUA writes with 16 in flight (group commit).
//   node packages/datapath/dist/test/flush-bench.js [rounds]
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ReplicaStore } from '../src/index.js';

const KiB = 1024;
const MiB = 1024 * KiB;
const rounds = Number(process.argv[2] ?? 300);

const dir = await mkdtemp(join(tmpdir(), 'cairn-flush-bench-'));
try {
  const s = await ReplicaStore.create(dir, 1024 * MiB);
  await s.write(0, Buffer.alloc(16 * MiB, 1), true);
  const block = Buffer.alloc(4 * KiB, 7);
  // Median and 90th percentile, not the mean: on a shared machine a few stalls dominate a mean.
  const time = async (what: string, n: number, one: (i: number) => Promise<unknown>): Promise<void> => {
    const took: number[] = [];
    for (let i = 0; i < n; i++) {
      const started = performance.now();
      await one(i);
      took.push(performance.now() - started);
    }
    took.sort((x, y) => x - y);
    const at = (q: number) => took[Math.min(n - 1, Math.floor(q * n))]!.toFixed(3);
    console.log(`${what.padEnd(40)} median ${at(0.5)} ms, p90 ${at(0.9)} ms (${n})`);
  };
  await time('overwrite 4 KiB + flush (revision only)', rounds, async (i) => {
    await s.write(((i * 7919) % 4096) * 4 * KiB, block);
    await s.flush();
  });
  await time('new 4 KiB block + flush (map page too)', rounds, async (i) => {
    await s.write(16 * MiB + ((i * 64 * MiB) % (1000 * MiB)) + (i % 16) * 4 * KiB, block);
    await s.flush();
  });
  await time('16 FUA 4 KiB overwrites at once', Math.ceil(rounds / 4), (i) =>
    Promise.all(Array.from({ length: 16 }, (_, k) => s.write((((i * 16 + k) * 7919) % 4096) * 4 * KiB, block, true))),
  );
  await s.close();
} finally {
  await rm(dir, { recursive: true, force: true });
}
