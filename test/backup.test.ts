// Backups end to end on `cairn up --nodes 3`, against a real S3 server on loopback (s3rver, from
// @cairn/backup/testing): the target set with a credential file (refused by name when wrong, the
// credentials never in the log); a full backup of data written through the NBD export; an
// incremental one after two 4 KiB writes that uploads only the two changed blocks (objects
// counted in the bucket); `backup ls -o json` fields; each backup restores equal by sha256 to the
// data at its snapshot; `backup rm` frees only the blocks no other backup uses; the request,
// assignment, start, completion and removal are events. (backup-file.test.ts: a file:// target,
// an unreachable one, status; backup-kill*.test.ts: kill -9 mid-backup.)
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { openStore } from '@cairn/backup';
import type { BackupStore } from '@cairn/backup';
import { startS3rver } from '@cairn/backup/testing';
import type { S3Fixture } from '@cairn/backup/testing';
import type { Backup__Output } from '@cairn/schema/types';
import { eventually, startCluster } from './support/cluster.js';
import type { TestCluster } from './support/cluster.js';
import { blocks, deltas, cairnOk, cairnOn, restoredSha as restoredShaOf, sha } from './support/backups.js';

const run = promisify(execFile);
const MiB = 2 ** 20;
const SIZE = 32 * MiB;
let c: TestCluster;
let s3: S3Fixture;
const t = suite('backups (end to end)');

t.before(async () => {
  s3 = await startS3rver('backups');
  c = await startCluster(3);
});
t.after(async () => {
  await c?.down();
  await s3?.stop();
});

const cairn = (...args: string[]) => cairnOn(c, ...args);
const ok = (...args: string[]) => cairnOk(c, ...args);
const head = async (): Promise<number> => (await c.call('GetClusterInfo', {})).seq;
const s3Store = (): BackupStore => openStore(s3.target, s3.credentials);
const restoredSha = (store: BackupStore, url: string): Promise<string> => restoredShaOf(store, url, SIZE);

let uri = '';
let first = Buffer.alloc(0);
let second = Buffer.alloc(0);
/** Backups as `cairn backup create|ls -o json` prints them. */
let full: Backup__Output;
let incr: Backup__Output;

t('the target is refused by name when malformed, and nothing changes; a backup without one is refused', async () => {
  await c.call('CreateVolume', { name: 'bv', size: SIZE, numberOfReplicas: 2 });
  const none = await cairn('backup', 'create', 'bv');
  assert.is.not(none.code, 0);
  assert.match(none.stderr, /no backup target is set/);
  const before = await head();
  const bad = await cairn('backup', 'target', 'set', 's3://bucket-without-region/x');
  assert.is.not(bad.code, 0);
  assert.match(bad.stderr, /backup target "s3:\/\/bucket-without-region\/x".*region/);
  const nfs = await cairn('backup', 'target', 'set', 'nfs://server/export');
  assert.match(nfs.stderr, /nfs:\/\/ targets are not supported/);
  assert.is(await head(), before, 'nothing appended');
  const shown = JSON.parse(await ok('backup', 'target', '-o', 'json'));
  assert.is(shown.url, '');
  const unknown = await cairn('backup', 'create', 'nope');
  assert.match(unknown.stderr, /volume "nope"/);
});

t('the S3 target is set with a credential file; it is reachable and its secret never enters the log', async () => {
  const from = await head();
  const credFile = join(c.dir, 's3.cred');
  writeFileSync(credFile, s3.credentialFile);
  const set = JSON.parse(await ok('backup', 'target', 'set', s3.target, '--credential-file', credFile, '-o', 'json'));
  assert.is(set.url, s3.target);
  assert.is(set.credentialsSet, true);
  assert.is(set.reachable, true, set.error);
  const events = await c.eventsAfter(from);
  assert.equal(
    events.map((e) => e.payload),
    ['settingsChanged'],
  );
  assert.not.match(JSON.stringify(events), /S3RVER/, 'the keys are not in the log');
  const missing = await cairn('backup', 'create', 'bv', '--snapshot', 'never-taken');
  assert.match(missing.stderr, /volume "bv" has no snapshot "never-taken"/);
});

t('a full backup of data written through the NBD export stores its non-zero blocks once', async () => {
  await eventually(
    '2 replicas running',
    20_000,
    async () => (await c.call('GetVolume', { name: 'bv' })).replicas.filter((r) => r.state === 'running').length === 2,
  );
  const att = await ok('volume', 'attach', 'bv', '--node', 'node-1', '-o', 'json');
  uri = JSON.parse(att).nbd as string;
  first = randomBytes(SIZE);
  first.fill(0, 8 * MiB, 16 * MiB); // 4 blocks of zeroes: not stored
  writeFileSync(join(c.dir, 'first.bin'), first);
  await run('nbdcopy', [join(c.dir, 'first.bin'), uri], { timeout: 60_000 });
  const from = await head();
  full = JSON.parse(await ok('backup', 'create', 'bv', '--wait', '-o', 'json'));
  assert.is(full.state, 'completed', full.error);
  assert.is(full.volume, 'bv');
  assert.is(full.progress, 100);
  assert.is(full.size, SIZE);
  assert.match(full.url, /^s3:\/\/backups@us-east-1\/\?backup=backup-[0-9a-f]{16}&volume=bv$/);
  assert.is(full.snapshot, full.name, 'a snapshot was taken for it, named after it');
  assert.is(Number(full.blocks), 12);
  assert.is((await blocks(s3Store())).length, 12, '12 non-zero 2 MiB blocks in the bucket');
  const kinds = (await c.eventsAfter(from)).map((e) => e.payload);
  for (const k of ['snapshotCreated', 'backupRequested', 'backupAssigned', 'backupStarted', 'backupCompleted'] as const)
    assert.ok(kinds.includes(k), `${k} in ${kinds.join(',')}`);
});

