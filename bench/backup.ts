// npm run bench -- backup
// One s3rver (in its own process, data in a temp dir), one S3 client (an @cairn/backup store), one
// 1 GiB ReplicaStore filled with random data and snapshotted, in one run:
// (1) full backup vs the baseline: the same 2 MiB blocks read from the same snapshot and PUT as
//     plain objects with the same client and the same concurrency (no hashing, no gzip framing,
//     no dedup lookups, no config); run A-B-B-A so load drift hits both alike; the mean of each;
// (2) incremental backups after 4 KiB writes at random offsets: (a) 1% of the volume written
//     (2,621 writes spread over all 512 blocks), (b) the same bytes confined to 1% of the 2 MiB
//     blocks (a hot spot); reported: blocks read, blocks stored whole and as deltas (sub-block
//     incrementals), every byte PUT (blocks, deltas, the config, markers) as a share of the volume;
//     then a restore of (a) (blocks rebuilt from a base and a delta) checked by sha256 of the
//     whole volume against its snapshot;
// (3) restore of the full backup into a fresh ReplicaStore vs the baseline: GET of the same
//     objects with the same client, written to another fresh ReplicaStore (no gunzip, no sha256);
//     A-B-B-A again.
// CPU: the bench process's (client side: reading, hashing, gzip on the thread pool, the SDK) and
// s3rver's (utime+stime from /proc), each per MiB of volume data moved.
// Targets: backup / plain upload >= 0.8, restore / plain download >= 0.8 (throughput ratios);
// incremental after 1% random 4 KiB writes uploads <= 3% of the volume. PASS/MISS printed; a miss
// is not an error.
import { createHash, randomFillSync, randomInt } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { ReplicaStore } from '@cairn/datapath';
import { BACKUP_BLOCK_SIZE, createBackup, openStore, restoreBackup } from '@cairn/backup';
import type { BackupStore, CreateBackupResult } from '@cairn/backup';
import { startS3rver } from '@cairn/backup/testing';
import { writeResult } from './results.js';

const MiB = 2 ** 20;
const SIZE = Number(process.env.CAIRN_BENCH_BACKUP_MIB ?? 1024) * MiB;
const CONCURRENCY = 4;
const VOL = 'bench-vol';

const ticks = (pid: number): number => {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const p = f.slice(f.lastIndexOf(')') + 2).split(' ');
  return (Number(p[11]) + Number(p[12])) * 10; // clock ticks (100/s) -> ms
};

interface Run {
  seconds: number;
  mibPerSec: number;
  clientCpuMsPerMiB: number;
  serverCpuMsPerMiB: number;
}

async function measure(serverPid: number, mib: number, fn: () => Promise<void>): Promise<Run> {
  const c0 = process.cpuUsage();
  const s0 = ticks(serverPid);
  const t0 = process.hrtime.bigint();
  await fn();
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const c = process.cpuUsage(c0);
  const server = ticks(serverPid) - s0;
  return {
    seconds,
    mibPerSec: mib / seconds,
    clientCpuMsPerMiB: (c.user + c.system) / 1000 / mib,
    serverCpuMsPerMiB: server / mib,
  };
}

const mean = (runs: Run[]): Run => {
  const m = (k: keyof Run): number => runs.reduce((s, r) => s + r[k], 0) / runs.length;
  return {
    seconds: m('seconds'),
    mibPerSec: m('mibPerSec'),
    clientCpuMsPerMiB: m('clientCpuMsPerMiB'),
    serverCpuMsPerMiB: m('serverCpuMsPerMiB'),
  };
};

/** Runs fn over `n` indexes with `k` at once. */
async function pool(n: number, k: number, fn: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: k }, async () => {
      while (next < n) await fn(next++);
    }),
  );
}

/** `s` with every PUT counted (objects and bytes: blocks, deltas, configs, markers). */
function counted(s: BackupStore): BackupStore & { puts: number; putBytes: number } {
  const c = Object.create(s) as BackupStore & { puts: number; putBytes: number };
  c.puts = 0;
  c.putBytes = 0;
  c.put = async (key, body) => {
    await s.put(key, body);
    c.puts++;
    c.putBytes += body.length;
  };
  return c;
}

/** sha256 of `size` bytes read in 4 MiB pieces. */
async function digest(size: number, read: (off: number, len: number) => Promise<Buffer>): Promise<string> {
  const h = createHash('sha256');
  for (let off = 0; off < size; off += 4 * MiB) h.update(await read(off, Math.min(4 * MiB, size - off)));
  return h.digest('hex');
}

async function randomWrites(r: ReplicaStore, count: number, blocks: number[]): Promise<void> {
  const buf = Buffer.alloc(4096);
  for (let i = 0; i < count; i++) {
    const block = blocks[randomInt(blocks.length)]!;
    const off = block * BACKUP_BLOCK_SIZE + randomInt(BACKUP_BLOCK_SIZE / 4096) * 4096;
    randomFillSync(buf);
    await r.write(off, buf);
  }
}

