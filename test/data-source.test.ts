// Volumes made from a data source (Longhorn's dataSource), end to end on `cairn up --nodes 3`: a
// volume from a snapshot reads as the source did at the snapshot, a volume from a volume as the
// source did when it was created, each attached on another node than its source; bad sources are
// refused with their codes and append nothing; what a pending copy needs cannot be deleted.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { status } from '@grpc/grpc-js';
import type { EventEnvelope__Output } from '@cairn/schema/events';
import { eventually, startCluster } from './support/cluster.js';
import type { TestCluster } from './support/cluster.js';
import type { AdminMethod } from './support/grpc-types.js';
import { snapshotUri } from './support/nbd-uri.js';

const run = promisify(execFile);
const MiB = 2 ** 20;
const SIZE = 32 * MiB;
let c: TestCluster;
const t = suite('volumes from a data source');

t.before(async () => {
  c = await startCluster(3);
});
t.after(async () => {
  await c?.down();
});

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
const volume = (name: string) => c.call('GetVolume', { name });
const head = async (): Promise<number> => (await c.call('GetClusterInfo', {})).seq;
const cluster = () => ['--cluster', join(c.dir, 'cluster.json')];

const eventsAfter = (seq: number): Promise<EventEnvelope__Output[]> => c.eventsAfter(seq);

async function running(name: string, n: number): Promise<void> {
  await eventually(
    `${n} replicas of ${name} running`,
    20_000,
    async () => (await volume(name)).replicas.filter((r) => r.state === 'running').length === n,
  );
}

/** Attaches with the CLI (which waits until the engine serves) and returns the NBD URI. */
async function attach(name: string, node: string): Promise<string> {
  const r = await c.cairn(['volume', 'attach', name, '--node', node, '-o', 'json', ...cluster()]);
  assert.is(r.code, 0, r.stderr);
  return JSON.parse(r.stdout).nbd as string;
}

async function write(uri: string, data: Buffer, file: string): Promise<void> {
  writeFileSync(join(c.dir, file), data);
  await run('nbdcopy', [join(c.dir, file), uri], { timeout: 60_000 });
}

async function readAll(uri: string, file: string): Promise<Buffer> {
  await run('nbdcopy', [uri, join(c.dir, file)], { timeout: 60_000 });
  return readFileSync(join(c.dir, file));
}

let srcUri = '';
/** The source's data when s1 was taken, and after the overwrite that followed. */
let atSnapshot = Buffer.alloc(0);
let afterOverwrite = Buffer.alloc(0);

