// Snapshots survive a rebuild: real stores on disk, each behind its own ReplicaServer on loopback,
// reached by ReplicaClients, an Engine over them. A replica is lost by closing its server (the
// engine sees the connection die and drops it), rebuilt from the survivor, and then read ALONE,
// straight from its store: every snapshot must read as the volume did when it was taken.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cloneFromAny, Engine, ReplicaClient, ReplicaServer, ReplicaStore } from '../src/index.js';
import type { EngineReplica, Replica } from '../src/index.js';
import { MiB, pattern } from './replica-support.js';

const SIZE = 32 * MiB;
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
  return serve(id, store);
}

async function serve(id: string, store: ReplicaStore): Promise<Node> {
  const server = new ReplicaServer();
  server.addReplica(id, 'vol', store, SECRET);
  const a = await server.listen(0, '127.0.0.1');
  return { id, store, server, address: `${a.host}:${a.port}` };
}

async function member(n: Node, wrap: (r: Replica) => Replica = (r) => r): Promise<EngineReplica> {
  return { id: n.id, local: false, replica: wrap(await ReplicaClient.connect(n.address, n.id, SECRET)) };
}

async function shutdown(nodes: Node[]): Promise<void> {
  for (const n of nodes) {
    await n.server.close();
    await n.store.close().catch(() => undefined);
  }
}

/** The volume as a byte array, written alongside the engine: what every view must read. */
class Model {
  readonly bytes = Buffer.alloc(SIZE);
  readonly snaps = new Map<string, Buffer>();
  async write(engine: Engine, offset: number, data: Buffer): Promise<void> {
    await engine.write(offset, data);
    data.copy(this.bytes, offset);
  }
  async snapshot(engine: Engine, name: string): Promise<void> {
    const at = Buffer.from(this.bytes);
    await engine.snapshot(name);
    this.snaps.set(name, at);
  }
}

/** Scattered writes: `count` runs of 4..64 KiB from `seed`, spread over the volume. */
async function scatter(engine: Engine, model: Model, seed: number, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    const len = (1 + ((seed * 7 + i * 13) % 16)) * 4096;
    const off = ((seed * 1_000_003 + i * 7_919) % (SIZE / 4096 - 16)) * 4096;
    await model.write(engine, off, pattern(len, seed * 1000 + i));
  }
}

/** Every snapshot and the live volume, read from this store alone, against the model. */
async function checkAlone(store: ReplicaStore, model: Model, who: string): Promise<void> {
  const names = (await store.listSnapshots()).map((s) => s.name);
  assert.equal(names, [...model.snaps.keys()], `${who}: snapshot names`);
  for (const [name, want] of model.snaps) {
    assert.ok(
      (await store.readSnapshot(name, 0, SIZE)).equals(want),
      `${who}: snapshot ${name} reads as it was when taken`,
    );
  }
  assert.ok((await store.read(0, SIZE)).equals(model.bytes), `${who}: the live volume`);
}

function failures(): { events: { onReplicaFailed: (id: string) => void }; failed: (id: string) => Promise<void> } {
  const waiters = new Map<string, () => void>();
  const seen = new Set<string>();
  return {
    events: {
      onReplicaFailed: (id) => {
        seen.add(id);
        waiters.get(id)?.();
      },
    },
    failed: (id) =>
      seen.has(id)
        ? Promise.resolve()
        : new Promise<void>((r) => {
            waiters.set(id, r);
          }),
  };
}

