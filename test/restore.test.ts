// Restore from backups (Longhorn's fromBackup) and DR (standby) volumes, end to end on a `cairn up`
// cluster with a file:// backup target (issue 16, points 3, 4 and 6). The backups are made with
// @cairn/backup's createBackup from a replica store written here, so the data at each snapshot is
// known byte for byte; every restored volume is read back over its NBD export and compared by
// sha256. A corrupt block fails the restore naming block and backup; a standby volume follows two
// newer backups and activates with the newest; CSI CreateVolume restores through fromBackup.
// restore-s3.test.ts: on S3, backups the cluster made itself, and a fresh cluster restoring them.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { backupUrl, createBackup, openStore } from '@cairn/backup';
import type { BackupInfo, BackupStore } from '@cairn/backup';
import { CsiClient } from '@cairn/csi';
import { ReplicaStore } from '@cairn/datapath';
import type { Volume__Output } from '@cairn/schema/types';
import { eventually, startCluster } from './support/cluster.js';
import type { TestCluster } from './support/cluster.js';
import { csiCall } from './support/grpc-types.js';
import {
  clusterFlag,
  contents as contentsOf,
  readAll as readFrom,
  refusedWith,
  restored as restoredOn,
  sha,
  volumeOf,
} from './support/restore.js';
import { cairnOk } from './support/backups.js';

const MiB = 2 ** 20;
const SIZE = 24 * MiB;
const t = suite('restore from backups and DR volumes');

let c: TestCluster;
let work = '';
let target = '';
let store: BackupStore;
/** A source volume's replica store, written and snapshotted here; the backups are made from it. */
const sources = new Map<string, { replica: ReplicaStore; data: Buffer; last: BackupInfo | null }>();
/** Backup URL -> the data at its snapshot. */
const expected = new Map<string, Buffer>();

const cluster = () => clusterFlag(c);
const volume = (name: string): Promise<Volume__Output> => volumeOf(c, name);
const head = async (): Promise<number> => (await c.call('GetClusterInfo', {})).seq;

/** Writes `data` over the source volume's store, snapshots it and backs that snapshot up. */
async function backup(vol: string, name: string, change: (data: Buffer) => void): Promise<string> {
  let s = sources.get(vol);
  if (!s) {
    s = { replica: await ReplicaStore.create(join(work, `src-${vol}`), SIZE), data: Buffer.alloc(SIZE), last: null };
    sources.set(vol, s);
  }
  const before = Buffer.from(s.data);
  change(s.data);
  // Only the 64 KiB pieces that changed are written: an incremental backup then reads only those.
  for (let off = 0; off < SIZE; off += 64 * 1024) {
    const piece = s.data.subarray(off, off + 64 * 1024);
    if (!piece.equals(before.subarray(off, off + 64 * 1024))) await s.replica.write(off, Buffer.from(piece));
  }
  await s.replica.flush();
  await s.replica.snapshot(`snap-${name}`);
  const r = await createBackup(store, {
    volume: vol,
    backup: name,
    snapshot: `snap-${name}`,
    source: s.replica,
    labels: {},
    ...(s.last ? { previous: s.last } : {}),
  });
  s.last = r.info;
  assert.is(r.info.url, backupUrl(target, vol, name));
  expected.set(r.info.url, Buffer.from(s.data));
  return r.info.url;
}

const readAll = (uri: string, file: string): Promise<Buffer> => readFrom(c, uri, file);
const restored = (name: string): Promise<Volume__Output> => restoredOn(c, name);
const contents = (name: string, node: string): Promise<Buffer> => contentsOf(c, name, node);

let b1 = '';
let b2 = '';

t.before(async () => {
  try {
    await setUp();
  } catch (e) {
    // uvu stops the suite without a word when a hook throws: say why.
    console.error('restore suite set-up failed:', e);
    throw e;
  }
});

async function setUp(): Promise<void> {
  work = mkdtempSync(join(tmpdir(), 'cairn-restore-'));
  // A file:// target is a directory that exists (a mounted share): the library does not make it.
  mkdirSync(join(work, 'target'));
  target = `file://${join(work, 'target')}`;
  store = openStore(target);
  // Random data with holes (zero stretches are not stored, and read back as zeroes).
  b1 = await backup('src', 'b1', (d) => {
    randomBytes(SIZE).copy(d);
    d.fill(0, 6 * MiB, 10 * MiB);
  });
  b2 = await backup('src', 'b2', (d) => {
    randomBytes(3 * MiB).copy(d, 1 * MiB);
    d.fill(0, 16 * MiB, 18 * MiB); // blocks the newer backup no longer has
    randomBytes(1 * MiB).copy(d, 7 * MiB);
  });
  c = await startCluster(2);
  // Restores read the cluster's backup target (as Longhorn's do): the one the backups are in.
  await cairnOk(c, 'backup', 'target', 'set', target);
}

