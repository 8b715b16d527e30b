// The pure command layer: (state, request) -> events or a CommandError naming the field.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { draft, emptyState } from '@cairn/metadata';
import type { ClusterState } from '@cairn/metadata';
import * as cmd from '../src/commands.js';
import { CommandError } from '../src/errors.js';
import { apply, createRequest, refused } from './support.js';

function cluster(): ClusterState {
  return apply(emptyState(), [
    draft.nodeRegistered('node-1', { zone: 'a' }),
    draft.diskAdded('node-1', 'disk-1', { maximum: 100 * 2 ** 30 }),
    draft.nodeRegistered('node-2', { zone: 'b' }),
    draft.diskAdded('node-2', 'disk-1', { maximum: 100 * 2 ** 30 }),
  ]);
}

const create = (o: Partial<cmd.CreateVolume> = {}): cmd.CreateVolume =>
  createRequest({ name: 'vol', size: 2 ** 30, numberOfReplicas: 0, ...o });

const t = suite('commands');

t('create fills defaults from the settings and is idempotent by name', () => {
  const s = cluster();
  apply(s, cmd.updateSettings(s, { 'default-replica-count': '2', 'default-data-locality': 'best-effort' }));
  const d = cmd.createVolume(s, create());
  assert.is(d.length, 1);
  apply(s, d);
  const v = s.volumes.get('vol')!;
  assert.is(v.spec.numberOfReplicas, 2);
  assert.is(v.spec.dataLocality, 'best-effort');
  assert.equal(cmd.createVolume(s, create()), [], 'the same create again appends nothing');
  refused(() => cmd.createVolume(s, create({ size: 2 * 2 ** 30 })), 'AlreadyExists', /size/);
});

t('create refuses bad names, sizes, localities and tags, naming the field', () => {
  const s = cluster();
  refused(() => cmd.createVolume(s, create({ name: 'Has Space' })), 'InvalidArgument', /name "Has Space"/);
  refused(() => cmd.createVolume(s, create({ size: 0 })), 'InvalidArgument', /size/);
  refused(() => cmd.createVolume(s, create({ size: 1000 })), 'InvalidArgument', /multiple of 4096/);
  refused(
    () => cmd.createVolume(s, create({ dataLocality: 'near' })),
    'InvalidArgument',
    /dataLocality "near".*disabled, best-effort, strict-local/,
  );
  refused(
    () => cmd.createVolume(s, create({ numberOfReplicas: 2, dataLocality: 'strict-local' })),
    'InvalidArgument',
    /strict-local needs numberOfReplicas 1/,
  );
  refused(
    () => cmd.createVolume(s, create({ numberOfReplicas: 21 })),
    'InvalidArgument',
    /numberOfReplicas must be from 1 to 20/,
  );
  refused(
    () => cmd.createVolume(s, create({ diskSelector: ['ok', 'not ok'] })),
    'InvalidArgument',
    /diskSelector: tag "not ok"/,
  );
});

