// Backups of a real ReplicaStore to both kinds of target (a directory, and s3rver over HTTP):
// full and incremental backups (counting what is uploaded), restores into fresh replica stores
// equal by sha256 to the snapshot, DR-style restores `since` a backup, removal freeing only
// unreferenced blocks, corrupt and missing blocks, stopped backups and their leftovers, the
// create/remove markers, and sub-block incrementals (deltas of changed 4 KiB pages: what they
// upload, chains of them restoring, the chain limit, gc keeping chained objects, corrupt deltas,
// version-1 configs).
import { randomBytes } from 'node:crypto';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ReplicaStore } from '@cairn/datapath';
import {
  BackupError,
  backupUrl,
  createBackup,
  gc,
  getBackup,
  listBackups,
  listBackupVolumes,
  openStore,
  readBackupCfg,
  removeBackup,
  restoreBackup,
} from '../src/index.js';
import type { BackupStore } from '../src/index.js';
import { blockKey, blocksDir, deltaKey } from '../src/layout.js';
import { MAX_DELTAS } from '../src/delta.js';
import { announce } from '../src/locks.js';
import { startS3rver } from '../src/testing.js';
import type { S3Fixture } from '../src/testing.js';
import { counting, KiB, MiB, pattern, scratch, snapshotDigest, volumeDigest } from './support.js';

const SIZE = 40 * MiB + 12 * KiB; // 20 full 2 MiB blocks and a short last one
const VOL = 'pvc-backup-1';

/** A replica with snapshot s1 and s2 of known contents (see the comments) in `dir`. */
async function sourceReplica(dir: string): Promise<ReplicaStore> {
  const r = await ReplicaStore.create(`${dir}/src`, SIZE);
  await r.write(0, pattern(1 * MiB, 1)); // block 0
  await r.write(5 * MiB, pattern(3 * MiB, 2)); // blocks 2 and 3
  await r.writeZeroes(10 * MiB, 2 * MiB, false, true); // block 5: allocated zeroes (not stored)
  await r.write(20 * MiB, pattern(2 * MiB, 3)); // blocks 10 and 11: the same content (stored once)
  await r.write(22 * MiB, pattern(2 * MiB, 3));
  await r.write(40 * MiB, pattern(12 * KiB, 4)); // the short last block
  await r.snapshot('s1');
  await r.write(5 * MiB + 100 * KiB, pattern(4 * KiB, 5)); // block 2 changes
  await r.writeZeroes(0, 1 * MiB); // block 0 becomes zeroes
  await r.write(30 * MiB, pattern(64 * KiB, 6)); // block 15 is new
  await r.snapshot('s2');
  return r;
}

interface Ctx {
  dir: string;
  cleanup: () => Promise<void>;
  store: BackupStore;
  source: ReplicaStore;
}

