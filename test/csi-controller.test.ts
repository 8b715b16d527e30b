// The CSI Controller service end to end on `cairn up --nodes 3`, through the manager's CSI socket
// (cairn status -o json: manager.csiEndpoint), as the Kubernetes sidecars would call it. Every call
// is made twice and must answer the same; every refusal carries the spec's code and names what is
// wrong. Issue 6, sections 3 and 5.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import * as grpc from '@grpc/grpc-js';
import { CsiClient, TOPOLOGY_ZONE_KEY } from '@cairn/csi';
import { eventually, startCluster } from './support/cluster.js';
import type { TestCluster } from './support/cluster.js';
import { csiCall } from './support/grpc-types.js';
import type { CsiMethod, CsiRequest, CsiResponse } from './support/grpc-types.js';

const run = promisify(execFile);
const MiB = 2 ** 20;
const s = suite('CSI Controller end to end');
let c: TestCluster;
let csi: CsiClient;

const mount = { mount: { fsType: 'ext4' }, accessMode: { mode: 'SINGLE_NODE_WRITER' as const } };
const block = { block: {}, accessMode: { mode: 'SINGLE_NODE_WRITER' as const } };
const zone = (z: string) => ({ segments: { [TOPOLOGY_ZONE_KEY]: z } });

s.before(async () => {
  c = await startCluster(3);
  const endpoint = c.info.manager.csiEndpoint;
  assert.match(endpoint, /^unix:\/\/.*controller\.sock$/);
  csi = new CsiClient(endpoint, 60_000);
});
s.after(async () => {
  csi?.close();
  await c?.down();
});

type Ctl = 'Controller';
/** A Controller call made twice: both answers must be equal; returns the answer. */
async function twice<M extends CsiMethod<Ctl>>(method: M, req: CsiRequest<Ctl, M>): Promise<CsiResponse<Ctl, M>> {
  const a = await csiCall(csi, 'Controller', method, req);
  const b = await csiCall(csi, 'Controller', method, req);
  assert.equal(b, a, `${method} answered differently the second time`);
  return a;
}

/**
 * ListVolumes made twice: the same volumes and published nodes both times. (Conditions are left
 * out of the comparison: a volume created a moment ago may go from starting to healthy between
 * the two calls.)
 */
async function listTwice(req: CsiRequest<Ctl, 'ListVolumes'>): Promise<CsiResponse<Ctl, 'ListVolumes'>> {
  const a = await csiCall(csi, 'Controller', 'ListVolumes', req);
  const b = await csiCall(csi, 'Controller', 'ListVolumes', req);
  const stable = (r: CsiResponse<Ctl, 'ListVolumes'>) => ({
    next: r.nextToken,
    entries: r.entries.map((e) => ({ volume: e.volume, published: e.status!.publishedNodeIds })),
  });
  assert.equal(stable(b), stable(a), 'ListVolumes answered differently the second time');
  return a;
}

/** A Controller call refused twice with `code`, its message matching `re`. */
async function refused(method: string, req: object, code: keyof typeof grpc.status, re: RegExp): Promise<void> {
  for (let i = 0; i < 2; i++) {
    const e = await csi.call('Controller', method, req).then(
      () => null,
      (err: grpc.ServiceError) => err,
    );
    assert.ok(e, `${method} ${JSON.stringify(req)} succeeded; expected ${code}`);
    assert.is(grpc.status[e.code], code, `${method}: ${e.details}`);
    assert.match(e.details, re, `${method}: ${e.details}`);
  }
}

const adminNames = async (): Promise<string[]> => (await c.call('ListVolumes', {})).volumes.map((v) => v.name).sort();

s('Identity is ready and the capabilities list what the controller does', async () => {
  const probe = await csiCall(csi, 'Identity', 'Probe', {});
  assert.is(probe.ready!.value, true);
  const caps: string[] = (await twice('ControllerGetCapabilities', {})).capabilities.map((x) => x.rpc!.type).sort();
  for (const want of [
    'CREATE_DELETE_VOLUME',
    'PUBLISH_UNPUBLISH_VOLUME',
    'LIST_VOLUMES',
    'GET_CAPACITY',
    'CREATE_DELETE_SNAPSHOT',
    'LIST_SNAPSHOTS',
    'CLONE_VOLUME',
    'EXPAND_VOLUME',
    'LIST_VOLUMES_PUBLISHED_NODES',
    'VOLUME_CONDITION',
    'GET_VOLUME',
    'SINGLE_NODE_MULTI_WRITER',
  ]) {
    assert.ok(caps.includes(want), `missing ${want}`);
  }
  assert.not.ok(caps.includes('MODIFY_VOLUME'));
});

