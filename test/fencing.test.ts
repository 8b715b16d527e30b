// Datapath fencing end to end (issue 15, point 7) on `cairn up --detach --nodes 3`: the review's
// attack is an engine on a node that is partitioned but alive, still writing after its volume was
// attached elsewhere. Here node-1's agent (its engine, its NBD server) is frozen with SIGSTOP while
// fio writes through it; node-1 goes down on its lease, the volume is detached and attached on
// node-2, which writes and verifies its own data; then node-1 resumes with fio's writes still
// queued at its NBD server. The replicas have admitted node-2's attachment epoch: node-1's engine
// is refused (its fio sees I/O errors), and node-2's data (then node-3's reading of it) passes
// fio's verify: nothing of node-1's writes mixed in.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { execFile, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import type { ServiceError } from '@grpc/grpc-js';
import type { EventEnvelope__Output } from '@cairn/schema/events';
import { eventually, startCluster } from './support/cluster.js';
import { handshakeGo, NBD, NbdWire, readSimpleReply, request } from './support/fuzz-nbd.js';
import type { TestCluster } from './support/cluster.js';

const run = promisify(execFile);
const MiB = 2 ** 20;
let c: TestCluster;
const f = suite('datapath fencing end to end');
const stopped: number[] = [];
const children: ChildProcess[] = [];

f.before(async () => {
  c = await startCluster(3);
});
f.after(async () => {
  for (const pid of stopped) {
    try {
      process.kill(pid, 'SIGCONT');
    } catch {
      /* gone */
    }
  }
  for (const ch of children) ch.kill('SIGKILL');
  await c?.down();
});

const volume = (name: string) => c.call('GetVolume', { name });

/**
 * The same job each time: node-2's writes over the whole volume, 64 KiB blocks with crc32c headers
 * (one stale 4 KiB write inside a block breaks its checksum), or reading them back (verify_only).
 * Sequential, so that node-1 stays frozen for less than its replica connections' request timeout
 * (30 s): they are still open when it resumes, as a partitioned engine's would be.
 */
const verifyJob = (uri: string, verifyOnly: boolean): string[] => [
  '--name=owner',
  '--ioengine=nbd',
  `--uri=${uri}`,
  '--rw=write',
  '--bs=64k',
  '--size=64M',
  '--iodepth=8',
  '--verify=crc32c',
  '--verify_fatal=1',
  '--do_verify=1',
  ...(verifyOnly ? ['--verify_only'] : []),
  `--directory=${c.dir}`,
];

/** Attaches `moved` on `node` and resolves with its export once it is attached there. */
async function attachOn(node: string, withinMs: number): Promise<string> {
  await c.call('AttachVolume', { name: 'moved', nodeId: node });
  return eventually(`attached on ${node}`, withinMs, async () => {
    const v = await volume('moved');
    return v.state === 'attached' && v.attachedTo === node && v.endpoint;
  });
}

/** Resolves with the next event of the log (from `seq` on) that `match` accepts. */
function nextEvent(
  seq: number,
  match: (e: EventEnvelope__Output) => boolean,
): { event: Promise<EventEnvelope__Output>; cancel: () => void } {
  const stream = c.admin().WatchEvents({ fromSeq: seq + 1, follow: true });
  const event = new Promise<EventEnvelope__Output>((resolve, reject) => {
    stream.on('data', (e: EventEnvelope__Output) => {
      if (match(e)) resolve(e);
    });
    stream.on('error', (e: ServiceError) => {
      if (e.code !== 1) reject(e);
    });
  });
  return { event, cancel: () => stream.cancel() };
}

