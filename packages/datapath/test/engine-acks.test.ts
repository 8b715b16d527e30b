// No acknowledged write lost (issue 13, point 3): the engine acknowledges no mutation after a
// replica left its write set until the replica's failure is recorded (onReplicaFailed's promise
// resolved), retries a lost report, and on open uses cleanShutdown. Real stores on disk, each
// behind its own ReplicaServer over TCP, one of them in a child process killed with SIGKILL.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { BlockError, chooseHealthy, Engine, ReplicaClient, ReplicaServer, ReplicaStore } from '../src/index.js';
import type { EngineReplica } from '../src/index.js';
import { MiB, pattern, scratch } from './replica-support.js';

const SIZE = 16 * MiB;
const SECRET = 'volume-secret';
let dir: string;
let cleanup: () => Promise<void>;
const closers: (() => Promise<unknown>)[] = [];

interface Node {
  id: string;
  store: ReplicaStore;
  server: ReplicaServer;
  address: string;
}

async function node(id: string): Promise<Node> {
  const store = await ReplicaStore.create(join(dir, id), SIZE);
  const server = new ReplicaServer();
  server.addReplica(id, 'vol', store, SECRET);
  const a = await server.listen(0, '127.0.0.1');
  closers.push(
    () => server.close(),
    () => store.close().catch(() => undefined),
  );
  return { id, store, server, address: `${a.host}:${a.port}` };
}

/** A replica server in its own process (a node agent that can be killed for real). */
async function childNode(id: string): Promise<{ child: ChildProcess; address: string }> {
  const script = fileURLToPath(new URL('./replica-server-child.js', import.meta.url));
  const child = spawn(process.execPath, [script, join(dir, id), id, SECRET, String(SIZE)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  closers.push(async () => child.kill('SIGKILL'));
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`replica child exited with ${code}`)));
  });
  return { child, address: `127.0.0.1:${(JSON.parse(line) as { port: number }).port}` };
}

const killed = (child: ChildProcess): Promise<void> =>
  new Promise((r) => {
    if (child.exitCode !== null || child.signalCode !== null) r();
    else child.once('exit', () => r());
  });

async function member(id: string, address: string, local = false): Promise<EngineReplica> {
  return { id, local, replica: await ReplicaClient.connect(address, id, SECRET) };
}

/** A recorder whose answers the test gives by hand: each call waits until the test settles it. */
function recorder() {
  const calls: { id: string; reason: string; resolve: () => void; reject: (e: Error) => void }[] = [];
  const waiters: (() => void)[] = [];
  return {
    calls,
    onReplicaFailed: (id: string, reason: string) =>
      new Promise<void>((resolve, reject) => {
        calls.push({ id, reason, resolve, reject });
        waiters.splice(0).forEach((w) => w());
      }),
    /** Resolves when at least n calls were made. */
    async called(n: number): Promise<void> {
      while (calls.length < n) await new Promise<void>((r) => waiters.push(r));
    },
  };
}

/** A promise's outcome, watchable without awaiting it. */
function track<T>(p: Promise<T>): { settled: () => boolean; done: Promise<T> } {
  let settled = false;
  const done = p.finally(() => (settled = true));
  done.catch(() => undefined);
  return { settled: () => settled, done };
}

/** Resolves once the store holds `data` at `offset` (the write reached that replica's disk). */
async function landed(store: ReplicaStore, offset: number, data: Buffer): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!(await store.read(offset, data.length)).equals(data)) {
    if (Date.now() > deadline)
      throw new Error(`timed out after 30 s waiting for: the write at ${offset} to land on the replica's store`);
    await new Promise((r) => setImmediate(r));
  }
}

const t = suite('engine: acknowledgements wait for recorded failures');
t.before.each(async () => {
  ({ dir, cleanup } = await scratch());
});
t.after.each(async () => {
  for (const c of closers.splice(0).reverse()) await c().catch(() => undefined);
  await cleanup();
});

