// The Node service over its unix socket with a real kernel: nbdkit serves each volume (a sparse
// file, so a test can grow it), nbdfuse + a loop device make the block device, ext4 is made and
// mounted, bind mounts publish it. Every mutating call is made twice. Whatever a test leaves
// behind (mounts, loop devices, nbdfuse, nbdkit) is swept in `after`, even when it failed.
import { execFileSync, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  rmSync,
  statSync,
  truncateSync,
  writeFileSync,
  writeSync,
  fsyncSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as grpc from '@grpc/grpc-js';
import { lineLogger } from '@cairn/api';
import { CsiClient, startNodeService, TOPOLOGY_HOSTNAME_KEY, TOPOLOGY_ZONE_KEY } from '../src/index.js';
import type { UnixServer } from '../src/index.js';
import { parseMountInfo } from '../src/node-plan.js';
import { loopBackingFile, pidAlive, run } from '../src/node-os.js';

const MiB = 1024 * 1024;
const t = suite('csi node service (nbdkit + nbdfuse + loop + ext4)');
const dir = mkdtempSync(join(tmpdir(), 'cairn-csi-node-'));
const stateDir = join(dir, 'state');
const logs: string[] = [];
let server: UnixServer;
let client: CsiClient;
const nbdkits: ChildProcess[] = [];

const start = async (): Promise<void> => {
  server = await startNodeService({
    socket: join(dir, 'node.sock'),
    nodeId: 'node-1',
    zone: 'zone-a',
    maxVolumes: 16,
    stateDir,
    log: lineLogger((l) => logs.push(l)),
  });
  client = new CsiClient(server.endpoint, 60_000);
};

t.before(start);

t.after(async () => {
  client.close();
  await server.close();
  await sweep();
  rmSync(dir, { recursive: true, force: true });
  if (process.exitCode) console.log(`node service log:\n  ${logs.join('\n  ')}`);
});

/** Removes every mount, loop device, nbdfuse and nbdkit this suite made. */
async function sweep(): Promise<void> {
  const mounts = parseMountInfo(readFileSync('/proc/self/mountinfo', 'utf8'))
    .filter((m) => m.mountPoint.startsWith(dir))
    .reverse();
  for (const m of mounts) if (m.fsType !== 'fuse') await run('umount', ['-l', m.mountPoint]);
  const loops = readdirSync('/sys/block')
    .filter((n) => n.startsWith('loop'))
    .map((n) => `/dev/${n}`);
  const ours = loops.filter((l) => loopBackingFile(l)?.startsWith(dir));
  for (const l of loops.filter((l) => ours.includes(loopBackingFile(l) ?? ''))) await run('losetup', ['-d', l]);
  for (const l of ours) await run('losetup', ['-d', l]);
  for (const m of mounts) if (m.fsType === 'fuse') await run('fusermount3', ['-u', '-z', m.mountPoint]);
  for (const pid of nbdfusePids()) process.kill(pid, 'SIGKILL');
  for (const k of nbdkits) k.kill('SIGKILL');
}

function nbdfusePids(): number[] {
  return readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .filter((p) => {
      try {
        const cmd = readFileSync(`/proc/${p}/cmdline`, 'utf8');
        return cmd.startsWith('nbdfuse\0') && cmd.includes(dir);
      } catch {
        return false;
      }
    })
    .map(Number);
}

function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => (a && typeof a === 'object' ? ok(a.port) : fail(new Error('no port'))));
    });
  });
}