f(
  "a stopped engine resumed after its volume was attached elsewhere: its writes are refused, the new owner's data verifies",
  async () => {
    await c.call('CreateVolume', { name: 'moved', size: 64 * MiB, numberOfReplicas: 3 });
    await eventually(
      '3 replicas running',
      90_000,
      async () => (await volume('moved')).replicas.filter((r) => r.state === 'running').length === 3,
    );
    const placed = (await volume('moved')).replicas.map((r) => r.node).sort();
    assert.equal(
      placed,
      ['node-1', 'node-2', 'node-3'],
      'one replica per node: node-2 and node-3 hold the ones the new engine reaches',
    );

    const uriA = await attachOn('node-1', 30_000);
    const nodeA = c.info.nodes.find((n) => n.id === 'node-1')!;

    // Node-1's writer: 4 KiB random writes of 0xaa bytes for as long as it is let.
    const fioA = spawn(
      'fio',
      [
        '--name=stale',
        '--ioengine=nbd',
        `--uri=${uriA}`,
        '--rw=randwrite',
        '--bs=4k',
        '--size=64M',
        '--iodepth=16',
        '--time_based',
        '--runtime=300',
        '--buffer_pattern=0xaa',
        '--eta=always',
        '--eta-newline=1',
        '--eta-interval=250ms',
      ],
      { cwd: c.dir },
    );
    children.push(fioA);
    let outA = '';
    fioA.stdout.on('data', (d) => (outA += d));
    fioA.stderr.on('data', (d) => (outA += d));
    const exitA = new Promise<number>((r) => fioA.on('close', (code) => r(code ?? 1)));
    await eventually('fio writes through node-1', 30_000, async () => /\[w=[1-9]\d*(\.\d+)?k? IOPS\]/.test(outA));

    // A second writer on node-1's export, ready before the freeze: its writes are sent while the
    // agent is frozen, so they wait in its socket, ahead of anything the control plane says to it
    // later (a partitioned node would hear nothing at all).
    const stale = await NbdWire.open(uriA);
    await handshakeGo(stale, 'moved', false, 10_000);

    // Freeze node-1's agent mid-write; its lease runs out and the control plane marks it down.
    const before = await volume('moved');
    const down = nextEvent(before.seq, (e) => e.nodeDown?.nodeId === 'node-1');
    process.kill(nodeA.pid, 'SIGSTOP');
    stopped.push(nodeA.pid);
    const STALE_WRITES = 16;
    for (let i = 0; i < STALE_WRITES; i++) {
      stale.write(
        Buffer.concat([request(NBD.CMD_WRITE, 0, BigInt(i + 1), BigInt(i * 4 * MiB), 4096), Buffer.alloc(4096, 0xaa)]),
      );
    }
    await down.event;
    down.cancel();

    // The volume moves: detached at once (its node is down), attached on node-2 (a new epoch).
    await c.call('DetachVolume', { name: 'moved' });
    await eventually('detached', 20_000, async () => (await volume('moved')).state === 'detached');
    const uriB = await attachOn('node-2', 60_000);
    const wrote = await run('fio', verifyJob(uriB, false), { timeout: 180_000, cwd: c.dir });
    assert.match(wrote.stdout, /err= 0/, 'node-2 wrote and verified its data');

    // Node-1 resumes: fio's writes queued at its NBD server reach its engine, whose replicas on
    // node-2 and node-3 have admitted node-2's epoch.
    process.kill(nodeA.pid, 'SIGCONT');
    stopped.splice(stopped.indexOf(nodeA.pid), 1);
    const replies: (number | string)[] = [];
    for (let i = 0; i < STALE_WRITES; i++) {
      const r = await readSimpleReply(stale, 60_000);
      replies.push(typeof r === 'string' ? r : r.error);
    }
    stale.destroy();
    // Refused, each of them, by the replicas' fence (EIO); once the agent has heard it lost the
    // volume it stops the engine and drops the export, so a late one may see the connection close
    // instead. None is acknowledged.
    assert.ok(
      replies.every((r) => r === NBD.EIO || r === 'closed'),
      `node-1 acknowledged a stale write or failed it otherwise: ${replies.join(', ')}`,
    );
    assert.is(replies[0], NBD.EIO, `the first stale write is refused with EIO: ${replies.join(', ')}`);
    const code = await Promise.race([exitA, new Promise<number>((r) => setTimeout(() => r(-1), 60_000))]);
    assert.ok(code !== 0 && code !== -1, `node-1's fio exits on an error (exit ${code}):\n${outA.slice(-2000)}`);
    assert.match(outA, /error/i, "node-1's NBD client saw its writes fail");

    // Nothing of node-1's mixed in: node-2's data verifies where it is written (node-2 reads its
    // local replica), and on node-3 (which reads its own).
    const again = await run('fio', verifyJob(uriB, true), { timeout: 180_000, cwd: c.dir });
    assert.match(again.stdout, /err= 0/, "node-2's data verifies after node-1 resumed");
    // And it was the fence that refused them (not, say, the engine stopping first).
    await eventually("node-1's agent says its engine was fenced", 30_000, async () =>
      /engine of moved: volume moved: fenced, attached elsewhere/.test(readFileSync(nodeA.log, 'utf8')),
    );
    await c.call('DetachVolume', { name: 'moved' });
    await eventually('detached from node-2', 30_000, async () => (await volume('moved')).state === 'detached');
    const uriC = await attachOn('node-3', 60_000);
    const third = await run('fio', verifyJob(uriC, true), { timeout: 180_000, cwd: c.dir });
    assert.match(third.stdout, /err= 0/, "node-2's data verifies read on node-3");
    await c.call('DetachVolume', { name: 'moved' });
  },
);

f.run();