t("a write whose replica fails is not acknowledged until onReplicaFailed's promise resolves", async () => {
  const [a, b] = await Promise.all([node('r1'), node('r2')]);
  const rec = recorder();
  const engine = await Engine.open('vol', [await member('r1', a.address, true), await member('r2', b.address)], rec);
  closers.push(() => engine.close());
  await engine.write(0, pattern(4096, 1)); // both healthy: no report, acknowledged at once
  assert.is(rec.calls.length, 0);
  // r2's store fails under its (still connected) server: the next write fails there.
  await b.store.close();
  const data = pattern(64 * 1024, 2);
  const w = track(engine.write(MiB, data));
  await rec.called(1);
  assert.is(rec.calls[0]!.id, 'r2');
  assert.match(rec.calls[0]!.reason, /write failed/);
  await landed(a.store, MiB, data); // on the surviving replica...
  await engine.read(0, 4096); // ...and the engine keeps serving reads meanwhile
  assert.is(w.settled(), false, 'acknowledged before the failure was recorded');
  // A write issued now goes to r1 alone and waits as well.
  const w2 = track(engine.write(2 * MiB, pattern(4096, 3)));
  const f = track(engine.flush());
  await landed(a.store, 2 * MiB, pattern(4096, 3));
  await engine.read(0, 4096);
  assert.is(w2.settled(), false);
  assert.is(f.settled(), false, 'a flush is held too');
  assert.equal(engine.unrecordedFailures(), ['r2']);
  rec.calls[0]!.resolve();
  await Promise.all([w.done, w2.done, f.done]);
  assert.equal(engine.unrecordedFailures(), []);
  assert.equal(engine.replicaModes(), { r1: 'healthy', r2: 'failed' });
  await engine.write(3 * MiB, pattern(4096, 4)); // recorded: no more waiting
});

t('a lost report (the recorder rejects twice) delays the ack until a retry records it', async () => {
  const [a, b] = await Promise.all([node('r1'), node('r2')]);
  const rec = recorder();
  const engine = await Engine.open('vol', [await member('r1', a.address), await member('r2', b.address)], rec);
  closers.push(() => engine.close());
  await b.store.close();
  const w = track(engine.trim(0, MiB));
  await rec.called(1);
  rec.calls[0]!.reject(new Error('manager unreachable'));
  await rec.called(2);
  assert.is(w.settled(), false, 'acknowledged after the first report was lost');
  rec.calls[1]!.reject(new Error('leader changed'));
  await rec.called(3);
  assert.is(w.settled(), false, 'acknowledged after the second report was lost');
  assert.ok(
    rec.calls.every((c) => c.id === 'r2' && c.reason === rec.calls[0]!.reason),
    'the same failure is said again',
  );
  rec.calls[2]!.resolve();
  await w.done;
  assert.is(rec.calls.length, 3);
});

t('a closed connection (the replica server SIGKILLed) is treated the same', async () => {
  const a = await node('r1');
  const b = await childNode('r2');
  const rec = recorder();
  const engine = await Engine.open('vol', [await member('r1', a.address, true), await member('r2', b.address)], rec);
  closers.push(() => engine.close());
  await engine.write(0, pattern(4096, 1));
  b.child.kill('SIGKILL');
  await killed(b.child);
  await rec.called(1);
  assert.is(rec.calls[0]!.id, 'r2');
  const data = pattern(8192, 5);
  const w = track(engine.write(4 * MiB, data));
  await landed(a.store, 4 * MiB, data);
  await engine.read(0, 4096); // a round trip to r1 after the write landed: time for an ack to come
  assert.is(w.settled(), false, "acknowledged before r2's death was recorded");
  rec.calls[0]!.resolve();
  await w.done;
});

t('close() while completions are held: they fail, never acknowledged, and the report stops', async () => {
  const [a, b] = await Promise.all([node('r1'), node('r2')]);
  const rec = recorder();
  const engine = await Engine.open('vol', [await member('r1', a.address), await member('r2', b.address)], rec);
  await b.store.close();
  const w = track(engine.write(0, pattern(4096, 6)));
  await rec.called(1);
  rec.calls[0]!.reject(new Error('no manager'));
  await engine.close();
  const err = await w.done.then(
    () => null,
    (e: unknown) => e,
  );
  assert.ok(err instanceof BlockError && err.errno === 'ESHUTDOWN', String(err));
  assert.is(rec.calls.length, 1, 'no report after close');
});

t('markFailed (a running replica the engine does not hold) holds acknowledgements until recorded', async () => {
  const a = await node('r1');
  const rec = recorder();
  const engine = await Engine.open('vol', [await member('r1', a.address)], rec);
  closers.push(() => engine.close());
  engine.markFailed('r9', 'unreachable: connect ECONNREFUSED');
  const ready = track(engine.recorded());
  const w = track(engine.write(0, pattern(4096, 7)));
  await rec.called(1);
  await landed(a.store, 0, pattern(4096, 7));
  await engine.read(0, 4096);
  assert.is(w.settled() || ready.settled(), false);
  rec.calls[0]!.resolve();
  await Promise.all([w.done, ready.done]);
  assert.equal(engine.replicaModes(), { r1: 'healthy' });
});