t.after(async () => {
  await c?.down();
  for (const s of sources.values()) await s.replica.close().catch(() => undefined);
  if (work) rmSync(work, { recursive: true, force: true });
});

t('each backup restores to a new volume equal byte for byte to the data at its snapshot', async () => {
  const before = await head();
  // No size: the backup's.
  const created = await c.cairn([
    'volume',
    'create',
    'r1',
    '--from-backup',
    b1,
    '--replicas',
    '2',
    '-o',
    'json',
    ...cluster(),
  ]);
  assert.is(created.code, 0, created.stderr);
  const v = JSON.parse(created.stdout);
  assert.is(Number(v.size), SIZE, "the size is the backup's");
  assert.is(v.restore.backup, b1);
  assert.ok(['restoring', 'completed'].includes(v.restore.state));
  // A bigger size: the backup's data, zeroes after it.
  const r2 = await c.cairn([
    'volume',
    'create',
    'r2',
    '--from-backup',
    b2,
    '--size',
    `${SIZE / MiB + 8}Mi`,
    '--replicas',
    '2',
    ...cluster(),
  ]);
  assert.is(r2.code, 0, r2.stderr);

  const got1 = await restored('r1');
  assert.is(got1.restore!.progress, 100);
  assert.is(got1.restore!.restored, b1);
  assert.match((await c.cairn(['volume', 'get', 'r1', ...cluster()])).stdout, /restore:\s+completed/);
  await restored('r2');
  assert.is(sha(await contents('r1', 'node-2')), sha(expected.get(b1)!), "r1 holds the data at b1's snapshot");
  const data2 = await contents('r2', 'node-1');
  assert.is(data2.length, SIZE + 8 * MiB);
  assert.is(sha(data2.subarray(0, SIZE)), sha(expected.get(b2)!), "r2 holds the data at b2's snapshot");
  assert.ok(data2.subarray(SIZE).equals(Buffer.alloc(8 * MiB)), 'past the backup, zeroes');

  // The events: created from the backup, restored by an engine without a frontend, stopped after.
  const evs = (await c.eventsAfter(before)).filter((e) => JSON.stringify(e[e.payload!]).includes('"r1"'));
  const kinds = evs.map((e) => e.payload);
  for (const k of [
    'volumeCreated',
    'volumeAutoAttached',
    'volumeRestoreStarted',
    'volumeRestoreCompleted',
    'volumeAutoDetached',
  ] as const)
    assert.ok(kinds.includes(k), `${k} in ${kinds.join(', ')}`);
  assert.ok(
    kinds.indexOf('volumeRestoreCompleted') < kinds.indexOf('volumeAttachRequested'),
    'the user attach came after the restore',
  );
  assert.is(evs.find((e) => e.payload === 'volumeAutoAttached')!.volumeAutoAttached!.reason, 'restore');
  assert.is(evs.find((e) => e.payload === 'volumeCreated')!.volumeCreated!.fromBackup, b1);
  assert.is(evs.find((e) => e.payload === 'volumeAutoDetached')!.volumeAutoDetached!.reason, 'restored');
  const ev = await c.cairn(['events', ...cluster()]);
  assert.match(ev.stdout, /VolumeRestoreCompleted\s+r1 on node-\d: \S*backup=b1/);
});

t('bad requests are refused by name and append nothing', async () => {
  const seq = await head();
  await refusedWith(
    c.call('CreateVolume', { name: 'small', size: SIZE - MiB, fromBackup: b1 }),
    'INVALID_ARGUMENT',
    /size \d+ is smaller than backup .*b1/,
  );
  await refusedWith(
    c.call('CreateVolume', { name: 'missing', size: 0, fromBackup: backupUrl(target, 'src', 'nope') }),
    'NOT_FOUND',
    /nope/,
  );
  await refusedWith(
    c.call('CreateVolume', { name: 'both', size: SIZE, fromBackup: b1, dataSource: 'vol://r1' }),
    'INVALID_ARGUMENT',
    /fromBackup or dataSource/,
  );
  await refusedWith(
    c.call('CreateVolume', { name: 'sb', size: SIZE, standby: true }),
    'INVALID_ARGUMENT',
    /standby needs fromBackup/,
  );
  await refusedWith(c.call('ActivateVolume', { name: 'r1' }), 'FAILED_PRECONDITION', /not a standby volume/);
  assert.is(await head(), seq, 'nothing appended');
  // The same create again is idempotent; the same name from another backup is not.
  await c.call('CreateVolume', { name: 'r1', size: 0, numberOfReplicas: 2, fromBackup: b1 });
  assert.is(await head(), seq);
  await refusedWith(
    c.call('CreateVolume', { name: 'r1', size: SIZE, numberOfReplicas: 2, fromBackup: b2 }),
    'ALREADY_EXISTS',
    /different fromBackup/,
  );
});

