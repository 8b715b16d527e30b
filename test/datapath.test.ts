// The datapath end to end on `cairn up --detach --nodes 4`: real replicas on the node agents, the
// engine on the attached node, real NBD clients. Issue 5, section 7 (in part).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { execFile, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { eventually, startCluster } from './support/cluster.js';
import type { TestCluster } from './support/cluster.js';
import { snapshotUri } from './support/nbd-uri.js';

const run = promisify(execFile);
const MiB = 2 ** 20;
let c: TestCluster;
let uri = '';
const d = suite('datapath end to end');

d.before(async () => {
  c = await startCluster(4);
  // A failed replica is replaced after 2 s instead of 10 minutes, so the test sees the rebuild.
  await c.call('UpdateSettings', { values: { 'replica-replenishment-wait-interval': '2' } });
});
d.after(async () => {
  await c?.down();
});

const volume = (name = 'data') => c.call('GetVolume', { name });
const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

d('a volume attaches as an NBD export that nbdinfo sees and nbdcopy round-trips 256 MiB through', async () => {
  await c.call('CreateVolume', { name: 'data', size: 256 * MiB, numberOfReplicas: 3 });
  await eventually(
    '3 replicas running',
    20_000,
    async () => (await volume()).replicas.filter((r) => r.state === 'running').length === 3,
  );
  // The CLI waits until the engine serves and prints the NBD URI.
  const att = await c.cairn([
    'volume',
    'attach',
    'data',
    '--node',
    'node-1',
    '-o',
    'json',
    '--cluster',
    join(c.dir, 'cluster.json'),
  ]);
  assert.is(att.code, 0, att.stderr);
  uri = JSON.parse(att.stdout).nbd;
  assert.is((await volume()).endpoint, uri);
  assert.match(uri, /^nbd\+unix:\/\/\/data\?socket=\/.+\/nbd\.sock$/, "served on the node's unix socket");
  const info = await run('nbdinfo', ['--json', uri]);
  const exp = JSON.parse(info.stdout).exports[0];
  assert.is(exp['export-size'], 256 * MiB);
  assert.is(exp['export-name'], 'data');

  const src = join(c.dir, 'in.bin');
  const data = randomBytes(256 * MiB);
  writeFileSync(src, data);
  await run('nbdcopy', [src, uri], { timeout: 120_000 });
  const out = join(c.dir, 'out.bin');
  await run('nbdcopy', [uri, out], { timeout: 120_000 });
  assert.is(sha(readFileSync(out)), sha(data));
});

d(
  'snapshots: data read back through a snapshot is what was written before it; delete merges without changing the volume',
  async () => {
    const before = randomBytes(4 * MiB);
    const after = randomBytes(4 * MiB);
    const pad = (b: Buffer) => Buffer.concat([b, Buffer.alloc(256 * MiB - b.length)]);
    writeFileSync(join(c.dir, 'a.bin'), pad(before));
    writeFileSync(join(c.dir, 'b.bin'), pad(after));
    await run('nbdcopy', [join(c.dir, 'a.bin'), uri], { timeout: 60_000 });
    await c.call('CreateSnapshot', { volume: 'data', name: 's1' });
    const snapUri = snapshotUri(uri, 's1');
    await eventually(
      'the snapshot is served',
      15_000,
      async () =>
        await run('nbdinfo', [snapUri]).then(
          () => true,
          () => false,
        ),
    );
    await run('nbdcopy', [join(c.dir, 'b.bin'), uri], { timeout: 60_000 });
    await run('nbdcopy', [snapUri, join(c.dir, 's1.bin')], { timeout: 60_000 });
    await run('nbdcopy', [uri, join(c.dir, 'now.bin')], { timeout: 60_000 });
    assert.is(
      sha(readFileSync(join(c.dir, 's1.bin')).subarray(0, before.length)),
      sha(before),
      'the snapshot reads as before',
    );
    assert.is(
      sha(readFileSync(join(c.dir, 'now.bin')).subarray(0, after.length)),
      sha(after),
      'the volume reads as now',
    );
    assert.equal(
      (await c.call('ListSnapshots', { name: 'data' })).snapshots.map((x) => x.name),
      ['s1'],
    );
    await c.call('DeleteSnapshot', { volume: 'data', name: 's1' });
    await eventually(
      'the snapshot is gone',
      15_000,
      async () =>
        await run('nbdinfo', [snapUri]).then(
          () => false,
          () => true,
        ),
    );
    await run('nbdcopy', [uri, join(c.dir, 'now2.bin')], { timeout: 60_000 });
    assert.is(
      sha(readFileSync(join(c.dir, 'now2.bin')).subarray(0, after.length)),
      sha(after),
      'deleting the snapshot changed nothing',
    );
  },
);

