// Restores from backups and standby (DR) volumes in the pure layers: the create command's size and
// fromBackup rules, the attach refusals, what an engine's restore reports become (start, end,
// failure, activation), the projection of those events, the engine assignment that carries the
// restore, the scheduler's offline attach for it (reason "restore") and its detach after, and the
// standby poll's and activation's decisions.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { defaultSettings, draft, emptyState, restoreSince } from '@cairn/metadata';
import type { ClusterState } from '@cairn/metadata';
import { offlineDecisions } from '@cairn/scheduler';
import * as cmd from '../src/commands.js';
import { reportDrafts } from '../src/node-service.js';
import { assignmentsFor } from '../src/assignment-feed.js';
import { fromBackupTargetProblem, standbyDraft } from '../src/restores.js';
import { volumeView } from '../src/views.js';
import { apply, createRequest, refused } from './support.js';

const MiB = 2 ** 20;
const B1 = 's3://b@us-east-1/?backup=b1&volume=src';
const B2 = 's3://b@us-east-1/?backup=b2&volume=src';
const B3 = 's3://b@us-east-1/?backup=b3&volume=src';
const t = suite('restores: commands, reports, projection, scheduling');

const create = (o: Partial<cmd.CreateVolume> = {}): cmd.CreateVolume =>
  createRequest({ name: 'r', size: 0, numberOfReplicas: 1, fromBackup: B1, backupSize: 32 * MiB, ...o });

/** Two nodes; volume "r" made from B1 (standby when asked) with a running replica on node-1. */
function cluster(o: Partial<cmd.CreateVolume> = {}): ClusterState {
  const s = apply(emptyState(), [
    draft.nodeRegistered('node-1'),
    draft.diskAdded('node-1', 'disk-1', { maximum: 100 * 2 ** 30 }),
    draft.nodeRegistered('node-2'),
    draft.diskAdded('node-2', 'disk-1', { maximum: 100 * 2 ** 30 }),
  ]);
  apply(s, cmd.createVolume(s, create(o)));
  apply(s, [
    { replicaScheduled: { replicaId: 'r-1', volume: 'r', nodeId: 'node-1', diskId: 'disk-1', trigger: 'new' } },
    { replicaRunning: { replicaId: 'r-1', address: '10.0.0.1:7000' } },
  ]);
  return s;
}

const engine = (e: object) => ({ replicas: [], engines: [{ volume: 'r', state: 'attached', endpoint: '', ...e }] });

/** The scheduler's offline decision for "r" now, applied; returns its kind and reason. */
function decideOffline(s: ClusterState): { kind: string; reason: string } | null {
  const d = offlineDecisions(s, s.settings, s.volumes.get('r')!, []);
  if (d.length === 0) return null;
  const x = d[0]!;
  if (x.kind === 'autoAttach')
    apply(s, [{ volumeAutoAttached: { name: 'r', nodeId: x.nodeId, reason: x.reason, replicaIds: [], rejected: [] } }]);
  else
    apply(s, [
      { volumeAutoDetached: { name: 'r', nodeId: x.nodeId, reason: x.reason } },
      { volumeDetached: { name: 'r', nodeId: x.nodeId } },
    ]);
  return { kind: x.kind, reason: x.reason };
}

t(
  "create: the backup's size when none is given, a bigger one kept, a smaller one refused; fromBackup with dataSource or standby alone refused",
  () => {
    const s = cluster();
    assert.is(s.volumes.get('r')!.spec.size, 32 * MiB);
    assert.equal(s.volumes.get('r')!.restore, {
      from: B1,
      backup: B1,
      restored: '',
      started: '',
      standby: false,
      activating: false,
      error: '',
    });
    assert.is(
      apply(s, cmd.createVolume(s, create({ name: 'big', size: 64 * MiB }))).volumes.get('big')!.spec.size,
      64 * MiB,
    );
    refused(
      () => cmd.createVolume(s, create({ name: 'small', size: 16 * MiB })),
      'InvalidArgument',
      /size 16777216 is smaller than backup s3:\S+backup=b1\S* \(33554432 bytes\)/,
    );
    refused(
      () => cmd.createVolume(s, create({ name: 'both', dataSource: 'vol://r' })),
      'InvalidArgument',
      /fromBackup or dataSource, not both/,
    );
    refused(
      () => cmd.createVolume(s, create({ name: 'sb', fromBackup: '', standby: true, size: MiB })),
      'InvalidArgument',
      /standby needs fromBackup/,
    );
    // Idempotent (without a size: the volume's), and another backup under the name is another volume.
    assert.equal(cmd.createVolume(s, create({ backupSize: undefined })), []);
    refused(
      () => cmd.createVolume(s, create({ fromBackup: B2, size: 32 * MiB })),
      'AlreadyExists',
      /different fromBackup/,
    );
  },
);

