// Restores on S3 (s3rver, @cairn/backup's fixture), end to end on `cairn up`: the backup target and
// its credentials set with `cairn backup target set`, backups made by the cluster of its own volume
// (`cairn backup create`, full then incremental) restore to new volumes equal by sha256 to the
// volume's data at each; no credential reaches the event log; then a new cluster with a fresh etcd
// restores from the same bucket. (restore.test.ts covers file://, refusals, a corrupt block, DR
// volumes and CSI.)
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startS3rver } from '@cairn/backup/testing';
import type { S3Fixture } from '@cairn/backup/testing';
import { eventually, startCluster } from './support/cluster.js';
import type { TestCluster } from './support/cluster.js';
import { attach, clusterFlag, contents, restored, sha, volumeOf } from './support/restore.js';

const run = promisify(execFile);
const MiB = 2 ** 20;
const SIZE = 16 * MiB;
const t = suite('restore from backups on S3');

let c: TestCluster;
let s3: S3Fixture;
/** The two backups of volume "live" and its data at each. */
let u1 = '';
let u2 = '';
let one = Buffer.alloc(0);
let two = Buffer.alloc(0);

async function setTarget(): Promise<void> {
  writeFileSync(join(c.dir, 'creds'), s3.credentialFile);
  const set = await c.cairn([
    'backup',
    'target',
    'set',
    s3.target,
    '--credential-file',
    join(c.dir, 'creds'),
    ...clusterFlag(c),
  ]);
  assert.is(set.code, 0, set.stderr);
}

t.before(async () => {
  try {
    s3 = await startS3rver('restores');
    c = await startCluster(1);
  } catch (e) {
    console.error('restore-s3 suite set-up failed:', e);
    throw e;
  }
});

t.after(async () => {
  await c?.down();
  await s3?.stop();
});

t(
  'backups the cluster made of its own volume (full, then incremental): the incremental one restores as the volume was at it',
  async () => {
    await setTarget();
    await c.call('CreateVolume', { name: 'live', size: SIZE, numberOfReplicas: 1 });
    await eventually('live running', 20_000, async () =>
      (await volumeOf(c, 'live')).replicas.some((r) => r.state === 'running'),
    );
    const uri = await attach(c, 'live', 'node-1');
    const put = async (data: Buffer): Promise<void> => {
      writeFileSync(join(c.dir, 'live.in'), data);
      await run('nbdcopy', [join(c.dir, 'live.in'), uri], { timeout: 60_000 });
    };
    const backupNow = async (): Promise<string> => {
      const r = await c.cairn(['backup', 'create', 'live', '--wait', '-o', 'json', ...clusterFlag(c)]);
      assert.is(r.code, 0, r.stderr);
      return JSON.parse(r.stdout).url as string;
    };
    one = randomBytes(SIZE);
    one.fill(0, 6 * MiB, 8 * MiB);
    await put(one);
    u1 = await backupNow();
    assert.match(u1, /^s3:\/\/restores@us-east-1\/\?backup=.*&volume=live$/);
    two = Buffer.from(one);
    randomBytes(2 * MiB).copy(two, 3 * MiB);
    two.fill(0, 12 * MiB, 14 * MiB);
    await put(two);
    u2 = await backupNow();
    // The incremental backup here; the full one on a new cluster (next test).
    assert.is(
      (await c.call('CreateVolume', { name: 'live-r2', size: 0, numberOfReplicas: 1, fromBackup: u2 })).restore!.backup,
      u2,
    );
    await restored(c, 'live-r2');
    assert.is(
      sha(await contents(c, 'live-r2', 'node-1')),
      sha(two),
      'the incremental backup restores as the volume was at it',
    );
    // The credentials reached the node that restored; none of them is in the log.
    const log = JSON.stringify(await c.eventsAfter(0));
    assert.not.ok(log.includes('S3RVER'), 'no credential in the event log');
  },
);

t('a new cluster with a fresh etcd restores the full backup from the same bucket', async () => {
  await c.down();
  c = await startCluster(1);
  assert.is((await c.call('ListVolumes', {})).volumes.length, 0, 'a new cluster');
  await setTarget();
  await c.call('CreateVolume', { name: 'again', size: 0, numberOfReplicas: 1, fromBackup: u1 });
  await restored(c, 'again');
  assert.is(
    sha(await contents(c, 'again', 'node-1')),
    sha(one),
    'the first (full) backup restores as the volume was at it',
  );
});

t.run();