/** A volume as a block device without the kernel's nbd module: nbdfuse exposes the export as a file, losetup makes it a device. */
async function blockDevice(endpoint: string, dir: string): Promise<{ device: string; release: () => Promise<void> }> {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'nbd');
  const fuse: ChildProcess = spawn('nbdfuse', [file, endpoint], { stdio: 'ignore' });
  await eventually(
    'nbdfuse serves the export as a file',
    15_000,
    async () => existsSync(file) && statSync(file).size > 0,
  );
  const device = (await run('losetup', ['-f', '--show', file])).stdout.trim();
  return {
    device,
    release: async () => {
      await run('losetup', ['-d', device]).catch(() => undefined);
      await run('fusermount3', ['-u', dir]).catch(() => undefined);
      fuse.kill('SIGTERM');
    },
  };
}

d('nbdfuse + losetup + mkfs.ext4 + mount: files survive a detach and an attach on another node', async () => {
  await c.call('CreateVolume', { name: 'fs', size: 256 * MiB, numberOfReplicas: 3 });
  await eventually(
    '3 replicas running',
    20_000,
    async () => (await volume('fs')).replicas.filter((r) => r.state === 'running').length === 3,
  );
  const attach = async (nodeId: string): Promise<string> => {
    await c.call('AttachVolume', { name: 'fs', nodeId });
    return eventually(`attached on ${nodeId}`, 20_000, async () => {
      const x = await volume('fs');
      return x.state === 'attached' && x.attachedTo === nodeId && x.endpoint;
    });
  };
  const mnt = join(c.dir, 'mnt');
  mkdirSync(mnt, { recursive: true });
  const files = new Map(Array.from({ length: 5 }, (_, i) => [`file-${i}.bin`, randomBytes((i + 1) * 512 * 1024)]));

  let dev = await blockDevice(await attach('node-1'), join(c.dir, 'fuse1'));
  try {
    await run('mkfs.ext4', ['-q', '-F', dev.device]);
    await run('mount', [dev.device, mnt]);
    for (const [name, data] of files) writeFileSync(join(mnt, name), data);
    await run('umount', [mnt]);
  } finally {
    await dev.release();
  }
  await c.call('DetachVolume', { name: 'fs' });
  await eventually('detached', 20_000, async () => (await volume('fs')).state === 'detached');

  dev = await blockDevice(await attach('node-2'), join(c.dir, 'fuse2'));
  try {
    await run('mount', [dev.device, mnt]);
    for (const [name, data] of files)
      assert.is(sha(readFileSync(join(mnt, name))), sha(data), `${name} intact on node-2`);
    await run('umount', [mnt]);
  } finally {
    await dev.release();
  }
  await c.call('DetachVolume', { name: 'fs' });
});