s('every missing argument is INVALID_ARGUMENT naming the field; nothing is created', async () => {
  const before = await adminNames();
  const cases: [string, object, RegExp][] = [
    ['CreateVolume', {}, /^name is required$/],
    ['CreateVolume', { name: 'pvc-x' }, /^volume_capabilities is required$/],
    [
      'CreateVolume',
      { name: 'pvc-x', volumeCapabilities: [{ mount: {} }] },
      /volume_capabilities\[0\]\.access_mode is required/,
    ],
    [
      'CreateVolume',
      { name: 'pvc-x', volumeCapabilities: [{ accessMode: { mode: 'SINGLE_NODE_WRITER' as const } }] },
      /access_type is required/,
    ],
    [
      'CreateVolume',
      { name: 'pvc-x', volumeCapabilities: [mount], volumeContentSource: { snapshot: {} } },
      /snapshot_id is required/,
    ],
    [
      'CreateVolume',
      { name: 'pvc-x', volumeCapabilities: [{ mount: {}, accessMode: { mode: 'MULTI_NODE_MULTI_WRITER' as const } }] },
      /MULTI_NODE_MULTI_WRITER is not supported/,
    ],
    [
      'CreateVolume',
      { name: 'pvc-x', volumeCapabilities: [mount], parameters: { replicas: '3' } },
      /parameter replicas is not known/,
    ],
    [
      'CreateVolume',
      { name: 'pvc-x', volumeCapabilities: [mount], parameters: { numberOfReplicas: 'many' } },
      /numberOfReplicas "many"/,
    ],
    [
      'CreateVolume',
      { name: 'x'.repeat(129), volumeCapabilities: [mount] },
      /^name is 129 bytes long: the CSI spec allows at most 128$/,
    ],
    ['CreateVolume', { name: 'a\tb', volumeCapabilities: [mount] }, /name "a\\tb" contains control characters/],
    ['DeleteVolume', {}, /^volume_id is required$/],
    ['ControllerPublishVolume', {}, /^volume_id is required$/],
    ['ControllerPublishVolume', { volumeId: 'pvc-x' }, /^node_id is required$/],
    ['ControllerPublishVolume', { volumeId: 'pvc-x', nodeId: 'node-1' }, /^volume_capability is required$/],
    ['ControllerUnpublishVolume', {}, /^volume_id is required$/],
    ['ValidateVolumeCapabilities', {}, /^volume_id is required$/],
    ['ValidateVolumeCapabilities', { volumeId: 'pvc-x' }, /^volume_capabilities is required$/],
    ['ListVolumes', { maxEntries: -1 }, /max_entries must not be negative/],
    ['GetCapacity', { parameters: { bogus: '1' } }, /parameter bogus is not known/],
    ['ControllerExpandVolume', {}, /^volume_id is required$/],
    ['ControllerExpandVolume', { volumeId: 'pvc-x' }, /^capacity_range is required$/],
    ['ControllerGetVolume', {}, /^volume_id is required$/],
    ['CreateSnapshot', {}, /^source_volume_id is required$/],
    ['CreateSnapshot', { sourceVolumeId: 'pvc-x' }, /^name is required$/],
    ['DeleteSnapshot', {}, /^snapshot_id is required$/],
    ['GetSnapshot', {}, /^snapshot_id is required$/],
  ];
  for (const [method, req, re] of cases) await refused(method, req, 'INVALID_ARGUMENT', re);
  assert.equal(await adminNames(), before, 'a refused call changes nothing');
});