t(
  'a CSI create records the CO name, the PVC and the unsupported parameters; another CO name for the same id is ALREADY_EXISTS',
  () => {
    const s = cluster();
    const csi = {
      name: 'csi-x',
      csiName: 'Sanity Volume 1',
      kubernetes: { pvcNamespace: 'default', pvcName: 'data', pvName: 'csi-x' },
      unsupportedParameters: [{ key: 'migratable', value: 'true', reason: 'no live migration' }],
    };
    apply(s, cmd.createVolume(s, create(csi)));
    const v = s.volumes.get('csi-x')!;
    assert.is(v.csiName, 'Sanity Volume 1');
    assert.equal(v.kubernetes, csi.kubernetes);
    assert.equal(v.unsupportedParameters, csi.unsupportedParameters);
    assert.equal(cmd.createVolume(s, create(csi)), [], 'the same CSI create again appends nothing');
    refused(
      () => cmd.createVolume(s, create({ ...csi, csiName: 'Sanity Volume 2' })),
      'AlreadyExists',
      /for CSI name "Sanity Volume 1", not "Sanity Volume 2"/,
    );
    refused(
      () => cmd.createVolume(s, create({ name: 'y', csiName: 'x'.repeat(129) })),
      'InvalidArgument',
      /csiName must be at most 128 bytes/,
    );
    refused(
      () => cmd.createVolume(s, create({ name: 'y', csiName: 'a\u0001b' })),
      'InvalidArgument',
      /control characters/,
    );
    // C1 controls too (the CSI spec's rule, as the CSI Controller applies it), and DEL.
    for (const c of ['\u007f', '\u0085', '\u009f'])
      refused(
        () => cmd.createVolume(s, create({ name: 'y', csiName: `a${c}b` })),
        'InvalidArgument',
        /control characters/,
      );
    // A volume made without CSI keeps none of the fields (its state hashes as before they existed).
    apply(s, cmd.createVolume(s, create({ name: 'plain' })));
    assert.not.ok('csiName' in s.volumes.get('plain')! || 'kubernetes' in s.volumes.get('plain')!);
  },
);

t('update changes only what is given; no change appends nothing', () => {
  const s = cluster();
  apply(s, cmd.createVolume(s, create({ diskSelector: ['fast'] })));
  assert.equal(cmd.updateVolume(s, { name: 'vol', numberOfReplicas: 3 }), []);
  apply(s, cmd.updateVolume(s, { name: 'vol', numberOfReplicas: 2 }));
  assert.is(s.volumes.get('vol')!.spec.numberOfReplicas, 2);
  assert.equal(s.volumes.get('vol')!.spec.diskSelector, ['fast'], 'untouched fields stay');
  refused(() => cmd.updateVolume(s, { name: 'missing', numberOfReplicas: 2 }), 'NotFound', /missing/);
});

t('attach, detach and delete follow the attachment state', () => {
  const s = cluster();
  apply(s, cmd.createVolume(s, create()));
  apply(s, cmd.attachVolume(s, 'vol', 'node-1'));
  assert.equal(cmd.attachVolume(s, 'vol', 'node-1'), [], 'attaching again to the same node is a no-op');
  refused(() => cmd.attachVolume(s, 'vol', 'node-2'), 'FailedPrecondition', /attaching to node "node-1"/);
  refused(() => cmd.deleteVolume(s, 'vol'), 'FailedPrecondition', /detach it first/);
  apply(s, cmd.detachVolume(s, 'vol'));
  assert.is(s.volumes.get('vol')!.attachState, 'detached', 'an attach that never completed detaches at once');
  apply(s, cmd.deleteVolume(s, 'vol'));
  assert.equal(cmd.deleteVolume(s, 'vol'), [], 'deleting what is gone is not an error');
  apply(s, [{ nodeDown: { nodeId: 'node-2', reason: 'lease expired' } }]);
  apply(s, cmd.createVolume(s, create({ name: 'v2' })));
  refused(() => cmd.attachVolume(s, 'v2', 'node-2'), 'FailedPrecondition', /node "node-2" is down/);
});

t(
  'a volume none of whose replicas can be placed is not ready for workloads: attach is refused, and allowed once one is placed',
  () => {
    const s = cluster();
    apply(s, cmd.createVolume(s, create({ name: 'stuck', numberOfReplicas: 3 })));
    // Before the scheduler has looked, attach is accepted: placing comes just after creating.
    assert.equal(cmd.attachVolume(s, 'stuck', 'node-1').length, 1);
    apply(s, [
      {
        volumeUnschedulable: {
          name: 'stuck',
          missing: 3,
          summary: '3 of 3 replicas cannot be placed: 2 nodes, 2 disks: NodeCordoned x2',
          candidates: [],
        },
      },
    ]);
    refused(
      () => cmd.attachVolume(s, 'stuck', 'node-1'),
      'FailedPrecondition',
      /volume "stuck" is not ready for workloads: none of its replicas can be placed \(3 of 3 replicas cannot be placed: .*NodeCordoned x2\)/,
    );
    // Some of them unplaceable, but one placed: it attaches (degraded).
    apply(s, [
      {
        replicaScheduled: {
          replicaId: 'stuck-r1',
          volume: 'stuck',
          nodeId: 'node-1',
          diskId: 'disk-1',
          trigger: 'new',
        },
      },
    ]);
    assert.equal(cmd.attachVolume(s, 'stuck', 'node-1'), [
      { volumeAttachRequested: { name: 'stuck', nodeId: 'node-1' } },
    ]);
  },
);

