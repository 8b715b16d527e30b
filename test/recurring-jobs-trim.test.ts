// The filesystem-trim recurring job on a real cluster (`cairn up`, 1 node): a volume attached on
// node-1 and staged through node-1's CSI Node service (real ext4 on the NBD export), files
// written then deleted; a filesystem-trim job every 2 s asks node-1 (RecurringJobTrimRequested),
// whose agent runs `fstrim -v` on the staging mount and reports the bytes trimmed, recorded in
// the volume's RecurringJobVolumeDone. A volume that is not attached is done at once with the
// reason. `cairn events` and `cairn audit explain` say both. Everything is read from the log.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { closeSync, fsyncSync, mkdirSync, openSync, rmSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { CsiClient } from '@cairn/csi';
import type { EventEnvelope__Output } from '@cairn/schema/events';
import { eventually, startCluster } from './support/cluster.js';
import { sweep } from './support/sweep.js';
import type { TestCluster } from './support/cluster.js';
import { csiCall } from './support/grpc-types.js';

const MiB = 2 ** 20;
const s = suite('recurring jobs: filesystem-trim');
const cli = (args: string[]) => c.cairn([...args, '--cluster', join(c.dir, 'cluster.json')]);

let c: TestCluster;
let controller: CsiClient;
let node1: CsiClient;
const mountCap = { mount: { fsType: 'ext4' }, accessMode: { mode: 'SINGLE_NODE_WRITER' as const } };

s.before(async () => {
  c = await startCluster(1);
  controller = new CsiClient(c.info.manager.csiEndpoint, 90_000);
  node1 = new CsiClient(c.info.nodes[0]!.csiEndpoint, 90_000);
});

s.after(async () => {
  controller?.close();
  node1?.close();
  if (c) await sweep(c.dir);
  await c?.down();
});

/** The RecurringJobVolumeDone events of `job` on `volume`, with their numbers as numbers. */
const done = (evs: EventEnvelope__Output[], job: string, volume: string) =>
  evs
    .filter(
      (e) =>
        e.payload === 'recurringJobVolumeDone' &&
        e.recurringJobVolumeDone!.job === job &&
        e.recurringJobVolumeDone!.volume === volume,
    )
    .map((e) => ({
      ...e.recurringJobVolumeDone!,
      seq: Number(e.seq),
      cause: e.cause,
      fireMs: Number(e.recurringJobVolumeDone!.fireMs),
      trimmedBytes: Number(e.recurringJobVolumeDone!.trimmedBytes),
    }));

s(
  'a filesystem-trim job: the staged volume on node-1 is trimmed there (bytes > 0), a detached volume is not run with the reason',
  async () => {
    const nodeId = c.info.nodes[0]!.id;
    await c.call('CreateVolume', { name: 'fs', size: 64 * MiB, numberOfReplicas: 1 });
    await c.call('CreateVolume', { name: 'idle', size: 16 * MiB, numberOfReplicas: 1 });
    // What kubelet and the attacher do for a pod on node-1: publish (attach there), stage (mkfs + mount).
    const staging = join(c.dir, 'kubelet', nodeId, 'plugins', 'fs', 'globalmount');
    mkdirSync(staging, { recursive: true });
    const pub = await csiCall(controller, 'Controller', 'ControllerPublishVolume', {
      volumeId: 'fs',
      nodeId,
      volumeCapability: mountCap,
      readonly: false,
    });
    await node1.call('Node', 'NodeStageVolume', {
      volumeId: 'fs',
      publishContext: pub.publishContext,
      stagingTargetPath: staging,
      volumeCapability: mountCap,
    });
    try {
      // Blocks the filesystem used and freed again: what a trim hands back to the volume.
      for (const name of ['a.bin', 'b.bin']) {
        const fd = openSync(join(staging, name), 'w');
        writeSync(fd, randomBytes(4 * MiB));
        fsyncSync(fd);
        closeSync(fd);
      }
      for (const name of ['a.bin', 'b.bin']) rmSync(join(staging, name));
      execFileSync('sync', ['-f', staging]);

      const from = (await c.eventsAfter(0)).length;
      const made = await cli([
        'job',
        'create',
        'trim',
        '--task',
        'filesystem-trim',
        '--cron',
        '*/2 * * * * *',
        '--retain',
        '0',
        '--group',
        'default',
      ]);
      assert.is(made.code, 0, made.stderr);
      const [fsDone, idleDone] = await eventually('a run of job trim done on fs and on idle', 60_000, async () => {
        const evs = await c.eventsAfter(0);
        const a = done(evs, 'trim', 'fs')[0];
        const b = done(evs, 'trim', 'idle')[0];
        return a && b ? [a, b] : null;
      });
      assert.is(fsDone.error, '', 'fs was trimmed');
      assert.ok(fsDone.trimmedBytes > 0, `fstrim trimmed ${fsDone.trimmedBytes} bytes`);
      assert.match(fsDone.cause, /^recurring-job:trim@/, 'caused by the run');
      assert.is(idleDone.error, 'not run: the volume is not attached (a filesystem is trimmed where it is mounted)');
      assert.is(idleDone.trimmedBytes, 0);
      const evs = await c.eventsAfter(0);
      const asked = evs.filter(
        (e) =>
          e.payload === 'recurringJobTrimRequested' &&
          e.recurringJobTrimRequested!.volume === 'fs' &&
          Number(e.recurringJobTrimRequested!.fireMs) === fsDone.fireMs,
      );
      assert.is(asked.length, 1, 'the trim of fs was requested once in that run');
      assert.is(asked[0]!.recurringJobTrimRequested!.nodeId, nodeId, 'of the node fs is attached on');
      assert.ok(Number(asked[0]!.seq) < fsDone.seq, 'requested before it was done');
      assert.ok(Number(asked[0]!.seq) > from, 'after the job was created');
      assert.not.ok(
        evs.some((e) => e.payload === 'recurringJobTrimRequested' && e.recurringJobTrimRequested!.volume === 'idle'),
        'no trim asked of a detached volume',
      );
      assert.is(
        done(evs, 'trim', 'fs').filter((d) => d.fireMs === fsDone.fireMs).length,
        1,
        'one VolumeDone per fire time',
      );

      // What the CLI says of them.
      await c.call('DeleteRecurringJob', { name: 'trim' });
      const log = await cli(['events']);
      assert.match(log.stdout, new RegExp(`trim fs fire=\\S+ fstrim on ${nodeId}`));
      assert.match(log.stdout, /trim fs: trimmed=/);
      assert.match(log.stdout, /trim idle: not run: the volume is not attached/);
      const explain = await cli(['audit', 'explain', 'fs']);
      assert.match(explain.stdout, new RegExp(`recurring job trim run of \\S+: fstrim requested of node ${nodeId}`));
      assert.match(
        explain.stdout,
        new RegExp(`recurring job trim run of \\S+ done: filesystem trimmed, ${fsDone.trimmedBytes} bytes`),
      );
    } finally {
      await node1.call('Node', 'NodeUnstageVolume', { volumeId: 'fs', stagingTargetPath: staging });
      await controller.call('Controller', 'ControllerUnpublishVolume', { volumeId: 'fs', nodeId });
    }
  },
);

s.run();