t('a corrupt block fails the restore naming the block and the backup; the volume cannot be attached', async () => {
  const b3 = await backup('bad', 'b3', (d) => randomBytes(4 * MiB).copy(d, 2 * MiB));
  // Flip a byte in one stored block of the target.
  const blocks: string[] = [];
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir)) {
      const p = join(dir, e);
      if (statSync(p).isDirectory()) walk(p);
      else if (p.endsWith('.blk') && p.includes('/bad/')) blocks.push(p);
    }
  };
  walk(join(work, 'target'));
  assert.ok(blocks.length > 0, 'the backup stored blocks');
  const victim = blocks.sort()[0]!;
  const bytes = readFileSync(victim);
  bytes[bytes.length >> 1] = bytes[bytes.length >> 1]! ^ 0xff;
  writeFileSync(victim, bytes);

  const seq = await head();
  await c.call('CreateVolume', { name: 'broken', size: 0, numberOfReplicas: 1, fromBackup: b3 });
  const v = await eventually('the restore of broken failed', 60_000, async () => {
    const x = await volume('broken');
    return x.restore?.state === 'failed' ? x : null;
  });
  assert.match(v.restore!.error, /b3/, 'the error names the backup');
  assert.match(v.restore!.error, /block|checksum|corrupt/i, 'the error says which block');
  const failed = (await c.eventsAfter(seq)).find((e) => e.payload === 'volumeRestoreFailed');
  assert.ok(failed, 'a VolumeRestoreFailed event');
  assert.is(failed.volumeRestoreFailed!.reason, v.restore!.error);
  await eventually('the engine of broken is stopped', 20_000, async () => !(await volume('broken')).autoAttachReason);
  await refusedWith(
    c.call('AttachVolume', { name: 'broken', nodeId: 'node-1' }),
    'FAILED_PRECONDITION',
    /failed to restore from .*b3/,
  );
  assert.match((await c.cairn(['volume', 'get', 'broken', ...cluster()])).stdout, /restore:\s+failed: /);
  await c.call('DeleteVolume', { name: 'broken' });
});

t('a standby volume follows two newer backups, cannot be attached, and activates with the newest data', async () => {
  await c
    .cairn(['settings', 'set', 'backupstore-poll-interval', '1', ...cluster()])
    .then((r) => assert.is(r.code, 0, r.stderr));
  const d1 = await backup('dr', 'd1', (d) => randomBytes(SIZE).copy(d));
  const seq = await head();
  const r = await c.cairn([
    'volume',
    'create',
    'dr1',
    '--from-backup',
    d1,
    '--standby',
    '--replicas',
    '2',
    ...cluster(),
  ]);
  assert.is(r.code, 0, r.stderr);
  await eventually('dr1 restored d1', 60_000, async () => (await volume('dr1')).restore?.restored === d1);
  await refusedWith(
    c.call('AttachVolume', { name: 'dr1', nodeId: 'node-1' }),
    'FAILED_PRECONDITION',
    /standby \(DR\) volume .*activate it first/,
  );

  const d2 = await backup('dr', 'd2', (d) => randomBytes(2 * MiB).copy(d, 4 * MiB));
  await eventually('dr1 restored d2', 60_000, async () => (await volume('dr1')).restore?.restored === d2);
  const d3 = await backup('dr', 'd3', (d) => {
    randomBytes(1 * MiB).copy(d, 20 * MiB);
    d.fill(0, 0, 2 * MiB);
  });
  await eventually('dr1 restored d3', 60_000, async () => (await volume('dr1')).restore?.restored === d3);
  const evs = await c.eventsAfter(seq);
  const requested = evs
    .filter((e) => e.payload === 'volumeRestoreRequested')
    .map((e) => e.volumeRestoreRequested!.backup);
  assert.equal(requested, [d2, d3], 'each newer backup was requested once');
  const increments = evs
    .filter((e) => e.payload === 'volumeRestoreStarted')
    .map((e) => [e.volumeRestoreStarted!.backup, e.volumeRestoreStarted!.since]);
  assert.equal(
    increments,
    [
      [d1, ''],
      [d2, d1],
      [d3, d2],
    ],
    'the first restore is full, the next ones increments',
  );
  assert.equal(
    evs.filter((e) => e.payload === 'volumeRestoreCompleted').map((e) => e.volumeRestoreCompleted!.backup),
    [d1, d2, d3],
  );

  const act = await c.cairn(['volume', 'activate', 'dr1', ...cluster()]);
  assert.is(act.code, 0, act.stderr);
  assert.match(act.stdout, /activated/);
  assert.ok(
    (await c.eventsAfter(seq)).some((e) => e.payload === 'volumeActivated'),
    'a VolumeActivated event',
  );
  await restored('dr1');
  assert.is(
    sha(await contents('dr1', 'node-2')),
    sha(expected.get(d3)!),
    "the activated volume holds the newest backup's data",
  );
  await c.cairn(['settings', 'set', 'backupstore-poll-interval', '300', ...cluster()]);
});