s(
  'CreateVolume: idempotent by name, volume_context from the parameters, ALREADY_EXISTS when incompatible',
  async () => {
    const req = {
      name: 'pvc-a',
      volumeCapabilities: [mount],
      capacityRange: { requiredBytes: 64 * MiB },
      parameters: {
        numberOfReplicas: '3',
        mkfsParams: '-m 0',
        staleReplicaTimeout: '30',
        'csi.storage.k8s.io/pvc/name': 'data',
      },
    };
    const a = await twice('CreateVolume', req);
    assert.is(a.volume!.volumeId, 'pvc-a');
    assert.is(a.volume!.capacityBytes, 64 * MiB);
    assert.equal(a.volume!.volumeContext, { fsType: 'ext4', mkfsParams: '-m 0' });
    const v = await c.call('GetVolume', { name: 'pvc-a' });
    assert.is(v.size, 64 * MiB);
    assert.is(v.numberOfReplicas, 3);
    assert.is(v.staleReplicaTimeout, 30);
    assert.is(v.mkfsParams, '-m 0');
    // A retry without the optional parameters is the same volume.
    assert.equal(
      (
        await csiCall(csi, 'Controller', 'CreateVolume', {
          name: 'pvc-a',
          volumeCapabilities: [mount],
          capacityRange: { requiredBytes: 64 * MiB },
        })
      ).volume,
      a.volume,
    );
    await refused(
      'CreateVolume',
      { ...req, parameters: { numberOfReplicas: '2' } },
      'ALREADY_EXISTS',
      /volume "pvc-a" already exists and numberOfReplicas is 3, requested 2/,
    );
    await refused(
      'CreateVolume',
      { ...req, capacityRange: { requiredBytes: 128 * MiB } },
      'ALREADY_EXISTS',
      /size 67108864 is outside capacity_range/,
    );
    await refused(
      'CreateVolume',
      {
        ...req,
        volumeCapabilities: [{ mount: {}, accessMode: { mode: 'SINGLE_NODE_WRITER' as const } }],
        parameters: { fsType: 'xfs' },
      },
      'ALREADY_EXISTS',
      /fsType is "ext4", requested "xfs"/,
    );
    await eventually(
      'pvc-a has 3 running replicas',
      20_000,
      async () =>
        (await c.call('GetVolume', { name: 'pvc-a' })).replicas.filter((r) => r.state === 'running').length === 3,
    );
  },
);

s('CreateVolume: accessibility requirements, OUT_OF_RANGE and RESOURCE_EXHAUSTED, with nothing appended', async () => {
  const b = await twice('CreateVolume', {
    name: 'pvc-b',
    volumeCapabilities: [block],
    capacityRange: { requiredBytes: 32 * MiB, limitBytes: 32 * MiB },
    parameters: { numberOfReplicas: '2' },
    accessibilityRequirements: { requisite: [zone('zone-b'), zone('zone-x')], preferred: [zone('zone-b')] },
  });
  assert.equal(b.volume!.accessibleTopology, [zone('zone-b')]);
  assert.is(b.volume!.capacityBytes, 32 * MiB);
  const before = await adminNames();
  await refused(
    'CreateVolume',
    { name: 'pvc-z', volumeCapabilities: [mount], accessibilityRequirements: { requisite: [zone('zone-x')] } },
    'RESOURCE_EXHAUSTED',
    /no cairn node lies in the requisite topologies .*zone-x.*zones with nodes: zone-a, zone-b, zone-c/,
  );
  await refused(
    'CreateVolume',
    { name: 'pvc-z', volumeCapabilities: [mount], capacityRange: { requiredBytes: 2 * MiB, limitBytes: MiB } },
    'OUT_OF_RANGE',
    /required_bytes 2097152 is more than limit_bytes 1048576/,
  );
  await refused(
    'CreateVolume',
    { name: 'pvc-z', volumeCapabilities: [mount], parameters: { nodeSelector: 'gold' } },
    'RESOURCE_EXHAUSTED',
    /cannot place even 1 of 3 replica\(s\) of 1Gi.*node-1: node tags lack nodeSelector \[gold\]/,
  );
  await refused(
    'CreateVolume',
    { name: 'pvc-z', volumeCapabilities: [mount], capacityRange: { requiredBytes: 2 ** 50 } },
    'RESOURCE_EXHAUSTED',
    /node-1\/disk-1: a replica must stay below .*storage-minimal-available-percentage 25/,
  );
  assert.equal(await adminNames(), before, 'refusals appended nothing');
});