function define(kind: 'file' | 's3'): void {
  const test = suite(`backups to ${kind}://`);
  let s3: S3Fixture | null = null;
  const c = {} as Ctx;
  test.before(async () => {
    if (kind === 's3') s3 = await startS3rver('backups');
  });
  test.after(async () => {
    await s3?.stop();
  });
  test.before.each(async () => {
    ({ dir: c.dir, cleanup: c.cleanup } = await scratch());
    if (s3) {
      // Each test its own prefix in the one bucket, so they do not see each other's objects.
      c.store = openStore(`s3://backups@us-east-1/t${Math.random().toString(36).slice(2, 10)}`, s3.credentials);
    } else {
      c.store = openStore(`file://${c.dir}/target`);
      const { mkdir } = await import('node:fs/promises');
      await mkdir(`${c.dir}/target`);
    }
    c.source = await sourceReplica(c.dir);
  });
  test.after.each(async () => {
    await c.source.close();
    c.store.close();
    await c.cleanup();
  });

  const fresh = (name: string): Promise<ReplicaStore> => ReplicaStore.create(`${c.dir}/${name}`, SIZE);

  test('a full backup stores each distinct non-zero block once and restores equal to the snapshot', async () => {
    await c.store.probe();
    const store = counting(c.store);
    const r = await createBackup(store, {
      volume: VOL,
      backup: 'b1',
      snapshot: 's1',
      source: c.source,
      labels: { app: 'db' },
    });
    assert.is(r.incremental, false);
    // Non-zero blocks: 0, 2, 3, 10, 11, 20 (5 is zeroes); 10 and 11 have one content.
    assert.is(r.info.blocks, 6);
    assert.is(r.uploadedBlocks, 5);
    assert.is(store.blockPuts, 5);
    assert.is(r.reusedBlocks, 1);
    assert.is(r.info.url, backupUrl(c.store.url, VOL, 'b1'));
    assert.is(r.info.size, SIZE);
    assert.equal(r.info.labels, { app: 'db' });
    assert.is(r.uploadedBytes, store.blockBytes);
    assert.ok(r.uploadedBytes < 4 * 2 * MiB + 12 * KiB, 'block 2 is half zeroes: stored gzipped');

    const target = await fresh('restored');
    const res = await restoreBackup(c.store, r.info.url, target);
    assert.is(res.writtenBlocks, 6);
    assert.is(await volumeDigest(target), await snapshotDigest(c.source, 's1'));
    await target.close();
  });

  test('an incremental backup uploads only the blocks changed since the previous one, and both restore', async () => {
    const b1 = await createBackup(c.store, { volume: VOL, backup: 'b1', snapshot: 's1', source: c.source });
    const store = counting(c.store);
    const b2 = await createBackup(store, {
      volume: VOL,
      backup: 'b2',
      snapshot: 's2',
      source: c.source,
      previous: b1.info,
    });
    assert.is(b2.incremental, true);
    // Changed: block 0 (now zeroes: dropped), block 2 (one 4 KiB page: a delta, after reading
    // the block at s1 too), block 15 (new: whole).
    assert.is(b2.readBytes, 4 * 2 * MiB);
    assert.equal([b2.uploadedBlocks, b2.deltaBlocks], [1, 1]);
    assert.equal([store.blockPuts, store.deltaPuts], [1, 1]);
    // pattern() sets each byte's low bit, so gzip saves about an eighth of the page.
    assert.ok(store.deltaBytes >= 3 * KiB && store.deltaBytes < 4 * KiB + 64, `delta of ${store.deltaBytes} bytes`);
    assert.is(b2.info.blocks, 6); // 2, 3, 10, 11, 15, 20
    for (const [b, snap] of [
      [b1, 's1'],
      [b2, 's2'],
    ] as const) {
      const target = await fresh(`r-${snap}`);
      await restoreBackup(c.store, b.info.url, target);
      assert.is(
        await volumeDigest(target),
        await snapshotDigest(c.source, snap),
        `restore of ${b.info.name} equals ${snap}`,
      );
      await target.close();
    }
  });

  test('an incremental backup after the volume grew restores equal to its snapshot', async () => {
    const b2 = await createBackup(c.store, { volume: VOL, backup: 'b2', snapshot: 's2', source: c.source });
    await c.source.resize(SIZE + 4 * MiB);
    await c.source.write(SIZE + 3 * MiB, pattern(8 * KiB, 7)); // not in the block the old short one grew into
    await c.source.snapshot('s3');
    const b3 = await createBackup(c.store, {
      volume: VOL,
      backup: 'b3',
      snapshot: 's3',
      source: c.source,
      previous: b2.info,
    });
    assert.is(b3.incremental, true);
    assert.is(b3.info.size, SIZE + 4 * MiB);
    const target = await ReplicaStore.create(`${c.dir}/grown`, SIZE + 4 * MiB);
    await restoreBackup(c.store, b3.info.url, target);
    assert.is(await volumeDigest(target), await snapshotDigest(c.source, 's3'));
    await target.close();
  });

  test('without the previous snapshot on the replica the backup reads everything but uploads only new content', async () => {
    const b1 = await createBackup(c.store, { volume: VOL, backup: 'b1', snapshot: 's1', source: c.source });
    await c.source.deleteSnapshot('s1');
    const store = counting(c.store);
    const b2 = await createBackup(store, {
      volume: VOL,
      backup: 'b2',
      snapshot: 's2',
      source: c.source,
      previous: b1.info,
    });
    assert.is(b2.incremental, false);
    assert.ok(b2.readBytes >= 6 * 2 * MiB);
    assert.is(store.blockPuts, 2);
    const target = await fresh('r');
    await restoreBackup(c.store, b2.info.url, target);
    assert.is(await volumeDigest(target), await snapshotDigest(c.source, 's2'));
    await target.close();
  });

  test('a DR restore since the backup already restored writes only the difference and zeroes what went', async () => {
    const b1 = await createBackup(c.store, { volume: VOL, backup: 'b1', snapshot: 's1', source: c.source });
    const b2 = await createBackup(c.store, {
      volume: VOL,
      backup: 'b2',
      snapshot: 's2',
      source: c.source,
      previous: b1.info,
    });
    const standby = await fresh('standby');
    await restoreBackup(c.store, b1.info.url, standby);
    const r = await restoreBackup(c.store, b2.info.url, standby, { since: b1.info.url });
    assert.equal([r.writtenBlocks, r.zeroedBlocks], [2, 1]);
    assert.is(await volumeDigest(standby), await snapshotDigest(c.source, 's2'));
    await standby.close();
  });

  test('removing a backup frees only the blocks no other backup names', async () => {
    const b1 = await createBackup(c.store, { volume: VOL, backup: 'b1', snapshot: 's1', source: c.source });
    const b2 = await createBackup(c.store, {
      volume: VOL,
      backup: 'b2',
      snapshot: 's2',
      source: c.source,
      previous: b1.info,
    });
    const blocks = async (): Promise<number> => (await c.store.list(blocksDir(VOL))).length;
    assert.is(await blocks(), 7); // b1's 5 blocks, b2's block 15 and its delta of block 2
    assert.equal(
      (await listBackups(c.store, VOL)).map((b) => b.name),
      ['b1', 'b2'],
    );
    const r1 = await removeBackup(c.store, b1.info.url);
    // b1's block 0 goes; its block 2 stays: b2's block 2 is rebuilt from it and b2's delta.
    assert.equal(r1, { removedBlocks: 1, deferred: false });
    assert.is(await blocks(), 6);
    assert.equal(
      (await listBackups(c.store)).map((b) => b.name),
      ['b2'],
    );
    const target = await fresh('r');
    await restoreBackup(c.store, b2.info.url, target);
    assert.is(await volumeDigest(target), await snapshotDigest(c.source, 's2'));
    await target.close();
    const r2 = await removeBackup(c.store, b2.info.url);
    assert.is(r2.removedBlocks, 6);
    assert.is(await blocks(), 0);
    try {
      await removeBackup(c.store, b2.info.url);
      assert.unreachable('removed twice');
    } catch (e) {
      assert.is((e as BackupError).code, 'NOT_FOUND');
    }
  });

  test('a corrupt block fails the restore with CORRUPT naming the block and the backup', async () => {
    const b1 = await createBackup(c.store, { volume: VOL, backup: 'b1', snapshot: 's1', source: c.source });
    const cfg = JSON.parse(
      (await c.store.get((await c.store.list('backupstore/')).find((k) => k.endsWith('backup_b1.cfg'))!)).toString(),
    ) as { Blocks: { Offset: number; BlockChecksum: string }[] };
    const victim = cfg.Blocks.find((b) => b.Offset === 6 * MiB)!;
    const key = blockKey(VOL, victim.BlockChecksum);
    const good = await c.store.get(key);
    for (const bad of [Buffer.from('not gzip at all'), (await import('node:zlib')).gzipSync(pattern(2 * MiB, 99))]) {
      await c.store.put(key, bad);
      const target = await fresh(`r${bad.length}`);
      try {
        await restoreBackup(c.store, b1.info.url, target);
        assert.unreachable('restored a corrupt block');
      } catch (e) {
        assert.instance(e, BackupError);
        assert.is((e as BackupError).code, 'CORRUPT');
        assert.match((e as Error).message, 'backup b1 of volume pvc-backup-1: block at offset 6291456');
        assert.match((e as Error).message, victim.BlockChecksum);
      }
      await target.close();
    }
    await c.store.put(key, good);
    await c.store.delete(blockKey(VOL, cfg.Blocks.find((b) => b.Offset === 40 * MiB)!.BlockChecksum));
    const target = await fresh('missing');
    try {
      await restoreBackup(c.store, b1.info.url, target);
      assert.unreachable('restored with a block missing');
    } catch (e) {
      assert.is((e as BackupError).code, 'NOT_FOUND');
      assert.match((e as Error).message, 'block at offset 41943040');
      assert.match((e as Error).message, 'is missing');
    }
    await target.close();
  });

  test('the same backup again is a no-op; the same name for another snapshot is EXISTS; list and get', async () => {
    const b1 = await createBackup(c.store, { volume: VOL, backup: 'b1', snapshot: 's1', source: c.source });
    const again = await createBackup(counting(c.store), {
      volume: VOL,
      backup: 'b1',
      snapshot: 's1',
      source: c.source,
    });
    assert.equal([again.uploadedBlocks, again.readBytes, again.info.createdAt], [0, 0, b1.info.createdAt]);
    try {
      await createBackup(c.store, { volume: VOL, backup: 'b1', snapshot: 's2', source: c.source });
      assert.unreachable('two snapshots under one name');
    } catch (e) {
      assert.is((e as BackupError).code, 'EXISTS');
    }
    try {
      await createBackup(c.store, { volume: VOL, backup: 'b9', snapshot: 'nope', source: c.source });
      assert.unreachable('backed up a snapshot that is not there');
    } catch (e) {
      assert.is((e as BackupError).code, 'NOT_FOUND');
      assert.match((e as Error).message, 'snapshot nope');
    }
    await createBackup(c.store, { volume: 'other-vol', backup: 'b1', snapshot: 's2', source: c.source });
    assert.equal(await listBackupVolumes(c.store), ['other-vol', VOL]);
    assert.equal((await listBackups(c.store)).map((b) => `${b.volume}/${b.name}`).sort(), [
      'other-vol/b1',
      `${VOL}/b1`,
    ]);
    assert.equal(await getBackup(c.store, b1.info.url), b1.info);
    assert.equal(await getBackup(c.store, VOL, 'b1'), b1.info);
    try {
      await getBackup(c.store, backupUrl('s3://elsewhere@us-east-1/', VOL, 'b1'));
      assert.unreachable('read a backup URL of another target');
    } catch (e) {
      assert.is((e as BackupError).code, 'INVALID');
    }
  });

  test('a stopped backup writes no config; its blocks go at the next gc', async () => {
    let reads = 0;
    try {
      await createBackup(c.store, {
        volume: VOL,
        backup: 'b1',
        snapshot: 's1',
        source: c.source,
        concurrency: 1,
        alive: () => reads++ < 3,
      });
      assert.unreachable('not stopped');
    } catch (e) {
      assert.is((e as BackupError).code, 'STOPPED');
    }
    assert.equal(await listBackups(c.store, VOL), []);
    const left = (await c.store.list(blocksDir(VOL))).length;
    assert.ok(left >= 1, `${left} blocks left`);
    assert.equal(await gc(c.store, VOL), { removedBlocks: left, deferred: false });
  });

  test('gc leaves blocks alone while a backup of the volume is being made', async () => {
    await createBackup(c.store, { volume: VOL, backup: 'b1', snapshot: 's1', source: c.source });
    const marker = await announce(c.store, VOL, 'create', 'b2');
    const b1 = backupUrl(c.store.url, VOL, 'b1');
    assert.equal(await removeBackup(c.store, b1), { removedBlocks: 0, deferred: true });
    assert.is((await c.store.list(blocksDir(VOL))).length, 5);
    await marker.release();
    assert.equal(await gc(c.store, VOL), { removedBlocks: 5, deferred: false });
  });
  test('a removal while a backup is being made leaves the blocks; a backup waits for a removal to finish', async () => {
    const b1 = await createBackup(c.store, { volume: VOL, backup: 'b1', snapshot: 's1', source: c.source });
    // A source whose reads wait for a gate, and a store that reports its listings of the locks.
    let open!: () => void;
    const gate = new Promise<void>((r) => {
      open = r;
    });
    let started!: () => void;
    const reading = new Promise<void>((r) => {
      started = r;
    });
    const slow = Object.create(c.source) as ReplicaStore;
    slow.readSnapshot = async (name, off, len) => {
      started();
      await gate;
      return c.source.readSnapshot(name, off, len);
    };
    const lockLists: (() => void)[] = [];
    const watched = Object.create(c.store) as BackupStore;
    watched.list = async (prefix) => {
      const out = await c.store.list(prefix);
      if (prefix.endsWith('/locks/')) lockLists.splice(0).forEach((f) => f());
      return out;
    };
    const nextLockListing = (): Promise<void> => new Promise((r) => lockLists.push(r));

    const making = createBackup(watched, { volume: VOL, backup: 'b2', snapshot: 's2', source: slow });
    await reading;
    assert.equal(await removeBackup(c.store, b1.info.url), { removedBlocks: 0, deferred: true });
    open();
    const b2 = await making;
    const target = await fresh('r');
    await restoreBackup(c.store, b2.info.url, target);
    assert.is(await volumeDigest(target), await snapshotDigest(c.source, 's2'));
    await target.close();
    assert.equal(await gc(c.store, VOL), { removedBlocks: 2, deferred: false });

    const removal = await announce(c.store, VOL, 'remove', 'test');
    const b3 = createBackup(watched, { volume: VOL, backup: 'b3', snapshot: 's1', source: c.source });
    await nextLockListing();
    await nextLockListing(); // it looked twice and is still waiting
    assert.is((await c.store.list(blocksDir(VOL))).length, 5);
    assert.equal(await listBackups(c.store, VOL).then((l) => l.map((b) => b.name)), ['b2']);
    await removal.release();
    assert.is((await b3).uploadedBlocks, 2);
  });

  // Sub-block incrementals (src/delta.ts). Blocks 2, 3, 10, 11 and 15 hold data at s2.
  /** Writes 4 KiB of random (incompressible) bytes at each [block, page], snapshots `snap`; the bytes written. */
  const pageWrites = async (snap: string, pages: [number, number][]): Promise<number> => {
    for (const [block, page] of pages) await c.source.write(block * 2 * MiB + page * 4 * KiB, randomBytes(4 * KiB));
    await c.source.snapshot(snap);
    return pages.length * 4 * KiB;
  };

  test('scattered 4 KiB writes: each incremental uploads about the bytes written, and every backup of the chain restores equal to its snapshot', async () => {
    const b1 = await createBackup(c.store, { volume: VOL, backup: 'b1', snapshot: 's1', source: c.source });
    const b2 = await createBackup(c.store, {
      volume: VOL,
      backup: 'b2',
      snapshot: 's2',
      source: c.source,
      previous: b1.info,
    });
    const backups = [
      [b1, 's1'],
      [b2, 's2'],
    ] as [typeof b1, string][];
    let prev = b2;
    for (let k = 3; k <= 6; k++) {
      // 3 pages in each of 5 blocks, at pages that differ per round (two adjacent: one run).
      const pages = [2, 3, 10, 11, 15].flatMap((block): [number, number][] => [
        [block, k * 7],
        [block, k * 7 + 1],
        [block, 200 + k * 11],
      ]);
      const written = await pageWrites(`s${k}`, pages);
      const store = counting(c.store);
      const b = await createBackup(store, {
        volume: VOL,
        backup: `b${k}`,
        snapshot: `s${k}`,
        source: c.source,
        previous: prev.info,
      });
      assert.equal(
        [b.incremental, b.uploadedBlocks, b.deltaBlocks, store.blockPuts, store.deltaPuts],
        [true, 0, 5, 0, 5],
      );
      // The data is incompressible: a delta is its pages plus a header of 8 bytes and 8 per run.
      assert.ok(
        store.deltaBytes >= written && store.deltaBytes <= written + 5 * 32,
        `b${k}: ${store.deltaBytes} bytes uploaded for ${written} written`,
      );
      assert.is(b.uploadedBytes, store.deltaBytes);
      const cfg = await readBackupCfg(c.store, VOL, `b${k}`);
      assert.is(
        cfg.Blocks.find((e) => e.Offset === 3 * 2 * MiB)!.Chain!.length,
        k - 1,
        'block 3: its base and one delta per incremental since s2',
      );
      backups.push([b, `s${k}`]);
      prev = b;
    }
    for (const [b, snap] of backups) {
      const target = await fresh(`r-${snap}`);
      await restoreBackup(c.store, b.info.url, target);
      assert.is(
        await volumeDigest(target),
        await snapshotDigest(c.source, snap),
        `restore of ${b.info.name} equals ${snap}`,
      );
      await target.close();
    }
    // DR: from b3 to b6 only the 5 blocks rebuilt from deltas differ.
    const standby = await fresh('standby');
    await restoreBackup(c.store, backups[2]![0].info.url, standby);
    const dr = await restoreBackup(c.store, prev.info.url, standby, { since: backups[2]![0].info.url });
    assert.equal([dr.writtenBlocks, dr.zeroedBlocks], [5, 0]);
    assert.is(await volumeDigest(standby), await snapshotDigest(c.source, 's6'));
    await standby.close();
  });

  test(`a block's chain is cut by a whole block after ${MAX_DELTAS} deltas, or when over a quarter of its pages changed`, async () => {
    let prev = await createBackup(c.store, { volume: VOL, backup: 'b2', snapshot: 's2', source: c.source });
    const chainAt = async (name: string, off: number): Promise<number> => {
      const e = (await readBackupCfg(c.store, VOL, name)).Blocks.find((b) => b.Offset === off)!;
      return e.Chain ? e.Chain.length - 1 : 0;
    };
    for (let k = 1; k <= MAX_DELTAS + 1; k++) {
      await pageWrites(`d${k}`, [[3, k * 3]]);
      prev = await createBackup(c.store, {
        volume: VOL,
        backup: `d${k}`,
        snapshot: `d${k}`,
        source: c.source,
        previous: prev.info,
      });
      const whole = k === MAX_DELTAS + 1;
      assert.equal([prev.uploadedBlocks, prev.deltaBlocks], whole ? [1, 0] : [0, 1], `d${k}`);
      assert.is(await chainAt(`d${k}`, 6 * MiB), whole ? 0 : k);
    }
    for (const snap of [`d${MAX_DELTAS}`, `d${MAX_DELTAS + 1}`]) {
      const target = await fresh(`r-${snap}`);
      await restoreBackup(c.store, backupUrl(c.store.url, VOL, snap), target);
      assert.is(await volumeDigest(target), await snapshotDigest(c.source, snap));
      await target.close();
    }
    // 129 of block 2's 512 pages (one 516 KiB write): more than a quarter, stored whole.
    await c.source.write(4 * MiB, pattern(129 * 4 * KiB, 77));
    await c.source.snapshot('big');
    const big = await createBackup(c.store, {
      volume: VOL,
      backup: 'big',
      snapshot: 'big',
      source: c.source,
      previous: prev.info,
    });
    assert.equal([big.uploadedBlocks, big.deltaBlocks], [1, 0]);
    assert.is(await chainAt('big', 4 * MiB), 0);
  });

  test('removing the backup that stored a base block keeps it while a later backup is rebuilt from it', async () => {
    const b1 = await createBackup(c.store, { volume: VOL, backup: 'b1', snapshot: 's1', source: c.source });
    const b2 = await createBackup(c.store, {
      volume: VOL,
      backup: 'b2',
      snapshot: 's2',
      source: c.source,
      previous: b1.info,
    });
    await pageWrites('s3', [[2, 9]]);
    const b3 = await createBackup(c.store, {
      volume: VOL,
      backup: 'b3',
      snapshot: 's3',
      source: c.source,
      previous: b2.info,
    });
    const chain = (await readBackupCfg(c.store, VOL, 'b3')).Blocks.find((b) => b.Offset === 4 * MiB)!.Chain!;
    assert.is(chain.length, 3); // b1's block 2, b2's delta, b3's delta
    const base = blockKey(VOL, chain[0]!);
    await removeBackup(c.store, b1.info.url);
    await removeBackup(c.store, b2.info.url);
    assert.ok(await c.store.has(base), 'b1 stored the base; b3 still needs it');
    assert.ok(await c.store.has(deltaKey(VOL, chain[1]!)), 'b2 stored the first delta; b3 still needs it');
    const target = await fresh('r');
    await restoreBackup(c.store, b3.info.url, target);
    assert.is(await volumeDigest(target), await snapshotDigest(c.source, 's3'));
    await target.close();
    assert.is((await removeBackup(c.store, b3.info.url)).removedBlocks, 7); // blocks 2, 3, 10/11, 15, 20 and two deltas
    assert.equal(await c.store.list(blocksDir(VOL)), []);
  });

  test('a corrupt or missing delta, or a corrupt base, fails the restore naming the block, the object and the backup', async () => {
    const b1 = await createBackup(c.store, { volume: VOL, backup: 'b1', snapshot: 's1', source: c.source });
    const b2 = await createBackup(c.store, {
      volume: VOL,
      backup: 'b2',
      snapshot: 's2',
      source: c.source,
      previous: b1.info,
    });
    const id = (await readBackupCfg(c.store, VOL, 'b2')).Blocks.find((b) => b.Offset === 4 * MiB)!.Chain![1]!;
    const key = deltaKey(VOL, id);
    const good = await c.store.get(key);
    const flipped = Buffer.from(good);
    flipped[flipped.length - 1]! ^= 1;
    // That delta (pattern() data) is stored gzipped: a flipped trailer byte fails to gunzip; other bytes fail its checksum.
    assert.equal([good[0], good[1]], [0x1f, 0x8b]);
    for (const [bad, why] of [
      [flipped, 'does not gunzip'],
      [Buffer.from('garbage'), 'does not match'],
    ] as const) {
      await c.store.put(key, bad);
      const target = await fresh(`r${bad.length}`);
      const e = await restoreBackup(c.store, b2.info.url, target).then(
        () => null,
        (x: unknown) => x as BackupError,
      );
      assert.instance(e, BackupError);
      assert.is(e!.code, 'CORRUPT');
      assert.match(e!.message, 'backup b2 of volume pvc-backup-1: block at offset 4194304: delta 1 of 1');
      assert.match(e!.message, id);
      assert.match(e!.message, why);
      await target.close();
    }
    await c.store.put(key, good);
    // The chain's base (b1's block 2) damaged: named as the base of the chain.
    const chain = (await readBackupCfg(c.store, VOL, 'b2')).Blocks.find((b) => b.Offset === 4 * MiB)!.Chain!;
    const baseKey = blockKey(VOL, chain[0]!);
    const base = await c.store.get(baseKey);
    await c.store.put(baseKey, Buffer.from(base).fill(7, 0, 4096));
    const t = await fresh('bad-base');
    const be = await restoreBackup(c.store, b2.info.url, t).then(
      () => null,
      (x: unknown) => x as BackupError,
    );
    assert.is(be?.code, 'CORRUPT');
    assert.match(be!.message, `block at offset 4194304 (${baseKey}, the base of its 1 deltas)`);
    await t.close();
    await c.store.put(baseKey, base);
    await c.store.delete(key);
    const target = await fresh('missing');
    const e = await restoreBackup(c.store, b2.info.url, target).then(
      () => null,
      (x: unknown) => x as BackupError,
    );
    assert.is(e?.code, 'NOT_FOUND');
    assert.match(e!.message, `delta 1 of 1 (${key}) is missing`);
    await target.close();
    await c.store.put(key, good);
  });

  test('a block whose content at the previous snapshot is not what the previous backup stored is stored whole, not as a delta', async () => {
    const b1 = await createBackup(c.store, { volume: VOL, backup: 'b1', snapshot: 's1', source: c.source });
    // As if b1 had been taken from a replica that held other data in block 2: its entry names block 3's content.
    const cfgKey = (await c.store.list('backupstore/')).find((k) => k.endsWith('backup_b1.cfg'))!;
    const cfg = JSON.parse((await c.store.get(cfgKey)).toString()) as {
      Blocks: { Offset: number; BlockChecksum: string }[];
    };
    cfg.Blocks.find((b) => b.Offset === 4 * MiB)!.BlockChecksum = cfg.Blocks.find(
      (b) => b.Offset === 6 * MiB,
    )!.BlockChecksum;
    await c.store.put(cfgKey, Buffer.from(JSON.stringify(cfg)));
    const b2 = await createBackup(c.store, {
      volume: VOL,
      backup: 'b2',
      snapshot: 's2',
      source: c.source,
      previous: b1.info,
    });
    assert.equal([b2.incremental, b2.uploadedBlocks, b2.deltaBlocks], [true, 2, 0]);
    const target = await fresh('r');
    await restoreBackup(c.store, b2.info.url, target);
    assert.is(await volumeDigest(target), await snapshotDigest(c.source, 's2'));
    await target.close();
  });

  test('a version-1 config (whole blocks only, as h-lib wrote them) restores and is a previous for a delta', async () => {
    const b1 = await createBackup(c.store, { volume: VOL, backup: 'b1', snapshot: 's1', source: c.source });
    const cfgKey = (await c.store.list('backupstore/')).find((k) => k.endsWith('backup_b1.cfg'))!;
    const cfg = JSON.parse((await c.store.get(cfgKey)).toString()) as { Version: number; Blocks: object[] };
    assert.ok(cfg.Blocks.every((b) => !('Chain' in b)));
    await c.store.put(cfgKey, Buffer.from(JSON.stringify({ ...cfg, Version: 1 })));
    const t1 = await fresh('r1');
    await restoreBackup(c.store, b1.info.url, t1);
    assert.is(await volumeDigest(t1), await snapshotDigest(c.source, 's1'));
    await t1.close();
    const b2 = await createBackup(c.store, {
      volume: VOL,
      backup: 'b2',
      snapshot: 's2',
      source: c.source,
      previous: b1.info,
    });
    assert.is(b2.deltaBlocks, 1);
    const t2 = await fresh('r2');
    await restoreBackup(c.store, b2.info.url, t2);
    assert.is(await volumeDigest(t2), await snapshotDigest(c.source, 's2'));
    await t2.close();
  });

  test.run();
}

