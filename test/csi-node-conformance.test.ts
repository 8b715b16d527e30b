// The CSI Identity and Node services against the spec, call by call, on a one-node `cairn up`:
// the node agent's CSI socket and the manager's controller socket (`cairn status -o json`:
// nodes[0].csiEndpoint, manager.csiEndpoint), driven as csi-sanity drives them. A mount and a
// block volume go through the whole lifecycle with each mutating call made twice; then every
// error code spec.md gives the Node calls is provoked, its message naming what is wrong.
// (csi-sanity's own cases are marked "csi-sanity:"; the others are spec.md's rules.)
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import * as grpc from '@grpc/grpc-js';
import { CsiClient, DRIVER_NAME, TOPOLOGY_HOSTNAME_KEY, TOPOLOGY_ZONE_KEY } from '@cairn/csi';
import type { CsiService } from '@cairn/csi';
import { startCluster } from './support/cluster.js';
import { sweep } from './support/sweep.js';
import type { TestCluster } from './support/cluster.js';
import { csiCall } from './support/grpc-types.js';
import type { CsiMethod, CsiRequest, CsiResponse } from './support/grpc-types.js';

const run = promisify(execFile);
const MiB = 2 ** 20;
const s = suite('CSI Node and Identity conformance');
type Capability = NonNullable<CsiRequest<'Node', 'NodeStageVolume'>['volumeCapability']>;
type AccessModeName = NonNullable<NonNullable<Capability['accessMode']>['mode']>;

let c: TestCluster;
let ctl: CsiClient;
let nodeCsi: CsiClient;
let nodeId: string;
let base: string;

const cap = (mode: AccessModeName = 'SINGLE_NODE_WRITER', fsType = 'ext4'): Capability => ({
  mount: { fsType, mountFlags: [] as string[] },
  accessMode: { mode },
});
const blockCap = (mode: AccessModeName = 'SINGLE_NODE_WRITER'): Capability => ({ block: {}, accessMode: { mode } });

s.before(async () => {
  c = await startCluster(1);
  ctl = new CsiClient(c.info.manager.csiEndpoint, 60_000);
  nodeCsi = new CsiClient(c.info.nodes[0]!.csiEndpoint, 60_000);
  nodeId = c.info.nodes[0]!.id;
  base = join(c.dir, 'kubelet');
});

s.after(async () => {
  ctl?.close();
  nodeCsi?.close();
  if (c) await sweep(c.dir);
  await c?.down();
});

/** A call made twice; both answers must be equal (`stable` keeps what may not move between them). */
async function twice<S extends CsiService, M extends CsiMethod<S>>(
  client: CsiClient,
  service: S,
  method: M,
  req: CsiRequest<S, M>,
  stable: (r: CsiResponse<S, M>) => unknown = (r) => r,
): Promise<CsiResponse<S, M>> {
  const a = await csiCall(client, service, method, req);
  const b = await csiCall(client, service, method, req);
  assert.equal(stable(b), stable(a), `${method} answered differently the second time`);
  return a;
}
const node = <M extends CsiMethod<'Node'>>(
  method: M,
  req: CsiRequest<'Node', M>,
  stable?: (r: CsiResponse<'Node', M>) => unknown,
) => twice(nodeCsi, 'Node', method, req, stable);
const controller = <M extends CsiMethod<'Controller'>>(method: M, req: CsiRequest<'Controller', M>) =>
  twice(ctl, 'Controller', method, req);

/** A Node call refused with `code` (twice: a refusal is as idempotent as a success), its message matching `re`. */
async function refused(
  method: string,
  req: object,
  code: keyof typeof grpc.status,
  re: RegExp,
  times = 2,
): Promise<void> {
  for (let i = 0; i < times; i++) {
    const e = await nodeCsi.call('Node', method, req).then(
      () => null,
      (err: grpc.ServiceError) => err,
    );
    assert.ok(e, `${method} ${JSON.stringify(req)} succeeded; expected ${code}`);
    assert.is(grpc.status[e.code], code, `${method}: ${e.details}`);
    assert.match(e.details, re, `${method}: ${e.details}`);
  }
}