t('activate restores a backup newer than the last poll first', async () => {
  // Polling off: only the activation looks at the target.
  await c
    .cairn(['settings', 'set', 'backupstore-poll-interval', '0', ...cluster()])
    .then((r) => assert.is(r.code, 0, r.stderr));
  const e1 = await backup('dr2', 'e1', (d) => randomBytes(SIZE).copy(d));
  await c.call('CreateVolume', { name: 'dr2', size: 0, numberOfReplicas: 1, fromBackup: e1, standby: true });
  await eventually('dr2 restored e1', 60_000, async () => (await volume('dr2')).restore?.restored === e1);
  const e2 = await backup('dr2', 'e2', (d) => randomBytes(3 * MiB).copy(d, 9 * MiB));
  const act = await c.cairn(['volume', 'activate', 'dr2', ...cluster()]);
  assert.is(act.code, 0, act.stderr);
  const v = await restored('dr2');
  assert.is(v.restore!.restored, e2);
  assert.is(sha(await contents('dr2', 'node-1')), sha(expected.get(e2)!));
  await c.cairn(['settings', 'set', 'backupstore-poll-interval', '300', ...cluster()]);
});

t('CSI CreateVolume with the StorageClass parameter fromBackup restores before it can be published', async () => {
  const csi = new CsiClient(c.info.manager.csiEndpoint, 60_000);
  try {
    const caps = [{ block: {}, accessMode: { mode: 'SINGLE_NODE_WRITER' as const } }];
    const req = {
      name: 'pvc-restore-1',
      capacityRange: { requiredBytes: SIZE },
      volumeCapabilities: caps,
      parameters: { fromBackup: b2, numberOfReplicas: '1' },
    };
    const a = await csiCall(csi, 'Controller', 'CreateVolume', req);
    const b = await csiCall(csi, 'Controller', 'CreateVolume', req);
    assert.equal(b, a, 'CreateVolume is idempotent');
    const id = a.volume!.volumeId as string;
    assert.is(Number(a.volume!.capacityBytes), SIZE);
    // Another backup under the same name is another volume.
    const other = await csi
      .call('Controller', 'CreateVolume', { ...req, parameters: { fromBackup: b1, numberOfReplicas: '1' } })
      .then(
        () => null,
        (e: grpc.ServiceError) => e,
      );
    assert.is(other && grpc.status[other.code], 'ALREADY_EXISTS');
    // Too small for the backup: refused, nothing made.
    const small = await csi
      .call('Controller', 'CreateVolume', { ...req, name: 'pvc-small', capacityRange: { requiredBytes: SIZE / 2 } })
      .then(
        () => null,
        (e: grpc.ServiceError) => e,
      );
    assert.ok(small, 'a size below the backup is refused');
    assert.match(small!.details, /smaller than backup/);
    await restored(id);
    const pub = await csiCall(csi, 'Controller', 'ControllerPublishVolume', {
      volumeId: id,
      nodeId: 'node-1',
      volumeCapability: caps[0],
      readonly: false,
    });
    const data = await readAll(
      pub.publishContext['nbdUrl'] ?? Object.values(pub.publishContext).find((x) => String(x).startsWith('nbd'))!,
      'csi.bin',
    );
    assert.is(sha(data), sha(expected.get(b2)!), "the CSI volume holds b2's data");
    await csi.call('Controller', 'ControllerUnpublishVolume', { volumeId: id, nodeId: 'node-1' });
  } finally {
    csi.close();
  }
});

t.run();