define('file');
define('s3');

const errs = suite('backup target errors');
// s3rver checks that the access key exists but does not verify SigV4 signatures, so a wrong
// secret key is not caught here (S3 answers SignatureDoesNotMatch, which maps to DENIED too).
errs('s3: an unknown access key, a missing bucket and a dead endpoint are DENIED, NOT_FOUND, UNREACHABLE', async () => {
  const s3 = await startS3rver('backups');
  try {
    const code = async (p: Promise<unknown>): Promise<string> =>
      p.then(
        () => 'ok',
        (e: unknown) => (e instanceof BackupError ? e.code : String(e)),
      );
    const wrong = openStore('s3://backups@us-east-1/', { ...s3.credentials, accessKeyId: 'NOBODY' });
    assert.is(await code(wrong.probe()), 'DENIED');
    assert.is(await code(wrong.put('x', Buffer.from('x'))), 'DENIED');
    const { dir, cleanup } = await scratch();
    const source = await sourceReplica(dir);
    assert.is(await code(createBackup(wrong, { volume: VOL, backup: 'b1', snapshot: 's1', source })), 'DENIED');
    await source.close();
    await cleanup();
    wrong.close();
    const nobucket = openStore('s3://no-such-bucket@us-east-1/', s3.credentials);
    assert.is(await code(nobucket.probe()), 'NOT_FOUND');
    assert.is(await code(nobucket.put('x', Buffer.from('x'))), 'NOT_FOUND');
    nobucket.close();
    const ok = openStore('s3://backups@us-east-1/', s3.credentials);
    assert.is(await code(ok.probe()), 'ok');
    assert.is(await code(ok.get('absent')), 'NOT_FOUND');
    assert.is(await ok.has('absent'), false);
    ok.close();
  } finally {
    await s3.stop();
  }
  const dead = openStore('s3://backups@us-east-1/', {
    accessKeyId: 'a',
    secretAccessKey: 'b',
    endpoint: `http://127.0.0.1:${s3.port}`,
  });
  const e = await dead.probe().then(
    () => null,
    (x: unknown) => x as BackupError,
  );
  assert.is(e?.code, 'UNREACHABLE');
  dead.close();
});

errs('file: a target directory that is not there is UNREACHABLE and is not created', async () => {
  const { dir, cleanup } = await scratch();
  const store = openStore(`file://${dir}/not-mounted`);
  for (const p of [store.probe(), store.put('backupstore/x', Buffer.from('x'))]) {
    const e = await p.then(
      () => null,
      (x: unknown) => x as BackupError,
    );
    assert.is(e?.code, 'UNREACHABLE');
    assert.match(e!.message, 'does not exist');
  }
  const { existsSync } = await import('node:fs');
  assert.not.ok(existsSync(`${dir}/not-mounted`));
  await cleanup();
});
errs.run();
