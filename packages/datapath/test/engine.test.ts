// The engine over real replicas: stores on disk, each behind its own ReplicaServer on loopback (as
// on three nodes), reached with ReplicaClients; and served over NBD to nbdcopy.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createHash, randomBytes } from 'node:crypto';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Engine, NbdServer, ReplicaClient, ReplicaServer, ReplicaStore } from '../src/index.js';
import type { EngineReplica } from '../src/index.js';
import { until, Valve } from './valve.js';

const run = promisify(execFile);
const MiB = 2 ** 20;
const SIZE = 64 * MiB;
const SECRET = 'volume-secret';
let dir: string;

interface Node {
  id: string;
  store: ReplicaStore;
  server: ReplicaServer;
  address: string;
}

async function node(id: string, size = SIZE): Promise<Node> {
  const store = await ReplicaStore.create(join(dir, id), size);
  const server = new ReplicaServer();
  server.addReplica(id, 'vol', store, SECRET);
  const a = await server.listen(0, '127.0.0.1');
  return { id, store, server, address: `${a.host}:${a.port}` };
}

async function member(n: Node, local = false): Promise<EngineReplica> {
  return { id: n.id, local, replica: await ReplicaClient.connect(n.address, n.id, SECRET) };
}

async function shutdown(nodes: Node[]): Promise<void> {
  for (const n of nodes) {
    await n.server.close();
    await n.store.close().catch(() => undefined);
  }
}

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

async function contents(n: Node): Promise<string> {
  return sha(await n.store.read(0, n.store.size ?? SIZE));
}

const e = suite('engine');
e.before.each(() => {
  dir = mkdtempSync(join(tmpdir(), 'cairn-engine-'));
});
e.after.each(() => {
  rmSync(dir, { recursive: true, force: true });
});

e('writes through the engine: every replica ends with the same data, and reads return it', async () => {
  const nodes = await Promise.all(['r1', 'r2', 'r3'].map((id) => node(id)));
  const engine = await Engine.open('vol', [
    await member(nodes[0]!, true),
    await member(nodes[1]!),
    await member(nodes[2]!),
  ]);
  const writes: Promise<void>[] = [];
  for (let i = 0; i < 64; i++) writes.push(engine.write(i * 512 * 1024, randomBytes(256 * 1024), i % 8 === 0));
  await Promise.all(writes);
  await engine.flush();
  const [a, b, c] = await Promise.all(nodes.map(contents));
  assert.is(a, b);
  assert.is(b, c);
  assert.is(sha(await engine.read(0, SIZE)), a);
  await engine.close();
  await shutdown(nodes);
});

e(
  'acknowledged only when every replica has it: a write held on its way to one replica stays unacknowledged until released',
  async () => {
    // A slow replica: r3 is reached through a proxy that holds what the engine sends. The two
    // others take the write; its promise must not resolve until r3 has it too.
    const nodes = await Promise.all(['r1', 'r2', 'r3'].map((id) => node(id)));
    const valve = new Valve(nodes[2]!.address);
    await valve.listen();
    const slow: EngineReplica = {
      id: 'r3',
      local: false,
      replica: await ReplicaClient.connect(valve.address, 'r3', SECRET),
    };
    const engine = await Engine.open('vol', [await member(nodes[0]!, true), await member(nodes[1]!), slow]);
    await engine.write(0, randomBytes(4096)); // everything flows before the hold
    const data = randomBytes(64 * 1024);
    const off = 3 * MiB;
    const has = async (n: Node) => (await n.store.read(off, data.length)).equals(data);
    valve.hold();
    let acked = false;
    const write = engine.write(off, data).then(() => {
      acked = true;
    });
    await until(
      "r1 and r2 have the write and r3's copy waits in the proxy",
      async () => (await has(nodes[0]!)) && (await has(nodes[1]!)) && valve.heldBytes >= data.length,
    );
    // Let r1's and r2's replies reach the engine: a read served by the local replica r1 comes back
    // after its write's reply on the same connection.
    await engine.read(off, 4096);
    for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
    assert.not.ok(acked, 'the write was acknowledged while r3 did not have it');
    assert.not.ok(await has(nodes[2]!), 'r3 does not have it yet');
    valve.release();
    await write;
    assert.ok(await has(nodes[2]!), 'once acknowledged, r3 has it too');
    assert.equal(engine.replicaModes(), { r1: 'healthy', r2: 'healthy', r3: 'healthy' });
    await engine.close();
    await valve.close();
    await shutdown(nodes);
  },
);

