// Volumes from a data source in the pure command layer: every validation of dataSource, the
// snapshot a "vol://" clone takes, idempotency, the deletes a pending copy refuses, the node's
// report of the copy and the engine assignment that carries the source.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { decodeEvent, draft, emptyState, encodeEvent, SCHEMA_VERSION } from '@cairn/metadata';
import type { ClusterState, EventDraft } from '@cairn/metadata';
import * as cmd from '../src/commands.js';
import { reportDrafts } from '../src/node-service.js';
import { assignmentsFor } from '../src/assignment-feed.js';
import { volumeView } from '../src/views.js';
import { explainEvents } from '../src/audit.js';
import { apply, createRequest, refused } from './support.js';

const MiB = 2 ** 20;

const create = (o: Partial<cmd.CreateVolume> = {}): cmd.CreateVolume =>
  createRequest({ name: 'vol', size: 64 * MiB, numberOfReplicas: 1, ...o });

/** Two nodes; volume "src" (64 MiB, snapshot s1 at 32 MiB before it grew) with running replicas on both. */
function cluster(): ClusterState {
  const s = apply(emptyState(), [
    draft.nodeRegistered('node-1'),
    draft.diskAdded('node-1', 'disk-1', { maximum: 100 * 2 ** 30 }),
    draft.nodeRegistered('node-2'),
    draft.diskAdded('node-2', 'disk-1', { maximum: 100 * 2 ** 30 }),
  ]);
  apply(s, cmd.createVolume(s, create({ name: 'src', size: 32 * MiB, numberOfReplicas: 2 })));
  apply(s, cmd.createSnapshot(s, 'src', 's1'));
  apply(s, cmd.expandVolume(s, 'src', 64 * MiB));
  apply(s, [
    { replicaScheduled: { replicaId: 'src-r1', volume: 'src', nodeId: 'node-1', diskId: 'disk-1', trigger: 'new' } },
    { replicaScheduled: { replicaId: 'src-r2', volume: 'src', nodeId: 'node-2', diskId: 'disk-1', trigger: 'new' } },
    { replicaScheduled: { replicaId: 'src-r3', volume: 'src', nodeId: 'node-2', diskId: 'disk-1', trigger: 'new' } },
    { replicaRunning: { replicaId: 'src-r1', address: '10.0.0.1:7000' } },
    { replicaRunning: { replicaId: 'src-r2', address: '10.0.0.2:7000' } },
  ]);
  return s;
}

const t = suite('data source commands');

t('a malformed dataSource is refused naming the field and the forms it takes', () => {
  const s = cluster();
  for (const bad of [
    'src',
    'snap://',
    'snap://src',
    'snap://src/',
    'snap://src/s1/x',
    'vol://',
    'vol://src/s1',
    'http://src',
    'vol://Bad Name',
    'snap://src/-x',
  ]) {
    refused(() => cmd.createVolume(s, create({ name: 'c', dataSource: bad })), 'InvalidArgument', /dataSource/);
  }
  refused(
    () => cmd.createVolume(s, create({ name: 'c', dataSource: 'src' })),
    'InvalidArgument',
    /snap:\/\/VOLUME\/SNAPSHOT or vol:\/\/VOLUME/,
  );
});

t('the source volume and snapshot must exist, each named when not', () => {
  const s = cluster();
  refused(
    () => cmd.createVolume(s, create({ name: 'c', dataSource: 'vol://nope' })),
    'NotFound',
    /volume "nope" does not exist/,
  );
  refused(
    () => cmd.createVolume(s, create({ name: 'c', dataSource: 'snap://nope/s1' })),
    'NotFound',
    /volume "nope" does not exist/,
  );
  refused(
    () => cmd.createVolume(s, create({ name: 'c', dataSource: 'snap://src/s9' })),
    'NotFound',
    /snapshot "s9" of volume "src" does not exist/,
  );
});