s('GetCapacity: with and without topology and parameters, agreeing with what CreateVolume accepts', async () => {
  const all = await twice('GetCapacity', { volumeCapabilities: [mount] });
  const one = await twice('GetCapacity', { parameters: { numberOfReplicas: '1' } });
  const inZone = await twice('GetCapacity', { accessibleTopology: zone('zone-a') });
  const nowhere = await twice('GetCapacity', { accessibleTopology: zone('zone-x') });
  const gold = await twice('GetCapacity', { parameters: { nodeSelector: 'gold' } });
  const four = await twice('GetCapacity', { parameters: { numberOfReplicas: '4' } });
  assert.ok(all.availableCapacity > 0 && all.maximumVolumeSize!.value > 0, JSON.stringify(all));
  assert.is(all.maximumVolumeSize!.value % 4096, 0);
  assert.ok(one.availableCapacity >= 2 * all.availableCapacity, 'one replica per volume leaves room for more volumes');
  assert.equal(inZone, all, 'a zone with a node reaches the whole cluster: replicas go anywhere');
  assert.equal(nowhere, { availableCapacity: 0, maximumVolumeSize: { value: 0 }, minimumVolumeSize: { value: 4096 } });
  assert.is(gold.availableCapacity, 0);
  assert.is(gold.maximumVolumeSize!.value, 0);
  assert.is(four.maximumVolumeSize!.value, 0, 'four replicas need four nodes (hard node anti-affinity)');
  // The figures follow the scheduler's rule from what ListNodes shows: a replica must stay below
  // available - 25% of the maximum, and within the over-provisioning cap.
  const { nodes } = await c.call('ListNodes', {});
  const perNode = nodes.map((n) =>
    Math.max(
      ...n.disks.map(
        (d) =>
          Math.floor(
            Math.min(
              d.storageAvailable - d.storageMaximum / 4 - 1,
              d.storageMaximum - d.storageReserved - d.storageScheduled,
            ) / 4096,
          ) * 4096,
      ),
    ),
  );
  assert.is(one.maximumVolumeSize!.value, Math.max(...perNode));
  assert.is(all.maximumVolumeSize!.value, Math.min(...perNode));
  // One block more than fits anywhere cannot be placed (with degraded creation one replica would do).
  await refused(
    'CreateVolume',
    {
      name: 'pvc-z',
      volumeCapabilities: [mount],
      capacityRange: { requiredBytes: one.maximumVolumeSize!.value + 4096 },
    },
    'RESOURCE_EXHAUSTED',
    /cannot place/,
  );
});

s(
  'ControllerPublishVolume: an nbdUrl nbdinfo reads at the volume size; FAILED_PRECONDITION elsewhere; NOT_FOUND; unpublish',
  async () => {
    const req = {
      volumeId: 'pvc-a',
      nodeId: 'node-1',
      volumeCapability: mount,
      volumeContext: { fsType: 'ext4', mkfsParams: '-m 0' },
    };
    const p = await twice('ControllerPublishVolume', req);
    assert.match(p.publishContext.nbdUrl!, /^nbd\+unix:\/\/\/pvc-a\?socket=\/.+\/nodes\/node-1\/run\/nbd\.sock$/);
    assert.is(p.publishContext.fsType, 'ext4');
    assert.is(p.publishContext.mkfsParams, '-m 0');
    assert.is(p.publishContext.readonly, undefined);
    const info = JSON.parse((await run('nbdinfo', ['--json', p.publishContext.nbdUrl!])).stdout);
    assert.is(info.exports[0]['export-size'], 64 * MiB);
    await refused(
      'ControllerPublishVolume',
      { ...req, nodeId: 'node-2' },
      'FAILED_PRECONDITION',
      /volume "pvc-a" is attached to node "node-1"/,
    );
    await refused('DeleteVolume', { volumeId: 'pvc-a' }, 'FAILED_PRECONDITION', /pvc-a/);
    await refused(
      'ControllerPublishVolume',
      { ...req, volumeId: 'pvc-nope' },
      'NOT_FOUND',
      /volume "pvc-nope" does not exist/,
    );
    await refused(
      'ControllerPublishVolume',
      { volumeId: 'pvc-b', nodeId: 'node-9', volumeCapability: block },
      'NOT_FOUND',
      /node "node-9" does not exist/,
    );
    const listed = (await listTwice({})).entries.find((e) => e.volume!.volumeId === 'pvc-a');
    assert.equal(listed!.status!.publishedNodeIds, ['node-1']);
    assert.equal((await twice('ControllerGetVolume', { volumeId: 'pvc-a' })).status!.publishedNodeIds, ['node-1']);
    // Unpublishing from a node it is not on changes nothing.
    await twice('ControllerUnpublishVolume', { volumeId: 'pvc-a', nodeId: 'node-3' });
    assert.is((await c.call('GetVolume', { name: 'pvc-a' })).attachedTo, 'node-1');
    await twice('ControllerUnpublishVolume', { volumeId: 'pvc-a', nodeId: 'node-1' });
    assert.is((await c.call('GetVolume', { name: 'pvc-a' })).state, 'detached');
    assert.equal((await twice('ControllerGetVolume', { volumeId: 'pvc-a' })).status!.publishedNodeIds, []);
    await twice('ControllerUnpublishVolume', { volumeId: 'pvc-nope', nodeId: 'node-1' });
  },
);

