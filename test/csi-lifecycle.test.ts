// The CSI lifecycle end to end, as Kubernetes drives it, on a 3-node `cairn up`: the Controller
// service on the manager's socket and each node's Node service on its own (both from
// `cairn status -o json`), real ext4 on a loop device over nbdfuse, real bind mounts.
// CreateVolume -> ControllerPublish -> NodeStage -> NodePublish -> write files -> unpublish,
// unstage, unpublish -> publish on another node -> files intact -> CreateSnapshot -> CreateVolume
// from it -> the data as at the snapshot -> expansion (offline: the plugin advertises OFFLINE, see
// packages/csi/README.md) -> a raw block volume -> DeleteSnapshot, DeleteVolume. Every call is
// made twice and must give the same answer.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createHash, randomBytes } from 'node:crypto';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  statfsSync,
  writeSync,
  fsyncSync,
} from 'node:fs';
import { join } from 'node:path';
import { CsiClient } from '@cairn/csi';
import { eventually, startCluster } from './support/cluster.js';
import { sweep } from './support/sweep.js';
import type { TestCluster } from './support/cluster.js';
import { csiCall } from './support/grpc-types.js';
import type { CsiMethod, CsiRequest, CsiResponse } from './support/grpc-types.js';

const MiB = 2 ** 20;
const s = suite('CSI lifecycle');

let c: TestCluster;
let controller: CsiClient;
const nodes = new Map<string, CsiClient>();
const mountCap = { mount: { fsType: 'ext4' }, accessMode: { mode: 'SINGLE_NODE_WRITER' as const } };
const blockCap = { block: {}, accessMode: { mode: 'SINGLE_NODE_WRITER' as const } };
const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

s.before(async () => {
  c = await startCluster(3);
  controller = new CsiClient(c.info.manager.csiEndpoint, 90_000);
  for (const n of c.info.nodes) nodes.set(n.id, new CsiClient(n.csiEndpoint, 90_000));
});

s.after(async () => {
  controller?.close();
  for (const n of nodes.values()) n.close();
  if (c) await sweep(c.dir);
  await c?.down();
});

/** A call made twice; both answers must be equal (`strip` drops fields that may move, e.g. times). */
async function twice<S extends 'Controller' | 'Node', M extends CsiMethod<S>>(
  client: CsiClient,
  service: S,
  method: M,
  req: CsiRequest<S, M>,
  strip: (r: CsiResponse<S, M>) => unknown = (r) => r,
): Promise<CsiResponse<S, M>> {
  const a = await csiCall(client, service, method, req);
  const b = await csiCall(client, service, method, req);
  assert.equal(strip(b), strip(a), `${method} answered differently the second time`);
  return a;
}
const ctl = <M extends CsiMethod<'Controller'>>(
  method: M,
  req: CsiRequest<'Controller', M>,
  strip?: (r: CsiResponse<'Controller', M>) => unknown,
) => twice(controller, 'Controller', method, req, strip);
const node = <M extends CsiMethod<'Node'>>(
  id: string,
  method: M,
  req: CsiRequest<'Node', M>,
  strip?: (r: CsiResponse<'Node', M>) => unknown,
) => twice(nodes.get(id)!, 'Node', method, req, strip);

/** Paths of one volume on one node, as kubelet lays them out (a staging dir, a pod's target). */
function paths(volume: string, nodeId: string) {
  const base = join(c.dir, 'kubelet', nodeId);
  const staging = join(base, 'plugins', volume, 'globalmount');
  const target = join(base, 'pods', `pod-${volume}`, 'volumes', volume);
  mkdirSync(staging, { recursive: true });
  return { staging, target };
}

/** ControllerPublish + NodeStage + NodePublish on `nodeId`: what kubelet and the attacher do for a pod. */
async function attach(
  volume: string,
  nodeId: string,
  cap: object,
): Promise<{ staging: string; target: string; context: Record<string, string> }> {
  const { staging, target } = paths(volume, nodeId);
  const pub = await ctl('ControllerPublishVolume', {
    volumeId: volume,
    nodeId,
    volumeCapability: cap,
    readonly: false,
  });
  const context = pub.publishContext as Record<string, string>;
  assert.match(
    context.nbdUrl ?? '',
    /^nbd\+unix:\/\/\/.+\?socket=\//,
    "publish_context carries the NBD export (the node's unix socket)",
  );
  await node(nodeId, 'NodeStageVolume', {
    volumeId: volume,
    publishContext: context,
    stagingTargetPath: staging,
    volumeCapability: cap,
  });
  await node(nodeId, 'NodePublishVolume', {
    volumeId: volume,
    publishContext: context,
    stagingTargetPath: staging,
    targetPath: target,
    volumeCapability: cap,
    readonly: false,
  });
  return { staging, target, context };
}