t('a volume being restored, failed or standby is not attached by a user nor snapshotted, saying why', () => {
  const s = cluster();
  refused(
    () => cmd.attachVolume(s, 'r', 'node-1'),
    'FailedPrecondition',
    /being restored from \S+backup=b1\S*: attach it once the restore is complete/,
  );
  const sb = cluster({ standby: true });
  refused(() => cmd.attachVolume(sb, 'r', 'node-1'), 'FailedPrecondition', /standby \(DR\) volume .*activate it first/);
  // Nor snapshotted: a snapshot would freeze a restore part way.
  refused(
    () => cmd.createSnapshot(s, 'r', 'snap-1'),
    'FailedPrecondition',
    /being restored .*a snapshot would hold a restore part way/,
  );
  refused(() => cmd.createSnapshot(sb, 'r', 'snap-1'), 'FailedPrecondition', /standby/);
});

t(
  'the scheduler restores with an engine without a frontend and stops it once the backup is restored; the reports become events',
  () => {
    const s = cluster();
    assert.equal(decideOffline(s), { kind: 'autoAttach', reason: 'restore' });
    const v = s.volumes.get('r')!;
    assert.is(v.autoAttach, 'restore');
    // The engine is told what to restore, with the target's credentials.
    const creds = { accessKeyId: 'K', secretAccessKey: 'S', endpoint: 'http://127.0.0.1:9', region: '' };
    const a = assignmentsFor(
      s,
      'node-1',
      () => 'secret',
      () => creds,
    );
    assert.equal(a.engines![0]!.restore, { backup: B1, since: '', credentials: creds });
    assert.is(a.engines![0]!.noFrontend, true);
    assert.is(
      assignmentsFor(
        s,
        'node-2',
        () => 'secret',
        () => creds,
      ).engines!.length,
      0,
      'no other node gets them',
    );
    // Started, once; progress is status, not an event.
    const started = reportDrafts(s, 'node-1', engine({ restoring: B1, restoreProgress: 0 }));
    assert.equal(started, [
      { volumeRestoreStarted: { name: 'r', nodeId: 'node-1', backup: B1, since: '' } },
      { volumeAttached: { name: 'r', nodeId: 'node-1', endpoint: '' } },
    ]);
    apply(s, started);
    assert.equal(reportDrafts(s, 'node-1', engine({ restoring: B1, restoreProgress: 40 })), []);
    assert.is(
      volumeView(
        s,
        s.volumes.get('r')!,
        () => 0,
        () => ({ backup: B1, percent: 40 }),
      ).restore!.progress,
      40,
    );
    assert.is(volumeView(s, s.volumes.get('r')!).restore!.state, 'restoring');
    assert.is(decideOffline(s), null, 'the engine stays while it restores');
    // Done: recorded once, then the engine goes.
    const done = reportDrafts(s, 'node-1', engine({ restored: B1, restoredBlocks: 7 }));
    assert.equal(done, [
      { volumeRestoreCompleted: { name: 'r', nodeId: 'node-1', backup: B1, writtenBlocks: 7, zeroedBlocks: 0 } },
    ]);
    apply(s, done);
    assert.equal(reportDrafts(s, 'node-1', engine({ restored: B1 })), [], 'said again: nothing new');
    assert.is(assignmentsFor(s, 'node-1', () => 'secret').engines![0]!.restore, null, 'nothing left to restore');
    assert.equal(decideOffline(s), { kind: 'autoDetach', reason: 'restored' });
    assert.equal(
      cmd.attachVolume(s, 'r', 'node-2'),
      [{ volumeAttachRequested: { name: 'r', nodeId: 'node-2' } }],
      'a user attaches it now',
    );
    assert.is(volumeView(s, s.volumes.get('r')!).restore!.state, 'completed');
  },
);