s('ABORTED: a second publish of a volume while the first is in flight; readonly reaches the context', async () => {
  const req = { volumeId: 'pvc-b', nodeId: 'node-2', volumeCapability: block, readonly: true };
  const results = await Promise.allSettled([
    csiCall(csi, 'Controller', 'ControllerPublishVolume', req),
    csiCall(csi, 'Controller', 'ControllerPublishVolume', req),
  ]);
  const ok = results.filter((r) => r.status === 'fulfilled') as PromiseFulfilledResult<
    CsiResponse<Ctl, 'ControllerPublishVolume'>
  >[];
  const no = results.filter((r) => r.status === 'rejected') as PromiseRejectedResult[];
  assert.is(ok.length, 1, JSON.stringify(results));
  assert.is(no.length, 1);
  assert.is(grpc.status[no[0]!.reason.code], 'ABORTED');
  assert.match(no[0]!.reason.details, /ControllerPublishVolume is already in flight for volume "pvc-b"/);
  assert.is(ok[0]!.value.publishContext.readonly, 'true');
  const again = await twice('ControllerPublishVolume', req);
  assert.equal(again, ok[0]!.value, 'the retry after ABORTED gets the same answer');
  await twice('ControllerUnpublishVolume', { volumeId: 'pvc-b', nodeId: 'node-2' });
});

s('a publish whose caller gave up stops waiting, so the retry is not ABORTED', async () => {
  // node-3's agent is paused (SIGSTOP, well under its 5 s lease), so the engine cannot start there.
  const agent = c.info.nodes.find((n) => n.id === 'node-3')!.pid;
  const req = { volumeId: 'pvc-a', nodeId: 'node-3', volumeCapability: mount };
  const publishWithin = async (ms: number): Promise<string> => {
    const impatient = new CsiClient(csi.endpoint, ms);
    try {
      const e = await impatient.call('Controller', 'ControllerPublishVolume', req).then(
        () => null,
        (err: grpc.ServiceError) => err,
      );
      return e ? grpc.status[e.code] : 'OK';
    } finally {
      impatient.close();
    }
  };
  process.kill(agent, 'SIGSTOP');
  try {
    assert.is(await publishWithin(50), 'DEADLINE_EXCEEDED');
    // The first call's wait ends with its caller (noticed at the server's next poll, 200 ms): a
    // later call then waits too (and times out), it is not refused. Asked until it is so (ABORTED
    // only while the first wait is still noticed), within a bound that says what was awaited.
    const second = await eventually(
      'a publish after the first caller gave up to wait (time out), not be ABORTED',
      20_000,
      async () => {
        const r = await publishWithin(800);
        return r === 'ABORTED' ? null : r;
      },
    );
    assert.is(second, 'DEADLINE_EXCEEDED');
  } finally {
    process.kill(agent, 'SIGCONT');
  }
  // The second wait is dropped at the server's next poll too; then the retry goes through.
  await eventually('the publish to go through once the agent runs again', 30_000, async () =>
    csiCall(csi, 'Controller', 'ControllerPublishVolume', req).then(
      () => true,
      (e: grpc.ServiceError) => (grpc.status[e.code] === 'ABORTED' ? null : Promise.reject(e)),
    ),
  );
  const p = await twice('ControllerPublishVolume', req);
  assert.match(p.publishContext.nbdUrl!, /^nbd\+unix:\/\/\/pvc-a\?socket=\/.+\/nodes\/node-3\/run\/nbd\.sock$/);
  await twice('ControllerUnpublishVolume', { volumeId: 'pvc-a', nodeId: 'node-3' });
});