t(
  'an incremental backup after two 4 KiB writes uploads only the two changed pages (two deltas), no whole block',
  async () => {
    second = Buffer.from(first);
    const a = randomBytes(4096),
      b = randomBytes(4096);
    a.copy(second, 1 * MiB);
    b.copy(second, 20 * MiB + 8192);
    writeFileSync(join(c.dir, 'a.bin'), a);
    writeFileSync(join(c.dir, 'b.bin'), b);
    // qemu-io writes at an offset through the export (nbdcopy would rewrite the whole volume).
    const qemuUri = uri;
    await run(
      'qemu-io',
      [
        '-f',
        'raw',
        '-c',
        `write -s ${join(c.dir, 'a.bin')} ${1 * MiB} 4096`,
        '-c',
        `write -s ${join(c.dir, 'b.bin')} ${20 * MiB + 8192} 4096`,
        qemuUri,
      ],
      { timeout: 30_000 },
    );
    await c.call('CreateSnapshot', { volume: 'bv', name: 's2' });
    const before = { blocks: await blocks(s3Store()), deltas: await deltas(s3Store()) };
    incr = JSON.parse(await ok('backup', 'create', 'bv', '--snapshot', 's2', '--wait', '-o', 'json'));
    assert.is(incr.state, 'completed', incr.error);
    assert.is(incr.snapshot, 's2');
    assert.is((await blocks(s3Store())).length, before.blocks.length, 'no whole 2 MiB block uploaded');
    assert.is((await deltas(s3Store())).length - before.deltas.length, 2, 'two deltas: one per block written');
    assert.is(Number(incr.uploadedBlocks), 2, 'the completion event says two uploaded');
    assert.ok(
      Number(incr.uploadedBytes) < 64 * 1024,
      `uploaded ${incr.uploadedBytes} bytes: about the 8 KiB written, not two 2 MiB blocks`,
    );
  },
);

t('backup ls -o json lists both with their fields; each restores equal to the data at its snapshot', async () => {
  const list = JSON.parse(await ok('backup', 'ls', 'bv', '-o', 'json')) as Backup__Output[];
  assert.equal(
    list.map((b) => b.url),
    [full.url, incr.url],
  );
  for (const b of list) {
    for (const k of ['name', 'volume', 'snapshot', 'url', 'state', 'size', 'progress'])
      assert.ok(k in b, `${k} in ${JSON.stringify(b)}`);
    assert.equal([b.volume, b.state, b.size, b.progress], ['bv', 'completed', SIZE, 100]);
  }
  const got = JSON.parse(await ok('backup', 'get', incr.url, '-o', 'json'));
  assert.is(got.snapshot, 's2');
  const store = s3Store();
  try {
    assert.is(await restoredSha(store, full.url), sha(first), 'the full backup restores the data at its snapshot');
    assert.is(await restoredSha(store, incr.url), sha(second), 'the incremental restores the data at s2');
  } finally {
    store.close();
  }
});

t('backup rm frees only the objects no other backup uses; the other still restores', async () => {
  const store = s3Store();
  try {
    const before = await blocks(store);
    const from = await head();
    const out = JSON.parse(await ok('backup', 'rm', full.url, '-o', 'json'));
    assert.is(out.deleted, true);
    // Every block of the full backup is the base the incremental's entries (or its deltas) build on.
    assert.is(Number(out.removedBlocks), 0, 'nothing freed: the incremental uses every block');
    assert.is((await blocks(store)).length, before.length);
    assert.equal(
      (await c.eventsAfter(from)).map((e) => e.payload),
      ['backupDeleted'],
    );
    assert.is(await restoredSha(store, incr.url), sha(second));
    const list = JSON.parse(await ok('backup', 'ls', 'bv', '-o', 'json')) as Backup__Output[];
    assert.equal(
      list.map((b) => b.url),
      [incr.url],
    );
    const again = await cairn('backup', 'rm', full.url);
    assert.is(again.code, 0, again.stderr);
    assert.match(again.stdout, /nothing to remove/);
    const explain = await ok('audit', 'explain', 'bv');
    assert.match(explain, new RegExp(`backup ${incr.name} completed on node-\\d: 12 blocks, 2 uploaded`));
    assert.match(explain, new RegExp(`backup ${full.name} removed by admin \\(0 blocks freed\\)`));
    assert.match(await ok('events'), new RegExp(`BackupCompleted\\s+bv ${incr.name} blocks=12 uploaded=2`));
    // The last backup goes: now nothing uses its 12 blocks and 2 deltas.
    const last = JSON.parse(await ok('backup', 'rm', incr.url, '-o', 'json'));
    assert.is(Number(last.removedBlocks), 14, '12 blocks and 2 deltas freed');
    assert.equal(
      [(await blocks(store)).length, (await deltas(store)).length],
      [0, 0],
      "the volume's objects are all gone",
    );
  } finally {
    store.close();
  }
});

t.run();