t('a failed restore is recorded once with its reason, the engine stops, and nothing retries that backup', () => {
  const s = cluster();
  decideOffline(s);
  apply(s, reportDrafts(s, 'node-1', engine({ restoring: B1 })));
  const why = 'backup b1 of volume src: block at offset 2097152 (x.blk) does not match its checksum';
  const failed = reportDrafts(s, 'node-1', engine({ restoreFailed: B1, restoreError: why }));
  assert.equal(failed, [{ volumeRestoreFailed: { name: 'r', nodeId: 'node-1', backup: B1, reason: why } }]);
  apply(s, failed);
  assert.equal(reportDrafts(s, 'node-1', engine({ restoreFailed: B1, restoreError: why })), []);
  assert.is(s.volumes.get('r')!.restore!.error, why);
  assert.equal(decideOffline(s), { kind: 'autoDetach', reason: 'restore-failed' });
  assert.is(decideOffline(s), null, 'not attached again for the same backup');
  refused(
    () => cmd.attachVolume(s, 'r', 'node-1'),
    'FailedPrecondition',
    /failed to restore from \S+backup=b1\S*: backup b1 of volume src: block at offset 2097152/,
  );
  assert.equal(volumeView(s, s.volumes.get('r')!).restore, {
    backup: B1,
    restored: '',
    state: 'failed',
    progress: 0,
    error: why,
    standby: false,
    activating: false,
  });
});

t('a standby volume restores each newer backup as an increment over the last, and activates after the newest', () => {
  const s = cluster({ standby: true });
  decideOffline(s);
  apply(s, reportDrafts(s, 'node-1', engine({ restoring: B1 })));
  apply(s, reportDrafts(s, 'node-1', engine({ restored: B1 })));
  decideOffline(s);
  assert.is(volumeView(s, s.volumes.get('r')!).restore!.state, 'standby');
  // The poll: the same backup is nothing; a newer one is requested.
  assert.is(standbyDraft(s, 'r', B1), null);
  assert.is(standbyDraft(s, 'r', ''), null);
  apply(s, [standbyDraft(s, 'r', B2)!]);
  assert.equal(decideOffline(s), { kind: 'autoAttach', reason: 'restore' });
  assert.is(assignmentsFor(s, 'node-1', () => 'x').engines![0]!.restore!.since, B1, 'an increment over b1');
  apply(s, reportDrafts(s, 'node-1', engine({ restoring: B2 })));
  // A newer backup found while b2 restores: b2's end still counts (the replicas hold it), then b3.
  apply(s, [standbyDraft(s, 'r', B3)!]);
  apply(s, reportDrafts(s, 'node-1', engine({ restored: B2 })));
  assert.is(s.volumes.get('r')!.restore!.restored, B2);
  assert.is(restoreSince(s.volumes.get('r')!.restore!), B2);
  assert.is(decideOffline(s), null, 'b3 is left to restore: the engine stays');
  // Activation waits for b3; the node's report of it completes both.
  assert.equal(cmd.activateVolume(s, 'r', B3), [{ volumeActivationRequested: { name: 'r' } }]);
  apply(s, cmd.activateVolume(s, 'r', B3));
  assert.equal(cmd.activateVolume(s, 'r', B3), [], 'asked again: nothing new');
  refused(() => cmd.attachVolume(s, 'r', 'node-1'), 'FailedPrecondition', /standby/);
  apply(s, reportDrafts(s, 'node-1', engine({ restoring: B3 })));
  const done = reportDrafts(s, 'node-1', engine({ restored: B3 }));
  assert.equal(
    done.map((d) => Object.keys(d)[0]),
    ['volumeRestoreCompleted', 'volumeActivated'],
  );
  apply(s, done);
  assert.is(s.volumes.get('r')!.restore!.standby, false);
  assert.equal(decideOffline(s), { kind: 'autoDetach', reason: 'restored' });
  assert.is(cmd.attachVolume(s, 'r', 'node-1').length, 1);
  refused(() => cmd.activateVolume(s, 'r', ''), 'FailedPrecondition', /not a standby volume/);
});