const mountsNow = () =>
  readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((l) => l.split(' '))
    .filter((f) => f.length > 5);
const mountedAt = (p: string) => mountsNow().some((f) => f[4] === p);

/** A staging directory made by the "CO" and a target path whose parent the CO made (as kubelet lays them out). */
function paths(volume: string, pod = 'pod-a'): { staging: string; target: string } {
  const staging = join(base, 'plugins', volume, 'globalmount');
  mkdirSync(staging, { recursive: true });
  const podDir = join(base, 'pods', pod, 'volumes');
  mkdirSync(podDir, { recursive: true });
  return { staging, target: join(podDir, volume) };
}

/** CreateVolume (a valid cairn name) + ControllerPublishVolume to the node, each twice; returns the publish_context. */
async function createAndAttach(name: string, volCap: object, bytes = 64 * MiB): Promise<Record<string, string>> {
  const created = await controller('CreateVolume', {
    name,
    capacityRange: { requiredBytes: bytes },
    volumeCapabilities: [volCap],
    parameters: { numberOfReplicas: '1' },
  });
  assert.is(created.volume!.volumeId, name);
  const pub = await controller('ControllerPublishVolume', {
    volumeId: name,
    nodeId,
    volumeCapability: volCap,
    readonly: false,
  });
  assert.match(pub.publishContext.nbdUrl!, /^nbd\+unix:\/\/\/.+\?socket=\//);
  return pub.publishContext;
}

async function detachAndDelete(name: string): Promise<void> {
  await controller('ControllerUnpublishVolume', { volumeId: name, nodeId });
  await controller('DeleteVolume', { volumeId: name });
}

const pvc = () => `pvc-${randomUUID()}`;

s(
  'Identity: the node and controller sockets report one plugin, the same capabilities (CONTROLLER_SERVICE too), Probe ready',
  async () => {
    const answers = [];
    for (const client of [nodeCsi, ctl]) {
      const info = await twice(client, 'Identity', 'GetPluginInfo', {});
      // csi-sanity: the name is at most 63 characters of domain name notation; vendor_version required.
      assert.is(info.name, DRIVER_NAME);
      assert.ok(info.name.length <= 63 && /^[a-zA-Z][A-Za-z0-9\-._]{0,61}[a-zA-Z]$/.test(info.name), info.name);
      assert.ok(info.vendorVersion.length > 0, 'vendor_version is required');
      const caps = await twice(client, 'Identity', 'GetPluginCapabilities', {});
      const probe = await twice(client, 'Identity', 'Probe', {});
      assert.is(probe.ready!.value, true);
      answers.push({
        info,
        caps: caps.capabilities.map((x) => x.service?.type ?? `expansion:${x.volumeExpansion?.type}`).sort(),
      });
    }
    // spec.md GetPluginCapabilities: every instance of one version reports the same set, whichever
    // service it serves; csi-sanity reads CONTROLLER_SERVICE on the node socket to drive the controller.
    assert.equal(answers[0], answers[1]);
    assert.equal(answers[0]!.caps, ['CONTROLLER_SERVICE', 'VOLUME_ACCESSIBILITY_CONSTRAINTS', 'expansion:OFFLINE']);
  },
);

s(
  'NodeGetCapabilities lists what works; NodeGetInfo: node id, max volumes, topology the controller accepts as requisite',
  async () => {
    const caps = (await node('NodeGetCapabilities', {})).capabilities.map((x) => x.rpc!.type).sort();
    assert.equal(caps, [
      'EXPAND_VOLUME',
      'GET_VOLUME_STATS',
      'SINGLE_NODE_MULTI_WRITER',
      'STAGE_UNSTAGE_VOLUME',
      'VOLUME_CONDITION',
    ]);
    const info = await node('NodeGetInfo', {});
    assert.is(info.nodeId, nodeId);
    assert.ok(Number(info.maxVolumesPerNode) >= 0, 'max_volumes_per_node is not negative');
    // VOLUME_ACCESSIBILITY_CONSTRAINTS is advertised, so the topology must be there.
    assert.equal(
      Object.keys(info.accessibleTopology!.segments).sort(),
      [TOPOLOGY_HOSTNAME_KEY, TOPOLOGY_ZONE_KEY].sort(),
    );
    assert.is(info.accessibleTopology!.segments[TOPOLOGY_ZONE_KEY], c.info.nodes[0]!.zone);
    assert.is(info.accessibleTopology!.segments[TOPOLOGY_HOSTNAME_KEY], nodeId);
    // csi-sanity "should work": the node's topology as the requisite of CreateVolume is accepted.
    const name = pvc();
    const created = await controller('CreateVolume', {
      name,
      capacityRange: { requiredBytes: 16 * MiB },
      volumeCapabilities: [cap()],
      parameters: { numberOfReplicas: '1' },
      accessibilityRequirements: { requisite: [info.accessibleTopology!] },
    });
    assert.ok(
      created.volume!.accessibleTopology.some(
        (t) => t.segments[TOPOLOGY_ZONE_KEY] === info.accessibleTopology!.segments[TOPOLOGY_ZONE_KEY],
      ),
    );
    await controller('DeleteVolume', { volumeId: name });
  },
);

s(
  'a mount volume: create, publish, stage, publish, write and read, stats, unpublish (target gone), unstage, unpublish, delete; each twice',
  async () => {
    const name = pvc();
    const context = await createAndAttach(name, cap());
    const { staging, target } = paths(name);
    await node('NodeStageVolume', {
      volumeId: name,
      publishContext: context,
      stagingTargetPath: staging,
      volumeCapability: cap(),
    });
    assert.ok(mountedAt(staging), 'the filesystem is mounted at the staging path');
    assert.not.ok(existsSync(target), "target_path is the plugin's to make");
    await node('NodePublishVolume', {
      volumeId: name,
      publishContext: context,
      stagingTargetPath: staging,
      targetPath: target,
      volumeCapability: cap(),
      readonly: false,
    });
    assert.ok(statSync(target).isDirectory() && existsSync(join(target, 'lost+found')), 'a fresh ext4 at the target');
    const data = randomBytes(2 * MiB);
    const fd = openSync(join(target, 'data.bin'), 'w');
    writeSync(fd, data);
    fsyncSync(fd);
    closeSync(fd);
    assert.ok(readFileSync(join(target, 'data.bin')).equals(data), 'what was written reads back through the target');
    assert.ok(readFileSync(join(staging, 'data.bin')).equals(data), 'and through the staging mount');

    // Usage moves only if something writes; the condition and units are what must hold.
    for (const volumePath of [target, staging]) {
      const stats = await node('NodeGetVolumeStats', { volumeId: name, volumePath, stagingTargetPath: staging });
      assert.equal(
        stats.volumeCondition,
        { abnormal: false, message: 'healthy' },
        'VOLUME_CONDITION: the condition is always there',
      );
      const bytes = stats.usage.find((u) => u.unit === 'BYTES')!;
      const inodes = stats.usage.find((u) => u.unit === 'INODES')!;
      assert.ok(Number(bytes.total) > 40 * MiB && Number(bytes.total) <= 64 * MiB, `total ${bytes.total}`);
      assert.ok(Number(bytes.used) >= 2 * MiB && Number(bytes.available) > 0, JSON.stringify(bytes));
      assert.ok(Number(inodes.total) > 0 && Number(inodes.used) > 0, JSON.stringify(inodes));
    }

    await node('NodeUnpublishVolume', { volumeId: name, targetPath: target });
    assert.not.ok(existsSync(target), 'NodeUnpublishVolume removed the target path');
    await node('NodeUnstageVolume', { volumeId: name, stagingTargetPath: staging });
    assert.not.ok(mountedAt(staging), 'nothing is mounted at the staging path');
    await detachAndDelete(name);
  },
);

s(
  'a block volume: the device at target_path (a file the plugin makes), bytes written read back, stats, unpublish removes it; each twice',
  async () => {
    const name = pvc();
    const context = await createAndAttach(name, blockCap(), 32 * MiB);
    const { staging, target } = paths(name);
    await node('NodeStageVolume', {
      volumeId: name,
      publishContext: context,
      stagingTargetPath: staging,
      volumeCapability: blockCap(),
    });
    assert.not.ok(mountedAt(staging), 'a block volume is not mounted at its staging path');
    await node('NodePublishVolume', {
      volumeId: name,
      publishContext: context,
      stagingTargetPath: staging,
      targetPath: target,
      volumeCapability: blockCap(),
      readonly: false,
    });
    assert.ok(statSync(target).isBlockDevice(), 'target_path is the block device');
    const data = randomBytes(MiB);
    const fd = openSync(target, 'r+');
    writeSync(fd, data, 0, data.length, 7 * MiB);
    fsyncSync(fd);
    closeSync(fd);
    const back = Buffer.alloc(data.length);
    const rfd = openSync(target, 'r');
    readSync(rfd, back, 0, back.length, 7 * MiB);
    closeSync(rfd);
    assert.ok(back.equals(data), 'the bytes read back through the device');
    const stats = await node('NodeGetVolumeStats', { volumeId: name, volumePath: target, stagingTargetPath: staging });
    assert.equal(
      stats.usage.map((u) => ({ unit: u.unit, total: Number(u.total) })),
      [{ unit: 'BYTES', total: 32 * MiB }],
    );
    assert.is(stats.volumeCondition!.abnormal, false);
    await node('NodeUnpublishVolume', { volumeId: name, targetPath: target });
    assert.not.ok(existsSync(target), 'NodeUnpublishVolume removed the device file');
    await node('NodeUnstageVolume', { volumeId: name, stagingTargetPath: staging });
    await detachAndDelete(name);
  },
);

s(
  'NodeStageVolume: INVALID_ARGUMENT per missing field, NOT_FOUND, ALREADY_EXISTS, FAILED_PRECONDITION, ABORTED',
  async () => {
    const name = pvc();
    const context = await createAndAttach(name, cap());
    const { staging } = paths(name);
    const stage = { volumeId: name, publishContext: context, stagingTargetPath: staging, volumeCapability: cap() };
    // csi-sanity: no volume id, no staging target path, no volume capability.
    await refused('NodeStageVolume', { ...stage, volumeId: '' }, 'INVALID_ARGUMENT', /volume_id is required/);
    await refused(
      'NodeStageVolume',
      { ...stage, stagingTargetPath: '' },
      'INVALID_ARGUMENT',
      /staging_target_path is required/,
    );
    await refused(
      'NodeStageVolume',
      { ...stage, volumeCapability: null, publishContext: { device: '/dev/mock' } },
      'INVALID_ARGUMENT',
      /volume_capability is required/,
    );
    await refused(
      'NodeStageVolume',
      { ...stage, stagingTargetPath: 'relative/globalmount' },
      'INVALID_ARGUMENT',
      /staging_target_path must be an absolute path/,
    );
    await refused(
      'NodeStageVolume',
      { ...stage, volumeCapability: { accessMode: { mode: 'SINGLE_NODE_WRITER' } } },
      'INVALID_ARGUMENT',
      /access type/,
    );
    await refused(
      'NodeStageVolume',
      { ...stage, volumeCapability: { mount: {} } },
      'INVALID_ARGUMENT',
      /access_mode is required/,
    );
    await refused(
      'NodeStageVolume',
      { ...stage, publishContext: {} },
      'INVALID_ARGUMENT',
      /publish_context.nbdUrl is required/,
    );
    await refused(
      'NodeStageVolume',
      { ...stage, volumeId: 'x'.repeat(129) },
      'INVALID_ARGUMENT',
      /volume_id must be at most 128 bytes/,
    );
    await refused('NodeStageVolume', { ...stage, volumeId: 'pvc-a\nb' }, 'INVALID_ARGUMENT', /control characters/);
    // Volume does not exist: the engine serving the node has no export by that name.
    const url = new URL(context.nbdUrl!);
    const gone = `pvc-${randomUUID()}`;
    url.pathname = `/${gone}`;
    await refused(
      'NodeStageVolume',
      {
        ...stage,
        volumeId: gone,
        publishContext: { ...context, nbdUrl: url.toString() },
        stagingTargetPath: paths(gone).staging,
      },
      'NOT_FOUND',
      new RegExp(`volume ${gone} does not exist`),
    );
    // Exceeds capabilities: a mode cairn does not serve.
    await refused(
      'NodeStageVolume',
      { ...stage, volumeCapability: cap('MULTI_NODE_MULTI_WRITER') },
      'FAILED_PRECONDITION',
      /MULTI_NODE_MULTI_WRITER exceeds the volume's capabilities/,
    );
    assert.not.ok(mountedAt(staging), 'no refusal staged anything');

    // Two at once: one goes, the other is ABORTED (the spec's "operation pending for volume").
    const both = await Promise.allSettled([
      nodeCsi.call('Node', 'NodeStageVolume', stage),
      nodeCsi.call('Node', 'NodeStageVolume', stage),
    ]);
    assert.equal(
      both.map((r) => (r.status === 'fulfilled' ? 'OK' : grpc.status[(r.reason as grpc.ServiceError).code])).sort(),
      ['ABORTED', 'OK'],
    );
    await node('NodeStageVolume', stage);
    // Volume staged but incompatible: another capability at the same path, or another path.
    await refused(
      'NodeStageVolume',
      { ...stage, volumeCapability: blockCap() },
      'ALREADY_EXISTS',
      /incompatible capability \(mount ext4, asked block\)/,
    );
    await refused(
      'NodeStageVolume',
      { ...stage, stagingTargetPath: join(staging, '..', 'elsewhere') },
      'ALREADY_EXISTS',
      /already staged at/,
    );
    await node('NodeUnstageVolume', { volumeId: name, stagingTargetPath: staging });
    // Exceeds capabilities: the volume holds ext4, the capability asks for xfs.
    await refused(
      'NodeStageVolume',
      { ...stage, volumeCapability: cap('SINGLE_NODE_WRITER', 'xfs') },
      'FAILED_PRECONDITION',
      /already has a ext4 filesystem; the capability asks for xfs/,
    );
    assert.not.ok(mountedAt(staging));

    // NodeUnstageVolume: csi-sanity's missing fields; a volume not staged (there) is OK.
    await refused('NodeUnstageVolume', { stagingTargetPath: staging }, 'INVALID_ARGUMENT', /volume_id is required/);
    await refused('NodeUnstageVolume', { volumeId: name }, 'INVALID_ARGUMENT', /staging_target_path is required/);
    await node('NodeUnstageVolume', { volumeId: `pvc-${randomUUID()}`, stagingTargetPath: staging });
    await detachAndDelete(name);
  },
);

s(
  "NodePublishVolume: INVALID_ARGUMENT, FAILED_PRECONDITION, NOT_FOUND, ALREADY_EXISTS; the access modes' second-publish table; readonly",
  async () => {
    const name = pvc();
    const context = await createAndAttach(name, cap());
    const { staging, target } = paths(name);
    const publish = {
      volumeId: name,
      publishContext: context,
      stagingTargetPath: staging,
      targetPath: target,
      volumeCapability: cap(),
      readonly: false,
    };
    // csi-sanity: no volume id, no target path, no volume capability.
    await refused('NodePublishVolume', { ...publish, volumeId: '' }, 'INVALID_ARGUMENT', /volume_id is required/);
    await refused('NodePublishVolume', { ...publish, targetPath: '' }, 'INVALID_ARGUMENT', /target_path is required/);
    await refused(
      'NodePublishVolume',
      { ...publish, volumeCapability: null },
      'INVALID_ARGUMENT',
      /volume_capability is required/,
    );
    // STAGE_UNSTAGE_VOLUME is advertised but no staging_target_path: FAILED_PRECONDITION.
    await refused(
      'NodePublishVolume',
      { ...publish, stagingTargetPath: '' },
      'FAILED_PRECONDITION',
      /staging_target_path is required/,
    );
    // Volume does not exist (on this node: not staged).
    await refused('NodePublishVolume', publish, 'NOT_FOUND', /is not staged on this node/);
    await node('NodeStageVolume', {
      volumeId: name,
      publishContext: context,
      stagingTargetPath: staging,
      volumeCapability: cap(),
    });
    // Exceeds capabilities: staged as a filesystem, asked as a block device; staged elsewhere; a MULTI_NODE mode.
    await refused(
      'NodePublishVolume',
      { ...publish, volumeCapability: blockCap() },
      'FAILED_PRECONDITION',
      /staged as mount ext4, cannot publish it as block/,
    );
    await refused(
      'NodePublishVolume',
      { ...publish, stagingTargetPath: join(base, 'nowhere') },
      'FAILED_PRECONDITION',
      /is staged at .*, not /,
    );
    await refused(
      'NodePublishVolume',
      { ...publish, volumeCapability: cap('MULTI_NODE_READER_ONLY') },
      'FAILED_PRECONDITION',
      /exceeds the volume's capabilities/,
    );
    // A target path whose parent does not exist (the CO should have made it): made all the same.
    const deep = join(base, 'pods', 'pod-new', 'volumes', 'sub', name);
    await node('NodePublishVolume', { ...publish, targetPath: deep });
    await node('NodePublishVolume', publish);
    writeFileSync(join(target, 'f.txt'), 'one volume, two targets');
    assert.is(
      readFileSync(join(deep, 'f.txt'), 'utf8'),
      'one volume, two targets',
      'SINGLE_NODE_WRITER: two targets of one node share it',
    );
    // T1=T2, P1!=P2: ALREADY_EXISTS, for the readonly flag and for the capability.
    await refused(
      'NodePublishVolume',
      { ...publish, readonly: true },
      'ALREADY_EXISTS',
      /published at .* read-write .*; asked read-only/,
    );
    await refused(
      'NodePublishVolume',
      { ...publish, volumeCapability: cap('SINGLE_NODE_MULTI_WRITER') },
      'ALREADY_EXISTS',
      /asked read-write as mount ext4 SINGLE_NODE_MULTI_WRITER/,
    );
    // SINGLE_NODE_SINGLE_WRITER while published elsewhere: FAILED_PRECONDITION.
    await refused(
      'NodePublishVolume',
      { ...publish, targetPath: join(base, 'pods', 'pod-c', name), volumeCapability: cap('SINGLE_NODE_SINGLE_WRITER') },
      'FAILED_PRECONDITION',
      /SINGLE_NODE_SINGLE_WRITER allows one target/,
    );
    // readonly: the target refuses writes.
    const ro = join(base, 'pods', 'pod-ro', name);
    await node('NodePublishVolume', { ...publish, targetPath: ro, readonly: true });
    assert.is(readFileSync(join(ro, 'f.txt'), 'utf8'), 'one volume, two targets');
    assert.throws(() => writeFileSync(join(ro, 'no.txt'), 'x'), /EROFS/);
    // Something else mounted at a target path is not taken for this volume.
    const foreign = join(base, 'pods', 'pod-f', name);
    mkdirSync(foreign, { recursive: true });
    await run('mount', ['-t', 'tmpfs', 'tmpfs', foreign]);
    try {
      await refused(
        'NodePublishVolume',
        { ...publish, targetPath: foreign },
        'FAILED_PRECONDITION',
        /already a mount point \(tmpfs/,
      );
    } finally {
      await run('umount', [foreign]);
    }
    // NodeUnstageVolume while published: FAILED_PRECONDITION (the CO unpublishes first).
    await refused(
      'NodeUnstageVolume',
      { volumeId: name, stagingTargetPath: staging },
      'FAILED_PRECONDITION',
      /still published at/,
    );

    // NodeUnpublishVolume: csi-sanity's missing fields; each target removed; again, and for an unknown volume: OK.
    await refused('NodeUnpublishVolume', {}, 'INVALID_ARGUMENT', /volume_id is required/);
    await refused('NodeUnpublishVolume', { volumeId: name }, 'INVALID_ARGUMENT', /target_path is required/);
    await node('NodeUnpublishVolume', { volumeId: `pvc-${randomUUID()}`, targetPath: target });
    assert.ok(mountedAt(target), 'another volume id does not unpublish this volume');
    for (const t of [target, deep, ro]) {
      await node('NodeUnpublishVolume', { volumeId: name, targetPath: t });
      assert.not.ok(existsSync(t), `${t} removed`);
    }

    // SINGLE_NODE_SINGLE_WRITER first: no second target at all; SINGLE_NODE_MULTI_WRITER: many.
    const single = { ...publish, volumeCapability: cap('SINGLE_NODE_SINGLE_WRITER') };
    await node('NodePublishVolume', single);
    await refused(
      'NodePublishVolume',
      { ...single, targetPath: deep },
      'FAILED_PRECONDITION',
      /SINGLE_NODE_SINGLE_WRITER allows one target/,
    );
    await refused(
      'NodePublishVolume',
      { ...publish, targetPath: deep, readonly: true },
      'FAILED_PRECONDITION',
      /published SINGLE_NODE_SINGLE_WRITER at/,
    );
    await node('NodeUnpublishVolume', { volumeId: name, targetPath: target });
    const multi = { ...publish, volumeCapability: cap('SINGLE_NODE_MULTI_WRITER') };
    await node('NodePublishVolume', multi);
    await node('NodePublishVolume', { ...multi, targetPath: deep });
    for (const t of [target, deep]) await node('NodeUnpublishVolume', { volumeId: name, targetPath: t });
    await node('NodeUnstageVolume', { volumeId: name, stagingTargetPath: staging });
    await detachAndDelete(name);
  },
);

s(
  'NodeGetVolumeStats and NodeExpandVolume: INVALID_ARGUMENT, NOT_FOUND (csi-sanity\'s "some/path"), OUT_OF_RANGE, FAILED_PRECONDITION; expansion offline',
  async () => {
    const name = pvc();
    const context = await createAndAttach(name, cap(), 32 * MiB);
    const { staging, target } = paths(name);
    // csi-sanity: no volume id, no volume path, a volume that is not found.
    for (const method of ['NodeGetVolumeStats', 'NodeExpandVolume']) {
      await refused(method, { volumePath: 'some/path' }, 'INVALID_ARGUMENT', /volume_id is required/);
      await refused(method, { volumeId: name }, 'INVALID_ARGUMENT', /volume_path is required/);
      await refused(
        method,
        { volumeId: `pvc-${randomUUID()}`, volumePath: 'some/path' },
        'NOT_FOUND',
        /is not staged on this node/,
      );
    }
    // csi-sanity "should work if node-expand is called after node-publish": grown by the controller
    // before it is staged, so the filesystem is made at the new size and NodeExpandVolume is OK.
    await controller('ControllerExpandVolume', {
      volumeId: name,
      capacityRange: { requiredBytes: 48 * MiB },
      volumeCapability: cap(),
    });
    await node('NodeStageVolume', {
      volumeId: name,
      publishContext: context,
      stagingTargetPath: staging,
      volumeCapability: cap(),
    });
    await node('NodePublishVolume', {
      volumeId: name,
      publishContext: context,
      stagingTargetPath: staging,
      targetPath: target,
      volumeCapability: cap(),
      readonly: false,
    });
    assert.is(
      Number(
        (
          await node('NodeExpandVolume', {
            volumeId: name,
            volumePath: target,
            capacityRange: { requiredBytes: 48 * MiB },
          })
        ).capacityBytes,
      ),
      48 * MiB,
    );
    for (const method of ['NodeGetVolumeStats', 'NodeExpandVolume']) {
      // csi-sanity "should fail when volume does not exist on the specified path".
      await refused(
        method,
        { volumeId: name, volumePath: 'some/path' },
        'NOT_FOUND',
        /is not staged or published at volume_path some\/path/,
      );
      await refused(
        method,
        { volumeId: name, volumePath: base },
        'NOT_FOUND',
        /is not staged or published at volume_path/,
      );
      await refused(
        method,
        { volumeId: name, volumePath: target, stagingTargetPath: join(base, 'nowhere') },
        'NOT_FOUND',
        /not at staging_target_path/,
      );
    }
    // NodeExpandVolume: a capability that is not the volume's (exceeds capabilities) is INVALID_ARGUMENT.
    await refused(
      'NodeExpandVolume',
      { volumeId: name, volumePath: target, volumeCapability: blockCap() },
      'INVALID_ARGUMENT',
      /does not match volume .* as staged \(mount ext4\)/,
    );
    // Unsupported capacity_range: more than the volume has (the controller grows it first), or a limit below it.
    // (Once: the service first gives the export 10 s to show a size ControllerExpandVolume just set.)
    await refused(
      'NodeExpandVolume',
      { volumeId: name, volumePath: target, capacityRange: { requiredBytes: 96 * MiB } },
      'OUT_OF_RANGE',
      /less than the 100663296 required/,
      1,
    );
    await refused(
      'NodeExpandVolume',
      { volumeId: name, volumePath: target, capacityRange: { requiredBytes: 16 * MiB, limitBytes: 16 * MiB } },
      'OUT_OF_RANGE',
      /limit_bytes/,
    );
    // Volume in use: grown by the controller while published, the device cannot follow (OFFLINE).
    await controller('ControllerExpandVolume', {
      volumeId: name,
      capacityRange: { requiredBytes: 64 * MiB },
      volumeCapability: cap(),
    });
    await refused(
      'NodeExpandVolume',
      { volumeId: name, volumePath: target, capacityRange: { requiredBytes: 64 * MiB } },
      'FAILED_PRECONDITION',
      /is published at .*cannot grow while the filesystem is in use/,
    );
    writeFileSync(join(target, 'keep.txt'), 'kept');
    const total = async (): Promise<number> =>
      Number(
        (await csiCall(nodeCsi, 'Node', 'NodeGetVolumeStats', { volumeId: name, volumePath: staging })).usage[0]!.total,
      );
    const before = await total();
    await node('NodeUnpublishVolume', { volumeId: name, targetPath: target });
    // Staged, not published: the device is made again at the new size and the filesystem grown.
    const grown = await node('NodeExpandVolume', {
      volumeId: name,
      volumePath: staging,
      stagingTargetPath: staging,
      capacityRange: { requiredBytes: 64 * MiB },
      volumeCapability: cap(),
    });
    assert.is(Number(grown.capacityBytes), 64 * MiB);
    const after = await total();
    assert.ok(after >= before + 14 * MiB, `the filesystem grew by the 16 MiB added: ${before} -> ${after}`);
    assert.is(readFileSync(join(staging, 'keep.txt'), 'utf8'), 'kept');
    await node('NodeUnstageVolume', { volumeId: name, stagingTargetPath: staging });
    await detachAndDelete(name);
  },
);

s.run();