/** A replica whose first data write (copy or layer write) after arm() waits until release(). */
function gated(r: Replica): { replica: Replica; arm: () => Promise<void>; release: () => void } {
  let armed = false;
  let hit!: () => void;
  let open!: () => void;
  const hitP = new Promise<void>((res) => {
    hit = res;
  });
  const openP = new Promise<void>((res) => {
    open = res;
  });
  const hold = async () => {
    if (!armed) return;
    armed = false;
    hit();
    await openP;
  };
  const replica = new Proxy(r, {
    get(target, prop) {
      const v = Reflect.get(target, prop) as unknown;
      if (typeof v !== 'function') return v;
      const f = (v as (...a: unknown[]) => unknown).bind(target);
      if (prop === 'write' || prop === 'writeParts' || prop === 'writeLayer')
        return async (...a: unknown[]) => {
          await hold();
          return f(...a);
        };
      return f;
    },
  });
  return {
    replica,
    arm: () => {
      armed = true;
      return hitP;
    },
    release: () => open(),
  };
}

const t = suite('rebuild with snapshots');
t.before.each(() => {
  dir = mkdtempSync(join(tmpdir(), 'cairn-rebuild-snap-'));
});
t.after.each(() => {
  rmSync(dir, { recursive: true, force: true });
});

t('snapshot, write, lose a replica, rebuild: the rebuilt replica alone reads every snapshot as it was', async () => {
  const [a, b] = [await node('a'), await node('b')];
  const f = failures();
  const engine = await Engine.open('vol', [await member(a), await member(b)], f.events);
  const model = new Model();
  await scatter(engine, model, 1, 40);
  await model.snapshot(engine, 's1');
  await scatter(engine, model, 2, 40);
  await engine.trim(4 * MiB, 2 * MiB);
  model.bytes.fill(0, 4 * MiB, 6 * MiB);
  await model.snapshot(engine, 's2');
  await scatter(engine, model, 3, 40);
  // b is lost; more snapshots and writes happen without it.
  await b.server.close();
  await f.failed('b');
  await scatter(engine, model, 4, 40);
  await model.snapshot(engine, 's3');
  await scatter(engine, model, 5, 20);
  // A fresh replica c, rebuilt from a.
  const c = await node('c');
  const stats = await engine.rebuild(await member(c), 'a');
  assert.equal(engine.replicaModes(), { a: 'healthy', b: 'failed', c: 'healthy' });
  await checkAlone(c.store, model, 'c (fresh)');
  assert.ok(stats.copiedBytes > 0);
  // And b comes back with its old chain (s1, s2, no s3) and old data: rebuilt by difference.
  const b2 = await serve('b', b.store);
  const delta = await engine.rebuild(await member(b2), 'a');
  await checkAlone(b.store, model, 'b (reused)');
  await checkAlone(a.store, model, 'a (source)');
  assert.ok(
    delta.copiedBytes < stats.copiedBytes,
    `the reused replica moved less (${delta.copiedBytes} < ${stats.copiedBytes})`,
  );
  // No system layer is left behind on any replica.
  for (const n of [a, b, c])
    assert.equal(
      (await n.store.listLayers()).map((l) => l.name),
      ['s1', 's2', 's3'],
      `${n.id}: layers`,
    );
  // The engine reads a snapshot from any of them alone: drop a and read through the engine.
  await engine.close();
  await shutdown([a, b2, c]);
});

t('a snapshot taken while a replica is being rebuilt reads right on every replica', async () => {
  const [a, b] = [await node('a'), await node('b')];
  const f = failures();
  const engine = await Engine.open('vol', [await member(a), await member(b)], f.events);
  const model = new Model();
  await scatter(engine, model, 11, 60);
  await model.snapshot(engine, 's1');
  await scatter(engine, model, 12, 60);
  await b.server.close();
  await f.failed('b');
  const c = await node('c');
  const g = gated(await ReplicaClient.connect(c.address, 'c', SECRET));
  const hit = g.arm();
  const rebuild = engine.rebuild({ id: 'c', local: false, replica: g.replica }, 'a', { windowBytes: 4 * MiB });
  // The copy is held mid-way: write, snapshot (queued behind the window under way), release.
  await Promise.race([hit, rebuild.then(() => assert.unreachable('the rebuild finished without copying'))]);
  await model.write(engine, 20 * MiB, pattern(256 * 1024, 99));
  const snap = model.snapshot(engine, 's2');
  g.release();
  await snap;
  await model.write(engine, 20 * MiB + 8192, pattern(8192, 100));
  await scatter(engine, model, 13, 20);
  await rebuild;
  assert.equal(engine.replicaModes(), { a: 'healthy', b: 'failed', c: 'healthy' });
  assert.ok(
    (await c.store.readSnapshot('s2', 0, SIZE)).equals(model.snaps.get('s2')!),
    'c: the snapshot taken mid-rebuild',
  );
  await checkAlone(c.store, model, 'c');
  await checkAlone(a.store, model, 'a');
  await engine.close();
  await shutdown([a, b, c]);
});

