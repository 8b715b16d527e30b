// Snapshots survive a rebuild, end to end on `cairn up --detach --nodes 4`: a snapshot, newer
// writes, a replica's node agent killed with SIGKILL, the replacement rebuilt by the engine; then,
// with every node agent stopped, the replacement's store is opened ALONE from its directory and
// must read the snapshot as it was when taken (and the volume as last written).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ReplicaStore } from '@cairn/datapath';
import { eventually, startCluster } from './support/cluster.js';
import type { TestCluster } from './support/cluster.js';
import { snapshotUri } from './support/nbd-uri.js';

const run = promisify(execFile);
const MiB = 2 ** 20;
const SIZE = 64 * MiB;
let c: TestCluster;
const t = suite('snapshots survive a rebuild (end to end)');

t.before(async () => {
  c = await startCluster(4);
  // A failed replica is replaced after 2 s instead of 10 minutes.
  await c.call('UpdateSettings', { values: { 'replica-replenishment-wait-interval': '2' } });
});
t.after(async () => {
  await c?.down();
});

const volume = () => c.call('GetVolume', { name: 'snapv' });
const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

t('a replacement rebuilt after a snapshot holds that snapshot as it was, read from its store alone', async () => {
  await c.call('CreateVolume', { name: 'snapv', size: SIZE, numberOfReplicas: 3 });
  await eventually(
    '3 replicas running',
    20_000,
    async () => (await volume()).replicas.filter((r) => r.state === 'running').length === 3,
  );
  const att = await c.cairn([
    'volume',
    'attach',
    'snapv',
    '--node',
    'node-1',
    '-o',
    'json',
    '--cluster',
    join(c.dir, 'cluster.json'),
  ]);
  assert.is(att.code, 0, att.stderr);
  const uri = JSON.parse(att.stdout).nbd as string;
  const put = async (name: string, data: Buffer) => {
    writeFileSync(join(c.dir, name), data);
    await run('nbdcopy', [join(c.dir, name), uri], { timeout: 60_000 });
  };
  const first = randomBytes(SIZE);
  await put('first.bin', first);
  await c.call('CreateSnapshot', { volume: 'snapv', name: 's1' });
  await eventually(
    'the snapshot is served',
    15_000,
    async () =>
      await run('nbdinfo', [snapshotUri(uri, 's1')]).then(
        () => true,
        () => false,
      ),
  );
  const second = Buffer.from(first);
  randomBytes(16 * MiB).copy(second, 8 * MiB);
  await put('second.bin', second);
  // Lose a replica that is not on the engine's node; write more while it is gone.
  const v = await volume();
  const original = new Set(v.replicas.map((r) => r.id as string));
  const victimNode = v.replicas.map((r) => r.node as string).find((n: string) => n !== 'node-1')!;
  process.kill(c.info.nodes.find((n) => n.id === victimNode)!.pid, 'SIGKILL');
  const third = Buffer.from(second);
  randomBytes(4 * MiB).copy(third, 40 * MiB);
  await put('third.bin', third);
  const healed = await eventually('a replacement is rebuilt and the volume healthy', 90_000, async () => {
    const x = await volume();
    return x.robustness === 'healthy' && x.replicas.filter((r) => r.state === 'running').length === 3 ? x : null;
  });
  const fresh = healed.replicas.find((r) => r.state === 'running' && !original.has(r.id));
  assert.ok(fresh, 'a new replica was placed and rebuilt');
  // Stop everything, then read the replacement's store by itself.
  await c.call('DetachVolume', { name: 'snapv' });
  await eventually('detached', 30_000, async () => (await volume()).state === 'detached');
  for (const n of c.info.nodes) {
    try {
      process.kill(n.pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
  const { stdout } = await run('find', [c.dir, '-type', 'd', '-name', fresh.id]);
  const dir = stdout.trim().split('\n')[0]!;
  assert.ok(dir, `the replacement's directory (${fresh.id})`);
  const store = await ReplicaStore.open(dir);
  try {
    assert.equal(
      (await store.listSnapshots()).map((s) => s.name),
      ['s1'],
    );
    assert.is(sha(await store.readSnapshot('s1', 0, SIZE)), sha(first), 'the snapshot reads as it was when taken');
    assert.is(sha(await store.read(0, SIZE)), sha(third), 'the volume reads as last written');
  } finally {
    await store.close();
  }
});

t.run();