/** NodeUnpublish + NodeUnstage + ControllerUnpublish. */
async function detach(volume: string, nodeId: string): Promise<void> {
  const { staging, target } = paths(volume, nodeId);
  await node(nodeId, 'NodeUnpublishVolume', { volumeId: volume, targetPath: target });
  await node(nodeId, 'NodeUnstageVolume', { volumeId: volume, stagingTargetPath: staging });
  await ctl('ControllerUnpublishVolume', { volumeId: volume, nodeId });
}

function writeFiles(dir: string, files: Record<string, Buffer>): void {
  for (const [name, data] of Object.entries(files)) {
    const fd = openSync(join(dir, name), 'w');
    writeSync(fd, data);
    fsyncSync(fd);
    closeSync(fd);
  }
}

function digests(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of readdirSync(dir)
    .filter((n) => n !== 'lost+found')
    .sort())
    out[name] = sha(readFileSync(join(dir, name)));
  return out;
}

const files = { 'a.bin': randomBytes(3 * MiB), 'b.txt': Buffer.from('cairn keeps this\n'.repeat(1000)) };
const atSnapshot: Record<string, string> = {};

s(
  'a filesystem volume: create, publish, stage, write files, detach, attach on another node, files intact',
  async () => {
    const create = {
      name: 'pvc-life',
      capacityRange: { requiredBytes: 256 * MiB },
      volumeCapabilities: [mountCap],
      parameters: { numberOfReplicas: '3', fsType: 'ext4' },
    };
    const created = (await ctl('CreateVolume', create)).volume!;
    assert.is(created.volumeId, 'pvc-life');
    assert.is(Number(created.capacityBytes), 256 * MiB);
    await eventually('pvc-life placed with 3 running replicas', 60_000, async () => {
      const v = await c.call('GetVolume', { name: 'pvc-life' });
      return v.replicas.filter((r) => r.state === 'running').length === 3;
    });

    const one = await attach('pvc-life', 'node-1', mountCap);
    assert.ok(existsSync(join(one.target, 'lost+found')), 'a fresh ext4 is mounted at the target');
    writeFiles(one.target, files);
    const written = digests(one.target);
    const stats = await node('node-1', 'NodeGetVolumeStats', { volumeId: 'pvc-life', volumePath: one.target }, (r) => ({
      condition: r.volumeCondition,
      units: r.usage.map((u) => u.unit),
    }));
    assert.is(stats.volumeCondition?.abnormal ?? false, false);
    assert.ok(stats.usage.find((u) => u.unit === 'BYTES')!.used > 3 * MiB, 'the files show in the used bytes');
    await detach('pvc-life', 'node-1');
    assert.not.ok(existsSync(join(one.target, 'a.bin')), 'nothing is mounted at the target any more');

    const two = await attach('pvc-life', 'node-2', mountCap);
    assert.equal(digests(two.target), written, 'the files written on node-1 read back on node-2');
    const v = await c.call('GetVolume', { name: 'pvc-life' });
    assert.is(v.attachedTo, 'node-2');
    const got = await ctl('ControllerGetVolume', { volumeId: 'pvc-life' }, (r) => ({
      id: r.volume!.volumeId,
      nodes: r.status!.publishedNodeIds,
    }));
    assert.equal(got.status!.publishedNodeIds, ['node-2']);
    Object.assign(atSnapshot, written);
  },
);

