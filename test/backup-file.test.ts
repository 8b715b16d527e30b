// Backups to a file:// target (a directory, as an NFS mount on every node would be), end to end on
// `cairn up --nodes 2`: an unreachable S3 target is shown so by `backup target` and `cairn status`
// and refuses backups naming it; a file:// target takes a backup that restores equal by sha256 to
// the data at its snapshot; `cairn status` shows the leader's probe of it; `cairn events` and
// `cairn audit explain` tell the backup's life.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '@cairn/backup';
import { eventually, startCluster } from './support/cluster.js';
import type { TestCluster } from './support/cluster.js';
import { blocks, cairnOk, cairnOn, restoredSha, sha, writeThrough } from './support/backups.js';

const MiB = 2 ** 20;
const SIZE = 16 * MiB;
let c: TestCluster;
let fileTarget = '';
let data = Buffer.alloc(0);
const t = suite('backups to a file:// target (end to end)');

t.before(async () => {
  fileTarget = mkdtempSync(join(tmpdir(), 'cairn-file-target-'));
  c = await startCluster(2);
  await c.call('CreateVolume', { name: 'fv', size: SIZE, numberOfReplicas: 2 });
  await eventually(
    '2 replicas running',
    20_000,
    async () => (await c.call('GetVolume', { name: 'fv' })).replicas.filter((r) => r.state === 'running').length === 2,
  );
  const uri = JSON.parse(await cairnOk(c, 'volume', 'attach', 'fv', '--node', 'node-1', '-o', 'json')).nbd as string;
  data = randomBytes(SIZE);
  data.fill(0, 4 * MiB, 8 * MiB); // two blocks of zeroes: not stored
  await writeThrough(c, uri, data, 'data.bin');
  await c.call('CreateSnapshot', { volume: 'fv', name: 's1' });
});
t.after(async () => {
  await c?.down();
  if (fileTarget) rmSync(fileTarget, { recursive: true, force: true });
});

t('an unreachable target is shown so (cairn status too) and refuses backups, naming it', async () => {
  const credFile = join(c.dir, 'closed.cred');
  writeFileSync(credFile, 'AWS_ACCESS_KEY_ID=K\nAWS_SECRET_ACCESS_KEY=S\nAWS_ENDPOINTS=http://127.0.0.1:9\n');
  const set = JSON.parse(
    await cairnOk(c, 'backup', 'target', 'set', 's3://backups@us-east-1/', '--credential-file', credFile, '-o', 'json'),
  );
  assert.is(set.reachable, false);
  assert.ok(set.error, 'it says why');
  const r = await cairnOn(c, 'backup', 'create', 'fv', '--snapshot', 's1');
  assert.is.not(r.code, 0);
  assert.match(r.stderr, /backup target "s3:\/\/backups@us-east-1\/" is unreachable/);
  const st = await c.cairn(['status', '--dir', c.dir]);
  assert.match(st.stdout, /backup target s3:\/\/backups@us-east-1\/ {2}UNREACHABLE/);
});

t('a file:// target takes a backup that restores; status, events and audit say so', async () => {
  const set = JSON.parse(
    await cairnOk(c, 'backup', 'target', 'set', `file://${fileTarget}`, '--clear-credentials', '-o', 'json'),
  );
  assert.is(set.reachable, true, set.error);
  assert.is(set.credentialsSet, false, 'the S3 credentials were forgotten');
  const b = JSON.parse(await cairnOk(c, 'backup', 'create', 'fv', '--snapshot', 's1', '--wait', '-o', 'json'));
  assert.is(b.state, 'completed', b.error);
  assert.match(b.url, new RegExp(`^file://${fileTarget}\\?backup=backup-[0-9a-f]{16}&volume=fv$`));
  const store = openStore(`file://${fileTarget}`);
  try {
    assert.is((await blocks(store)).length, 6, '8 blocks less the 2 of zeroes');
    assert.is(await restoredSha(store, b.url, SIZE), sha(data));
  } finally {
    store.close();
  }
  assert.match(await cairnOk(c, 'backup', 'target'), /reachable:\s+yes/);
  await eventually('the leader probed the new target', 20_000, async () =>
    /backup target file:\/\/\S+ {2}reachable/.test((await c.cairn(['status', '--dir', c.dir])).stdout),
  );
  assert.match(await cairnOk(c, 'events'), new RegExp(`BackupCompleted\\s+fv ${b.name} blocks=6 uploaded=6`));
  const explain = await cairnOk(c, 'audit', 'explain', 'fv');
  for (const line of [
    `backup ${b.name} of snapshot s1 requested by admin`,
    `backup ${b.name} assigned to node-\\d`,
    `backup ${b.name} started on node-\\d`,
    `backup ${b.name} completed on node-\\d: 6 blocks`,
  ]) {
    assert.match(explain, new RegExp(line));
  }
});

t.run();