d("DeleteVolume removes every replica's data from its node's disk", async () => {
  // The volume of the test before: an ext4 filesystem with files, on 3 replicas.
  await eventually('fs detached', 30_000, async () => (await volume('fs')).state === 'detached');
  const replicas = (await volume('fs')).replicas;
  assert.is(replicas.length, 3);
  const dirs = replicas.map((r) => join(c.info.nodes.find((n) => n.id === r.node)!.disk, 'replicas', r.id));
  for (const dir of dirs) {
    assert.ok(existsSync(dir), `${dir} exists before the delete`);
    const bytes = readdirSync(dir).reduce((sum, f) => sum + statSync(join(dir, f)).blocks * 512, 0);
    assert.ok(bytes > 0, `${dir} holds data (${bytes} bytes allocated)`);
  }
  await c.call('DeleteVolume', { name: 'fs' });
  await eventually(`every replica directory of fs gone (${dirs.join(', ')})`, 60_000, async () =>
    dirs.every((dir) => !existsSync(dir)),
  );
  const gone = await c.call('GetVolume', { name: 'fs' }).then(
    () => null,
    (e: { code: number }) => e.code,
  );
  assert.is(gone, 5, 'GetVolume says NOT_FOUND');
});

d(
  "kill -9 a replica's node agent during a fio verify run: no verify error, degraded, then healthy after the rebuild",
  async () => {
    const v = await volume();
    const victimNode = v.replicas.map((r) => r.node).find((n: string) => n !== 'node-1');
    const victim = c.info.nodes.find((n) => n.id === victimNode)!;
    const fio = run(
      'fio',
      [
        '--name=verify',
        '--ioengine=nbd',
        `--uri=${uri}`,
        '--rw=randwrite',
        '--bs=4k',
        '--size=64M',
        '--iodepth=16',
        '--verify=crc32c',
        '--verify_fatal=1',
        '--do_verify=1',
        `--directory=${c.dir}`,
      ],
      { timeout: 120_000, cwd: c.dir },
    );
    let fioEnded = false;
    void fio.then(
      () => {
        fioEnded = true;
      },
      () => {
        fioEnded = true;
      },
    );
    await new Promise((r) => setTimeout(r, 1000)); // fio under way (64 MiB at QD16 takes several seconds)
    const killedMidRun = !fioEnded;
    process.kill(victim.pid, 'SIGKILL');
    const { stdout } = await fio;
    assert.ok(killedMidRun, 'the node agent was killed while fio was still running');
    assert.match(stdout, /err= 0/);
    assert.not.match(stdout, /verify: bad/);
    // Degraded: the engine saw the replica go and it was recorded (the volume may already be healed
    // by the time fio finishes, so the log is the witness, not the current state).
    const victimReplica = v.replicas.find((r) => r.node === victimNode)!.id;
    await eventually('the failure is recorded', 15_000, async () =>
      (await c.call('ExplainVolume', { name: 'data' })).lines.some(
        (l) => l.replicaId === victimReplica && /^failed: /.test(l.text),
      ),
    );
    const healed = await eventually('a replacement is rebuilt and the volume healthy', 60_000, async () => {
      const x = await volume();
      return x.robustness === 'healthy' && x.replicas.filter((r) => r.state === 'running').length === 3 ? x : null;
    });
    assert.ok(
      healed.replicas.every((r) => r.node !== victimNode || r.state !== 'running'),
      'the replacement is on another node',
    );
    const why = await c.call('ExplainVolume', { name: 'data' });
    assert.ok(
      why.lines.some((l) => /rebuilt: healthy again/.test(l.text)),
      'the audit shows the rebuild',
    );
  },
);

d('with all replicas but one gone the volume is still readable and writable', async () => {
  const v = await volume();
  const others = v.replicas.filter((r) => r.node !== 'node-1' && r.state === 'running').map((r) => r.node);
  assert.is(others.length, 2);
  for (const id of others) process.kill(c.info.nodes.find((n) => n.id === id)!.pid, 'SIGKILL');
  const data = randomBytes(8 * MiB);
  const src = join(c.dir, 'small.bin');
  writeFileSync(src, Buffer.concat([data, Buffer.alloc(256 * MiB - data.length)]));
  await run('nbdcopy', [src, uri], { timeout: 120_000 });
  const out = join(c.dir, 'small-out.bin');
  await run('nbdcopy', [uri, out], { timeout: 120_000 });
  assert.is(sha(readFileSync(out).subarray(0, data.length)), sha(data));
  await eventually('degraded, not faulted', 15_000, async () => (await volume()).robustness === 'degraded');
});

d.run();