e('a replica that dies is dropped and reported; the volume goes on with the others, then with one', async () => {
  const nodes = await Promise.all(['r1', 'r2', 'r3'].map((id) => node(id)));
  const failed: string[] = [];
  const engine = await Engine.open('vol', await Promise.all(nodes.map((n, i) => member(n, i === 0))), {
    onReplicaFailed: (id) => {
      failed.push(id);
    },
  });
  const expected = Buffer.alloc(SIZE);
  let stop = false;
  let written = 0;
  const writer = (async () => {
    for (let i = 0; !stop; i++) {
      const off = ((i * 7919) % (SIZE / (64 * 1024))) * 64 * 1024;
      const data = randomBytes(64 * 1024);
      await engine.write(off, data);
      data.copy(expected, off);
      written++;
    }
  })().catch((e: unknown) => {
    writerError = e;
  });
  // Events, not clocks: each step waits until 10 more writes have been acknowledged.
  let writerError: unknown = null;
  const acked = async (n: number): Promise<void> => {
    const target = written + n;
    const deadline = Date.now() + 30_000;
    while (written < target) {
      if (writerError) throw writerError;
      if (Date.now() > deadline)
        throw new Error(`timed out after 30 s waiting for: ${n} more writes acknowledged (${written} so far)`);
      await new Promise((r) => setImmediate(r));
    }
  };
  await acked(10);
  await nodes[1]!.server.close(); // a node dies under load
  await acked(10);
  await nodes[2]!.server.close(); // and another: one replica is left
  await acked(10);
  stop = true;
  await writer;
  if (writerError) throw writerError;
  assert.ok(written >= 30, `${written} writes acknowledged`);
  assert.equal(failed.sort(), ['r2', 'r3']);
  assert.equal(engine.replicaModes(), { r1: 'healthy', r2: 'failed', r3: 'failed' });
  assert.is(sha(await engine.read(0, SIZE)), sha(expected), 'every acknowledged write is there');
  await engine.close();
  await shutdown(nodes);
});

e('rebuild: a new replica joins write-only, gets live writes and the copy, then is identical', async () => {
  const nodes = await Promise.all(['r1', 'r2'].map((id) => node(id)));
  const progress: number[] = [];
  const rebuilt: string[] = [];
  const engine = await Engine.open('vol', await Promise.all(nodes.map((n, i) => member(n, i === 0))), {
    onRebuildProgress: (_, p) => progress.push(p),
    onReplicaRebuilt: (id) => rebuilt.push(id),
  });
  for (let i = 0; i < 32; i++) await engine.write(i * MiB, randomBytes(512 * 1024));
  const fresh = await node('r3');
  let stop = false;
  const live = (async () => {
    // The volume stays writable during the rebuild; these writes race the copy on purpose.
    for (let i = 0; !stop; i++) await engine.write(((i * 37) % 60) * MiB + 4096, randomBytes(128 * 1024));
  })();
  await engine.rebuild(await member(fresh));
  stop = true;
  await live;
  await engine.flush();
  assert.equal(rebuilt, ['r3']);
  assert.is(progress[progress.length - 1], 100);
  assert.is(engine.replicaModes()['r3'], 'healthy');
  const [a, b, c] = await Promise.all([...nodes, fresh].map(contents));
  assert.is(c, a, 'the rebuilt replica equals the source');
  assert.is(b, a);
  assert.is((await fresh.store.info()).rebuilding, false);
  assert.is((await fresh.store.info()).revision, (await nodes[0]!.store.info()).revision);
  await engine.close();
  await shutdown([...nodes, fresh]);
});

