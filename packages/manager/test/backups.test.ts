// Backups, the pure part: what a request appends (and refuses, by name), how the projection
// records a backup's life, which node the leader gives it to (a running replica's, under
// backup-concurrent-limit), when the leader fails it, what a node's report appends.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { canonicalJson, cloneState, draft, emptyState, fromCanonicalJson, stateHash } from '@cairn/metadata';
import type { ClusterState } from '@cairn/metadata';
import { backupAssignments, backupReportDrafts, createBackupDrafts, decideBackups } from '../src/backups.js';
import { apply, refused } from './support.js';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkCredentials, readCredentialDir } from '../src/backup-target.js';

const url = (target: string, volume: string, name: string): string => `${target}?backup=${name}&volume=${volume}`;
const TARGET = 'file:///backups';

function cluster(): ClusterState {
  const s = apply(emptyState(), [
    draft.nodeRegistered('node-1', { address: '127.0.0.1:1' }),
    draft.diskAdded('node-1', 'd', { maximum: 100 * 2 ** 30 }),
    draft.nodeRegistered('node-2', { address: '127.0.0.1:2' }),
    draft.diskAdded('node-2', 'd', { maximum: 100 * 2 ** 30 }),
    draft.volumeCreated('vol', { size: 2 ** 30, numberOfReplicas: 2 }),
    draft.volumeCreated('other', { size: 2 ** 30, numberOfReplicas: 1 }),
  ]);
  apply(s, [
    {
      replicaScheduled: { replicaId: 'r1', volume: 'vol', nodeId: 'node-1', diskId: 'd', trigger: 'new', replaces: '' },
    },
    {
      replicaScheduled: { replicaId: 'r2', volume: 'vol', nodeId: 'node-2', diskId: 'd', trigger: 'new', replaces: '' },
    },
    {
      replicaScheduled: {
        replicaId: 'o1',
        volume: 'other',
        nodeId: 'node-1',
        diskId: 'd',
        trigger: 'new',
        replaces: '',
      },
    },
    { replicaRunning: { replicaId: 'r1', address: '127.0.0.1:1' } },
    { replicaRunning: { replicaId: 'r2', address: '127.0.0.1:2' } },
    { replicaRunning: { replicaId: 'o1', address: '127.0.0.1:1' } },
  ]);
  return s;
}

const req = (o: Partial<{ volume: string; snapshot: string; name: string }> = {}) => ({
  volume: 'vol',
  snapshot: '',
  name: 'b1',
  labels: {},
  ...o,
});

const t = suite('backups (pure)');

t('a request is refused by name: unknown volume, no target, missing snapshot; nothing is decided', () => {
  const s = cluster();
  refused(() => createBackupDrafts(s, req({ volume: 'nope' }), url), 'NotFound', /volume "nope"/);
  refused(() => createBackupDrafts(s, req(), url), 'FailedPrecondition', /no backup target is set/);
  apply(s, [draft.settingsChanged({ 'backup-target': TARGET })]);
  refused(() => createBackupDrafts(s, req({ snapshot: 'gone' }), url), 'NotFound', /no snapshot "gone"/);
});

t('a volume still restoring, or a standby one, is not backed up: it holds only part of its data', () => {
  const s = cluster();
  apply(s, [draft.settingsChanged({ 'backup-target': TARGET })]);
  const from = `${TARGET}?backup=b0&volume=src`;
  for (const [name, standby] of [
    ['restoring', false],
    ['dr', true],
  ] as const) {
    const d = draft.volumeCreated(name, { size: 2 ** 30, numberOfReplicas: 1 });
    d.volumeCreated!.fromBackup = from;
    d.volumeCreated!.standby = standby;
    apply(s, [d]);
  }
  refused(
    () => createBackupDrafts(s, req({ volume: 'restoring' }), url),
    'FailedPrecondition',
    /cannot back up: volume "restoring" is being restored from/,
  );
  refused(
    () => createBackupDrafts(s, req({ volume: 'dr' }), url),
    'FailedPrecondition',
    /cannot back up: volume "dr" is a standby \(DR\) volume/,
  );
});

t('the setting takes s3:// and file:// URLs and refuses others by name', () => {
  const s = cluster();
  apply(s, [draft.settingsChanged({ 'backup-target': 's3://bucket@us-east-1/path' })]);
  assert.is(s.settings['backup-target'], 's3://bucket@us-east-1/path');
  assert.throws(() => apply(s, [draft.settingsChanged({ 'backup-target': 'nfs://host/x' })]), /backup-target/);
});

