// Copying a data source into a new volume (engine/clone.ts): a snapshot of real replica stores, read
// over the replica protocol, written through an engine over two new stores; the retry from another
// source replica; a failing target ends the copy at once.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import {
  BlockError,
  cloneFromAny,
  CloneTargetError,
  copySnapshot,
  Engine,
  MemoryBackend,
  ReplicaClient,
  ReplicaError,
  ReplicaServer,
  ReplicaStore,
} from '../src/index.js';
import type { CloneSource, Replica } from '../src/index.js';
import { MiB, pattern, scratch } from './replica-support.js';

const SIZE = 8 * MiB;
const SECRET = 'source-secret';
const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

const t = suite('clone');
let dir: string;
let cleanup: () => Promise<void>;
let src: ReplicaStore;
let server: ReplicaServer;
let address = '';
let atSnapshot: Buffer;

t.before(async () => {
  ({ dir, cleanup } = await scratch());
  // The source: data at 0-1 MiB and 4-5 MiB, a snapshot, then newer data over part of it.
  src = await ReplicaStore.create(join(dir, 'src'), SIZE);
  await src.write(0, pattern(MiB, 1));
  await src.write(4 * MiB, pattern(MiB, 2));
  await src.snapshot('s1');
  atSnapshot = await src.readSnapshot('s1', 0, SIZE);
  await src.write(0, pattern(512 * 1024, 3));
  await src.write(6 * MiB, pattern(MiB, 4));
  server = new ReplicaServer();
  server.addReplica('src-r1', 'src', src, SECRET);
  const a = await server.listen(0, '127.0.0.1');
  address = `${a.host}:${a.port}`;
});
t.after(async () => {
  await server.close();
  await src.close();
  await cleanup();
});

const remote = (id = 'src-r1', secret = SECRET): CloneSource => ({
  id,
  connect: () => ReplicaClient.connect(address, id, secret, { connectTimeoutMs: 2000 }),
});

async function newVolume(name: string, size = SIZE): Promise<{ engine: Engine; stores: ReplicaStore[] }> {
  const stores = [
    await ReplicaStore.create(join(dir, `${name}-a`), size),
    await ReplicaStore.create(join(dir, `${name}-b`), size),
  ];
  const engine = await Engine.open(
    name,
    stores.map((s, i) => ({ id: `${name}-${i}`, local: i === 0, replica: s })),
  );
  return { engine, stores };
}

t(
  'copies the snapshot, not the live data, through the engine into every replica, reading only what the snapshot holds',
  async () => {
    const { engine, stores } = await newVolume('c1', SIZE + MiB);
    const percents: number[] = [];
    const r = await copySnapshot(await remote().connect(), 's1', engine, {
      progress: (p) => percents.push(p),
      chunkBytes: 256 * 1024,
    });
    assert.is(r.allocatedBytes, 2 * MiB, 'only the two written MiB are read');
    assert.is(r.writtenBytes, 2 * MiB);
    assert.is(percents[0], 0);
    assert.is(percents[percents.length - 1], 100);
    for (const s of stores) {
      assert.is(sha(await s.read(0, SIZE)), sha(atSnapshot), 'each replica of the new volume holds the snapshot');
      assert.ok((await s.read(SIZE, MiB)).equals(Buffer.alloc(MiB)), 'past the source: zeroes');
      assert.ok((await s.info()).allocatedBytes <= 2 * MiB + 64 * 1024, 'the hole stays a hole');
    }
    await engine.close();
  },
);

t('retries from the next source replica when one fails, and says why', async () => {
  const { engine, stores } = await newVolume('c2');
  const failed: string[] = [];
  const broken: CloneSource = {
    id: 'gone',
    connect: () => ReplicaClient.connect('127.0.0.1:1', 'gone', SECRET, { connectTimeoutMs: 500 }),
  };
  const wrongSecret = remote('src-r1', 'not-the-secret');
  // A replica that has not taken the snapshot yet (a snapshot just appended) is passed over too.
  const behind = await ReplicaStore.create(join(dir, 'behind'), SIZE);
  const lagging: CloneSource = { id: 'behind', connect: async () => behind as Replica };
  const r = await cloneFromAny([broken, wrongSecret, lagging, remote()], 's1', engine, {
    onSourceFailed: (id, why) => failed.push(`${id}: ${why}`),
  });
  assert.is(r.from, 'src-r1');
  assert.equal(
    failed.map((f) => f.split(':')[0]),
    ['gone', 'src-r1', 'behind'],
  );
  assert.match(failed[2]!, /snapshot s1 is not on this source replica/);
  assert.is(sha(await stores[1]!.read(0, SIZE)), sha(atSnapshot));
  await engine.close();
});

t('every source failing is one error naming each; the caller retries later', async () => {
  const target = new MemoryBackend(SIZE);
  try {
    await cloneFromAny([remote('src-r1', 'wrong')], 's1', target);
    assert.unreachable('must fail');
  } catch (e) {
    assert.instance(e, BlockError);
    assert.match((e as Error).message, /failed from every source replica \(src-r1: /);
  }
  try {
    await cloneFromAny([], 's1', target);
    assert.unreachable('must fail');
  } catch (e) {
    assert.match((e as Error).message, /no running replica of the source/);
  }
  try {
    await copySnapshot(await remote().connect(), 'nope', target);
    assert.unreachable('must fail');
  } catch (e) {
    assert.instance(e, ReplicaError);
  }
});

t(
  'a failing target ends the copy without trying other sources; a snapshot larger than the volume is refused',
  async () => {
    let tried = 0;
    const counted = (): CloneSource => ({ id: `s${++tried}`, connect: () => remote().connect() });
    const refusing = {
      size: SIZE,
      write: () => Promise.reject(new BlockError('EIO', 'no healthy replica')),
      flush: () => Promise.resolve(),
    };
    try {
      await cloneFromAny([counted(), counted()], 's1', refusing);
      assert.unreachable('must fail');
    } catch (e) {
      assert.instance(e, CloneTargetError);
      assert.match((e as Error).message, /no healthy replica/);
    }
    let connected = 0;
    try {
      await cloneFromAny(
        [
          counted(),
          {
            id: 'second',
            connect: () => {
              connected++;
              return remote().connect();
            },
          },
        ],
        's1',
        refusing,
      );
    } catch {
      /* expected */
    }
    assert.is(connected, 0, 'the second source is not tried');
    try {
      await copySnapshot(await remote().connect(), 's1', new MemoryBackend(SIZE - MiB));
      assert.unreachable('must fail');
    } catch (e) {
      assert.instance(e, BlockError);
      assert.is((e as BlockError).errno, 'EINVAL');
    }
  },
);

t('a stopped copy stops', async () => {
  try {
    await cloneFromAny([remote()], 's1', new MemoryBackend(SIZE), { alive: () => false });
    assert.unreachable('must stop');
  } catch (e) {
    assert.is((e as BlockError).errno, 'ESHUTDOWN');
  }
});

t.run();