t('a volume from a snapshot, attached on another node, reads as the source did at the snapshot', async () => {
  await c.call('CreateVolume', { name: 'src', size: SIZE, numberOfReplicas: 2 });
  await running('src', 2);
  srcUri = await attach('src', 'node-1');
  // Random data with a hole of zeroes in the middle (a sparse stretch the copy skips).
  atSnapshot = randomBytes(SIZE);
  atSnapshot.fill(0, 12 * MiB, 16 * MiB);
  await write(srcUri, atSnapshot, 'a.bin');
  await c.call('CreateSnapshot', { volume: 'src', name: 's1' });
  await eventually('s1 is taken on the source', 15_000, async () =>
    run('nbdinfo', [snapshotUri(srcUri, 's1')]).then(
      () => true,
      () => false,
    ),
  );
  afterOverwrite = Buffer.from(atSnapshot);
  randomBytes(4 * MiB).copy(afterOverwrite, 0);
  randomBytes(2 * MiB).copy(afterOverwrite, 20 * MiB);
  await write(srcUri, afterOverwrite, 'b.bin');

  // One size up: the part past the source reads as zeroes.
  const created = await c.cairn([
    'volume',
    'create',
    'from-snap',
    '--size',
    `${(SIZE + 4 * MiB) / MiB}Mi`,
    '--replicas',
    '2',
    '--data-source',
    'snap://src/s1',
    '-o',
    'json',
    ...cluster(),
  ]);
  assert.is(created.code, 0, created.stderr);
  const v = JSON.parse(created.stdout);
  assert.is(v.dataSource, 'snap://src/s1');
  assert.is(v.dataSourceReady, false, 'nothing is copied before an engine runs');
  const got = await c.cairn(['volume', 'get', 'from-snap', ...cluster()]);
  assert.match(got.stdout, /data source:\s+snap:\/\/src\/s1 \(copying/);

  // Attached at once: the engine waits for its replicas to serve, copies, then serves itself.
  const uri = await attach('from-snap', 'node-2');
  assert.is(new URL(uri).pathname, '/from-snap', 'the export is the clone, served on node-2');
  assert.match(uri, /\/nodes\/node-2\/run\/nbd\.sock$/);
  const data = await readAll(uri, 'from-snap.bin');
  assert.is(data.length, SIZE + 4 * MiB);
  assert.is(sha(data.subarray(0, SIZE)), sha(atSnapshot), 'the clone holds the data at the snapshot');
  assert.ok(data.subarray(SIZE).equals(Buffer.alloc(4 * MiB)), 'past the source, zeroes');
  assert.is(sha(await readAll(srcUri, 'src-now.bin')), sha(afterOverwrite), 'the source is unchanged by the copy');

  const after = await c.cairn(['volume', 'get', 'from-snap', '-o', 'json', ...cluster()]);
  assert.is(JSON.parse(after.stdout).dataSourceReady, true);
  assert.match(
    (await c.cairn(['volume', 'get', 'from-snap', ...cluster()])).stdout,
    /data source:\s+snap:\/\/src\/s1 \(copied\)/,
  );
  // Writes to the clone are its own.
  const mine = randomBytes(1 * MiB);
  await write(uri, Buffer.concat([mine, data.subarray(MiB)]), 'mine.bin');
  assert.is(
    sha(await readAll(srcUri, 'src-again.bin')),
    sha(afterOverwrite),
    "the source does not see the clone's writes",
  );
});

t(
  'a volume from a volume reads as the source did when it was created; the snapshot taken for it goes once copied',
  async () => {
    const before = await head();
    const v = await c.call('CreateVolume', {
      name: 'from-vol',
      size: SIZE,
      numberOfReplicas: 1,
      dataSource: 'vol://src',
    });
    assert.is(v.dataSource, 'vol://src');
    // The creation appended a snapshot of the source and the volume, in one append.
    const evs = (await eventsAfter(before)).filter((e) => e.actor === 'admin');
    assert.equal(
      evs.map((e) => e.payload),
      ['snapshotCreated', 'volumeCreated'],
    );
    const taken = evs[0]!.snapshotCreated!.name;
    assert.is(evs[1]!.volumeCreated!.sourceSnapshot, taken);
    // A snapshot is taken when the source's engine applies it, as for CreateSnapshot: wait for it,
    // then change the source; the clone must not see the change.
    await eventually("the clone's snapshot is taken on the source", 15_000, async () =>
      run('nbdinfo', [snapshotUri(srcUri, taken)]).then(
        () => true,
        () => false,
      ),
    );
    const later = Buffer.from(afterOverwrite);
    randomBytes(3 * MiB).copy(later, 8 * MiB);
    await write(srcUri, later, 'c.bin');

    await running('from-vol', 1);
    const uri = await attach('from-vol', 'node-3');
    assert.is(
      sha(await readAll(uri, 'from-vol.bin')),
      sha(afterOverwrite),
      'the clone holds the source as it was at creation',
    );
    assert.is((await volume('from-vol')).dataSourceReady, true);
    await eventually(
      'the snapshot taken for the clone is deleted',
      15_000,
      async () => (await c.call('ListSnapshots', { name: 'src' })).snapshots.map((s) => s.name).join(',') === 's1',
    );
    assert.is(
      sha(await readAll(srcUri, 'src-later.bin')),
      sha(later),
      'deleting that snapshot changed nothing on the source',
    );
    // The same create again is idempotent; the same name with another source is not.
    const seq = await head();
    await c.call('CreateVolume', { name: 'from-vol', size: SIZE, numberOfReplicas: 1, dataSource: 'vol://src' });
    assert.is(await head(), seq, 'the same create appends nothing');
  },
);

t('a source replica that is gone is passed over for the next one', async () => {
  // Detached first: a volume whose engine's node dies stays detaching until that node returns.
  await c.cairn(['volume', 'detach', 'src', ...cluster()]);
  await eventually('src detached', 20_000, async () => (await volume('src')).state === 'detached');
  // The first source replica the copy tries (by id) is on `victim`; the clone lives elsewhere.
  const first = (await volume('src')).replicas.map((r) => r).sort((a, b) => a.id.localeCompare(b.id))[0]!;
  const victim = c.info.nodes.find((n) => n.id === first.node)!;
  const others = c.info.nodes.filter((n) => n.id !== victim.id);
  for (const n of others) await c.call('UpdateNode', { nodeId: n.id, tags: { values: ['safe'] } });
  await c.call('CreateVolume', {
    name: 'retry',
    size: SIZE,
    numberOfReplicas: 1,
    nodeSelector: ['safe'],
    dataSource: 'snap://src/s1',
  });
  await running('retry', 1);
  // Killed: until its lease runs out, the manager still names its replica as a source.
  process.kill(victim.pid, 'SIGKILL');
  const uri = await attach('retry', others[0]!.id);
  assert.is(sha(await readAll(uri, 'retry.bin')), sha(atSnapshot));
  const log = readFileSync(others[0]!.log, 'utf8');
  assert.match(
    log,
    new RegExp(`engine of retry: copying from src@s1 on replica ${first.id} failed`),
    'the dead replica was tried first',
  );
  assert.match(log, /engine of retry: copied src@s1 from replica /);
});

t('bad data sources are refused with their codes and append nothing; a pending copy keeps its source', async () => {
  // Created, never attached: its copy is pending.
  await c.call('CreateVolume', { name: 'pending', size: SIZE, numberOfReplicas: 1, dataSource: 'snap://src/s1' });
  assert.is((await volume('src')).state, 'detached');
  const before = await head();
  const bad: [AdminMethod, object, number, RegExp][] = [
    [
      'CreateVolume',
      { name: 'x', size: SIZE, dataSource: 'src' },
      status.INVALID_ARGUMENT,
      /dataSource "src".*snap:\/\/VOLUME\/SNAPSHOT or vol:\/\/VOLUME/,
    ],
    ['CreateVolume', { name: 'x', size: SIZE, dataSource: 'snap://src' }, status.INVALID_ARGUMENT, /dataSource/],
    ['CreateVolume', { name: 'x', size: SIZE, dataSource: 'vol://nope' }, status.NOT_FOUND, /volume "nope"/],
    ['CreateVolume', { name: 'x', size: SIZE, dataSource: 'snap://nope/s1' }, status.NOT_FOUND, /volume "nope"/],
    ['CreateVolume', { name: 'x', size: SIZE, dataSource: 'snap://src/nope' }, status.NOT_FOUND, /snapshot "nope"/],
    [
      'CreateVolume',
      { name: 'x', size: SIZE - MiB, dataSource: 'snap://src/s1' },
      status.INVALID_ARGUMENT,
      /size .* smaller/,
    ],
    [
      'CreateVolume',
      { name: 'x', size: SIZE - MiB, dataSource: 'vol://src' },
      status.INVALID_ARGUMENT,
      /size .* smaller/,
    ],
    [
      'CreateVolume',
      { name: 'from-snap', size: SIZE + 4 * MiB, numberOfReplicas: 2, dataSource: 'vol://src' },
      status.ALREADY_EXISTS,
      /dataSource/,
    ],
    [
      'CreateVolume',
      { name: 'from-snap', size: SIZE + 4 * MiB, numberOfReplicas: 2 },
      status.ALREADY_EXISTS,
      /dataSource/,
    ],
    [
      'CreateVolume',
      { name: 'x', size: SIZE, dataSource: 'vol://pending' },
      status.FAILED_PRECONDITION,
      /still copying/,
    ],
    ['CreateSnapshot', { volume: 'pending', name: 'early' }, status.FAILED_PRECONDITION, /still copying/],
    ['DeleteSnapshot', { volume: 'src', name: 's1' }, status.FAILED_PRECONDITION, /"pending"/],
    ['DeleteVolume', { name: 'src' }, status.FAILED_PRECONDITION, /"pending"/],
  ];
  for (const [method, req, code, msg] of bad) {
    try {
      await c.callUnchecked(method, req);
      assert.unreachable(`${method} ${JSON.stringify(req)} must be refused`);
    } catch (e) {
      const err = e as { code: number; details: string };
      assert.is(err.code, code, `${method} ${JSON.stringify(req)}: ${err.details}`);
      assert.match(err.details, msg, `${method}: the message names what is wrong`);
    }
  }
  const admin = (await eventsAfter(before)).filter((e) => e.actor === 'admin');
  assert.equal(
    admin.map((e) => `${e.seq} ${e.payload}`),
    [],
    'refused requests appended nothing',
  );
  // With the dependent gone, the source can go.
  await c.call('DeleteVolume', { name: 'pending' });
  await c.call('DeleteSnapshot', { volume: 'src', name: 's1' });
  assert.is((await c.call('DeleteVolume', { name: 'src' })).deleted, true);
});

t.run();
