// ReplicaStore on real files: read/write/trim/write-zeroes semantics (aligned and not, over older
// layers), the revision counter across reopen and crash, sparseness, extents, resize, rebuild marks.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { cp, mkdir, readdir, stat, writeFile } from 'node:fs/promises';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { BlockError, ReplicaError, ReplicaStore } from '../src/index.js';
import { KiB, MiB, pattern, scratch } from './replica-support.js';

const test = suite('replica store');
let dir: string;
let cleanup: () => Promise<void>;
test.before.each(async () => {
  ({ dir, cleanup } = await scratch());
});
test.after.each(async () => {
  await cleanup();
});

async function rejects(p: Promise<unknown>, check: (e: unknown) => boolean, what: string): Promise<void> {
  try {
    await p;
  } catch (e) {
    assert.ok(check(e), `${what}: got ${String(e)}`);
    return;
  }
  assert.unreachable(`${what}: resolved`);
}
const errno = (name: string) => (e: unknown) => e instanceof BlockError && e.errno === name;

test('a new volume reads as zeroes; writes read back, aligned or not', async () => {
  const s = await ReplicaStore.create(dir, 1 * MiB);
  assert.equal(await s.read(0, 64 * KiB), Buffer.alloc(64 * KiB));
  const model = Buffer.alloc(1 * MiB);
  const writes: [number, number][] = [
    [0, 4096],
    [8192, 12288],
    [100, 50],
    [4090, 20],
    [20_000, 9000],
    [1 * MiB - 1, 1],
    [65_536 + 512, 512],
  ];
  for (const [i, [off, len]] of writes.entries()) {
    const d = pattern(len, i + 1);
    await s.write(off, d);
    d.copy(model, off);
  }
  assert.ok((await s.read(0, 1 * MiB)).equals(model));
  assert.ok((await s.read(4090, 30)).equals(model.subarray(4090, 4120)));
  await s.close();
});

test('replica files are 0600 and the directories it makes 0700, whatever the umask', async () => {
  // A replica holds a tenant's data: no other user of the node may read it. umask 0 is the most
  // permissive a process can have (files 0666, directories 0777 by default); 0277 would take the
  // owner's write bit away.
  const old = process.umask(0);
  try {
    for (const [umask, inlineIo] of [
      [0, true],
      [0, false],
      [0o277, true],
    ] as const) {
      process.umask(umask);
      const top = join(dir, `u${umask}-${inlineIo}`);
      const replica = join(top, 'replicas', 'v1');
      const s = await ReplicaStore.create(replica, 1 * MiB, { inlineIo });
      await s.write(0, pattern(4096, 1));
      await s.snapshot('s1');
      await s.write(0, pattern(4096, 2));
      await s.close();
      const files = await readdir(replica);
      assert.ok(files.length >= 3, `files: ${files.join(' ')}`);
      for (const f of files)
        assert.is((statSync(join(replica, f)).mode & 0o777).toString(8), '600', `${f} (umask ${umask.toString(8)})`);
      for (const d of [top, join(top, 'replicas'), replica])
        assert.is((statSync(d).mode & 0o777).toString(8), '700', `${d} (umask ${umask.toString(8)})`);
    }
  } finally {
    process.umask(old);
  }
});

test('trim and write-zeroes read back as zeroes, whole blocks and partial ones', async () => {
  const s = await ReplicaStore.create(dir, 256 * KiB);
  const model = pattern(256 * KiB, 7);
  await s.write(0, model);
  for (const [off, len, op] of [
    [4096, 8192, 'trim'],
    [1000, 100, 'zero'],
    [30_000, 20_000, 'trim'],
    [100_000, 4096, 'zero'],
    [200_000, 1, 'trim'],
  ] as const) {
    if (op === 'trim') await s.trim(off, len);
    else await s.writeZeroes(off, len, true);
    model.fill(0, off, off + len);
  }
  assert.ok((await s.read(0, 256 * KiB)).equals(model));
  await s.close();
  const again = await ReplicaStore.open(dir);
  assert.ok((await again.read(0, 256 * KiB)).equals(model), 'the same after reopening');
  await again.close();
});