t('expand only grows', () => {
  const s = cluster();
  apply(s, cmd.createVolume(s, create()));
  refused(() => cmd.expandVolume(s, 'vol', 2 ** 20), 'InvalidArgument', /only grow/);
  assert.equal(cmd.expandVolume(s, 'vol', 2 ** 30), []);
  apply(s, cmd.expandVolume(s, 'vol', 2 ** 31));
  assert.is(s.volumes.get('vol')!.spec.size, 2 ** 31);
});

t('disks: add derives an id, refuses duplicates and relative paths; removal needs no replicas', () => {
  const s = cluster();
  const add = {
    nodeId: 'node-1',
    path: '/mnt/Fast SSD/',
    diskId: '',
    tags: ['fast'],
    storageReserved: 0,
    storageMaximum: 2 ** 40,
    storageAvailable: 0,
  };
  apply(s, cmd.addDisk(s, add));
  const d = s.nodes.get('node-1')!.disks.get('fast-ssd')!;
  assert.is(d.path, '/mnt/Fast SSD/');
  assert.is(d.storageAvailable, 2 ** 40);
  assert.equal(cmd.addDisk(s, add), [], 'the same disk again is a no-op');
  refused(() => cmd.addDisk(s, { ...add, path: 'rel' }), 'InvalidArgument', /absolute/);
  refused(() => cmd.addDisk(s, { ...add, diskId: 'disk-1', path: '/other' }), 'AlreadyExists', /disk-1/);
  refused(
    () => cmd.updateDisk(s, { nodeId: 'node-1', diskId: 'fast-ssd', storageReserved: 2 ** 41 }),
    'InvalidArgument',
    /storageReserved/,
  );
  apply(s, [
    { replicaScheduled: { replicaId: 'r1', volume: 'x', nodeId: 'node-1', diskId: 'disk-1', trigger: 'new' } },
  ]);
  apply(s, cmd.createVolume(s, create({ name: 'x' })));
  apply(s, [
    { replicaScheduled: { replicaId: 'r1', volume: 'x', nodeId: 'node-1', diskId: 'disk-1', trigger: 'new' } },
  ]);
  refused(() => cmd.removeDisk(s, 'node-1', 'disk-1'), 'FailedPrecondition', /1 replica/);
  apply(s, cmd.removeDisk(s, 'node-1', 'fast-ssd'));
  assert.not.ok(s.nodes.get('node-1')!.disks.has('fast-ssd'));
});

t('settings: bad values name the range; unchanged values append nothing', () => {
  const s = cluster();
  refused(
    () => cmd.updateSettings(s, { 'storage-over-provisioning-percentage': '10' }),
    'InvalidArgument',
    /from 100 to 1000/,
  );
  refused(() => cmd.updateSettings(s, {}), 'InvalidArgument', /at least one/);
  assert.equal(cmd.updateSettings(s, { 'replica-soft-anti-affinity': 'false' }), []);
  const d = cmd.updateSettings(s, { 'replica-soft-anti-affinity': 'true', 'replica-zone-soft-anti-affinity': 'true' });
  assert.equal(
    d,
    [{ settingsChanged: { values: { 'replica-soft-anti-affinity': 'true' } } }],
    'only what changes is recorded',
  );
});

t.run();

const reports = suite('node reports');

