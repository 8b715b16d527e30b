// Datapath fencing by attachment epoch (issue 15, point 7): a replica keeps the highest epoch it
// admitted, durably; an engine of an older attachment is refused at HELLO, and one that opened
// the replica before a newer attachment did gets FencedError (ESTALE) on its next write, flush
// and live read, over the wire and in-process alike. The attack is the review's: an engine on a
// node that was partitioned or stopped keeps writing after the volume was attached elsewhere.
// Real stores on disk behind real ReplicaServers over loopback TCP.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { connect } from 'node:net';
import { join } from 'node:path';
import {
  BlockError,
  Engine,
  FencedError,
  fencedView,
  ReplicaClient,
  ReplicaServer,
  ReplicaStore,
} from '../src/index.js';
import type { EngineReplica } from '../src/index.js';
import { encodeRequest, Op } from '../src/replica/protocol.js';
import { MAX_HELLO_PAYLOAD_BYTES } from '../src/replica/limits.js';
import { MiB, pattern, scratch, sleep } from './replica-support.js';

const SIZE = 16 * MiB;
const SECRET = 'volume-secret';
const test = suite('datapath fencing');
let dir: string;
let cleanup: () => Promise<void>;
const closers: (() => Promise<unknown>)[] = [];

test.before.each(async () => {
  ({ dir, cleanup } = await scratch());
});
test.after.each(async () => {
  for (const c of closers.splice(0).reverse()) await c().catch(() => undefined);
  await cleanup();
});

async function served(
  id: string,
  store?: ReplicaStore,
): Promise<{ store: ReplicaStore; server: ReplicaServer; address: string }> {
  const s = store ?? (await ReplicaStore.create(join(dir, id), SIZE));
  const server = new ReplicaServer();
  server.addReplica(id, 'vol', s, SECRET);
  const a = await server.listen(0, '127.0.0.1');
  closers.push(
    () => server.close(),
    () => s.close(),
  );
  return { store: s, server, address: `${a.host}:${a.port}` };
}

const fenced = (e: unknown): boolean => e instanceof FencedError && e instanceof BlockError && e.errno === 'EIO';

async function refused(p: Promise<unknown>, what: string): Promise<void> {
  try {
    await p;
  } catch (e) {
    assert.ok(fenced(e), `${what}: ${String(e)} is not a FencedError`);
    return;
  }
  assert.unreachable(`${what} succeeded`);
}

test('a newer epoch fences the older connection: its writes, flushes and live reads fail; the newer one works', async () => {
  const { address, store } = await served('r1');
  const old = await ReplicaClient.connect(address, 'r1', SECRET, { epoch: 5 });
  closers.push(() => old.close());
  await old.write(0, pattern(4096, 1));
  await old.flush();
  assert.is(store.epoch, 5);
  const now = await ReplicaClient.connect(address, 'r1', SECRET, { epoch: 7 });
  closers.push(() => now.close());
  assert.is(store.epoch, 7);
  await refused(old.write(0, pattern(4096, 2)), 'a stale write');
  await refused(old.flush(), 'a stale flush');
  await refused(old.read(0, 4096), 'a stale read of the live view');
  await refused(old.trim(0, 4096), 'a stale trim');
  await refused(old.markEngine(false), 'a stale engine mark');
  await refused(old.snapshot('s'), 'a stale snapshot');
  assert.ok(old.isOpen, 'refused, not disconnected: the reply says why');
  await now.write(4096, pattern(4096, 3));
  await now.flush();
  assert.equal(await now.read(0, 4096), pattern(4096, 1), 'the stale write never landed');
  assert.equal(await now.read(4096, 4096), pattern(4096, 3));
});

test('a HELLO with an older epoch is refused, also after the replica restarts (the epoch is in its manifest)', async () => {
  const first = await served('r1');
  const now = await ReplicaClient.connect(first.address, 'r1', SECRET, { epoch: 9 });
  await now.close();
  await refused(ReplicaClient.connect(first.address, 'r1', SECRET, { epoch: 8 }), 'HELLO with epoch 8 after 9');
  await first.server.close();
  await first.store.close();
  const store = await ReplicaStore.open(join(dir, 'r1'));
  assert.is(store.epoch, 9, 'persisted');
  const again = await served('r1', store);
  await refused(ReplicaClient.connect(again.address, 'r1', SECRET, { epoch: 8 }), 'HELLO with epoch 8 after a restart');
  const same = await ReplicaClient.connect(again.address, 'r1', SECRET, { epoch: 9 });
  await same.write(0, pattern(4096, 4)); // the same attachment reconnecting is fine
  await same.close();
});

test('epoch 0 claims nothing: it reads snapshots and info of a fenced replica, never its live view, and never moves the fence', async () => {
  const { address, store } = await served('r1');
  const engine = await ReplicaClient.connect(address, 'r1', SECRET, { epoch: 3 });
  closers.push(() => engine.close());
  await engine.write(0, pattern(8192, 5));
  await engine.snapshot('snap');
  const reader = await ReplicaClient.connect(address, 'r1', SECRET); // a clone source
  closers.push(() => reader.close());
  assert.is(store.epoch, 3);
  assert.equal(await reader.readSnapshot('snap', 0, 8192), pattern(8192, 5));
  assert.equal((await reader.allocatedRanges(0, SIZE, 'snap')).extents.length, 1);
  assert.is((await reader.info()).snapshots.length, 1);
  await refused(reader.read(0, 4096), 'a live read with no claim');
  await refused(reader.write(0, pattern(4096, 6)), 'a write with no claim');
  await engine.write(0, pattern(4096, 7)); // the engine is not fenced by a reader
});