t('open: replicas left out (stale) are reported, and nothing is acknowledged before that is recorded', async () => {
  const [a, b] = await Promise.all([node('r1'), node('r2')]);
  await a.store.write(0, pattern(4096, 8)); // r1 is one revision ahead
  const rec = recorder();
  const engine = await Engine.open('vol', [await member('r1', a.address), await member('r2', b.address)], rec);
  closers.push(() => engine.close());
  await rec.called(1);
  assert.match(rec.calls[0]!.reason, /stale: revision 0 < 1/);
  const w = track(engine.write(MiB, pattern(4096, 9)));
  await landed(a.store, MiB, pattern(4096, 9));
  await engine.read(0, 4096);
  assert.is(w.settled(), false);
  rec.calls[0]!.resolve();
  await w.done;
});

t(
  'open uses cleanShutdown: equal revisions, one replica SIGKILLed after an unflushed write, not both healthy',
  async () => {
    const a = await node('r1');
    const b = await childNode('r2');
    let engine = await Engine.open('vol', [await member('r1', a.address), await member('r2', b.address)]);
    await engine.write(0, pattern(64 * 1024, 10));
    await engine.flush(); // both at revision 1, persisted
    await engine.close();
    assert.is((await a.store.info()).revision, 1);
    // A write that reached r2 alone and was never acknowledged nor flushed (its engine died),
    // then r2's node dies.
    const c = await ReplicaClient.connect(b.address, 'r2', SECRET);
    await c.write(MiB, pattern(4096, 11));
    assert.is((await c.info()).revision, 2);
    b.child.kill('SIGKILL');
    await killed(b.child);
    await c.close();
    const again = await childNode('r2');
    const info = await (await ReplicaClient.connect(again.address, 'r2', SECRET)).info();
    assert.is(info.revision, 1, 'its persisted revision is that of its last flush');
    assert.is(info.cleanShutdown, false);
    const failed: string[] = [];
    engine = await Engine.open('vol', [await member('r1', a.address), await member('r2', again.address, true)], {
      onReplicaFailed: (id, why) => {
        failed.push(`${id}: ${why}`);
      },
    });
    closers.push(() => engine.close());
    const modes = engine.replicaModes();
    assert.not.equal(modes, { r1: 'healthy', r2: 'healthy' }, 'both served as healthy though they differ at 1 MiB');
    assert.equal(modes, { r1: 'healthy', r2: 'failed' }, 'on a tie the clean replica wins');
    assert.match(failed.join(), /r2: unclean shutdown/);
    assert.ok((await engine.read(MiB, 4096)).equals(Buffer.alloc(4096)), 'reads come from the clean replica');
  },
);

t('a rebuilt replica is clean again (endRebuild clears the unclean mark)', async () => {
  const b = await childNode('r2');
  b.child.kill('SIGKILL');
  await killed(b.child);
  const store = await ReplicaStore.open(join(dir, 'r2'));
  closers.push(() => store.close());
  assert.is((await store.info()).cleanShutdown, false);
  await store.beginRebuild();
  await store.endRebuild(7);
  const info = await store.info();
  assert.is(info.cleanShutdown, true);
  assert.is(info.revision, 7);
});

t(
  'chooseHealthy: all clean -> the highest revision; any unclean -> one chosen, clean ties kept only with a clean choice',
  () => {
    const c = (id: string, revision: number, clean: boolean, local = false, rebuilding = false) => ({
      id,
      local,
      info: { revision, cleanShutdown: clean, rebuilding },
    });
    assert.equal(chooseHealthy([c('a', 5, true), c('b', 5, true), c('c', 4, true)]).healthy, ['a', 'b']);
    assert.equal(chooseHealthy([c('a', 5, true), c('b', 5, false), c('c', 5, true)]).healthy, ['a', 'c']);
    assert.equal(chooseHealthy([c('a', 5, true), c('b', 6, false), c('c', 5, true)]).healthy, ['b']);
    assert.equal(
      chooseHealthy([c('a', 5, false), c('b', 5, false, true)]).healthy,
      ['b'],
      'unclean tie: the local one',
    );
    assert.equal(
      chooseHealthy([c('a', 9, true, false, true), c('b', 1, true)]).healthy,
      ['b'],
      'a rebuilding replica never',
    );
    const r = chooseHealthy([c('a', 5, true), c('b', 5, false), { id: 'x', local: false, error: 'ECONNREFUSED' }]);
    assert.equal(r.dropped.map((d) => d.id).sort(), ['b', 'x']);
    assert.match(r.dropped.find((d) => d.id === 'b')!.reason, /unclean shutdown/);
    assert.equal(chooseHealthy([{ id: 'x', local: false, error: 'down' }]).healthy, []);
  },
);

t.run();