t("a clone from a snapshot after a rebuild holds the snapshot's data", async () => {
  const [a, b] = [await node('a'), await node('b')];
  const f = failures();
  const engine = await Engine.open('vol', [await member(a), await member(b)], f.events);
  const model = new Model();
  await scatter(engine, model, 21, 50);
  await model.snapshot(engine, 's1');
  await scatter(engine, model, 22, 50);
  await b.server.close();
  await f.failed('b');
  const c = await node('c');
  await engine.rebuild(await member(c), 'a');
  await scatter(engine, model, 23, 50);
  // Only the rebuilt replica serves as the clone's source.
  const d = await node('d');
  const clone = await Engine.open('clone', [await member(d)]);
  const r = await cloneFromAny(
    [{ id: 'c', connect: () => ReplicaClient.connect(c.address, 'c', SECRET) }],
    's1',
    clone,
  );
  assert.is(r.from, 'c');
  assert.ok((await clone.read(0, SIZE)).equals(model.snaps.get('s1')!), 'the clone reads as s1 did');
  await clone.close();
  await engine.close();
  await shutdown([a, b, c, d]);
});

t('snapshots are refused system names, and system layers are never listed', async () => {
  const a = await node('a');
  const engine = await Engine.open('vol', [await member(a)]);
  try {
    for (const bad of ['.rebuild-x', '_x', '-x']) {
      await engine.snapshot(bad).then(
        () => assert.unreachable(`${bad} accepted`),
        (e: Error) => assert.match(e.message, /name/),
      );
    }
    await a.store.snapshot('.system');
    await engine.snapshot('s1');
    assert.equal(await engine.listSnapshots(), ['s1']);
    assert.equal(
      (await a.store.listSnapshots()).map((s) => s.name),
      ['s1'],
    );
    assert.equal(
      (await a.store.listLayers()).map((s) => s.name),
      ['.system', 's1'],
    );
    await engine.readSnapshot('.system', 0, 4096).then(
      () => assert.unreachable('system layer read'),
      () => undefined,
    );
    assert.equal(engine.replicaModes(), { a: 'healthy' }, 'a refused name is not a replica failure');
  } finally {
    await engine.close();
    await shutdown([a]);
  }
});

t('a replica lacking a snapshot its peers have is dropped, not given one of newer data', async () => {
  const [a, b] = [await node('a'), await node('b')];
  const f = failures();
  const engine = await Engine.open('vol', [await member(a), await member(b)], f.events);
  await engine.write(0, pattern(8192, 1));
  await engine.flush();
  // s1 was taken on a alone (while the volume was detached and b's node was down, say).
  await a.store.snapshot('s1');
  await engine.write(0, pattern(8192, 2));
  await engine.snapshot('s1');
  await f.failed('b');
  assert.equal(engine.replicaModes(), { a: 'healthy', b: 'failed' });
  assert.equal((await b.store.listSnapshots()).length, 0, 'b was not given s1 from newer data');
  assert.ok((await a.store.readSnapshot('s1', 0, 8192)).equals(pattern(8192, 1)));
  await engine.close();
  await shutdown([a, b]);
});

t.run();