test('an engine fenced by a newer attachment fails its writes with EIO, reports no replica failed, and changes nothing', async () => {
  // Replica a is on the old engine's node (used in-process, as the agent does), b on another.
  const a = await ReplicaStore.create(join(dir, 'a'), SIZE);
  const b = await served('b');
  const aServed = await served('a', a);
  await a.admitEpoch(1);
  const failures: string[] = [];
  let fencedReason = '';
  const oldMembers: EngineReplica[] = [
    { id: 'a', local: true, replica: fencedView(a, 1) },
    { id: 'b', local: false, replica: await ReplicaClient.connect(b.address, 'b', SECRET, { epoch: 1 }) },
  ];
  const old = await Engine.open('vol', oldMembers, {
    onReplicaFailed: (id) => {
      failures.push(id);
    },
    onFenced: (r) => {
      fencedReason = r;
    },
  });
  closers.push(() => old.close());
  await old.write(0, pattern(65536, 1));
  // The volume is attached elsewhere (epoch 2): that engine reaches both replicas over the wire.
  const now = await Engine.open('vol', [
    { id: 'a', local: false, replica: await ReplicaClient.connect(aServed.address, 'a', SECRET, { epoch: 2 }) },
    { id: 'b', local: false, replica: await ReplicaClient.connect(b.address, 'b', SECRET, { epoch: 2 }) },
  ]);
  closers.push(() => now.close());
  await now.write(0, pattern(65536, 2));
  // The old engine resumes: its write fails, on the local replica as on the remote one.
  try {
    await old.write(0, pattern(65536, 3));
    assert.unreachable('the fenced engine acknowledged a write');
  } catch (e) {
    assert.ok(fenced(e), String(e));
  }
  assert.ok(old.fenced);
  assert.match(fencedReason, /attached elsewhere/);
  await refused(old.flush(), "the fenced engine's flush");
  await refused(old.read(0, 4096), "the fenced engine's read");
  await refused((async () => old.write(65536, pattern(4096, 4)))(), 'a later write');
  await sleep(50);
  assert.equal(failures, [], 'no replica reported failed by the fenced engine');
  assert.equal(old.replicaModes(), { a: 'healthy', b: 'healthy' }, 'nothing dropped');
  await old.close(); // and its close does not clear the new engine's marks
  assert.ok((await b.store.info()).engineOpen && (await a.info()).engineOpen, "the new engine's session marks stay");
  assert.equal(await now.read(0, 65536), pattern(65536, 2));
  // (The new engine opened on one of the two, both marked by the old session, and left the other
  // to be rebuilt: either way neither holds anything the fenced engine wrote after.)
  const modes = now.replicaModes();
  for (const [id, data] of [
    ['a', await a.read(0, 65536)],
    ['b', await b.store.read(0, 65536)],
  ] as const) {
    assert.not.equal(data, pattern(65536, 3), `replica ${id} holds the fenced engine's write`);
    if (modes[id] === 'healthy') assert.equal(data, pattern(65536, 2), `replica ${id} holds the new engine's data`);
  }
});

test('an engine of an older epoch does not open on a replica that admitted a newer one', async () => {
  const a = await ReplicaStore.create(join(dir, 'a'), SIZE);
  closers.push(() => a.close());
  await a.admitEpoch(4);
  await refused(a.admitEpoch(3), 'admitting an older epoch');
  await refused(
    Engine.open('vol', [{ id: 'a', local: true, replica: fencedView(a, 3) }]),
    'opening an engine of epoch 3',
  );
  assert.not.ok((await a.info()).engineOpen, 'the stale engine left no mark');
});

test("before HELLO the frame cap is exact: HELLO's largest size passes the header check, one byte more closes the connection", async () => {
  const { address } = await served('r1');
  const [host, port] = [address.split(':')[0]!, Number(address.split(':')[1])];
  // Still open after 500 ms counts as waited for (a slow server can only make that look right);
  // a close is waited for up to 30 s, so a slow server cannot make a refusal look like a wait.
  const outcome = async (payload: number, waitMs: number): Promise<'closed' | 'open'> => {
    const s = connect({ host, port });
    s.on('error', () => undefined);
    const closed = new Promise<'closed'>((r) => s.once('close', () => r('closed')));
    await new Promise((r) => s.once('data', r)); // the greeting
    s.write(encodeRequest(Op.HELLO, 0, 1, 0, 0, payload)); // the header only: the payload never comes
    const r = await Promise.race([closed, sleep(waitMs).then(() => 'open' as const)]);
    s.destroy();
    return r;
  };
  assert.is(await outcome(MAX_HELLO_PAYLOAD_BYTES, 500), 'open', 'the largest real HELLO is waited for');
  assert.is(await outcome(MAX_HELLO_PAYLOAD_BYTES + 1, 30_000), 'closed', 'one byte more is refused on its header');
});

test.run();
