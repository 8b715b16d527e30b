// The CSI Controller against the spec, the way csi-sanity (kubernetes-csi/csi-test pkg/sanity/
// controller.go) checks it, and the Kubernetes sidecars' contract, through the controller sockets
// of a `cairn up --nodes 2 --managers 2` cluster. Names are what the CO may send: csi-sanity's
// mixed-case and 128-byte names, Kubernetes' pvc-<uuid> and snapshot-<uuid>; ids are whatever the
// CO hands back (fake-vol-id-..., strings that are no cairn name). The last two tests retry
// CreateVolume concurrently and across a manager leader change: exactly one volume either way.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import * as grpc from '@grpc/grpc-js';
import { CsiClient } from '@cairn/csi';
import type { Volume__Output } from '@cairn/schema/types';
import { CAIRN } from './support/cluster.js';
import { Admin, clusterCa, kill9, until } from './support/chaos.js';
import { csiCall } from './support/grpc-types.js';
import type { CsiMethod, CsiRequest, CsiResponse } from './support/grpc-types.js';

const execFileP = promisify(execFile);
const MiB = 2 ** 20;
const s = suite('CSI Controller conformance');
type Ctl = 'Controller';

interface ClusterFile {
  token: string;
  tlsCa?: string;
  managers: { id: string; pid: number; address: string; csiEndpoint: string }[];
  nodes: { id: string }[];
}

let dir = '';
let cluster: ClusterFile;
let api: Admin;
let csi: CsiClient;
const clients: CsiClient[] = [];

const mount = { mount: { fsType: 'ext4' }, accessMode: { mode: 'SINGLE_NODE_WRITER' as const } };
const block = { block: {}, accessMode: { mode: 'SINGLE_NODE_WRITER' as const } };
/** csi-sanity's UniqueStringWithLength: a prefix, then random characters up to `length`. */
const unique = (prefix: string, length = prefix.length + 17): string =>
  (prefix + '-' + randomUUID().replace(/-/g, '').toUpperCase() + 'X'.repeat(128)).slice(0, length);
const createReq = (name: string, o: CsiRequest<Ctl, 'CreateVolume'> = {}): CsiRequest<Ctl, 'CreateVolume'> => ({
  name,
  volumeCapabilities: [mount],
  capacityRange: { requiredBytes: 16 * MiB },
  parameters: { numberOfReplicas: '1' },
  ...o,
});

const cairn = (args: string[], timeout = 120_000) => execFileP(process.execPath, [CAIRN, ...args], { timeout });
const ctl = <M extends CsiMethod<Ctl>>(method: M, req: CsiRequest<Ctl, M>, via: CsiClient = csi) =>
  csiCall(via, 'Controller', method, req);

/** The call fails with `code` (and a message matching `re`). */
async function refused(
  method: string,
  req: object,
  code: keyof typeof grpc.status,
  re: RegExp = /./,
  via: CsiClient = csi,
): Promise<void> {
  const e = await via.call('Controller', method, req).then(
    () => null,
    (err: grpc.ServiceError) => err,
  );
  assert.ok(e, `${method} ${JSON.stringify(req).slice(0, 300)} succeeded; expected ${code}`);
  assert.is(grpc.status[e.code], code, `${method}: ${e.details}`);
  assert.match(e.details, re, `${method}: ${e.details}`);
}

const adminVolumes = async (): Promise<Volume__Output[]> => (await api.call('ListVolumes', {})).volumes;
/** The admin's volumes made for this CO name. */
const volumesFor = async (coName: string): Promise<Volume__Output[]> =>
  (await adminVolumes()).filter((v) => v.csiName === coName);