t('without a snapshot one is taken with the request; the same request again appends nothing', () => {
  const s = cluster();
  apply(s, [draft.settingsChanged({ 'backup-target': TARGET })]);
  const d = createBackupDrafts(s, req(), url);
  assert.equal(
    d.map((x) => Object.keys(x)[0]),
    ['snapshotCreated', 'backupRequested'],
  );
  apply(s, d);
  const b = s.volumes.get('vol')!.backups!['b1']!;
  assert.is(b.state, 'pending');
  assert.is(b.snapshot, 'b1');
  assert.is(b.url, url(TARGET, 'vol', 'b1'));
  assert.ok(s.volumes.get('vol')!.snapshots.has('b1'));
  assert.equal(createBackupDrafts(s, req(), url), []);
  refused(
    () => createBackupDrafts(s, req({ snapshot: 'b1x' }), url),
    'AlreadyExists',
    /backup "b1" of volume "vol" exists, of snapshot "b1"/,
  );
});

t("the leader assigns to a running replica's node within backup-concurrent-limit, least loaded first", () => {
  const s = cluster();
  apply(s, [draft.settingsChanged({ 'backup-target': TARGET, 'backup-concurrent-limit': '1' })]);
  for (const [volume, name] of [
    ['vol', 'a'],
    ['vol', 'b'],
    ['other', 'c'],
  ] as const)
    apply(s, createBackupDrafts(s, req({ volume, name }), url));
  const d = decideBackups(s);
  // vol/a -> node-1 (r1 sorts first); vol/b -> node-2 (node-1 is at its limit); other/c waits (node-1 full).
  assert.equal(d, [
    { backupAssigned: { volume: 'vol', name: 'a', nodeId: 'node-1', replicaId: 'r1' } },
    { backupAssigned: { volume: 'vol', name: 'b', nodeId: 'node-2', replicaId: 'r2' } },
  ]);
  apply(s, d);
  assert.equal(decideBackups(s), [], 'nothing more while the nodes are full');
  assert.equal(
    backupAssignments(s, 'node-2', { AWS_ACCESS_KEY_ID: 'k' }).map((b) => [b.name, b.replicaId, b.credentials]),
    [['b', 'r2', { AWS_ACCESS_KEY_ID: 'k' }]],
  );
  // node-1 finishes a: c goes there.
  apply(
    s,
    backupReportDrafts(s, 'node-1', [
      {
        volume: 'vol',
        name: 'a',
        state: 'started',
        url: '',
        size: 0,
        blocks: 0,
        uploadedBlocks: 0,
        uploadedBytes: 0,
        reusedBlocks: 0,
        reason: '',
      },
    ]),
  );
  assert.is(s.volumes.get('vol')!.backups!['a']!.state, 'running');
  apply(
    s,
    backupReportDrafts(s, 'node-1', [
      {
        volume: 'vol',
        name: 'a',
        state: 'completed',
        url: '',
        size: 2 ** 30,
        blocks: 3,
        uploadedBlocks: 3,
        uploadedBytes: 99,
        reusedBlocks: 0,
        reason: '',
      },
    ]),
  );
  const a = s.volumes.get('vol')!.backups!['a']!;
  assert.equal([a.state, a.blocks, a.uploadedBytes], ['completed', 3, 99]);
  assert.equal(decideBackups(s), [
    { backupAssigned: { volume: 'other', name: 'c', nodeId: 'node-1', replicaId: 'o1' } },
  ]);
  // A report from the wrong node is refused; a second completion is stale.
  refused(
    () =>
      backupReportDrafts(s, 'node-1', [
        {
          volume: 'vol',
          name: 'b',
          state: 'failed',
          url: '',
          size: 0,
          blocks: 0,
          uploadedBlocks: 0,
          uploadedBytes: 0,
          reusedBlocks: 0,
          reason: 'x',
        },
      ]),
    'FailedPrecondition',
    /assigned to node "node-2"/,
  );
  assert.equal(
    backupReportDrafts(s, 'node-1', [
      {
        volume: 'vol',
        name: 'a',
        state: 'completed',
        url: '',
        size: 1,
        blocks: 1,
        uploadedBlocks: 1,
        uploadedBytes: 1,
        reusedBlocks: 0,
        reason: '',
      },
    ]),
    [],
  );
});