t("the new volume is at least as large as the source: the snapshot's size, or the volume's now", () => {
  const s = cluster();
  // s1 was taken at 32 MiB: a 32 MiB volume from it fits, though src is 64 MiB now.
  assert.is(cmd.createVolume(s, create({ name: 'c', size: 32 * MiB, dataSource: 'snap://src/s1' })).length, 1);
  refused(
    () => cmd.createVolume(s, create({ name: 'c', size: 16 * MiB, dataSource: 'snap://src/s1' })),
    'InvalidArgument',
    /size 16777216 is smaller than dataSource "snap:\/\/src\/s1" \(33554432 bytes\)/,
  );
  refused(
    () => cmd.createVolume(s, create({ name: 'c', size: 32 * MiB, dataSource: 'vol://src' })),
    'InvalidArgument',
    /smaller than dataSource "vol:\/\/src" \(67108864 bytes\)/,
  );
});

t(
  'snap://: one VolumeCreated recording the source; idempotent with the same source, ALREADY_EXISTS with another',
  () => {
    const s = cluster();
    const d = cmd.createVolume(s, create({ name: 'c', dataSource: 'snap://src/s1' }));
    assert.is(d.length, 1);
    assert.equal(
      { ...d[0]!.volumeCreated, spec: undefined },
      { name: 'c', spec: undefined, dataSource: 'snap://src/s1', sourceVolume: 'src', sourceSnapshot: 's1' },
    );
    apply(s, d);
    assert.equal(s.volumes.get('c')!.dataSource, {
      uri: 'snap://src/s1',
      volume: 'src',
      snapshot: 's1',
      copied: false,
    });
    const view = volumeView(s, s.volumes.get('c')!);
    assert.is(view.dataSource, 'snap://src/s1');
    assert.is(view.dataSourceReady, false);
    assert.is(volumeView(s, s.volumes.get('src')!).dataSourceReady, true, 'a volume made empty has nothing to copy');

    assert.equal(
      cmd.createVolume(s, create({ name: 'c', dataSource: 'snap://src/s1' })),
      [],
      'the same create again appends nothing',
    );
    refused(
      () => cmd.createVolume(s, create({ name: 'c', dataSource: 'vol://src' })),
      'AlreadyExists',
      /different dataSource \("snap:\/\/src\/s1", requested "vol:\/\/src"\)/,
    );
    refused(() => cmd.createVolume(s, create({ name: 'c' })), 'AlreadyExists', /dataSource/);
    refused(
      () =>
        cmd.createVolume(s, create({ name: 'src', size: 64 * MiB, numberOfReplicas: 2, dataSource: 'snap://src/s1' })),
      'AlreadyExists',
      /dataSource \(""/,
    );
    // Still idempotent once copied and the snapshot is gone.
    apply(s, [{ volumeDataSourceCopied: { name: 'c', nodeId: 'node-1' } }]);
    apply(s, cmd.deleteSnapshot(s, 'src', 's1'));
    assert.equal(cmd.createVolume(s, create({ name: 'c', dataSource: 'snap://src/s1' })), []);
  },
);

t('vol://: a snapshot of the source in the same append, copied from; the same create again takes no second one', () => {
  const s = cluster();
  const d = cmd.createVolume(s, create({ name: 'c', dataSource: 'vol://src' }));
  const snap = `clone-c-${s.seq + 1}`;
  assert.equal(d[0], { snapshotCreated: { volume: 'src', name: snap, size: 64 * MiB } });
  assert.equal(
    { ...d[1]!.volumeCreated, spec: undefined },
    { name: 'c', spec: undefined, dataSource: 'vol://src', sourceVolume: 'src', sourceSnapshot: snap },
  );
  assert.is(d.length, 2);
  apply(s, d);
  assert.ok(s.volumes.get('src')!.snapshots.has(snap));
  assert.equal(cmd.createVolume(s, create({ name: 'c', dataSource: 'vol://src' })), []);
  // A user's snapshot that happens to have the generated name is left alone.
  const mine = `clone-e-${s.seq + 2}`; // the name the create after this snapshot would generate
  apply(s, cmd.createSnapshot(s, 'src', mine));
  const e = cmd.createVolume(s, create({ name: 'e', dataSource: 'vol://src' }));
  assert.is(e[0]!.snapshotCreated!.name, `${mine}x`);
  assert.is(e[1]!.volumeCreated!.sourceSnapshot, `${mine}x`);
});

t('a volume still copying cannot be a source nor be snapshotted', () => {
  const s = cluster();
  apply(s, cmd.createVolume(s, create({ name: 'c', dataSource: 'snap://src/s1' })));
  refused(
    () => cmd.createVolume(s, create({ name: 'd', dataSource: 'vol://c' })),
    'FailedPrecondition',
    /"c" is still copying/,
  );
  refused(() => cmd.createSnapshot(s, 'c', 'early'), 'FailedPrecondition', /still copying/);
  apply(s, [{ volumeDataSourceCopied: { name: 'c', nodeId: 'node-1' } }]);
  assert.is(cmd.createVolume(s, create({ name: 'd', dataSource: 'vol://c' })).length, 2);
  assert.is(cmd.createSnapshot(s, 'c', 'later').length, 1);
});

t('the snapshot or volume a pending copy needs cannot be deleted; the message names the volume', () => {
  const s = cluster();
  apply(s, cmd.createVolume(s, create({ name: 'c', dataSource: 'snap://src/s1' })));
  apply(s, cmd.createVolume(s, create({ name: 'd', size: 64 * MiB, dataSource: 'vol://src' })));
  const taken = s.volumes.get('d')!.dataSource!.snapshot;
  refused(
    () => cmd.deleteSnapshot(s, 'src', 's1'),
    'FailedPrecondition',
    /snapshot "s1" of volume "src" is the data source of volume "c"/,
  );
  refused(() => cmd.deleteSnapshot(s, 'src', taken), 'FailedPrecondition', /volume "d"/);
  refused(() => cmd.deleteVolume(s, 'src'), 'FailedPrecondition', /volume "src" is the data source of volume "c", "d"/);
  // Deleting a pending clone is fine, and a vol:// one takes the snapshot made for it along.
  assert.equal(cmd.deleteVolume(s, 'd'), [
    { snapshotDeleted: { volume: 'src', name: taken } },
    { volumeDeleted: { name: 'd' } },
  ]);
  assert.equal(cmd.deleteVolume(s, 'c'), [{ volumeDeleted: { name: 'c' } }]);
  apply(s, cmd.deleteVolume(s, 'd'));
  assert.not.ok(s.volumes.get('src')!.snapshots.has(taken));
  // Once copied, nothing holds the source.
  apply(s, [{ volumeDataSourceCopied: { name: 'c', nodeId: 'node-1' } }]);
  assert.equal(cmd.deleteSnapshot(s, 'src', 's1'), [{ snapshotDeleted: { volume: 'src', name: 's1' } }]);
  assert.equal(cmd.deleteVolume(s, 'src'), [{ volumeDeleted: { name: 'src' } }]);
});

t.run();

const node = suite('data source on the node-facing side');

const secret = (v: string): string => `secret-of-${v}`;

node(
  "an engine still to copy gets the source snapshot, the running source replicas and the source's secret; none once copied",
  () => {
    const s = cluster();
    apply(s, cmd.createVolume(s, create({ name: 'c', dataSource: 'snap://src/s1' })));
    apply(s, [
      { replicaScheduled: { replicaId: 'c-r1', volume: 'c', nodeId: 'node-2', diskId: 'disk-1', trigger: 'new' } },
    ]);
    apply(s, cmd.attachVolume(s, 'c', 'node-2'));
    const e = assignmentsFor(s, 'node-2', secret).engines![0]!;
    assert.is(e.volume, 'c');
    assert.is(e.secret, 'secret-of-c');
    assert.is(e.source!.volume, 'src');
    assert.is(e.source!.snapshot, 's1');
    assert.is(e.source!.secret, 'secret-of-src');
    // src-r3 is scheduled, not running: not a source to read from.
    assert.equal(
      e.source!.replicas!.map((r) => [r.replicaId, r.address, r.nodeId]),
      [
        ['src-r1', '10.0.0.1:7000', 'node-1'],
        ['src-r2', '10.0.0.2:7000', 'node-2'],
      ],
    );
    apply(s, [{ volumeDataSourceCopied: { name: 'c', nodeId: 'node-2' } }]);
    assert.is(assignmentsFor(s, 'node-2', secret).engines![0]!.source, null);
    // A volume made empty never carries one.
    apply(s, cmd.attachVolume(s, 'src', 'node-1'));
    assert.is(assignmentsFor(s, 'node-1', secret).engines![0]!.source, null);
  },
);

node(
  "the engine's node reports the copy done with the attach: recorded once, first; a vol:// snapshot goes with it",
  () => {
    const s = cluster();
    apply(s, cmd.createVolume(s, create({ name: 'c', dataSource: 'vol://src' })));
    const taken = s.volumes.get('c')!.dataSource!.snapshot;
    apply(s, cmd.attachVolume(s, 'c', 'node-2'));
    const report = {
      replicas: [],
      engines: [{ volume: 'c', state: 'attached', endpoint: 'nbd://10.0.0.2:10809/c', dataSourceCopied: true }],
    };
    assert.equal(reportDrafts(s, 'node-1', report), [], 'another node cannot say the copy is done');
    const d = reportDrafts(s, 'node-2', report);
    assert.equal(d, [
      { volumeDataSourceCopied: { name: 'c', nodeId: 'node-2' } },
      { snapshotDeleted: { volume: 'src', name: taken } },
      { volumeAttached: { name: 'c', nodeId: 'node-2', endpoint: 'nbd://10.0.0.2:10809/c' } },
    ]);
    apply(s, d);
    assert.is(s.volumes.get('c')!.dataSource!.copied, true);
    assert.equal(reportDrafts(s, 'node-2', report), [], 'the same report again is no news');
  },
);

node("a snap:// source's snapshot stays after the copy (it is the user's)", () => {
  const s = cluster();
  apply(s, cmd.createVolume(s, create({ name: 'c', dataSource: 'snap://src/s1' })));
  apply(s, cmd.attachVolume(s, 'c', 'node-2'));
  const d = reportDrafts(s, 'node-2', {
    replicas: [],
    engines: [{ volume: 'c', state: 'attached', endpoint: 'nbd://x/c', dataSourceCopied: true }],
  });
  assert.equal(
    d.map((x) => Object.keys(x)[0]),
    ['volumeDataSourceCopied', 'volumeAttached'],
  );
});

node('explain tells what a volume was made from and when its copy was done', () => {
  const events = [
    {
      volumeCreated: {
        name: 'c',
        spec: { size: 64 * MiB, numberOfReplicas: 1, dataLocality: 'DATA_LOCALITY_DISABLED' },
        dataSource: 'vol://src',
        sourceVolume: 'src',
        sourceSnapshot: 'clone-c-9',
      },
    },
    { volumeDataSourceCopied: { name: 'c', nodeId: 'node-2' } },
    { volumeDataSourceCopied: { name: 'other', nodeId: 'node-2' } },
  ].map((d, i) =>
    decodeEvent(
      encodeEvent({
        ...(d as EventDraft),
        seq: i + 1,
        timeMs: 1,
        actor: 'admin',
        cause: '',
        schemaVersion: SCHEMA_VERSION,
      }),
      i + 1,
    ),
  );
  const lines = explainEvents('c', events).map((x) => x.text);
  assert.is(lines.length, 2);
  assert.match(lines[0]!, /as a copy of vol:\/\/src \(snapshot clone-c-9 of volume src\)/);
  assert.match(lines[1]!, /data source copied by its engine on node-2/);
});

node.run();