s.before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cairn-csi-conf-'));
  await cairn(['up', '--dir', dir, '--nodes', '2', '--managers', '2', '--detach']);
  cluster = JSON.parse(readFileSync(join(dir, 'cluster.json'), 'utf8')) as ClusterFile;
  api = new Admin(
    () => cluster.managers.map((m) => m.address),
    readFileSync(cluster.token, 'utf8').trim(),
    clusterCa(cluster),
  );
  csi = new CsiClient(cluster.managers[0]!.csiEndpoint, 60_000);
  clients.push(csi);
});
s.after(async () => {
  for (const c of clients) c.close();
  api?.close();
  if (dir) {
    await cairn(['down', '--dir', dir], 60_000).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
});

s(
  'CreateVolume: any name the spec allows (mixed case, 128 bytes, Unicode) gets a volume; the same name again answers the same one',
  async () => {
    const names = [
      unique('sanity-controller-create-maxlen', 128),
      unique('sanity-ListVolumes'),
      'Daten für Ünïcode · 名前',
      `csi-${'a'.repeat(52)}`,
    ];
    const ids = new Set<string>();
    for (const name of names) {
      const a = (await ctl('CreateVolume', createReq(name))).volume!;
      const b = (await ctl('CreateVolume', createReq(name))).volume!;
      assert.is(b.volumeId, a.volumeId, `${name}: the retry answers the same volume`);
      assert.match(a.volumeId, /^csi-[a-z2-7]{52}$/, name);
      assert.is(a.capacityBytes, 16 * MiB);
      const v = await api.call('GetVolume', { name: a.volumeId });
      assert.is(v.csiName, name, 'the admin volume records the CO name');
      assert.is((await volumesFor(name)).length, 1);
      ids.add(a.volumeId);
    }
    assert.is(
      ids.size,
      names.length,
      'distinct names, distinct volumes (a name shaped like a derived id is hashed too)',
    );
    // Names that differ only in case are two volumes.
    const lower = (await ctl('CreateVolume', createReq('Case-Name'))).volume!.volumeId;
    assert.is.not((await ctl('CreateVolume', createReq('case-name'))).volume!.volumeId, lower);
    assert.is(
      (await ctl('CreateVolume', createReq('case-name'))).volume!.volumeId,
      'case-name',
      'a cairn name is its own id',
    );
    // csi-sanity: the same name with another capacity is ALREADY_EXISTS.
    await refused(
      'CreateVolume',
      createReq(names[0]!, { capacityRange: { requiredBytes: 32 * MiB, limitBytes: 32 * MiB } }),
      'ALREADY_EXISTS',
      /already exists and its size/,
    );
    await refused('CreateVolume', createReq('x'.repeat(129)), 'INVALID_ARGUMENT', /name is 129 bytes long/);
    await refused('CreateVolume', createReq('line\nbreak'), 'INVALID_ARGUMENT', /control characters/);
  },
);

s(
  "sidecars: PV names are volume ids; the provisioner's csi.storage.k8s.io/* parameters are used or skipped, never refused; the PVC is recorded",
  async () => {
    const pv = `pvc-${randomUUID()}`;
    const params = {
      numberOfReplicas: '1',
      'csi.storage.k8s.io/fstype': 'ext4',
      'csi.storage.k8s.io/provisioner-secret-name': 's',
      'csi.storage.k8s.io/provisioner-secret-namespace': 'ns',
      'csi.storage.k8s.io/controller-publish-secret-name': 's',
      'csi.storage.k8s.io/controller-publish-secret-namespace': 'ns',
      'csi.storage.k8s.io/node-stage-secret-name': 's',
      'csi.storage.k8s.io/node-stage-secret-namespace': 'ns',
      'csi.storage.k8s.io/node-publish-secret-name': 's',
      'csi.storage.k8s.io/node-publish-secret-namespace': 'ns',
      'csi.storage.k8s.io/controller-expand-secret-name': 's',
      'csi.storage.k8s.io/controller-expand-secret-namespace': 'ns',
      'csi.storage.k8s.io/pvc/name': 'data',
      'csi.storage.k8s.io/pvc/namespace': 'shop',
      'csi.storage.k8s.io/pv/name': pv,
    };
    const a = (await ctl('CreateVolume', createReq(pv, { parameters: params, secrets: { password: 'x' } }))).volume!;
    assert.is(a.volumeId, pv, "Kubernetes' PV name is the volume id");
    const v = await api.call('GetVolume', { name: pv });
    assert.is(v.csiName, pv);
    assert.equal(v.kubernetes, { pvcNamespace: 'shop', pvcName: 'data', pvName: pv });
    assert.is(v.numberOfReplicas, 1);
    // GetCapacity and ValidateVolumeCapabilities take the same parameters.
    assert.ok((await ctl('GetCapacity', { volumeCapabilities: [mount], parameters: params })).availableCapacity > 0);
    assert.ok(
      (await ctl('ValidateVolumeCapabilities', { volumeId: pv, volumeCapabilities: [mount], parameters: params }))
        .confirmed,
    );
    const mutable = await ctl('ValidateVolumeCapabilities', {
      volumeId: pv,
      volumeCapabilities: [mount],
      mutableParameters: { iops: '100' },
    });
    assert.is(mutable.confirmed, null);
    assert.match(mutable.message, /mutable_parameters are not supported/);
    // `cairn volume get` and `ls` show the PVC and the CO name.
    const got = (await cairn(['volume', 'get', pv, '--cluster', join(dir, 'cluster.json')])).stdout;
    assert.match(got, /^csi name:\s+pvc-/m);
    assert.match(got, /^pvc:\s+shop\/data$/m);
    const ls = (await cairn(['volume', 'ls', '--cluster', join(dir, 'cluster.json')])).stdout;
    assert.match(ls, /^NAME\s+CSI-NAME\s+SIZE/);
    assert.match(ls, /^csi-[a-z2-7]{52}\s+Daten für Ünïcode · 名前\s+16Mi/m);
  },
);

s(
  'a StorageClass as Longhorn users write it: accepted; what cairn does not do is recorded on the volume; fromBackup and encrypted refused; bad values named',
  async () => {
    const pv = `pvc-${randomUUID()}`;
    const params = {
      numberOfReplicas: '1',
      staleReplicaTimeout: '2880',
      fromBackup: '',
      fsType: 'ext4',
      migratable: 'false',
      dataEngine: 'v1',
      nfsOptions: 'hard',
      recurringJobSelector: '[{"name":"snap","isGroup":true}]',
      replicaSoftAntiAffinity: 'enabled',
      'csi.storage.k8s.io/pvc/name': 'db',
      'csi.storage.k8s.io/pvc/namespace': 'shop',
      'csi.storage.k8s.io/pv/name': pv,
    };
    await ctl('CreateVolume', createReq(pv, { parameters: params }));
    const v = await api.call('GetVolume', { name: pv });
    assert.equal(
      v.unsupportedParameters.map((u) => u.key),
      ['nfsOptions'],
      'what cairn honours as asked (migratable false, dataEngine v1) is not reported',
    );
    assert.is(
      v.labels['recurring-job-group.longhorn.io/snap'],
      'enabled',
      "the recurringJobSelector became the volume's group label",
    );
    assert.is(v.replicaSoftAntiAffinity, 'enabled');
    // ListVolumes (what the CLI's ls and the Kubernetes layer read) says the same.
    const created = (await api.call('ListVolumes', {})).volumes.find((x) => x.name === pv)!;
    assert.equal(created.unsupportedParameters, v.unsupportedParameters);
    const before = (await adminVolumes()).length;
    await refused(
      'CreateVolume',
      createReq(`pvc-${randomUUID()}`, {
        parameters: { fromBackup: 's3://backups@us-east-1/?backup=backup-1&volume=v' },
      }),
      'FAILED_PRECONDITION',
      /fromBackup "s3:\/\/backups@us-east-1.*no backup target is configured/,
    );
    await refused(
      'CreateVolume',
      createReq(`pvc-${randomUUID()}`, { parameters: { encrypted: 'true' } }),
      'FAILED_PRECONDITION',
      /encrypted "true": cairn does not encrypt/,
    );
    await refused(
      'CreateVolume',
      createReq(`pvc-${randomUUID()}`, { parameters: { migratable: 'maybe' } }),
      'INVALID_ARGUMENT',
      /parameter migratable "maybe"/,
    );
    await refused(
      'CreateVolume',
      createReq(`pvc-${randomUUID()}`, { parameters: { numberOfReplica: '3' } }),
      'INVALID_ARGUMENT',
      /parameter numberOfReplica is not known/,
    );
    assert.is((await adminVolumes()).length, before, 'nothing was created by the refused calls');
  },
);

s(
  'ids the CO hands back that are no cairn name: NOT_FOUND where the spec says so, OK for deletes, empty lists, never INVALID_ARGUMENT',
  async () => {
    const before = (await adminVolumes()).length;
    const bad = ['fake-vol-id-A1B2C3', 'Not A Volume', 'x'.repeat(128), 'fake-vol-id'];
    for (const id of bad) {
      await ctl('DeleteVolume', { volumeId: id });
      await refused('ControllerGetVolume', { volumeId: id }, 'NOT_FOUND', /does not exist/);
      await refused(
        'ValidateVolumeCapabilities',
        { volumeId: id, volumeCapabilities: [mount] },
        'NOT_FOUND',
        /does not exist/,
      );
      await refused(
        'ControllerExpandVolume',
        { volumeId: id, capacityRange: { requiredBytes: 32 * MiB } },
        'NOT_FOUND',
        /does not exist/,
      );
      await refused(
        'ControllerPublishVolume',
        { volumeId: id, nodeId: 'node-1', volumeCapability: mount },
        'NOT_FOUND',
        /volume .* does not exist/,
      );
      await ctl('ControllerUnpublishVolume', { volumeId: id, nodeId: 'node-1' });
      await refused(
        'CreateSnapshot',
        { sourceVolumeId: id, name: unique('CreateSnapshot-snapshot') },
        'NOT_FOUND',
        /does not exist/,
      );
      await ctl('DeleteSnapshot', { snapshotId: `${id}@snap` });
      await refused('GetSnapshot', { snapshotId: `${id}@snap` }, 'NOT_FOUND', /does not exist/);
      assert.equal((await ctl('ListSnapshots', { snapshotId: `${id}@snap` })).entries, []);
      assert.equal((await ctl('ListSnapshots', { sourceVolumeId: id })).entries, []);
      await refused(
        'CreateVolume',
        createReq(unique('from-bad-source'), { volumeContentSource: { volume: { volumeId: id } } }),
        'NOT_FOUND',
        /source volume .* does not exist/,
      );
      await refused(
        'CreateVolume',
        createReq(unique('from-bad-snap'), { volumeContentSource: { snapshot: { snapshotId: `${id}@snap` } } }),
        'NOT_FOUND',
        /does not exist/,
      );
    }
    // A node id that is no cairn node id is a node that does not exist.
    const vol = (await ctl('CreateVolume', createReq(unique('sanity-controller-publish')))).volume!.volumeId;
    for (const node of ['fake-node-id-9F3A', 'Fake Node', `fake-node-id-${randomUUID().slice(0, 10)}`]) {
      await refused(
        'ControllerPublishVolume',
        { volumeId: vol, nodeId: node, volumeCapability: mount },
        'NOT_FOUND',
        /node .* does not exist/,
      );
    }
    await ctl('ControllerUnpublishVolume', { volumeId: vol, nodeId: 'fake-node-id-9F3A' });
    assert.is((await adminVolumes()).length, before + 1, 'nothing but the one volume was created');
    await ctl('DeleteVolume', { volumeId: vol });
  },
);

s(
  'ListVolumes: a new volume is listed, a deleted one is not; max_entries pages with next_token; a bad starting_token is ABORTED',
  async () => {
    const count = async (): Promise<number> => (await ctl('ListVolumes', {})).entries.length;
    const total = await count();
    const id = (await ctl('CreateVolume', createReq(unique('sanity-ListVolumes-new')))).volume!.volumeId;
    assert.is(await count(), total + 1);
    await ctl('DeleteVolume', { volumeId: id });
    assert.is(await count(), total);
    const seen: string[] = [];
    let token = '';
    do {
      const p = await ctl('ListVolumes', { maxEntries: 2, startingToken: token });
      assert.ok(p.entries.length <= 2);
      seen.push(...p.entries.map((e) => e.volume!.volumeId));
      token = p.nextToken;
    } while (token);
    assert.equal(seen, (await adminVolumes()).map((v) => v.name).sort());
    await refused('ListVolumes', { startingToken: 'invalid-token' }, 'ABORTED', /starting_token/);
  },
);

s(
  'snapshots: any CO name; idempotent on the same source, ALREADY_EXISTS on another; filters by id and source; unknown ids list nothing',
  async () => {
    const v1 = (await ctl('CreateVolume', createReq(unique('CreateSnapshot-volume-1')))).volume!.volumeId;
    const v2 = (await ctl('CreateVolume', createReq(unique('CreateSnapshot-volume-2')))).volume!.volumeId;
    const long = unique('CreateSnapshot-snapshot-maxlen', 128);
    const a = (await ctl('CreateSnapshot', { sourceVolumeId: v1, name: long })).snapshot!;
    assert.is((await ctl('CreateSnapshot', { sourceVolumeId: v1, name: long })).snapshot!.snapshotId, a.snapshotId);
    assert.match(a.snapshotId, new RegExp(`^${v1}@csi-[a-z2-7]{52}$`));
    assert.is(a.sourceVolumeId, v1);
    assert.is(a.readyToUse, true);
    await refused('CreateSnapshot', { sourceVolumeId: v2, name: long }, 'ALREADY_EXISTS', /is taken by/);
    // The snapshotter's names stay themselves.
    const kube = `snapshot-${randomUUID()}`;
    const b = (
      await ctl('CreateSnapshot', {
        sourceVolumeId: v2,
        name: kube,
        parameters: {
          type: 'snap',
          'csi.storage.k8s.io/volumesnapshot/name': 'snap',
          'csi.storage.k8s.io/volumesnapshot/namespace': 'shop',
        },
      })
    ).snapshot!;
    assert.is(b.snapshotId, `${v2}@${kube}`);
    // Longhorn's VolumeSnapshotClass type bak asks for a backup: there is no backup target.
    await refused(
      'CreateSnapshot',
      { sourceVolumeId: v2, name: unique('backup'), parameters: { type: 'bak' } },
      'FAILED_PRECONDITION',
      /no backup target is configured/,
    );
    const ids = (r: CsiResponse<Ctl, 'ListSnapshots'>): string[] => r.entries.map((e) => e.snapshot!.snapshotId);
    assert.equal(ids(await ctl('ListSnapshots', { snapshotId: a.snapshotId })), [a.snapshotId]);
    assert.equal(ids(await ctl('ListSnapshots', { sourceVolumeId: v2 })), [b.snapshotId]);
    assert.equal(ids(await ctl('ListSnapshots', { snapshotId: `${v1}@none-exist-id` })), []);
    assert.equal(ids(await ctl('ListSnapshots', { sourceVolumeId: 'none-exist-id' })), []);
    assert.is((await ctl('GetSnapshot', { snapshotId: b.snapshotId })).snapshot!.snapshotId, b.snapshotId);
    await refused('GetSnapshot', { snapshotId: 'none-exist-id' }, 'NOT_FOUND');
    const one = await ctl('ListSnapshots', { maxEntries: 1 });
    assert.is(one.entries.length, 1);
    assert.ok(one.nextToken, 'next_token when more snapshots follow');
    await refused('ListSnapshots', { startingToken: 'invalid-token' }, 'ABORTED', /starting_token/);
    // A volume from the snapshot echoes it as its content source.
    const restored = (
      await ctl(
        'CreateVolume',
        createReq(unique('restore'), { volumeContentSource: { snapshot: { snapshotId: a.snapshotId } } }),
      )
    ).volume!;
    assert.equal(restored.contentSource!.snapshot, { snapshotId: a.snapshotId });
    await ctl('DeleteVolume', { volumeId: restored.volumeId });
    for (const sn of [a.snapshotId, b.snapshotId, a.snapshotId, 'none-exist-id'])
      await ctl('DeleteSnapshot', { snapshotId: sn });
    assert.equal(ids(await ctl('ListSnapshots', { sourceVolumeId: v1 })), []);
    for (const v of [v1, v2]) await ctl('DeleteVolume', { volumeId: v });
  },
);

s(
  'attacher and resizer: publish_context carries what NodeStage needs; the other readonly flag on the same node is ALREADY_EXISTS; node_expansion_required',
  async () => {
    const name = unique('sanity-controller-published-incompatible');
    const id = (
      await ctl('CreateVolume', createReq(name, { parameters: { numberOfReplicas: '1', mkfsParams: '-m 0' } }))
    ).volume!.volumeId;
    const node = cluster.nodes[0]!.id;
    const req = {
      volumeId: id,
      nodeId: node,
      volumeCapability: mount,
      readonly: false,
      volumeContext: { fsType: 'ext4' },
    };
    const p = (await ctl('ControllerPublishVolume', req)).publishContext;
    // The agent's unix socket on that node: no TCP listener serves the export.
    assert.match(p.nbdUrl!, new RegExp(`^nbd\\+unix:///${id}\\?socket=/.+/nodes/${node}/run/nbd\\.sock$`));
    assert.is(p.fsType, 'ext4');
    assert.is(p.mkfsParams, '-m 0');
    assert.equal((await ctl('ControllerPublishVolume', req)).publishContext, p, 'publishing again answers the same');
    await refused(
      'ControllerPublishVolume',
      { ...req, readonly: true },
      'ALREADY_EXISTS',
      /published on .* read-write, not read-only/,
    );
    await refused(
      'ControllerPublishVolume',
      { ...req, nodeId: cluster.nodes[1]!.id },
      'FAILED_PRECONDITION',
      /attached to node/,
    );
    await ctl('ControllerUnpublishVolume', { volumeId: id, nodeId: node });
    await ctl('ControllerUnpublishVolume', { volumeId: id, nodeId: node });
    const ro = (await ctl('ControllerPublishVolume', { ...req, readonly: true })).publishContext;
    assert.is(ro.readonly, 'true', 'after unpublishing, a read-only publish is a new one');
    await ctl('ControllerUnpublishVolume', { volumeId: id, nodeId: node });
    assert.equal(
      await ctl('ControllerExpandVolume', {
        volumeId: id,
        capacityRange: { requiredBytes: 32 * MiB },
        volumeCapability: mount,
      }),
      { capacityBytes: 32 * MiB, nodeExpansionRequired: true },
    );
    assert.equal(
      await ctl('ControllerExpandVolume', {
        volumeId: id,
        capacityRange: { requiredBytes: 48 * MiB },
        volumeCapability: block,
      }),
      { capacityBytes: 48 * MiB, nodeExpansionRequired: false },
    );
    await refused('ControllerExpandVolume', { volumeId: id }, 'INVALID_ARGUMENT', /capacity_range is required/);
    await ctl('DeleteVolume', { volumeId: id });
    await ctl('DeleteVolume', { volumeId: id });
    assert.equal(await volumesFor(name), []);
  },
);

s(
  "a CreateVolume retried while the first is in flight, on one socket and on both managers': exactly one volume",
  async () => {
    const other = new CsiClient(cluster.managers[1]!.csiEndpoint, 60_000);
    clients.push(other);
    const name = unique('sanity-concurrent');
    const calls = [csi, csi, other, other, csi].map((via) => ctl('CreateVolume', createReq(name), via));
    const results = await Promise.allSettled(calls);
    const ok = results
      .filter((r): r is PromiseFulfilledResult<CsiResponse<Ctl, 'CreateVolume'>> => r.status === 'fulfilled')
      .map((r) => r.value.volume!.volumeId);
    const codes = results
      .filter((r): r is PromiseRejectedResult => r.status === 'rejected')
      .map((r) => grpc.status[r.reason.code]);
    assert.ok(ok.length >= 1, `one call creates: ${JSON.stringify(codes)}`);
    assert.ok(
      codes.every((c) => c === 'ABORTED'),
      `the others are ABORTED or answer the same volume: ${JSON.stringify(codes)}`,
    );
    assert.is(new Set(ok).size, 1, `every answer is the same volume: ${JSON.stringify(ok)}`);
    const again = (await ctl('CreateVolume', createReq(name), other)).volume!.volumeId;
    assert.is(again, ok[0]);
    const made = await volumesFor(name);
    assert.is(made.length, 1);
    assert.is(made[0]!.name, ok[0]);
  },
);

s(
  'a CreateVolume through one manager while the leading manager is SIGKILLed, then retried: exactly one volume',
  async () => {
    const leaderId = (await api.call('GetClusterInfo', {})).leaderId as string;
    const leader = cluster.managers.find((m) => m.id === leaderId)!;
    const follower = cluster.managers.find((m) => m.id !== leaderId)!;
    assert.ok(leader && follower, `leader ${leaderId} among ${cluster.managers.map((m) => m.id).join(', ')}`);
    const via = new CsiClient(follower.csiEndpoint, 30_000);
    clients.push(via);
    const name = unique('sanity-leader-change');
    const first = ctl('CreateVolume', createReq(name), via).then(
      (r) => ({ ok: r.volume!.volumeId as string }),
      (e: grpc.ServiceError) => ({ error: grpc.status[e.code] }),
    );
    await kill9(leader.pid);
    const firstResult = await first;
    // The CO retries the same name until it gets an answer (with backoff).
    const id = await until(
      'CreateVolume answers after the leader change',
      60_000,
      async () => (await ctl('CreateVolume', createReq(name), via)).volume!.volumeId as string,
    );
    if ('ok' in firstResult) assert.is(firstResult.ok, id, 'the first call and the retry answer the same volume');
    else
      assert.ok(
        ['UNAVAILABLE', 'ABORTED', 'DEADLINE_EXCEEDED'].includes(firstResult.error),
        `the first call failed retriably: ${firstResult.error}`,
      );
    await until('a manager leads again', 30_000, async () => Boolean((await api.call('GetClusterInfo', {})).leaderId));
    const made = await volumesFor(name);
    assert.is(made.length, 1, `exactly one volume for ${name} (first call: ${JSON.stringify(firstResult)})`);
    assert.is(made[0]!.name, id);
    await cairn(['restart', leader.id, '--dir', dir]);
  },
);

s.run();