export default async function bench(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'cairn-bench-backup-'));
  const s3 = await startS3rver('bench');
  const stores: BackupStore[] = [];
  try {
    const mib = SIZE / MiB;
    const blocks = SIZE / BACKUP_BLOCK_SIZE;
    console.log(
      `backup bench: ${mib} MiB volume, ${blocks} blocks of 2 MiB, concurrency ${CONCURRENCY}, s3rver pid ${s3.pid}, load ${loadavg()[0]!.toFixed(1)}`,
    );
    const src = await ReplicaStore.create(join(dir, 'src'), SIZE);
    const chunk = Buffer.alloc(4 * MiB);
    for (let off = 0; off < SIZE; off += chunk.length) await src.write(off, randomFillSync(chunk));
    await src.flush();
    await src.snapshot('s1');

    let n = 0;
    const fresh = (): BackupStore => {
      const s = openStore(`s3://bench@us-east-1/run${n++}`, s3.credentials);
      stores.push(s);
      return s;
    };
    const client = fresh();
    const plain = async (): Promise<void> =>
      pool(blocks, CONCURRENCY, async (i) => {
        const data = await src.readSnapshot('s1', i * BACKUP_BLOCK_SIZE, BACKUP_BLOCK_SIZE);
        await client.put(`plain/${i}`, data);
      });
    let full: CreateBackupResult | null = null;
    let fullStore: BackupStore | null = null;
    const backup = async (): Promise<void> => {
      const st = fresh();
      full = await createBackup(st, {
        volume: VOL,
        backup: 'full',
        snapshot: 's1',
        source: src,
        concurrency: CONCURRENCY,
      });
      fullStore = st;
    };
    // Warm-up (not measured): the client's connections, the code paths, s3rver's.
    await pool(Math.min(blocks, 16), CONCURRENCY, async (i) =>
      client.put(`warm/${i}`, await src.readSnapshot('s1', i * BACKUP_BLOCK_SIZE, BACKUP_BLOCK_SIZE)),
    );
    const upload: Record<'plain' | 'backup', Run[]> = { plain: [], backup: [] };
    for (const which of ['plain', 'backup', 'backup', 'plain'] as const) {
      const r = await measure(s3.pid, mib, which === 'plain' ? plain : backup);
      upload[which].push(r);
      console.log(
        `  upload ${which}: ${r.mibPerSec.toFixed(1)} MiB/s, client ${r.clientCpuMsPerMiB.toFixed(2)} ms CPU/MiB, ` +
          `s3rver ${r.serverCpuMsPerMiB.toFixed(2)} ms CPU/MiB`,
      );
    }
    const fullResult = full as unknown as CreateBackupResult;
    const store = fullStore as unknown as BackupStore;
    const upPlain = mean(upload.plain),
      upBackup = mean(upload.backup);

    // Incremental: (a) 1% of the volume in 4 KiB writes anywhere, (b) the same into 1% of the blocks.
    const writes = Math.round((SIZE * 0.01) / 4096);
    await randomWrites(
      src,
      writes,
      Array.from({ length: blocks }, (_, i) => i),
    );
    await src.snapshot('s2');
    const incremental = async (
      backup: string,
      snapshot: string,
      previous: CreateBackupResult,
    ): Promise<{ r: CreateBackupResult; seconds: number; puts: number; putBytes: number }> => {
      const st = counted(store);
      const t0 = process.hrtime.bigint();
      const r = await createBackup(st, {
        volume: VOL,
        backup,
        snapshot,
        source: src,
        previous: previous.info,
        concurrency: CONCURRENCY,
      });
      return { r, seconds: Number(process.hrtime.bigint() - t0) / 1e9, puts: st.puts, putBytes: st.putBytes };
    };
    const a = await incremental('inc-a', 's2', fullResult);
    const hot = Array.from({ length: Math.max(1, Math.round(blocks * 0.01)) }, () => randomInt(blocks));
    await randomWrites(src, writes, hot);
    await src.snapshot('s3');
    const b = await incremental('inc-b', 's3', a.r);
    const inc = ({ r, seconds, puts, putBytes }: Awaited<ReturnType<typeof incremental>>, label: string) => {
      const o = {
        writes,
        writtenBytes: writes * 4096,
        incremental: r.incremental,
        seconds,
        blocksRead: r.readBytes / BACKUP_BLOCK_SIZE,
        uploadedBlocks: r.uploadedBlocks,
        deltaBlocks: r.deltaBlocks,
        uploadedBytes: r.uploadedBytes,
        puts,
        putBytes,
        uploadedShare: putBytes / SIZE,
      };
      console.log(
        `  incremental ${label}: ${writes} writes (${(o.writtenBytes / MiB).toFixed(1)} MiB) in ${seconds.toFixed(1)} s, ` +
          `${o.blocksRead} blocks read, ${o.uploadedBlocks} stored whole, ${o.deltaBlocks} as deltas; ` +
          `${puts} PUTs of ${(putBytes / MiB).toFixed(2)} MiB (config included) = ` +
          `${(o.uploadedShare * 100).toFixed(2)}% of the volume`,
      );
      return o;
    };
    const incA = inc(a, '(a) spread over the volume');
    const incB = inc(b, '(b) within 1% of the blocks');
    // A restore of (a): its changed blocks are rebuilt from the full backup's block and a delta.
    const ra = await ReplicaStore.create(join(dir, 'restore-a'), SIZE);
    const raRun = await measure(s3.pid, mib, async () => {
      await restoreBackup(store, a.r.info.url, ra, { concurrency: CONCURRENCY });
    });
    const incARestoredEqual =
      (await digest(SIZE, (o, l) => ra.read(o, l))) === (await digest(SIZE, (o, l) => src.readSnapshot('s2', o, l)));
    await ra.close();
    await rm(join(dir, 'restore-a'), { recursive: true, force: true });
    console.log(
      `  restore of (a): ${raRun.mibPerSec.toFixed(1)} MiB/s, client ${raRun.clientCpuMsPerMiB.toFixed(2)} ms CPU/MiB; ` +
        `equal to s2 by sha256: ${incARestoredEqual}`,
    );

    // Restore of the full backup vs plain GETs of the same objects into a store of the same kind.
    const restore: Record<'plain' | 'restore', Run[]> = { plain: [], restore: [] };
    let restoredOk = true;
    for (const which of ['plain', 'restore', 'restore', 'plain'] as const) {
      const target = await ReplicaStore.create(join(dir, `r${n++}`), SIZE);
      const r = await measure(s3.pid, mib, async () => {
        if (which === 'restore') {
          await restoreBackup(store, fullResult.info.url, target, { concurrency: CONCURRENCY });
        } else {
          await pool(blocks, CONCURRENCY, async (i) => {
            const data = await client.get(`plain/${i}`);
            await target.write(i * BACKUP_BLOCK_SIZE, data);
          });
          await target.flush();
        }
      });
      if (which === 'restore')
        restoredOk &&= (await target.read(SIZE - MiB, MiB)).equals(await src.readSnapshot('s1', SIZE - MiB, MiB));
      await target.close();
      await rm(join(dir, `r${n - 1}`), { recursive: true, force: true });
      restore[which].push(r);
      console.log(
        `  download ${which}: ${r.mibPerSec.toFixed(1)} MiB/s, client ${r.clientCpuMsPerMiB.toFixed(2)} ms CPU/MiB, ` +
          `s3rver ${r.serverCpuMsPerMiB.toFixed(2)} ms CPU/MiB`,
      );
    }
    await src.close();
    const dnPlain = mean(restore.plain),
      dnRestore = mean(restore.restore);
    const ratios = { backup: upBackup.mibPerSec / upPlain.mibPerSec, restore: dnRestore.mibPerSec / dnPlain.mibPerSec };
    const verdict = (ok: boolean): string => (ok ? 'PASS' : 'MISS');
    console.log(
      `  backup / plain upload ${ratios.backup.toFixed(2)} (>= 0.8 ${verdict(ratios.backup >= 0.8)}); ` +
        `restore / plain download ${ratios.restore.toFixed(2)} (>= 0.8 ${verdict(ratios.restore >= 0.8)}); ` +
        `incremental (a) ${(incA.uploadedShare * 100).toFixed(2)}% (<= 3% ${verdict(incA.uploadedShare <= 0.03)}), ` +
        `(b) ${(incB.uploadedShare * 100).toFixed(2)}%`,
    );
    const file = writeResult('backup', {
      when: new Date().toISOString(),
      cpus: cpus().length,
      loadBefore: loadavg(),
      setup: {
        volumeBytes: SIZE,
        blockBytes: BACKUP_BLOCK_SIZE,
        concurrency: CONCURRENCY,
        server: 's3rver 3.7 (child process, 127.0.0.1)',
        data: 'random (incompressible: blocks stored as they are)',
      },
      upload: { plain: upload.plain, backup: upload.backup, mean: { plain: upPlain, backup: upBackup } },
      fullBackup: { uploadedBlocks: fullResult.uploadedBlocks, uploadedBytes: fullResult.uploadedBytes },
      incremental: { spread: incA, hotSpot: incB, restoreOfSpread: { ...raRun, equalBySha256: incARestoredEqual } },
      restore: {
        plain: restore.plain,
        restore: restore.restore,
        mean: { plain: dnPlain, restore: dnRestore },
        lastMiBVerified: restoredOk,
      },
      ratios,
      targets: {
        backup: ratios.backup >= 0.8,
        restore: ratios.restore >= 0.8,
        incrementalSpread: incA.uploadedShare <= 0.03,
      },
    });
    console.log(`  results: ${file}`);
  } finally {
    for (const s of stores) s.close();
    await s3.stop();
    await rm(dir, { recursive: true, force: true });
  }
}