t('a restore cut short (its engine gone before the end) is restored in full next time', () => {
  const s = cluster({ standby: true });
  decideOffline(s);
  apply(s, reportDrafts(s, 'node-1', engine({ restoring: B1 })));
  apply(s, reportDrafts(s, 'node-1', engine({ restored: B1 })));
  decideOffline(s);
  apply(s, [standbyDraft(s, 'r', B2)!]);
  decideOffline(s);
  apply(s, reportDrafts(s, 'node-1', engine({ restoring: B2 })));
  // The node goes down mid-way: the engine is gone, the replicas hold part of b2 over b1.
  apply(s, [{ nodeDown: { nodeId: 'node-1', reason: 'lease expired' } }]);
  assert.is(restoreSince(s.volumes.get('r')!.restore!), '', 'a full restore: the replicas hold a mix');
});

t('activate with nothing newer and nothing left to restore activates at once', () => {
  const s = cluster({ standby: true });
  decideOffline(s);
  apply(s, reportDrafts(s, 'node-1', engine({ restoring: B1 })));
  apply(s, reportDrafts(s, 'node-1', engine({ restored: B1 })));
  assert.equal(cmd.activateVolume(s, 'r', B1), [{ volumeActivated: { name: 'r', backup: B1 } }]);
  assert.equal(cmd.activateVolume(s, 'r', B2), [
    { volumeRestoreRequested: { name: 'r', backup: B2 } },
    { volumeActivationRequested: { name: 'r' } },
  ]);
  assert.ok(defaultSettings()['backupstore-poll-interval'] === 300, "Longhorn's default poll interval");
});

t('a node runs at most concurrent-volume-backup-restore-per-node-limit restores; the next waits for a slot', () => {
  const s = cluster();
  apply(s, [{ settingsChanged: { values: { 'concurrent-volume-backup-restore-per-node-limit': '1' } } }]);
  apply(s, cmd.createVolume(s, create({ name: 'q' })));
  apply(s, [
    { replicaScheduled: { replicaId: 'q-1', volume: 'q', nodeId: 'node-1', diskId: 'disk-1', trigger: 'new' } },
    { replicaRunning: { replicaId: 'q-1', address: '10.0.0.1:7000' } },
  ]);
  assert.equal(decideOffline(s), { kind: 'autoAttach', reason: 'restore' });
  // q's only replica is on node-1, which runs r's restore: q may go to node-2 (reading over the
  // network) but not to node-1.
  const q = offlineDecisions(s, s.settings, s.volumes.get('q')!, []);
  assert.is(q.length, 1);
  assert.is(q[0]!.kind === 'autoAttach' && q[0]!.nodeId, 'node-2');
  assert.ok(
    q[0]!.kind === 'autoAttach' &&
      q[0]!.rejected.some((x) => x.nodeId === 'node-1' && x.reasons.includes('RestoreLimit')),
  );
  // With node-2 down too, it waits.
  apply(s, [{ nodeDown: { nodeId: 'node-2', reason: 'lease expired' } }]);
  assert.equal(offlineDecisions(s, s.settings, s.volumes.get('q')!, []), []);
  // r done and detached: the slot is free.
  apply(s, reportDrafts(s, 'node-1', engine({ restoring: B1 })));
  apply(s, reportDrafts(s, 'node-1', engine({ restored: B1 })));
  decideOffline(s);
  const again = offlineDecisions(s, s.settings, s.volumes.get('q')!, []);
  assert.is(again[0]!.kind === 'autoAttach' && again[0]!.nodeId, 'node-1');
});

t(
  'a fromBackup URL is read from the configured backup target only: none set, or another target, is refused naming both',
  () => {
    const url = 's3://backups@us-east-1/?backup=backup-1&volume=v';
    assert.match(
      fromBackupTargetProblem('', url)!,
      /fromBackup "s3:\/\/backups@us-east-1\/\?backup=backup-1&volume=v": no backup target is configured/,
    );
    assert.match(
      fromBackupTargetProblem('file:///mnt/backups', url)!,
      /is on s3:\/\/backups@us-east-1\/, not on the backup target file:\/\/\/mnt\/backups/,
    );
    assert.is(fromBackupTargetProblem('s3://backups@us-east-1/', url), null);
    assert.is(
      fromBackupTargetProblem('s3://backups@us-east-1', url),
      null,
      'the same target written without its trailing slash',
    );
    assert.is(
      fromBackupTargetProblem('s3://backups@us-east-1/', 'not a url'),
      null,
      'a malformed URL is left to the reader, which names what is wrong',
    );
  },
);

t.run();