test('a partial write over a block only an older layer has keeps the rest of that block', async () => {
  const s = await ReplicaStore.create(dir, 64 * KiB);
  const base = pattern(64 * KiB, 3);
  await s.write(0, base);
  await s.snapshot('base');
  await s.write(4096 + 100, Buffer.from('hello'));
  await s.writeZeroes(8192 + 10, 10);
  await s.write(12_288 - 3, Buffer.from('abcdef')); // straddles two blocks
  const model = Buffer.from(base);
  model.write('hello', 4096 + 100);
  model.fill(0, 8192 + 10, 8192 + 20);
  model.write('abcdef', 12_288 - 3);
  assert.ok((await s.read(0, 64 * KiB)).equals(model));
  assert.ok((await s.readSnapshot('base', 0, 64 * KiB)).equals(base), 'the snapshot is untouched');
  // whole-block zeroes over the older layer mask it
  await s.trim(16_384, 8192);
  model.fill(0, 16_384, 16_384 + 8192);
  assert.ok((await s.read(0, 64 * KiB)).equals(model));
  await s.close();
});

test('concurrent partial writes into one block all land (no lost read-modify-write)', async () => {
  const s = await ReplicaStore.create(dir, 64 * KiB);
  await s.write(0, pattern(64 * KiB, 1));
  await s.snapshot('s');
  const model = Buffer.from(await s.read(0, 64 * KiB));
  const writes = Array.from({ length: 8 }, (_, i) => {
    const d = pattern(512, 100 + i);
    d.copy(model, 4096 + i * 512);
    return s.write(4096 + i * 512, d);
  });
  await Promise.all(writes);
  assert.ok((await s.read(0, 64 * KiB)).equals(model));
  await s.close();
});

test('overlapping operations issued together apply in the order they were issued', async () => {
  const s = await ReplicaStore.create(dir, 64 * KiB);
  const a = pattern(16 * KiB, 1);
  const b = pattern(8 * KiB, 2);
  await Promise.all([s.write(0, a), s.trim(4096, 4096), s.write(2048, b), s.writeZeroes(6000, 100)]);
  const model = Buffer.alloc(64 * KiB);
  a.copy(model, 0);
  model.fill(0, 4096, 8192);
  b.copy(model, 2048);
  model.fill(0, 6000, 6100);
  assert.ok((await s.read(0, 64 * KiB)).equals(model));
  await s.close();
});

test('the revision counts writes, trims and zeroes, and survives a clean reopen', async () => {
  const s = await ReplicaStore.create(dir, 1 * MiB);
  assert.is(s.revision, 0);
  await s.write(0, pattern(4096, 1));
  await s.write(4096, pattern(100, 2));
  await s.trim(0, 4096);
  await s.writeZeroes(8192, 4096);
  assert.is(s.revision, 4);
  await s.read(0, 4096);
  await s.flush();
  assert.is(s.revision, 4, 'reads and flushes do not count');
  await s.write(0, pattern(4096, 3));
  await s.close();
  const again = await ReplicaStore.open(dir);
  assert.is(again.revision, 5);
  assert.ok(again.cleanShutdown);
  assert.is((await again.info()).revision, 5);
  await again.close();
});

test('closed: operations fail with ESHUTDOWN; bad ranges with EINVAL', async () => {
  const s = await ReplicaStore.create(dir, 64 * KiB);
  await rejects(s.read(60 * KiB, 8 * KiB), errno('EINVAL'), 'read past the end');
  await rejects(s.write(-1, Buffer.alloc(1)), errno('EINVAL'), 'negative offset');
  await rejects(s.trim(0, 128 * KiB), errno('EINVAL'), 'trim past the end');
  await rejects(
    s.readSnapshot('nope', 0, 1),
    (e) => e instanceof ReplicaError && e.code === 'ENOENT',
    'no such snapshot',
  );
  await rejects(s.snapshot('bad name'), errno('EINVAL'), 'bad snapshot name');
  await rejects(
    ReplicaStore.create(dir, 64 * KiB),
    (e) => e instanceof ReplicaError && e.code === 'EEXIST',
    'create twice',
  );
  await s.close();
  await rejects(s.read(0, 1), errno('ESHUTDOWN'), 'read after close');
  await rejects(s.write(0, Buffer.alloc(1)), errno('ESHUTDOWN'), 'write after close');
});