s(
  'ValidateVolumeCapabilities: confirmed for what the volume serves, a message otherwise; NOT_FOUND for no volume',
  async () => {
    const ok = await twice('ValidateVolumeCapabilities', {
      volumeId: 'pvc-a',
      volumeCapabilities: [mount],
      volumeContext: { fsType: 'ext4', 'storage.kubernetes.io/csiProvisionerIdentity': '123-csi.cairn.io' },
    });
    assert.is(ok.confirmed!.volumeCapabilities.length, 1);
    const otherMkfs = await twice('ValidateVolumeCapabilities', {
      volumeId: 'pvc-a',
      volumeCapabilities: [mount],
      volumeContext: { mkfsParams: '-K' },
    });
    assert.match(otherMkfs.message, /volume_context mkfsParams="-K" is not volume "pvc-a"'s \("-m 0"\)/);
    const multi = await twice('ValidateVolumeCapabilities', {
      volumeId: 'pvc-a',
      volumeCapabilities: [{ mount: {}, accessMode: { mode: 'MULTI_NODE_READER_ONLY' as const } }],
    });
    assert.is(multi.confirmed, null);
    assert.match(multi.message, /MULTI_NODE_READER_ONLY is not supported/);
    const xfs = await twice('ValidateVolumeCapabilities', {
      volumeId: 'pvc-a',
      volumeCapabilities: [{ mount: { fsType: 'xfs' }, accessMode: { mode: 'SINGLE_NODE_WRITER' as const } }],
    });
    assert.match(xfs.message, /volume "pvc-a" has ext4/);
    await refused(
      'ValidateVolumeCapabilities',
      { volumeId: 'pvc-nope', volumeCapabilities: [mount] },
      'NOT_FOUND',
      /volume "pvc-nope" does not exist/,
    );
  },
);

s('snapshots: create (idempotent, ready, sized), names unique across volumes, list and page, get, delete', async () => {
  const s1 = await twice('CreateSnapshot', {
    sourceVolumeId: 'pvc-a',
    name: 'snap-1',
    parameters: { 'csi.storage.k8s.io/volumesnapshot/name': 'x' },
  });
  assert.is(s1.snapshot!.snapshotId, 'pvc-a@snap-1');
  assert.is(s1.snapshot!.sourceVolumeId, 'pvc-a');
  assert.is(s1.snapshot!.sizeBytes, 64 * MiB);
  assert.is(s1.snapshot!.readyToUse, true);
  assert.ok(Math.abs(Number(s1.snapshot!.creationTime!.seconds) - Date.now() / 1000) < 120, 'creation_time is now');
  await refused(
    'CreateSnapshot',
    { sourceVolumeId: 'pvc-b', name: 'snap-1' },
    'ALREADY_EXISTS',
    /snapshot name "snap-1" is taken by pvc-a@snap-1/,
  );
  await refused(
    'CreateSnapshot',
    { sourceVolumeId: 'pvc-nope', name: 'snap-9' },
    'NOT_FOUND',
    /volume "pvc-nope" does not exist/,
  );
  await twice('CreateSnapshot', { sourceVolumeId: 'pvc-a', name: 'snap-2' });
  await twice('CreateSnapshot', { sourceVolumeId: 'pvc-b', name: 'snap-3' });
  assert.equal((await twice('GetSnapshot', { snapshotId: 'pvc-a@snap-1' })).snapshot, s1.snapshot);
  await refused('GetSnapshot', { snapshotId: 'pvc-a@nope' }, 'NOT_FOUND', /snapshot "pvc-a@nope" does not exist/);

  const ids = (r: CsiResponse<Ctl, 'ListSnapshots'>): string[] => r.entries.map((e) => e.snapshot!.snapshotId);
  assert.equal(ids(await twice('ListSnapshots', {})), ['pvc-a@snap-1', 'pvc-a@snap-2', 'pvc-b@snap-3']);
  assert.equal(ids(await twice('ListSnapshots', { sourceVolumeId: 'pvc-a' })), ['pvc-a@snap-1', 'pvc-a@snap-2']);
  assert.equal(ids(await twice('ListSnapshots', { snapshotId: 'pvc-b@snap-3' })), ['pvc-b@snap-3']);
  assert.equal(ids(await twice('ListSnapshots', { snapshotId: 'pvc-b@nope' })), []);
  assert.equal(ids(await twice('ListSnapshots', { sourceVolumeId: 'pvc-nope' })), []);
  const paged: string[] = [];
  let token = '';
  do {
    const p = await twice('ListSnapshots', { maxEntries: 1, startingToken: token });
    assert.ok(p.entries.length <= 1);
    paged.push(...ids(p));
    token = p.nextToken;
  } while (token);
  assert.equal(paged, ['pvc-a@snap-1', 'pvc-a@snap-2', 'pvc-b@snap-3']);
  await refused(
    'ListSnapshots',
    { startingToken: 'not-a-token' },
    'ABORTED',
    /starting_token "not-a-token" is not a token this driver returned/,
  );

  await refused(
    'DeleteVolume',
    { volumeId: 'pvc-b' },
    'FAILED_PRECONDITION',
    /volume "pvc-b" has 1 snapshot\(s\) \(pvc-b@snap-3\): delete them first/,
  );
  await twice('DeleteSnapshot', { snapshotId: 'pvc-b@snap-3' });
  await twice('DeleteSnapshot', { snapshotId: 'pvc-nope@snap-3' });
  await twice('DeleteSnapshot', { snapshotId: 'garbage' });
  assert.equal(ids(await twice('ListSnapshots', {})), ['pvc-a@snap-1', 'pvc-a@snap-2']);
});

s(
  'CreateVolume from a snapshot and from a volume: the source size, content_source echoed, NOT_FOUND and OUT_OF_RANGE',
  async () => {
    const fromSnap = await twice('CreateVolume', {
      name: 'pvc-from-snap',
      volumeCapabilities: [mount],
      volumeContentSource: { snapshot: { snapshotId: 'pvc-a@snap-1' } },
    });
    assert.is(fromSnap.volume!.capacityBytes, 64 * MiB);
    assert.equal(fromSnap.volume!.contentSource!.snapshot, { snapshotId: 'pvc-a@snap-1' });
    const clone = await twice('CreateVolume', {
      name: 'pvc-clone',
      volumeCapabilities: [mount],
      capacityRange: { requiredBytes: MiB },
      volumeContentSource: { volume: { volumeId: 'pvc-a' } },
    });
    assert.is(clone.volume!.capacityBytes, 64 * MiB);
    assert.equal(clone.volume!.contentSource!.volume, { volumeId: 'pvc-a' });
    await refused(
      'CreateVolume',
      { name: 'pvc-z', volumeCapabilities: [mount], volumeContentSource: { snapshot: { snapshotId: 'pvc-a@nope' } } },
      'NOT_FOUND',
      /source snapshot "pvc-a@nope" does not exist/,
    );
    await refused(
      'CreateVolume',
      { name: 'pvc-z', volumeCapabilities: [mount], volumeContentSource: { volume: { volumeId: 'pvc-nope' } } },
      'NOT_FOUND',
      /source volume "pvc-nope" does not exist/,
    );
    await refused(
      'CreateVolume',
      { name: 'pvc-z', volumeCapabilities: [mount], volumeContentSource: { snapshot: { snapshotId: 'no-at-sign' } } },
      'NOT_FOUND',
      /snapshot "no-at-sign" does not exist/,
    );
    await refused(
      'CreateVolume',
      {
        name: 'pvc-z',
        volumeCapabilities: [mount],
        capacityRange: { requiredBytes: 128 * MiB },
        volumeContentSource: { snapshot: { snapshotId: 'pvc-a@snap-1' } },
      },
      'OUT_OF_RANGE',
      /more than the 67108864 bytes of snapshot pvc-a@snap-1/,
    );
    assert.not.ok((await adminNames()).includes('pvc-z'));
  },
);

s(
  'ControllerExpandVolume: grows (node expansion for mounts only), a smaller ask is OK, shrinking OUT_OF_RANGE',
  async () => {
    const m = await twice('ControllerExpandVolume', {
      volumeId: 'pvc-a',
      capacityRange: { requiredBytes: 128 * MiB },
      volumeCapability: mount,
    });
    assert.equal(m, { capacityBytes: 128 * MiB, nodeExpansionRequired: true });
    assert.is((await c.call('GetVolume', { name: 'pvc-a' })).size, 128 * MiB);
    const b = await twice('ControllerExpandVolume', {
      volumeId: 'pvc-b',
      capacityRange: { requiredBytes: 48 * MiB },
      volumeCapability: block,
    });
    assert.equal(b, { capacityBytes: 48 * MiB, nodeExpansionRequired: false });
    assert.equal(
      await twice('ControllerExpandVolume', { volumeId: 'pvc-a', capacityRange: { requiredBytes: 64 * MiB } }),
      { capacityBytes: 128 * MiB, nodeExpansionRequired: true },
    );
    await refused(
      'ControllerExpandVolume',
      { volumeId: 'pvc-a', capacityRange: { limitBytes: 64 * MiB } },
      'OUT_OF_RANGE',
      /volumes only grow/,
    );
    await refused(
      'ControllerExpandVolume',
      { volumeId: 'pvc-nope', capacityRange: { requiredBytes: MiB } },
      'NOT_FOUND',
      /volume "pvc-nope" does not exist/,
    );
    await refused(
      'ControllerExpandVolume',
      { volumeId: 'pvc-a', capacityRange: { requiredBytes: 2 ** 50 } },
      'RESOURCE_EXHAUSTED',
      /volume "pvc-a" cannot grow to 1125899906842624 bytes where its replicas are: node-\d\/disk-1: a replica must stay below/,
    );
    assert.is((await c.call('GetVolume', { name: 'pvc-a' })).size, 128 * MiB, 'the refused expansion changed nothing');
    // The expanded volume still answers CreateVolume's retry: 128 MiB is at least the 64 MiB required.
    assert.is(
      (
        await csiCall(csi, 'Controller', 'CreateVolume', {
          name: 'pvc-a',
          volumeCapabilities: [mount],
          capacityRange: { requiredBytes: 64 * MiB },
        })
      ).volume!.capacityBytes,
      128 * MiB,
    );
  },
);

s('ControllerGetVolume: a volume with more replicas than nodes is abnormal, saying why', async () => {
  await twice('CreateVolume', {
    name: 'pvc-deg',
    volumeCapabilities: [mount],
    capacityRange: { requiredBytes: 16 * MiB },
    parameters: { numberOfReplicas: '4' },
  });
  const cond = await eventually('pvc-deg degraded with 3 of 4 replicas running', 20_000, async () => {
    const r = await csiCall(csi, 'Controller', 'ControllerGetVolume', { volumeId: 'pvc-deg' });
    return /^degraded: 3\/4 replicas running/.test(r.status!.volumeCondition!.message)
      ? r.status!.volumeCondition
      : null;
  });
  assert.is(cond.abnormal, true);
  assert.match(cond.message, /unschedulable: .*AntiAffinityNode/);
  const healthy = (await twice('ControllerGetVolume', { volumeId: 'pvc-a' })).status!.volumeCondition;
  assert.equal(healthy, { abnormal: false, message: 'healthy: 3/3 replicas running' });
  await refused('ControllerGetVolume', { volumeId: 'pvc-nope' }, 'NOT_FOUND', /volume "pvc-nope" does not exist/);
});

s('ListVolumes: pages of max_entries cover every volume once; a bad token is ABORTED', async () => {
  const names: string[] = [];
  let token = '';
  let pages = 0;
  do {
    const p = await listTwice({ maxEntries: 2, startingToken: token });
    assert.ok(p.entries.length <= 2);
    for (const e of p.entries) {
      names.push(e.volume!.volumeId);
      assert.ok(e.status!.volumeCondition!.message, 'every entry has a condition');
    }
    token = p.nextToken;
    pages++;
  } while (token);
  assert.equal(names, await adminNames());
  assert.is(pages, Math.ceil(names.length / 2));
  await refused('ListVolumes', { startingToken: 'vol:!!' }, 'ABORTED', /is not a token this driver returned/);
  await refused('ListVolumes', { startingToken: 'snap:cHZjLWE' }, 'ABORTED', /is not a token this driver returned/);
});

s('DeleteVolume: deletes, then deleting again (or what never was) is OK', async () => {
  for (const id of ['pvc-b', 'pvc-clone', 'pvc-from-snap', 'pvc-deg']) await twice('DeleteVolume', { volumeId: id });
  await twice('DeleteVolume', { volumeId: 'pvc-never' });
  const left = await adminNames();
  for (const id of ['pvc-b', 'pvc-clone', 'pvc-from-snap', 'pvc-deg'])
    assert.not.ok(left.includes(id), `${id} deleted`);
  assert.ok(left.includes('pvc-a'));
});

s.run();