/** nbdkit serving a sparse file of `size` bytes on a free loopback port. */
async function nbdkit(name: string, size: number): Promise<{ url: string; file: string; kill: () => void }> {
  const file = join(dir, `${name}.img`);
  writeFileSync(file, '');
  truncateSync(file, size);
  const port = await freePort();
  const child = spawn('nbdkit', ['-f', '--exit-with-parent', '-i', '127.0.0.1', '-p', String(port), 'file', file], {
    stdio: 'ignore',
  });
  nbdkits.push(child);
  const url = `nbd://127.0.0.1:${port}/${name}`;
  for (let i = 0; ; i++) {
    if ((await run('nbdinfo', ['--size', url])).code === 0) break;
    if (i > 100) throw new Error(`nbdkit on ${port} did not start`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return { url, file, kill: () => child.kill('SIGKILL') };
}

const mountCap = (mode = 'SINGLE_NODE_WRITER', fsType = 'ext4') => ({
  accessMode: { mode },
  mount: { fsType, mountFlags: [] as string[] },
});
const blockCap = (mode = 'SINGLE_NODE_WRITER') => ({ accessMode: { mode }, block: {} });

const call = <T = Record<string, unknown>>(method: string, req: object = {}): Promise<T> =>
  client.call<T>('Node', method, req);
/** A mutating call made twice: the second must succeed with the same answer (idempotence). */
async function twice<T = Record<string, unknown>>(method: string, req: object): Promise<T> {
  const a = await call<T>(method, req);
  const b = await call<T>(method, req);
  assert.equal(b, a, `${method} repeated gave a different answer`);
  return a;
}

async function refused(method: string, req: object, code: grpc.status, message?: RegExp): Promise<void> {
  try {
    await call(method, req);
  } catch (e) {
    const err = e as grpc.ServiceError;
    assert.is(grpc.status[err.code], grpc.status[code], `${method}: ${err.details}`);
    if (message) assert.match(err.details, message);
    return;
  }
  assert.unreachable(`${method} ${JSON.stringify(req)} succeeded, expected ${grpc.status[code]}`);
}

const mountsNow = () => parseMountInfo(readFileSync('/proc/self/mountinfo', 'utf8'));
const mountAt = (p: string) =>
  mountsNow()
    .filter((m) => m.mountPoint === p)
    .pop();
type Stats = {
  usage: { unit: string; total: number; available: number; used: number }[];
  volumeCondition: { abnormal: boolean; message: string };
};

function record(volumeId: string): { device: string; attach: { pid: number; fuseDir: string } } {
  return JSON.parse(readFileSync(join(stateDir, 'volumes', `${volumeId}.json`), 'utf8'));
}

/** Nothing of the volume is left: no record, no loop device on its nbdfuse file, no FUSE mount, no nbdfuse. */
function assertReleased(volumeId: string, rec: { device: string; attach: { pid: number; fuseDir: string } }): void {
  assert.not.ok(existsSync(join(stateDir, 'volumes', `${volumeId}.json`)), 'record forgotten');
  assert.is(loopBackingFile(rec.device), null, `${rec.device} detached`);
  assert.is(mountAt(rec.attach.fuseDir), undefined, 'FUSE mount gone');
  assert.not.ok(pidAlive(rec.attach.pid), `nbdfuse ${rec.attach.pid} exited`);
}

t('NodeGetInfo: node id, max volumes and topology (zone, hostname); NodeGetCapabilities', async () => {
  const info = await twice<{
    nodeId: string;
    maxVolumesPerNode: number;
    accessibleTopology: { segments: Record<string, string> };
  }>('NodeGetInfo', {});
  assert.is(info.nodeId, 'node-1');
  assert.is(info.maxVolumesPerNode, 16);
  assert.equal(
    info.accessibleTopology.segments,
    { [TOPOLOGY_ZONE_KEY]: 'zone-a', [TOPOLOGY_HOSTNAME_KEY]: 'node-1' },
    'the hostname segment is the node id, as the controller matches it',
  );
  const caps = await twice<{ capabilities: { rpc: { type: string } }[] }>('NodeGetCapabilities', {});
  assert.equal(caps.capabilities.map((c) => c.rpc.type).sort(), [
    'EXPAND_VOLUME',
    'GET_VOLUME_STATS',
    'SINGLE_NODE_MULTI_WRITER',
    'STAGE_UNSTAGE_VOLUME',
    'VOLUME_CONDITION',
  ]);
  // Identity is served on the same socket.
  assert.is((await client.call<{ name: string }>('Identity', 'GetPluginInfo')).name, 'csi.cairn.io');
});

t('every missing argument gets its code and names the field', async () => {
  const S = join(dir, 'nostage');
  const ctx = { nbdUrl: 'nbd://127.0.0.1:1/x' };
  const stage = { volumeId: 'v', stagingTargetPath: S, volumeCapability: mountCap(), publishContext: ctx };
  const I = grpc.status.INVALID_ARGUMENT;
  await refused('NodeStageVolume', { ...stage, volumeId: '' }, I, /volume_id/);
  await refused('NodeStageVolume', { ...stage, stagingTargetPath: '' }, I, /staging_target_path/);
  await refused(
    'NodeStageVolume',
    { ...stage, stagingTargetPath: 'relative/path' },
    I,
    /staging_target_path.*absolute/,
  );
  await refused('NodeStageVolume', { ...stage, volumeCapability: null }, I, /volume_capability/);
  await refused(
    'NodeStageVolume',
    { ...stage, volumeCapability: { accessMode: { mode: 'SINGLE_NODE_WRITER' } } },
    I,
    /access type/,
  );
  await refused('NodeStageVolume', { ...stage, volumeCapability: { mount: {} } }, I, /access_mode/);
  await refused(
    'NodeStageVolume',
    {
      ...stage,
      volumeCapability: {
        ...mountCap('SINGLE_NODE_WRITER', 'ntfs'),
        mount: { fsType: 'ntfs', mountFlags: ['password=hunter2'] },
      },
    },
    I,
    /fs_type/,
  );
  assert.ok(
    logs.some((l) => /NodeStageVolume INVALID_ARGUMENT/.test(l)),
    'refusals are logged',
  );
  assert.not.ok(
    logs.some((l) => l.includes('hunter2')),
    'mount_flags never reach the log',
  );
  await refused('NodeStageVolume', { ...stage, publishContext: {} }, I, /publish_context.nbdUrl/);
  await refused(
    'NodeStageVolume',
    { ...stage, publishContext: { ...ctx, mkfsParams: '-L "unterminated' } },
    I,
    /mkfsParams/,
  );
  await refused(
    'NodeStageVolume',
    { ...stage, publishContext: { ...ctx, mkfsParams: '-d /etc' } },
    I,
    /mkfsParams: option -d is not allowed/,
  );
  await refused('NodeUnstageVolume', { stagingTargetPath: S }, I, /volume_id/);
  await refused('NodeUnstageVolume', { volumeId: 'v' }, I, /staging_target_path/);
  const publish = {
    volumeId: 'v',
    stagingTargetPath: S,
    targetPath: join(dir, 'notarget'),
    volumeCapability: mountCap(),
  };
  await refused('NodePublishVolume', { ...publish, volumeId: '' }, I, /volume_id/);
  await refused('NodePublishVolume', { ...publish, targetPath: '' }, I, /target_path/);
  await refused('NodePublishVolume', { ...publish, volumeCapability: null }, I, /volume_capability/);
  await refused(
    'NodePublishVolume',
    { ...publish, stagingTargetPath: '' },
    grpc.status.FAILED_PRECONDITION,
    /staging_target_path/,
  );
  await refused('NodePublishVolume', publish, grpc.status.NOT_FOUND, /not staged/);
  await refused('NodeUnpublishVolume', { targetPath: join(dir, 'x') }, I, /volume_id/);
  await refused('NodeUnpublishVolume', { volumeId: 'v' }, I, /target_path/);
  await refused('NodeGetVolumeStats', { volumePath: dir }, I, /volume_id/);
  await refused('NodeGetVolumeStats', { volumeId: 'v' }, I, /volume_path/);
  await refused('NodeGetVolumeStats', { volumeId: 'v', volumePath: dir }, grpc.status.NOT_FOUND);
  await refused('NodeExpandVolume', { volumePath: dir }, I, /volume_id/);
  await refused('NodeExpandVolume', { volumeId: 'v' }, I, /volume_path/);
  await refused('NodeExpandVolume', { volumeId: 'v', volumePath: dir }, grpc.status.NOT_FOUND);
  // Undoing what is not there succeeds.
  await twice('NodeUnstageVolume', { volumeId: 'v', stagingTargetPath: S });
  await twice('NodeUnpublishVolume', { volumeId: 'v', targetPath: join(dir, 'notarget') });
  assert.not.ok(existsSync(S));
});

t(
  'filesystem volume: stage (mkfs once), publish rw and ro, stats, survive a restart, unpublish, unstage, restage keeps files',
  async () => {
    const nbd = await nbdkit('fs', 256 * MiB);
    const staging = join(dir, 'fs-staging');
    const rw = join(dir, 'pods', 'a', 'vol');
    const ro = join(dir, 'pods', 'b', 'vol');
    mkdirSync(staging);
    mkdirSync(join(dir, 'pods', 'a'), { recursive: true });
    mkdirSync(join(dir, 'pods', 'b'), { recursive: true });
    const stage = {
      volumeId: 'fs',
      stagingTargetPath: staging,
      volumeCapability: mountCap(),
      publishContext: { nbdUrl: nbd.url, fsType: 'ext4', mkfsParams: '-L "cairn fs" -m 0' },
    };
    // A stage that fails (here: a mount option ext4 does not know) leaves nothing behind, and the
    // corrected request is not refused as incompatible with it.
    // The mount's own error names host paths: the CO gets an error id, the plugin's log the whole of it.
    await refused(
      'NodeStageVolume',
      { ...stage, volumeCapability: { ...mountCap(), mount: { fsType: 'ext4', mountFlags: ['no_such_option'] } } },
      grpc.status.INTERNAL,
      /^internal error [0-9a-f]{8} /,
    );
    assert.ok(
      logs.some((l) => /NodeStageVolume INTERNAL: error [0-9a-f]{8}: .*mount/s.test(l)),
      'the failed mount is in the log in full',
    );
    assert.not.ok(existsSync(join(stateDir, 'volumes', 'fs.json')), 'no record of the failed stage');
    assert.is(mountAt(staging), undefined);
    assert.equal(nbdfusePids(), [], 'no nbdfuse left by the failed stage');
    await twice('NodeStageVolume', stage);
    const rec = record('fs');
    assert.match(rec.device, /^\/dev\/loop\d+$/);
    assert.is(loopBackingFile(rec.device), join(rec.attach.fuseDir, 'disk'));
    assert.is(mountAt(staging)?.fsType, 'ext4');
    assert.is(mountAt(rec.attach.fuseDir)?.fsType, 'fuse');
    const label = await run('blkid', ['-s', 'LABEL', '-o', 'value', rec.device]);
    assert.is(label.stdout.trim(), 'cairn fs', 'mkfsParams split like a shell');
    await refused(
      'NodeStageVolume',
      { ...stage, volumeCapability: blockCap() },
      grpc.status.ALREADY_EXISTS,
      /incompatible/,
    );
    await refused(
      'NodeStageVolume',
      { ...stage, stagingTargetPath: join(dir, 'elsewhere') },
      grpc.status.ALREADY_EXISTS,
      /already staged/,
    );

    const publish = { volumeId: 'fs', stagingTargetPath: staging, volumeCapability: mountCap(), targetPath: rw };
    await twice('NodePublishVolume', publish);
    writeFileSync(join(rw, 'hello.txt'), 'hello from a pod');
    mkdirSync(join(rw, 'sub'));
    writeFileSync(join(rw, 'sub', 'big.bin'), Buffer.alloc(8 * MiB, 7));
    await twice('NodePublishVolume', { ...publish, targetPath: ro, readonly: true });
    assert.is(readFileSync(join(ro, 'hello.txt'), 'utf8'), 'hello from a pod');
    assert.throws(() => writeFileSync(join(ro, 'nope.txt'), 'x'), /EROFS/);
    assert.ok(mountAt(ro)?.options.includes('ro'));
    await refused('NodePublishVolume', { ...publish, readonly: true }, grpc.status.ALREADY_EXISTS, /read-write/);
    // The same target with other arguments is ALREADY_EXISTS (the spec's T1=T2, P1!=P2); another
    // target with a capability the stage cannot serve, or another staging path, FAILED_PRECONDITION.
    await refused(
      'NodePublishVolume',
      { ...publish, volumeCapability: blockCap() },
      grpc.status.ALREADY_EXISTS,
      /asked read-write as block/,
    );
    await refused(
      'NodePublishVolume',
      { ...publish, targetPath: join(dir, 'pods', 'x'), volumeCapability: blockCap() },
      grpc.status.FAILED_PRECONDITION,
      /cannot publish it as block/,
    );
    await refused(
      'NodePublishVolume',
      { ...publish, targetPath: join(dir, 'pods', 'x'), stagingTargetPath: join(dir, 'elsewhere') },
      grpc.status.FAILED_PRECONDITION,
      /not .*elsewhere/,
    );

    const stats = await call<Stats>('NodeGetVolumeStats', { volumeId: 'fs', volumePath: rw });
    const bytes = stats.usage.find((u) => u.unit === 'BYTES')!;
    const inodes = stats.usage.find((u) => u.unit === 'INODES')!;
    assert.ok(bytes.total > 200 * MiB && bytes.total <= 256 * MiB, `total ${bytes.total}`);
    assert.ok(bytes.used >= 8 * MiB, `used ${bytes.used}`);
    // -m 0: no 5% (12.8 MiB) reserved for root; ext4 still keeps a few MiB for delayed allocation.
    assert.ok(
      bytes.available <= bytes.total - bytes.used && bytes.available > bytes.total - bytes.used - 8 * MiB,
      `available ${bytes.available}`,
    );
    assert.ok(inodes.total > 1000 && inodes.used >= 13, `inodes ${JSON.stringify(inodes)}`);
    assert.equal(stats.volumeCondition, { abnormal: false, message: 'healthy' });
    await call<Stats>('NodeGetVolumeStats', { volumeId: 'fs', volumePath: staging });
    await refused('NodeGetVolumeStats', { volumeId: 'fs', volumePath: join(dir, 'pods') }, grpc.status.NOT_FOUND);
    await refused(
      'NodeUnstageVolume',
      { volumeId: 'fs', stagingTargetPath: staging },
      grpc.status.FAILED_PRECONDITION,
      /still published/,
    );

    // The agent restarts: nbdfuse lives on (detached), the records find everything again.
    client.close();
    await server.close();
    assert.ok(pidAlive(rec.attach.pid), 'nbdfuse outlives the service');
    await start();
    assert.is(readFileSync(join(rw, 'hello.txt'), 'utf8'), 'hello from a pod');
    assert.is(
      (await call<Stats>('NodeGetVolumeStats', { volumeId: 'fs', volumePath: ro })).volumeCondition.abnormal,
      false,
    );
    await twice('NodeStageVolume', stage);
    assert.equal(record('fs').device, rec.device, 'restage after restart reuses the device');

    await twice('NodeUnpublishVolume', { volumeId: 'fs', targetPath: rw });
    await twice('NodeUnpublishVolume', { volumeId: 'fs', targetPath: ro });
    assert.not.ok(existsSync(rw) || existsSync(ro), 'targets removed');
    await twice('NodeUnstageVolume', { volumeId: 'fs', stagingTargetPath: staging });
    assert.is(mountAt(staging), undefined);
    assertReleased('fs', rec);

    // Stage again: the filesystem is found, not made again.
    await twice('NodeStageVolume', stage);
    await twice('NodePublishVolume', publish);
    assert.is(readFileSync(join(rw, 'hello.txt'), 'utf8'), 'hello from a pod');
    assert.equal(readFileSync(join(rw, 'sub', 'big.bin')), Buffer.alloc(8 * MiB, 7));
    const rec2 = record('fs');
    await twice('NodeUnpublishVolume', { volumeId: 'fs', targetPath: rw });
    await twice('NodeUnstageVolume', { volumeId: 'fs', stagingTargetPath: staging });
    assertReleased('fs', rec2);
    nbd.kill();
  },
);

t(
  'block volume: the device is published as a file; bytes written reach the export; read-only publish refuses writes',
  async () => {
    const nbd = await nbdkit('blk', 64 * MiB);
    const staging = join(dir, 'blk-staging');
    mkdirSync(staging);
    const target = join(dir, 'pods', 'c', 'dev');
    const roTarget = join(dir, 'pods', 'd', 'dev');
    mkdirSync(join(dir, 'pods', 'c'), { recursive: true });
    mkdirSync(join(dir, 'pods', 'd'), { recursive: true });
    const stage = {
      volumeId: 'blk',
      stagingTargetPath: staging,
      volumeCapability: blockCap(),
      publishContext: { nbdUrl: nbd.url },
    };
    await twice('NodeStageVolume', stage);
    assert.is(mountAt(staging), undefined, 'a block volume is not mounted at its staging path');
    assert.is((await run('blkid', ['-p', record('blk').device])).code, 2, 'no filesystem made on a block volume');
    const publish = { volumeId: 'blk', stagingTargetPath: staging, volumeCapability: blockCap(), targetPath: target };
    await twice('NodePublishVolume', publish);
    assert.ok(statSync(target).isBlockDevice());
    const data = Buffer.alloc(64 * 1024);
    for (let i = 0; i < data.length; i++) data[i] = (i * 31) & 0xff;
    const fd = openSync(target, 'r+');
    writeSync(fd, data, 0, data.length, 5 * MiB);
    fsyncSync(fd);
    closeSync(fd);
    // What the pod wrote is in the volume's export (nbdkit's file), at the same offset.
    const back = Buffer.alloc(data.length);
    const img = openSync(nbd.file, 'r');
    readSync(img, back, 0, back.length, 5 * MiB);
    closeSync(img);
    assert.ok(back.equals(data), 'bytes reached the NBD export');

    await twice('NodePublishVolume', { ...publish, targetPath: roTarget, readonly: true });
    const rfd = openSync(roTarget, 'r');
    const seen = Buffer.alloc(data.length);
    readSync(rfd, seen, 0, seen.length, 5 * MiB);
    closeSync(rfd);
    assert.ok(seen.equals(data), 'the read-only publish reads the same bytes');
    // The device node opens, but the read-only loop device under it refuses the write.
    const wfd = openSync(roTarget, 'r+');
    try {
      assert.throws(() => writeSync(wfd, Buffer.alloc(4096, 9), 0, 4096, 5 * MiB), /EROFS|EACCES|EPERM/);
    } finally {
      closeSync(wfd);
    }

    const stats = await call<Stats>('NodeGetVolumeStats', { volumeId: 'blk', volumePath: target });
    assert.equal(stats.usage, [{ unit: 'BYTES', total: 64 * MiB, available: 0, used: 0 }]);
    assert.is(stats.volumeCondition.abnormal, false);

    // A block volume grows too, when it is not published (nbdfuse keeps the size it connected with).
    truncateSync(nbd.file, 96 * MiB);
    const grow = {
      volumeId: 'blk',
      volumePath: staging,
      capacityRange: { requiredBytes: 96 * MiB },
      volumeCapability: blockCap(),
    };
    await refused('NodeExpandVolume', grow, grpc.status.FAILED_PRECONDITION, /published/);

    const roLoop = (
      JSON.parse(readFileSync(join(stateDir, 'volumes', 'blk.json'), 'utf8')) as {
        publishes: Record<string, { device: string }>;
      }
    ).publishes[roTarget]!.device;
    await twice('NodeUnpublishVolume', { volumeId: 'blk', targetPath: roTarget });
    assert.is(loopBackingFile(roLoop), null, 'the read-only loop device is detached');
    await twice('NodeUnpublishVolume', { volumeId: 'blk', targetPath: target });
    assert.not.ok(existsSync(target));
    assert.equal(await twice('NodeExpandVolume', grow), { capacityBytes: 96 * MiB });
    await twice('NodePublishVolume', publish);
    assert.is(statSync(target).isBlockDevice(), true);
    const again = Buffer.alloc(data.length);
    const afd = openSync(target, 'r');
    readSync(afd, again, 0, again.length, 5 * MiB);
    closeSync(afd);
    assert.ok(again.equals(data), 'the data is still there after the re-attach');
    assert.is(
      (await call<Stats>('NodeGetVolumeStats', { volumeId: 'blk', volumePath: target })).usage[0]!.total,
      96 * MiB,
    );
    await twice('NodeUnpublishVolume', { volumeId: 'blk', targetPath: target });
    const rec = record('blk');
    await twice('NodeUnstageVolume', { volumeId: 'blk', stagingTargetPath: staging });
    assertReleased('blk', rec);
    nbd.kill();
  },
);

t(
  'expand: refused while published (nbdfuse keeps its size); staged-only re-attaches and grows ext4; OUT_OF_RANGE past the export',
  async () => {
    const nbd = await nbdkit('grow', 64 * MiB);
    const staging = join(dir, 'grow-staging');
    const target = join(dir, 'pods', 'e', 'vol');
    mkdirSync(staging);
    mkdirSync(join(dir, 'pods', 'e'), { recursive: true });
    await twice('NodeStageVolume', {
      volumeId: 'grow',
      stagingTargetPath: staging,
      volumeCapability: mountCap(),
      publishContext: { nbdUrl: nbd.url },
    });
    const publish = { volumeId: 'grow', stagingTargetPath: staging, volumeCapability: mountCap(), targetPath: target };
    await twice('NodePublishVolume', publish);
    writeFileSync(join(target, 'keep.txt'), 'kept across the expansion');
    const total = async (p: string) =>
      (await call<Stats>('NodeGetVolumeStats', { volumeId: 'grow', volumePath: p })).usage[0]!.total;
    const before = await total(target);

    // Nothing to grow yet: the device already has the export's size.
    const same = await twice<{ capacityBytes: number }>('NodeExpandVolume', {
      volumeId: 'grow',
      volumePath: target,
      capacityRange: { requiredBytes: 64 * MiB },
    });
    assert.is(same.capacityBytes, 64 * MiB);

    truncateSync(nbd.file, 128 * MiB); // the controller grew the volume
    await refused(
      'NodeExpandVolume',
      { volumeId: 'grow', volumePath: target, capacityRange: { requiredBytes: 128 * MiB } },
      grpc.status.FAILED_PRECONDITION,
      /published/,
    );
    await refused(
      'NodeExpandVolume',
      { volumeId: 'grow', volumePath: target, capacityRange: { requiredBytes: 256 * MiB } },
      grpc.status.OUT_OF_RANGE,
      /ControllerExpandVolume/,
    );
    await twice('NodeUnpublishVolume', { volumeId: 'grow', targetPath: target });
    const old = record('grow');
    const grown = await twice<{ capacityBytes: number }>('NodeExpandVolume', {
      volumeId: 'grow',
      volumePath: staging,
      capacityRange: { requiredBytes: 128 * MiB },
    });
    assert.is(grown.capacityBytes, 128 * MiB);
    assert.not.ok(pidAlive(old.attach.pid), 'the old nbdfuse is gone');
    await twice('NodePublishVolume', publish);
    const after = await total(target);
    assert.ok(after > before + 50 * MiB, `filesystem grew: ${before} -> ${after}`);
    assert.is(readFileSync(join(target, 'keep.txt'), 'utf8'), 'kept across the expansion');
    await twice('NodeUnpublishVolume', { volumeId: 'grow', targetPath: target });
    const rec = record('grow');
    await twice('NodeUnstageVolume', { volumeId: 'grow', stagingTargetPath: staging });
    assertReleased('grow', rec);

    // Kubernetes' offline flow: the volume grows while unstaged, the next stage connects with the new
    // size, and NodeExpandVolume (before publish) grows the filesystem to fill the device.
    truncateSync(nbd.file, 192 * MiB);
    await twice('NodeStageVolume', {
      volumeId: 'grow',
      stagingTargetPath: staging,
      volumeCapability: mountCap(),
      publishContext: { nbdUrl: nbd.url },
    });
    const staged = await total(staging);
    assert.ok(staged < 130 * MiB, `the filesystem still has its old size: ${staged}`);
    const again = await twice<{ capacityBytes: number }>('NodeExpandVolume', {
      volumeId: 'grow',
      volumePath: staging,
      capacityRange: { requiredBytes: 192 * MiB },
    });
    assert.is(again.capacityBytes, 192 * MiB);
    assert.ok((await total(staging)) > staged + 50 * MiB, 'the filesystem fills the device');
    assert.is(readFileSync(join(staging, 'keep.txt'), 'utf8'), 'kept across the expansion');
    const rec3 = record('grow');
    await twice('NodeUnstageVolume', { volumeId: 'grow', stagingTargetPath: staging });
    assertReleased('grow', rec3);
    nbd.kill();
  },
);

t(
  'volume condition: abnormal when nbdfuse is gone; unstage still cleans up; a concurrent call is ABORTED',
  async () => {
    const nbd = await nbdkit('sick', 32 * MiB);
    const staging = join(dir, 'sick-staging');
    mkdirSync(staging);
    const stage = {
      volumeId: 'sick',
      stagingTargetPath: staging,
      volumeCapability: blockCap(),
      publishContext: { nbdUrl: nbd.url },
    };
    const both = await Promise.allSettled([call('NodeStageVolume', stage), call('NodeStageVolume', stage)]);
    const codes = both
      .map((r) => (r.status === 'fulfilled' ? 'OK' : grpc.status[(r.reason as grpc.ServiceError).code]))
      .sort();
    assert.equal(codes, ['ABORTED', 'OK']);
    await twice('NodeStageVolume', stage);
    assert.is(
      (await call<Stats>('NodeGetVolumeStats', { volumeId: 'sick', volumePath: staging })).volumeCondition.abnormal,
      false,
    );
    const rec = record('sick');
    process.kill(rec.attach.pid, 'SIGKILL');
    for (let i = 0; i < 50 && pidAlive(rec.attach.pid); i++) await new Promise((r) => setTimeout(r, 50));
    const sick = await call<Stats>('NodeGetVolumeStats', { volumeId: 'sick', volumePath: staging });
    assert.is(sick.volumeCondition.abnormal, true);
    assert.match(sick.volumeCondition.message, /nbdfuse.*not running/);
    // Staging again repairs it (as kubelet does after a node reboot): a new nbdfuse and loop device.
    await twice('NodeStageVolume', stage);
    const healed = record('sick');
    assert.is.not(healed.attach.pid, rec.attach.pid);
    assert.is(
      loopBackingFile(rec.device) === null || rec.device === healed.device,
      true,
      'the dead loop device was detached',
    );
    assert.equal((await call<Stats>('NodeGetVolumeStats', { volumeId: 'sick', volumePath: staging })).volumeCondition, {
      abnormal: false,
      message: 'healthy',
    });
    await twice('NodeUnstageVolume', { volumeId: 'sick', stagingTargetPath: staging });
    assertReleased('sick', healed);
    assert.not.ok(pidAlive(rec.attach.pid));
    nbd.kill();
  },
);

t(
  'a stage at a path another volume is staged at, or that is a mount point, is refused and changes nothing',
  async () => {
    const nbd = await nbdkit('owner', 64 * MiB);
    const staging = join(dir, 'shared-staging');
    mkdirSync(staging);
    const stage = {
      volumeId: 'owner',
      stagingTargetPath: staging,
      volumeCapability: mountCap(),
      publishContext: { nbdUrl: nbd.url },
    };
    await call('NodeStageVolume', stage);
    const owner = record('owner');
    const mountsBefore = JSON.stringify(mountsNow().filter((m) => m.mountPoint.startsWith(dir)));
    const pidsBefore = nbdfusePids();
    // Another volume id (same export, same path: what the fuzz pass sent), then once more.
    for (let i = 0; i < 2; i++)
      await refused(
        'NodeStageVolume',
        { ...stage, volumeId: 'intruder' },
        grpc.status.FAILED_PRECONDITION,
        /where volume owner is staged/,
      );
    assert.not.ok(existsSync(join(stateDir, 'volumes', 'intruder.json')), 'no record of the refused stage');
    assert.is(
      JSON.stringify(mountsNow().filter((m) => m.mountPoint.startsWith(dir))),
      mountsBefore,
      "the owner's mounts are untouched",
    );
    assert.equal(nbdfusePids(), pidsBefore, 'no nbdfuse started or stopped');
    assert.equal(record('owner'), owner);
    assert.is(
      (await call<Stats>('NodeGetVolumeStats', { volumeId: 'owner', volumePath: staging })).volumeCondition.abnormal,
      false,
    );
    // A mount point no record knows of is not taken over either.
    const foreign = join(dir, 'foreign');
    mkdirSync(foreign);
    execFileSync('mount', ['-t', 'tmpfs', 'tmpfs', foreign]);
    try {
      await refused(
        'NodeStageVolume',
        { ...stage, volumeId: 'other', stagingTargetPath: foreign },
        grpc.status.FAILED_PRECONDITION,
        /already a mount point/,
      );
      assert.ok(mountAt(foreign), 'the foreign mount stays');
      assert.equal(nbdfusePids(), pidsBefore);
    } finally {
      execFileSync('umount', [foreign]);
    }
    await call('NodeUnstageVolume', { volumeId: 'owner', stagingTargetPath: staging });
    nbd.kill();
  },
);

t(
  'NodeStageVolume: an export the server does not have is NOT_FOUND (asked by the NBD handshake); no server at all UNAVAILABLE',
  async () => {
    const port = await freePort();
    // nbdkit's exportname filter, strict: it has vol-a and refuses every other name, as a cairn engine does.
    const child = spawn(
      'nbdkit',
      [
        '-f',
        '--exit-with-parent',
        '-i',
        '127.0.0.1',
        '-p',
        String(port),
        '--filter=exportname',
        'memory',
        '16M',
        'exportname=vol-a',
        'exportname-strict=true',
      ],
      { stdio: 'ignore' },
    );
    nbdkits.push(child);
    for (let i = 0; (await run('nbdinfo', ['--size', `nbd://127.0.0.1:${port}/vol-a`])).code !== 0; i++) {
      if (i > 100) throw new Error('nbdkit did not start');
      await new Promise((r) => setTimeout(r, 50));
    }
    const staging = join(dir, 'gone-staging');
    mkdirSync(staging);
    const stage = {
      volumeId: 'vol-b',
      stagingTargetPath: staging,
      volumeCapability: blockCap(),
      publishContext: { nbdUrl: `nbd://127.0.0.1:${port}/vol-b` },
    };
    await refused(
      'NodeStageVolume',
      stage,
      grpc.status.NOT_FOUND,
      /volume vol-b does not exist at nbd:\/\/127\.0\.0\.1:\d+\/vol-b: the server has no such export/,
    );
    assert.equal(nbdfusePids(), [], 'nothing left running');
    await refused(
      'NodeStageVolume',
      { ...stage, publishContext: { nbdUrl: `nbd://127.0.0.1:${await freePort()}/vol-b` } },
      grpc.status.UNAVAILABLE,
      /cannot be reached/,
    );
    // The export it has stages.
    await twice('NodeStageVolume', {
      ...stage,
      volumeId: 'vol-a',
      publishContext: { nbdUrl: `nbd://127.0.0.1:${port}/vol-a` },
    });
    await twice('NodeUnstageVolume', { volumeId: 'vol-a', stagingTargetPath: staging });
    child.kill('SIGKILL');
  },
);

t(
  'Probe: ready with every program the service runs; FAILED_PRECONDITION naming the missing ones otherwise',
  async () => {
    assert.equal(await client.call('Identity', 'Probe'), { ready: { value: true } });
    const path = process.env['PATH'];
    const bin = join(dir, 'bin');
    mkdirSync(bin, { recursive: true });
    // A PATH with every program but nbdfuse (the service and this suite share the process).
    for (const name of [
      'mount',
      'umount',
      'losetup',
      'blkid',
      'blockdev',
      'dd',
      'fstrim',
      'nbdinfo',
      'mkfs.ext4',
      'e2fsck',
      'resize2fs',
      'fusermount3',
      'nbd-client',
    ]) {
      const found = execFileSync('sh', ['-c', `command -v ${name} || true`], { encoding: 'utf8' }).trim();
      if (found) execFileSync('ln', ['-sf', found, join(bin, name)]);
    }
    process.env['PATH'] = bin;
    try {
      const e = await client.call('Identity', 'Probe').then(
        () => null,
        (err: grpc.ServiceError) => err,
      );
      assert.ok(e, 'Probe answered ready without nbdfuse');
      assert.is(grpc.status[e.code], 'FAILED_PRECONDITION');
      assert.match(e.details, /missing required programs: nbdfuse \(not found on PATH\)/);
    } finally {
      process.env['PATH'] = path;
    }
    assert.equal(await client.call('Identity', 'Probe'), { ready: { value: true } });
  },
);

t(
  'a read-only controller publish (publish_context.readonly): staged ro, every publish read-only; a stage that differs in it is ALREADY_EXISTS',
  async () => {
    const nbd = await nbdkit('rocp', 64 * MiB);
    const staging = join(dir, 'rocp-staging');
    const target = join(dir, 'pods', 'rocp', 'vol');
    mkdirSync(staging);
    const stage = {
      volumeId: 'rocp',
      stagingTargetPath: staging,
      volumeCapability: mountCap(),
      publishContext: { nbdUrl: nbd.url, readonly: 'true' },
    };
    await twice('NodeStageVolume', stage);
    assert.ok(mountAt(staging)?.options.includes('ro'), 'the staging mount is read-only');
    await refused(
      'NodeStageVolume',
      { ...stage, publishContext: { nbdUrl: nbd.url } },
      grpc.status.ALREADY_EXISTS,
      /staged read-only, asked read-write/,
    );
    await twice('NodePublishVolume', {
      volumeId: 'rocp',
      stagingTargetPath: staging,
      targetPath: target,
      volumeCapability: mountCap(),
      readonly: false,
      publishContext: stage.publishContext,
    });
    assert.ok(existsSync(join(target, 'lost+found')));
    assert.throws(() => writeFileSync(join(target, 'no.txt'), 'x'), /EROFS/);
    await twice('NodeUnpublishVolume', { volumeId: 'rocp', targetPath: target });
    await twice('NodeUnstageVolume', { volumeId: 'rocp', stagingTargetPath: staging });
    nbd.kill();
  },
);

t(
  'any volume_id the spec allows (128 bytes, any printable Unicode, slashes, dots) stages, publishes and unstages',
  async () => {
    const nbd = await nbdkit('odd', 32 * MiB);
    const ids = [`${'\u00e9'.repeat(60)}/../x.y`, '.'.repeat(128), 'Pvc With Spaces & %2F \u{1F600}'];
    for (const id of ids) {
      assert.ok(Buffer.byteLength(id) <= 128, id);
      const staging = join(dir, 'odd-staging');
      const target = join(dir, 'pods', 'odd', 'dev');
      mkdirSync(staging, { recursive: true });
      await twice('NodeStageVolume', {
        volumeId: id,
        stagingTargetPath: staging,
        volumeCapability: blockCap(),
        publishContext: { nbdUrl: nbd.url },
      });
      await twice('NodePublishVolume', {
        volumeId: id,
        stagingTargetPath: staging,
        targetPath: target,
        volumeCapability: blockCap(),
        readonly: false,
      });
      assert.ok(statSync(target).isBlockDevice(), id);
      assert.is(
        (await call<Stats>('NodeGetVolumeStats', { volumeId: id, volumePath: target })).usage[0]!.total,
        32 * MiB,
      );
      await twice('NodeUnpublishVolume', { volumeId: id, targetPath: target });
      await twice('NodeUnstageVolume', { volumeId: id, stagingTargetPath: staging });
      assert.equal(readdirSync(join(stateDir, 'volumes')), [], `no record left of ${id}`);
    }
    nbd.kill();
  },
);

t(
  'NodeUnpublishVolume: a target that is no mount but a directory with files in it is not removed (FAILED_PRECONDITION)',
  async () => {
    const target = join(dir, 'pods', 'full', 'vol');
    mkdirSync(target, { recursive: true });
    writeFileSync(join(target, 'someone-elses.txt'), 'x');
    await refused(
      'NodeUnpublishVolume',
      { volumeId: 'v', targetPath: target },
      grpc.status.FAILED_PRECONDITION,
      /not a mount and not empty/,
    );
    assert.ok(existsSync(join(target, 'someone-elses.txt')));
  },
);

t.run();