reports('a failed replica saying it runs appends nothing; a new replica running does', async () => {
  const { reportDrafts } = await import('../src/node-service.js');
  const s = cluster();
  apply(s, cmd.createVolume(s, create()));
  apply(s, [
    { replicaScheduled: { replicaId: 'r1', volume: 'vol', nodeId: 'node-1', diskId: 'disk-1', trigger: 'new' } },
  ]);
  const running = { replicas: [{ replicaId: 'r1', state: 'running', address: '10.0.0.1:1', reason: '' }], engines: [] };
  const first = reportDrafts(s, 'node-1', running);
  assert.equal(first, [{ replicaRunning: { replicaId: 'r1', address: '10.0.0.1:1' } }]);
  apply(s, first);
  assert.equal(reportDrafts(s, 'node-1', running), [], 'the same report again is no news');
  apply(s, [{ replicaFailed: { replicaId: 'r1', reason: 'io error' } }]);
  assert.equal(reportDrafts(s, 'node-1', running), [], 'a failed replica returns only through a rebuild');
  refused(() => reportDrafts(s, 'node-2', running), 'FailedPrecondition', /not on node "node-2"/);
  // The engine's node reports the failure of a replica elsewhere; others may not.
  apply(s, [
    { replicaScheduled: { replicaId: 'r2', volume: 'vol', nodeId: 'node-1', diskId: 'disk-1', trigger: 'new' } },
  ]);
  const failedR2 = {
    replicas: [{ replicaId: 'r2', state: 'failed', address: '', reason: 'connection lost' }],
    engines: [],
  };
  refused(() => reportDrafts(s, 'node-2', failedR2), 'FailedPrecondition', /nor served by its engine/);
  apply(s, cmd.attachVolume(s, 'vol', 'node-2'));
  assert.equal(reportDrafts(s, 'node-2', failedR2), [
    { replicaFailed: { replicaId: 'r2', reason: 'connection lost' } },
  ]);
});

reports.run();

// What the fuzz pass (test/fuzz.test.ts) found accepted or answered wrongly, pinned down here.
const fuzzed = suite('bad input found by the fuzz pass');

fuzzed('disk paths must be plain absolute paths: no ".", ".." or empty segments, no NUL', () => {
  for (const p of ['/a/../b', '/tmp/../../etc', '/a/./b', '/a//b', '/..', '/x/..', '/a\0b']) {
    refused(() => cmd.checkDiskPath('path', p), 'InvalidArgument', /plain absolute path/);
  }
  refused(() => cmd.checkDiskPath('path', '../x'), 'InvalidArgument', /absolute/);
  for (const p of ['/', '/mnt/Fast SSD/', '/var/lib/cairn/disk-1', '/a/..b/c.']) cmd.checkDiskPath('path', p);
  const s = cluster();
  const add = {
    nodeId: 'node-1',
    path: '/srv/cairn/../../etc',
    diskId: 'etc',
    tags: [],
    storageReserved: 0,
    storageMaximum: 0,
    storageAvailable: 0,
  };
  refused(() => cmd.addDisk(s, add), 'InvalidArgument', /path "\/srv\/cairn\/..\/..\/etc"/);
});

fuzzed('node ids are Kubernetes node names', () => {
  for (const id of ['', '.'.repeat(1000), 'Node-1', 'x'.repeat(254), 'a/b', 'nul\0', '-x', 'ü']) {
    refused(() => cmd.checkNodeId('nodeId', id), 'InvalidArgument', /nodeId/);
  }
  for (const id of ['node-1', 'ip-10-0-0-1.ec2.internal', 'x'.repeat(253), 'a']) cmd.checkNodeId('nodeId', id);
});