test('files stay sparse: a few blocks in a large volume occupy a few blocks on disk', async () => {
  const s = await ReplicaStore.create(dir, 8 * 1024 * MiB); // 8 GiB
  await s.write(0, pattern(4096, 1));
  await s.write(5 * 1024 * MiB, pattern(8192, 2));
  await s.write(8 * 1024 * MiB - 4096, pattern(4096, 3));
  await s.flush();
  let bytes = 0;
  for (const name of await readdir(dir)) {
    const st = await stat(join(dir, name));
    bytes += st.blocks * 512;
  }
  assert.ok(bytes < 256 * KiB, `8 GiB volume with 16 KiB written uses ${bytes} bytes on disk`);
  const head = (await readdir(dir)).find((n) => n.endsWith('.data'))!;
  assert.is((await stat(join(dir, head))).size, 8 * 1024 * MiB, 'the data file has the volume size');
  await s.close();
});

test('trimming releases space (hole punched) and reads as zeroes', async () => {
  const s = await ReplicaStore.create(dir, 64 * MiB);
  await s.write(0, pattern(8 * MiB, 1));
  await s.flush();
  const head = join(
    dir,
    (await readdir(dir)).find((n) => n.endsWith('.data'))!,
  );
  const before = (await stat(head)).blocks * 512;
  await s.trim(0, 8 * MiB);
  const after = (await stat(head)).blocks * 512;
  assert.ok(before >= 8 * MiB && after < 1 * MiB, `before ${before}, after ${after}`);
  assert.equal(await s.read(0, 8 * MiB), Buffer.alloc(8 * MiB));
  await s.close();
});

test('allocated ranges list what holds data through the layers; layer ranges one layer', async () => {
  const s = await ReplicaStore.create(dir, 1024 * MiB);
  await s.write(0, pattern(8192, 1));
  await s.write(100 * MiB, pattern(4096, 2));
  await s.snapshot('one');
  await s.write(8192, pattern(4096, 3)); // extends the first run
  await s.trim(100 * MiB, 4096); // masks the snapshot's block
  await s.write(900 * MiB + 10, Buffer.from('x')); // a partial block: the whole block is allocated
  const live = await s.allocatedRanges(0, s.size);
  assert.equal(live.extents, [
    { offset: 0, length: 12_288, zero: false },
    { offset: 900 * MiB, length: 4096, zero: false },
  ]);
  assert.is(live.end, s.size);
  const snap = await s.allocatedRanges(0, s.size, 'one');
  assert.equal(
    snap.extents.map((e) => [e.offset, e.length]),
    [
      [0, 8192],
      [100 * MiB, 4096],
    ],
  );
  const head = await s.layerRanges(null, 0, s.size);
  assert.equal(head.extents, [
    { offset: 8192, length: 4096, zero: false },
    { offset: 100 * MiB, length: 4096, zero: true },
    { offset: 900 * MiB, length: 4096, zero: false },
  ]);
  const limited = await s.allocatedRanges(0, s.size, undefined, 1);
  assert.is(limited.extents.length, 1);
  assert.is(limited.end, 900 * MiB, 'stops where the next extent begins');
  const rest = await s.allocatedRanges(limited.end, s.size - limited.end);
  assert.is(rest.extents.length, 1);
  await s.close();
});

test('resize grows the volume; the new space reads as zeroes; shrinking is refused', async () => {
  const s = await ReplicaStore.create(dir, 64 * KiB);
  await s.write(60 * KiB, pattern(4096, 1));
  await s.snapshot('small');
  await s.resize(1 * MiB);
  assert.is(s.size, 1 * MiB);
  assert.equal(await s.read(64 * KiB, 64 * KiB), Buffer.alloc(64 * KiB));
  await s.write(1 * MiB - 4096, pattern(4096, 2));
  await rejects(s.resize(512 * KiB), errno('EINVAL'), 'shrink');
  await rejects(s.readSnapshot('small', 64 * KiB, 4096), errno('EINVAL'), 'a snapshot keeps its size');
  await s.close();
  const again = await ReplicaStore.open(dir);
  assert.is(again.size, 1 * MiB);
  assert.ok((await again.read(1 * MiB - 4096, 4096)).equals(pattern(4096, 2)));
  assert.is((await again.listSnapshots())[0]!.size, 64 * KiB);
  await again.close();
});

