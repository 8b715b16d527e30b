// Backups end to end on `cairn up --nodes 3`, against a real S3 server on loopback (s3rver, from
// @cairn/backup/testing) and a file:// target: the target set with a credential file (refused by
// name when wrong, the credentials never in the log); a full backup of data written through the
// NBD export; an incremental one after two 4 KiB writes that uploads only the two changed blocks
// (objects counted in the bucket); `backup ls -o json` fields; each backup restores equal by
// sha256 to the data at its snapshot; `backup rm` frees only the blocks no other backup uses;
// the request, assignment, start and completion are events.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { openStore, restoreBackup } from '@cairn/backup';
import type { BackupStore } from '@cairn/backup';
import { startS3rver } from '@cairn/backup/testing';
import type { S3Fixture } from '@cairn/backup/testing';
import { eventually, startCluster } from './support/cluster.js';
import type { TestCluster } from './support/cluster.js';

const run = promisify(execFile);
const MiB = 2 ** 20;
const SIZE = 32 * MiB;
let c: TestCluster;
let s3: S3Fixture;
let fileTarget = '';
const t = suite('backups (end to end)');

t.before(async () => {
  s3 = await startS3rver('backups');
  fileTarget = mkdtempSync(join(tmpdir(), 'cairn-file-target-'));
  c = await startCluster(3);
});
t.after(async () => {
  await c?.down();
  await s3?.stop();
  if (fileTarget) rmSync(fileTarget, { recursive: true, force: true });
});

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
const cluster = () => ['--cluster', join(c.dir, 'cluster.json')];
const cairn = async (...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> => c.cairn([...args, ...cluster()]);
const ok = async (...args: string[]): Promise<string> => {
  const r = await cairn(...args);
  assert.is(r.code, 0, `cairn ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
};
const head = async (): Promise<number> => (await c.call('GetClusterInfo', {})).seq;
const s3Store = (): BackupStore => openStore(s3.target, s3.credentials);
/** The block objects in a target. */
async function blocks(store: BackupStore): Promise<string[]> {
  return (await store.list('backupstore/')).filter((k) => k.endsWith('.blk')).sort();
}
/** Restores a backup into memory and returns its sha256. */
async function restoredSha(store: BackupStore, url: string): Promise<string> {
  const buf = Buffer.alloc(SIZE);
  await restoreBackup(store, url, {
    size: SIZE,
    write: async (offset: number, data: Buffer) => { data.copy(buf, offset); },
    flush: async () => undefined,
  });
  return sha(buf);
}

let uri = '';
let first = Buffer.alloc(0);
let second = Buffer.alloc(0);
let full: any;
let incr: any;

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
  assert.equal(events.map((e: any) => e.payload), ['settingsChanged']);
  assert.not.match(JSON.stringify(events), /S3RVER/, 'the keys are not in the log');
  const missing = await cairn('backup', 'create', 'bv', '--snapshot', 'never-taken');
  assert.match(missing.stderr, /volume "bv" has no snapshot "never-taken"/);
});

t('a full backup of data written through the NBD export stores its non-zero blocks once', async () => {
  await eventually('2 replicas running', 20_000, async () => (await c.call('GetVolume', { name: 'bv' })).replicas.filter((r: any) => r.state === 'running').length === 2);
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
  const kinds = (await c.eventsAfter(from)).map((e: any) => e.payload);
  for (const k of ['snapshotCreated', 'backupRequested', 'backupAssigned', 'backupStarted', 'backupCompleted']) assert.ok(kinds.includes(k), `${k} in ${kinds.join(',')}`);
});

t('an incremental backup after two 4 KiB writes uploads only the two changed blocks', async () => {
  second = Buffer.from(first);
  const a = randomBytes(4096), b = randomBytes(4096);
  a.copy(second, 1 * MiB);
  b.copy(second, 20 * MiB + 8192);
  writeFileSync(join(c.dir, 'a.bin'), a);
  writeFileSync(join(c.dir, 'b.bin'), b);
  // qemu-io writes at an offset through the export (nbdcopy would rewrite the whole volume).
  const qemuUri = uri;
  await run('qemu-io', ['-f', 'raw', '-c', `write -s ${join(c.dir, 'a.bin')} ${1 * MiB} 4096`, '-c', `write -s ${join(c.dir, 'b.bin')} ${20 * MiB + 8192} 4096`, qemuUri], { timeout: 30_000 });
  await c.call('CreateSnapshot', { volume: 'bv', name: 's2' });
  const before = await blocks(s3Store());
  incr = JSON.parse(await ok('backup', 'create', 'bv', '--snapshot', 's2', '--wait', '-o', 'json'));
  assert.is(incr.state, 'completed', incr.error);
  assert.is(incr.snapshot, 's2');
  const after = await blocks(s3Store());
  assert.is(after.length - before.length, 2, 'two new block objects');
  assert.is(Number(incr.uploadedBlocks), 2, 'the completion event says two uploaded');
  assert.ok(Number(incr.uploadedBytes) < 2 * 2 * MiB + 4096, `uploaded ${incr.uploadedBytes} bytes`);
});

t('backup ls -o json lists both with their fields; each restores equal to the data at its snapshot', async () => {
  const list = JSON.parse(await ok('backup', 'ls', 'bv', '-o', 'json'));
  assert.equal(list.map((b: any) => b.url), [full.url, incr.url]);
  for (const b of list) {
    for (const k of ['name', 'volume', 'snapshot', 'url', 'state', 'size', 'progress']) assert.ok(k in b, `${k} in ${JSON.stringify(b)}`);
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

t('backup rm frees only the blocks no other backup uses; the other still restores', async () => {
  const store = s3Store();
  try {
    const before = await blocks(store);
    const from = await head();
    const out = JSON.parse(await ok('backup', 'rm', full.url, '-o', 'json'));
    assert.is(out.deleted, true);
    assert.is(Number(out.removedBlocks), 2, 'the two blocks s2 rewrote');
    assert.is((await blocks(store)).length, before.length - 2);
    assert.equal((await c.eventsAfter(from)).map((e: any) => e.payload), ['backupDeleted']);
    assert.is(await restoredSha(store, incr.url), sha(second));
    const list = JSON.parse(await ok('backup', 'ls', 'bv', '-o', 'json'));
    assert.equal(list.map((b: any) => b.url), [incr.url]);
    const again = await cairn('backup', 'rm', full.url);
    assert.is(again.code, 0, again.stderr);
    assert.match(again.stdout, /nothing to remove/);
  } finally {
    store.close();
  }
});

t('an unreachable target is shown so (cairn status too) and refuses backups, naming it', async () => {
  const credFile = join(c.dir, 'closed.cred');
  writeFileSync(credFile, 'AWS_ACCESS_KEY_ID=S3RVER\nAWS_SECRET_ACCESS_KEY=S3RVER\nAWS_ENDPOINTS=http://127.0.0.1:9\n');
  const set = JSON.parse(await ok('backup', 'target', 'set', 's3://backups@us-east-1/', '--credential-file', credFile, '-o', 'json'));
  assert.is(set.reachable, false);
  assert.ok(set.error, 'it says why');
  const r = await cairn('backup', 'create', 'bv', '--snapshot', 's2');
  assert.is.not(r.code, 0);
  assert.match(r.stderr, /backup target "s3:\/\/backups@us-east-1\/" is unreachable/);
  const st = await c.cairn(['status', '--dir', c.dir]);
  assert.match(st.stdout, /backup target s3:\/\/backups@us-east-1\/  UNREACHABLE/);
});

t('a file:// target takes backups too, and they restore; status, events and audit say so', async () => {
  const set = JSON.parse(await ok('backup', 'target', 'set', `file://${fileTarget}`, '-o', 'json'));
  assert.is(set.reachable, true, set.error);
  const b = JSON.parse(await ok('backup', 'create', 'bv', '--snapshot', 's2', '--wait', '-o', 'json'));
  assert.is(b.state, 'completed', b.error);
  assert.match(b.url, new RegExp(`^file://${fileTarget}\\?backup=`));
  const store = openStore(`file://${fileTarget}`);
  try {
    assert.is((await blocks(store)).length, 12);
    assert.is(await restoredSha(store, b.url), sha(second));
  } finally {
    store.close();
  }
  const st = await ok('backup', 'target');
  assert.match(st, /reachable:\s+yes/);
  await eventually('the leader probed the new target', 20_000, async () => /backup target file:\/\/\S+  reachable/.test((await c.cairn(['status', '--dir', c.dir])).stdout));
  const events = await ok('events');
  assert.match(events, new RegExp(`BackupCompleted\\s+bv ${b.name} blocks=12 uploaded=12`));
  const explain = await ok('audit', 'explain', 'bv');
  assert.match(explain, new RegExp(`backup ${b.name} completed on node-\\d: 12 blocks`));
  assert.match(explain, new RegExp(`backup ${full.name} removed by admin \\(2 blocks freed\\)`));
});

t.run();
