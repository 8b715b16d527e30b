// The replica operations a snapshot-preserving rebuild uses (system layers, inserting an empty
// layer, per-block hashes, writing into a frozen layer), over a real ReplicaServer and client, and
// the deletion that merges the head down into a larger newest snapshot while writes go on.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ReplicaClient, ReplicaServer, ReplicaStore } from '../src/index.js';
import { blockHash, HASH_BYTES, ZERO_HASH } from '../src/replica/block-hash.js';
import { MiB, pattern, scratch } from './replica-support.js';

const SIZE = 16 * MiB;
const SECRET = 's';
let dir: string;
let cleanup: () => Promise<void>;

const t = suite('replica layers');
t.before.each(async () => {
  ({ dir, cleanup } = await scratch());
});
t.after.each(async () => {
  await cleanup();
});

t('insert, write into, zero and hash a frozen layer over the wire; durable at endRebuild', async () => {
  const store = await ReplicaStore.create(join(dir, 'r'), SIZE);
  const server = new ReplicaServer();
  server.addReplica('r', 'vol', store, SECRET);
  const { host, port } = await server.listen(0, '127.0.0.1');
  const c = await ReplicaClient.connect(`${host}:${port}`, 'r', SECRET);
  await c.beginRebuild();
  await c.write(0, pattern(8192, 1));
  await c.snapshot('s2');
  await c.insertSnapshot({ name: 's1', createdAt: '2026-01-01T00:00:00.000Z', revision: 7, size: SIZE }, 's2');
  await c.insertSnapshot({ name: '.ref', createdAt: '2026-01-02T00:00:00.000Z', revision: 9, size: SIZE }, null);
  assert.equal(
    (await c.listLayers()).map((l) => [l.name, l.revision]),
    [
      ['s1', 7],
      ['s2', 0],
      ['.ref', 9],
    ],
  );
  assert.equal(
    (await c.listSnapshots()).map((l) => l.name),
    ['s1', 's2'],
    'system layers are not listed as snapshots',
  );
  assert.equal(
    (await c.info()).snapshots.map((l) => l.name),
    ['s1', 's2'],
  );
  // An empty layer reads as the one under it; writing into it changes its view and those above
  // where they do not define the block.
  assert.ok((await c.readSnapshot('s1', 0, 8192)).equals(Buffer.alloc(8192)));
  await c.writeLayer('s1', 4096, pattern(8192, 2));
  assert.ok((await c.readSnapshot('s1', 4096, 8192)).equals(pattern(8192, 2)));
  const s2 = await c.readSnapshot('s2', 0, 12288);
  assert.ok(
    s2.subarray(0, 8192).equals(pattern(8192, 1)) && s2.subarray(8192).equals(pattern(8192, 2).subarray(4096)),
    's2 defines blocks 0-1, takes block 2 from s1',
  );
  await c.zeroLayer('s1', 8192, 4096);
  assert.ok((await c.readSnapshot('s1', 8192, 4096)).equals(Buffer.alloc(4096)));
  // Hashes of views: 16 bytes a block; zeroes hash alike however they read as zeroes.
  const h = await c.hashBlocks('s1', 0, 4 * 4096);
  assert.is(h.length, 4 * HASH_BYTES);
  assert.ok(h.subarray(0, 16).equals(ZERO_HASH), 'absent block');
  assert.ok(h.subarray(16, 32).equals(blockHash(pattern(8192, 2).subarray(0, 4096))));
  assert.ok(h.subarray(32, 48).equals(ZERO_HASH), 'explicit zero');
  await c.write(4 * 4096, Buffer.alloc(4096));
  assert.ok((await c.hashBlocks(null, 4 * 4096, 4096)).equals(ZERO_HASH), 'zeroes written as data');
  const big = await c.hashBlocks(null, 0, SIZE);
  assert.is(big.length, (SIZE / 4096) * HASH_BYTES);
  await c.hashBlocks(null, 1, 4096).then(
    () => assert.unreachable('unaligned hash range'),
    () => undefined,
  );
  await c.writeLayer('nope', 0, Buffer.alloc(4096)).then(
    () => assert.unreachable('unknown layer'),
    () => undefined,
  );
  await c.endRebuild(42);
  await c.close();
  await server.close();
  await store.close();
  // Reopened (the layers the rebuild wrote were made durable by endRebuild).
  const again = await ReplicaStore.open(join(dir, 'r'));
  assert.ok((await again.readSnapshot('s1', 4096, 4096)).equals(pattern(8192, 2).subarray(0, 4096)));
  assert.ok((await again.readSnapshot('s1', 8192, 4096)).equals(Buffer.alloc(4096)));
  assert.is((await again.info()).revision, 42);
  await again.close();
});

t('deleting a newest snapshot larger than the head merges the head down into it, while writes go on', async () => {
  const store = await ReplicaStore.create(join(dir, 'r'), SIZE);
  const model = Buffer.alloc(SIZE);
  const write = async (off: number, data: Buffer) => {
    await store.write(off, data);
    data.copy(model, off);
  };
  await write(0, pattern(SIZE, 1));
  await store.snapshot('.ref');
  for (let i = 0; i < 64; i++) await write(i * 200 * 1024, pattern(4096, 100 + i));
  await store.trim(3 * MiB, 64 * 1024);
  model.fill(0, 3 * MiB, 3 * MiB + 64 * 1024);
  // The deletion and 200 writes (some partial blocks) at once.
  const writes = Array.from({ length: 200 }, (_, i) =>
    write((i * 77_777) % (SIZE - 6000), pattern(1000 + i * 7, 500 + i)),
  );
  await Promise.all([store.deleteSnapshot('.ref'), ...writes]);
  assert.equal(await store.listLayers(), []);
  assert.ok((await store.read(0, SIZE)).equals(model), 'the volume reads as written');
  // The snapshot's layer (id 1) became the head; the small head's files are gone.
  assert.ok(
    existsSync(join(dir, 'r', 'layer-1.data')) && !existsSync(join(dir, 'r', 'layer-2.data')),
    'merged down, not up',
  );
  await store.flush();
  await store.close();
  const again = await ReplicaStore.open(join(dir, 'r'));
  assert.ok((await again.read(0, SIZE)).equals(model), 'and after a reopen');
  await again.close();
});

t('deleting a middle snapshot larger than the next one merges that one down; every other view stays', async () => {
  const store = await ReplicaStore.create(join(dir, 'r'), SIZE);
  await store.write(0, pattern(SIZE, 1));
  await store.snapshot('a');
  await store.write(MiB, pattern(8192, 2));
  await store.snapshot('b');
  await store.write(2 * MiB, pattern(8192, 3));
  await store.snapshot('c');
  const before = {
    b: await store.readSnapshot('b', 0, SIZE),
    c: await store.readSnapshot('c', 0, SIZE),
    head: await store.read(0, SIZE),
  };
  await store.deleteSnapshot('a');
  assert.equal(
    (await store.listSnapshots()).map((s) => s.name),
    ['b', 'c'],
  );
  assert.ok((await store.readSnapshot('b', 0, SIZE)).equals(before.b));
  assert.ok((await store.readSnapshot('c', 0, SIZE)).equals(before.c));
  assert.ok((await store.read(0, SIZE)).equals(before.head));
  await store.close();
  const again = await ReplicaStore.open(join(dir, 'r'));
  assert.ok((await again.readSnapshot('b', 0, SIZE)).equals(before.b), 'after a reopen');
  await again.close();
});

t.run();