t('a backup whose node goes down, or whose snapshot is deleted, is failed by the leader with the reason', () => {
  const s = cluster();
  apply(s, [draft.settingsChanged({ 'backup-target': TARGET })]);
  apply(s, createBackupDrafts(s, req({ name: 'a' }), url));
  apply(s, createBackupDrafts(s, req({ volume: 'other', name: 'c' }), url));
  apply(s, decideBackups(s));
  assert.is(s.volumes.get('vol')!.backups!['a']!.nodeId, 'node-1');
  apply(s, [
    { nodeDown: { nodeId: 'node-1', reason: 'lease expired' } },
    { snapshotDeleted: { volume: 'other', name: 'c' } },
  ]);
  const d = decideBackups(s);
  assert.equal(d, [
    { backupFailed: { volume: 'vol', name: 'a', nodeId: 'node-1', reason: 'node "node-1" is down (lease expired)' } },
    { backupFailed: { volume: 'other', name: 'c', nodeId: 'node-1', reason: 'snapshot "c" was deleted' } },
  ]);
  apply(s, d);
  assert.is(s.volumes.get('vol')!.backups!['a']!.state, 'failed');
  // A late "completed" from the node is stale: never completed after failed.
  assert.equal(
    backupReportDrafts(s, 'node-1', [
      {
        volume: 'vol',
        name: 'a',
        state: 'completed',
        url: '',
        size: 1,
        blocks: 1,
        uploadedBlocks: 1,
        uploadedBytes: 1,
        reusedBlocks: 0,
        reason: '',
      },
    ]),
    [],
  );
});

t('records survive a snapshot of the state (canonical JSON) and a deleted backup leaves none', () => {
  const s = cluster();
  const before = stateHash(s);
  assert.is(stateHash(cloneState(s)), before);
  apply(s, [draft.settingsChanged({ 'backup-target': TARGET })]);
  apply(s, createBackupDrafts(s, req(), url));
  const back = fromCanonicalJson(canonicalJson(s), s.seq);
  assert.is(stateHash(back), stateHash(s));
  assert.is(back.volumes.get('vol')!.backups!['b1']!.state, 'pending');
  apply(s, [
    { backupFailed: { volume: 'vol', name: 'b1', nodeId: '', reason: 'x' } },
    { backupDeleted: { volume: 'vol', name: 'b1', url: url(TARGET, 'vol', 'b1'), removedBlocks: 0 } },
  ]);
  assert.is(s.volumes.get('vol')!.backups, undefined, 'absent again, as before any backup');
});

t(
  "credentials: a mounted Secret is read by its keys (through Kubernetes' ..data links); bad ones are refused naming the key, never the value",
  async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cairn-creds-'));
    try {
      mkdirSync(join(dir, '..data'));
      writeFileSync(join(dir, '..data', 'AWS_ACCESS_KEY_ID'), 'key\n');
      writeFileSync(join(dir, '..data', 'AWS_SECRET_ACCESS_KEY'), 'very-secret');
      writeFileSync(join(dir, '..data', 'AWS_CERT'), 'ignored');
      for (const k of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_CERT'])
        symlinkSync(join('..data', k), join(dir, k));
      assert.equal(await readCredentialDir(dir), { AWS_ACCESS_KEY_ID: 'key', AWS_SECRET_ACCESS_KEY: 'very-secret' });
      assert.equal(await readCredentialDir(join(dir, 'absent')), {});
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    assert.equal(checkCredentials({ AWS_ACCESS_KEY_ID: 'k', AWS_SECRET_ACCESS_KEY: 's', AWS_CERT: 'x' }), {
      AWS_ACCESS_KEY_ID: 'k',
      AWS_SECRET_ACCESS_KEY: 's',
    });
    refused(
      () => checkCredentials({ AWS_ACCESS_KEY_ID: 'only-the-key' }),
      'InvalidArgument',
      /AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY must be given together/,
    );
    refused(
      () => checkCredentials({ AWS_ACCESS_KEY_ID: 'k', AWS_SECRET_ACCESS_KEY: 's', AWS_ENDPOINTS: 'ftp://x' }),
      'InvalidArgument',
      /AWS_ENDPOINTS/,
    );
    refused(() => checkCredentials({ OTHER: 'x' }), 'InvalidArgument', /none of AWS_ACCESS_KEY_ID/);
    try {
      checkCredentials({ AWS_ACCESS_KEY_ID: 'only-the-key' });
    } catch (e) {
      assert.not.match((e as Error).message, /only-the-key/);
    }
  },
);

t.run();