fuzzed('what a node agent registers is checked like an admin request', async () => {
  const { checkDisks } = await import('../src/node-service.js');
  const disk = { diskId: '', path: '/var/lib/cairn/disk-1', tags: [], storageMaximum: 100, storageAvailable: 50 };
  checkDisks([disk]);
  refused(() => checkDisks([{ ...disk, path: '/var/lib/../../etc' }]), 'InvalidArgument', /disks\[0\]\.path/);
  refused(() => checkDisks([disk, { ...disk, storageAvailable: -1 }]), 'InvalidArgument', /disks\[1\].*negative/);
  refused(() => checkDisks([{ ...disk, diskId: 'Bad Id' }]), 'InvalidArgument', /disks\[0\]\.diskId/);
  refused(() => checkDisks([{ ...disk, tags: ['bad tag'] }]), 'InvalidArgument', /disks\[0\]\.tags/);
});

fuzzed('a registration names a host:port address, a label-like zone and a plain hostname', async () => {
  const { checkRegistration } = await import('../src/node-service.js');
  const ok = { address: '10.0.0.1:7000', zone: 'zone-a', hostname: 'host-1.example' };
  checkRegistration(ok);
  checkRegistration({ ...ok, address: '' });
  checkRegistration({ ...ok, address: '[::1]:7000', zone: '' });
  for (const address of ['x'.repeat(3000), '10.0.0.1', '10.0.0.1:0', '10.0.0.1:65536', 'a b:1', 'h:1:2']) {
    refused(() => checkRegistration({ ...ok, address }), 'InvalidArgument', /address/);
  }
  refused(() => checkRegistration({ ...ok, zone: 'zone a' }), 'InvalidArgument', /zone/);
  refused(() => checkRegistration({ ...ok, hostname: 'h\u0000' }), 'InvalidArgument', /hostname/);
});

fuzzed('create: fsType is one the CSI node makes; mkfsParams at most 1 KiB and only allowlisted mkfs options', () => {
  const s = cluster();
  refused(() => cmd.createVolume(s, create({ fsType: 'btrfs; reboot' })), 'InvalidArgument', /fsType/);
  refused(() => cmd.createVolume(s, create({ mkfsParams: '-E '.repeat(1000) })), 'InvalidArgument', /mkfsParams/);
  assert.is(cmd.createVolume(s, create({ fsType: 'xfs', mkfsParams: '-m crc=1' })).length, 1);
  assert.is(cmd.createVolume(s, create({ mkfsParams: '-m 0' })).length, 1);
  // The allowlist: an option that copies a host directory into the volume (or reads a host file)
  // never enters the log; the refusal names the option.
  refused(() => cmd.createVolume(s, create({ mkfsParams: '-d /etc' })), 'InvalidArgument', /mkfsParams: option -d/);
  refused(
    () => cmd.createVolume(s, create({ fsType: 'xfs', mkfsParams: '-p /etc/proto' })),
    'InvalidArgument',
    /option -p/,
  );
  refused(
    () => cmd.createVolume(s, create({ fsType: 'xfs', mkfsParams: '-m 0' })),
    'InvalidArgument',
    /-m 0 is not allowed/,
  );
  refused(() => cmd.createVolume(s, create({ mkfsParams: '-L -d' })), 'InvalidArgument', /-L has value "-d"/);
});

fuzzed(
  'a refusal quoting a huge value is cut to 2 KiB (a bigger grpc-message trailer wedges the client connection)',
  async () => {
    const { boundDetails, toServiceError, MAX_DETAILS_BYTES } = await import('../src/errors.js');
    assert.is(boundDetails('short'), 'short');
    for (const v of ['x'.repeat(3_000_000), '\u00e9'.repeat(65_536), '\ud83d\udca5'.repeat(5000)]) {
      const e = toServiceError(CommandError.notFound(`volume "${v}" does not exist`));
      assert.ok(Buffer.byteLength(e.details!) <= MAX_DETAILS_BYTES, `${Buffer.byteLength(e.details!)} bytes`);
      assert.match(e.details!, /^volume "/);
      assert.match(e.details!, /bytes in all\)$/);
      assert.not.match(e.details!, /[\ud800-\udbff](?![\udc00-\udfff])/, 'no half of a surrogate pair');
    }
  },
);

fuzzed.run();