test('rebuild marks: revision 0 while rebuilding, set at the end, both durable', async () => {
  const s = await ReplicaStore.create(dir, 64 * KiB);
  await s.beginRebuild();
  await s.write(0, pattern(4096, 1));
  assert.is(s.revision, 0);
  assert.ok((await s.info()).rebuilding);
  await s.close();
  let again = await ReplicaStore.open(dir);
  assert.ok((await again.info()).rebuilding, 'still rebuilding after reopen');
  await again.endRebuild(1234);
  await again.write(0, pattern(4096, 2));
  assert.is(again.revision, 1235);
  await again.close();
  again = await ReplicaStore.open(dir);
  assert.is(again.revision, 1235);
  assert.not.ok((await again.info()).rebuilding);
  await again.close();
});

test('open removes layer files the manifest does not name (a crash mid-snapshot)', async () => {
  const s = await ReplicaStore.create(dir, 64 * KiB);
  await s.write(0, pattern(4096, 1));
  await s.close();
  await writeFile(join(dir, 'layer-9.data'), 'x');
  await writeFile(join(dir, 'layer-9.map'), 'x');
  const again = await ReplicaStore.open(dir);
  assert.not.ok((await readdir(dir)).includes('layer-9.data'));
  assert.ok((await again.read(0, 4096)).equals(pattern(4096, 1)));
  await again.close();
});

test('openOrCreate starts over in a directory a crash left before the manifest was committed', async () => {
  // Layer files of a create that never wrote its manifest (and a stray temporary manifest).
  const sub = join(dir, 'half-made');
  await mkdir(sub);
  for (const f of ['layer-1.data', 'layer-1.map', 'replica.json.tmp']) await writeFile(join(sub, f), 'junk');
  const s = await ReplicaStore.openOrCreate(sub, 64 * KiB);
  assert.equal((await readdir(sub)).sort(), ['layer-1.data', 'layer-1.map', 'replica.json']);
  assert.ok((await s.read(0, 4096)).equals(Buffer.alloc(4096)), 'a fresh, zeroed replica');
  await s.write(0, pattern(4096, 3));
  await s.close();
  const again = await ReplicaStore.openOrCreate(sub, 64 * KiB);
  assert.ok((await again.read(0, 4096)).equals(pattern(4096, 3)), 'opened, not created again');
  await again.close();
});

test('a new store writes no map header: an empty map file opens as fresh; once written, never empty again', async () => {
  // What a crash leaves is the files as they are: copied aside while the store is still open.
  const crashCopy = async (from: string, to: string): Promise<void> => {
    await cp(from, to, { recursive: true });
  };
  const a = join(dir, 'a');
  const s = await ReplicaStore.create(a, 1 * MiB);
  assert.is((await stat(join(a, 'layer-1.map'))).size, 0, 'created without a header write');
  await crashCopy(a, join(dir, 'a-crashed'));
  const crashed = await ReplicaStore.open(join(dir, 'a-crashed'));
  assert.is(crashed.revision, 0, 'opens as it was made');
  assert.not.ok(crashed.cleanShutdown);
  assert.ok((await crashed.read(0, 4096)).equals(Buffer.alloc(4096)));
  await crashed.close();
  await s.write(0, pattern(4096, 7));
  await s.flush();
  assert.ok((await stat(join(a, 'layer-1.map'))).size > 0, 'a flush writes the header');
  await crashCopy(a, join(dir, 'a-flushed'));
  const after = await ReplicaStore.open(join(dir, 'a-flushed'));
  assert.is(after.revision, 1, 'what the flush made durable is there');
  assert.ok((await after.read(0, 4096)).equals(pattern(4096, 7)));
  await after.close();
  await s.close();
  // A map file with bytes but no valid header is still refused.
  await writeFile(join(a, 'layer-1.map'), 'junk');
  await rejects(ReplicaStore.open(a), (e) => /no valid header/.test(String(e)), 'a garbled map');
});

test.run();