e(
  'a rebuild whose source dies mid-copy fails cleanly; a later one from another source succeeds, data equal',
  async () => {
    // r1, the chosen source, is reached through a proxy that is cut while the copy is under way.
    const nodes = await Promise.all(['r1', 'r2'].map((id) => node(id)));
    const valve = new Valve(nodes[0]!.address);
    await valve.listen();
    const source: EngineReplica = {
      id: 'r1',
      local: false,
      replica: await ReplicaClient.connect(valve.address, 'r1', SECRET),
    };
    const failed: string[] = [];
    let cutAt: number | null = null;
    const engine = await Engine.open('vol', [source, await member(nodes[1]!)], {
      onReplicaFailed: (id) => {
        failed.push(id);
      },
      onRebuildProgress: (id, p) => {
        if (id === 'r3' && cutAt === null && p > 0 && p < 100) {
          cutAt = p;
          valve.cut();
        }
      },
    });
    for (let i = 0; i < 48; i++) await engine.write(i * MiB, randomBytes(MiB));
    const first = await node('r3');
    let error: unknown = null;
    await engine.rebuild(await member(first), 'r1', { windowBytes: MiB }).catch((e: unknown) => {
      error = e;
    });
    assert.ok(cutAt !== null, 'the source was cut while the copy was under way (progress strictly between 0 and 100)');
    assert.ok(error instanceof Error, 'the rebuild failed');
    assert.match(String(error), /r1|EIO|source/i);
    assert.ok(failed.includes('r1'), `the dead source is reported failed (${failed.join(',')})`);
    assert.is.not(engine.replicaModes()['r3'], 'healthy');
    assert.is((await first.store.info()).rebuilding, true, 'the half-copied replica stays marked rebuilding');
    // The volume goes on with r2; a new rebuild takes r2 as its source.
    await engine.write(5 * MiB, randomBytes(64 * 1024));
    const second = await node('r4');
    await engine.rebuild(await member(second));
    await engine.flush();
    assert.is(engine.replicaModes()['r4'], 'healthy');
    assert.is(await contents(second), await contents(nodes[1]!), 'the rebuilt replica equals its source');
    assert.is((await second.store.info()).rebuilding, false);
    await engine.close();
    await valve.close();
    await shutdown([...nodes, first, second]);
  },
);

e('a restarted engine trusts only the replicas with the highest revision', async () => {
  const nodes = await Promise.all(['r1', 'r2'].map((id) => node(id)));
  let engine = await Engine.open('vol', await Promise.all(nodes.map((n) => member(n))));
  await engine.write(0, randomBytes(4096));
  await engine.flush();
  await engine.close();
  // r2 misses writes (as if it had been down), then the engine restarts with both.
  engine = await Engine.open('vol', [await member(nodes[0]!)]);
  await engine.write(8192, randomBytes(4096));
  await engine.flush();
  await engine.close();
  const failed: string[] = [];
  engine = await Engine.open('vol', await Promise.all(nodes.map((n) => member(n))), {
    onReplicaFailed: (id, why) => {
      failed.push(`${id}: ${why}`);
    },
  });
  assert.equal(engine.replicaModes(), { r1: 'healthy', r2: 'failed' });
  assert.match(failed[0]!, /r2: stale: revision \d+ < \d+/);
  await engine.close();
  await shutdown(nodes);
});

e('served over NBD: nbdcopy round trip of 32 MiB through three replicas', async () => {
  const nodes = await Promise.all(['r1', 'r2', 'r3'].map((id) => node(id)));
  const engine = await Engine.open('vol', await Promise.all(nodes.map((n, i) => member(n, i === 0))));
  const nbd = new NbdServer({ exports: (name) => (name === 'vol' ? engine : undefined) });
  const a = await nbd.listen(0, '127.0.0.1');
  const uri = `nbd://127.0.0.1:${a.port}/vol`;
  const src = join(dir, 'in.bin');
  const data = Buffer.concat([randomBytes(32 * MiB), Buffer.alloc(SIZE - 32 * MiB)]);
  writeFileSync(src, data);
  await run('nbdcopy', [src, uri], { timeout: 60_000 });
  const out = join(dir, 'out.bin');
  await run('nbdcopy', [uri, out], { timeout: 60_000 });
  assert.is(sha(readFileSync(out)), sha(data));
  await engine.flush();
  for (const n of nodes) assert.is(await contents(n), sha(data), `${n.id} holds the data`);
  await nbd.close();
  await engine.close();
  await shutdown(nodes);
});

e.run();