s('a snapshot, a volume made from it holds the data as at the snapshot', async () => {
  const snap = (
    await ctl('CreateSnapshot', { sourceVolumeId: 'pvc-life', name: 'snap-life' }, (r) => ({
      id: r.snapshot!.snapshotId,
      src: r.snapshot!.sourceVolumeId,
    }))
  ).snapshot!;
  assert.is(snap.snapshotId, 'pvc-life@snap-life');
  const ready = await eventually('the snapshot is ready to use', 30_000, async () => {
    const r = await csiCall(controller, 'Controller', 'ListSnapshots', { snapshotId: snap.snapshotId });
    return r.entries[0]?.snapshot!.readyToUse ? r.entries[0].snapshot : null;
  });
  assert.is(ready.sourceVolumeId, 'pvc-life');
  // Writes after the snapshot must not reach the restored volume.
  const { target } = paths('pvc-life', 'node-2');
  writeFiles(target, { 'a.bin': randomBytes(MiB), 'after.txt': Buffer.from('written after the snapshot\n') });
  assert.not.equal(digests(target), atSnapshot);
  await detach('pvc-life', 'node-2');

  const create = {
    name: 'pvc-restore',
    capacityRange: { requiredBytes: 256 * MiB },
    volumeCapabilities: [mountCap],
    parameters: { numberOfReplicas: '2' },
    volumeContentSource: { snapshot: { snapshotId: snap.snapshotId } },
  };
  const restored = (await ctl('CreateVolume', create)).volume!;
  assert.is(restored.contentSource?.snapshot?.snapshotId, snap.snapshotId);
  const three = await attach('pvc-restore', 'node-3', mountCap);
  assert.equal(digests(three.target), atSnapshot, 'the restored volume has the files as they were at the snapshot');
});

s(
  'expansion: ControllerExpandVolume, then NodeExpandVolume grows the filesystem (offline: unpublished, staged)',
  async () => {
    const { staging, target } = paths('pvc-restore', 'node-3');
    const before = statfsSync(target);
    await node('node-3', 'NodeUnpublishVolume', { volumeId: 'pvc-restore', targetPath: target });
    const exp = await ctl('ControllerExpandVolume', {
      volumeId: 'pvc-restore',
      capacityRange: { requiredBytes: 512 * MiB },
      volumeCapability: mountCap,
    });
    assert.is(Number(exp.capacityBytes), 512 * MiB);
    assert.is(exp.nodeExpansionRequired, true);
    const nodeExp = await node('node-3', 'NodeExpandVolume', {
      volumeId: 'pvc-restore',
      volumePath: staging,
      capacityRange: { requiredBytes: 512 * MiB },
      volumeCapability: mountCap,
      stagingTargetPath: staging,
    });
    assert.is(Number(nodeExp.capacityBytes), 512 * MiB);
    const pub = await c.call('GetVolume', { name: 'pvc-restore' });
    await node('node-3', 'NodePublishVolume', {
      volumeId: 'pvc-restore',
      publishContext: { nbdUrl: pub.endpoint },
      stagingTargetPath: staging,
      targetPath: target,
      volumeCapability: mountCap,
      readonly: false,
    });
    const after = statfsSync(target);
    assert.ok(
      after.blocks * after.bsize > before.blocks * before.bsize + 200 * MiB,
      `the filesystem grew: ${before.blocks * before.bsize} -> ${after.blocks * after.bsize}`,
    );
    assert.equal(digests(target), atSnapshot, 'the files survive the expansion');
    await detach('pvc-restore', 'node-3');
  },
);

s('a raw block volume: published as a device file, bytes written read back on another node', async () => {
  await ctl('CreateVolume', {
    name: 'pvc-block',
    capacityRange: { requiredBytes: 64 * MiB },
    volumeCapabilities: [blockCap],
    parameters: { numberOfReplicas: '2' },
  });
  const a = await attach('pvc-block', 'node-1', blockCap);
  const data = randomBytes(2 * MiB);
  const fd = openSync(a.target, 'r+');
  writeSync(fd, data, 0, data.length, 10 * MiB);
  fsyncSync(fd);
  closeSync(fd);
  await detach('pvc-block', 'node-1');
  const b = await attach('pvc-block', 'node-2', blockCap);
  const back = Buffer.alloc(data.length);
  const rfd = openSync(b.target, 'r');
  readSync(rfd, back, 0, back.length, 10 * MiB);
  closeSync(rfd);
  assert.is(sha(back), sha(data), 'the block device on node-2 reads what node-1 wrote');
  await detach('pvc-block', 'node-2');
});

s('delete: snapshots, then volumes; deleting again succeeds; nothing left in the cluster', async () => {
  await ctl('DeleteSnapshot', { snapshotId: 'pvc-life@snap-life' });
  for (const v of ['pvc-life', 'pvc-restore', 'pvc-block']) await ctl('DeleteVolume', { volumeId: v });
  await eventually('the volumes are gone', 30_000, async () => (await c.call('ListVolumes', {})).volumes.length === 0);
  const listed = await csiCall(controller, 'Controller', 'ListVolumes', {});
  assert.is(listed.entries.length, 0);
});

s.run();
