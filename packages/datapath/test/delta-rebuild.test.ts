// Delta rebuild, measured: a 1 GiB volume written in full on two replicas, one of them lost, 1% of
// the volume rewritten in scattered 4 KiB blocks, the lost one back with its old data. Every byte
// that crosses between the engine and the replicas during the rebuild (data read and written,
// hashes) is counted at the replica clients, over real TCP to real stores, and must stay <= 5% of
// the volume; the rebuilt replica must then read exactly as the source.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Engine, ReplicaClient, ReplicaServer, ReplicaStore } from '../src/index.js';
import type { Replica } from '../src/index.js';
import { MiB } from './replica-support.js';

const run = promisify(execFile);
const GiB = 1024 * MiB;
const SIZE = GiB;
const SECRET = 'volume-secret';
let dir: string;

/** Counts the bytes of every data and hash transfer through a replica while `on`. */
class Meter {
  on = false;
  bytes = 0;
  wrap(r: Replica): Replica {
    const count = (n: number) => {
      if (this.on) this.bytes += n;
    };
    return new Proxy(r, {
      get(target, prop) {
        const v = Reflect.get(target, prop) as unknown;
        if (typeof v !== 'function') return v;
        const f = (v as (...a: unknown[]) => unknown).bind(target);
        switch (prop) {
          case 'read':
          case 'readSnapshot':
          case 'hashBlocks':
            return async (...a: unknown[]) => {
              const b = (await f(...a)) as Buffer;
              count(b.length);
              return b;
            };
          case 'write':
            return (off: number, data: Buffer, fua?: boolean) => {
              count(data.length);
              return f(off, data, fua);
            };
          case 'writeParts':
            return (off: number, parts: Buffer[], fua?: boolean) => {
              count(parts.reduce((n, p) => n + p.length, 0));
              return f(off, parts, fua);
            };
          case 'writeLayer':
            return (layer: string, off: number, data: Buffer) => {
              count(data.length);
              return f(layer, off, data);
            };
          default:
            return f;
        }
      },
    });
  }
}

async function serve(id: string, store: ReplicaStore): Promise<{ server: ReplicaServer; address: string }> {
  const server = new ReplicaServer();
  server.addReplica(id, 'vol', store, SECRET);
  const a = await server.listen(0, '127.0.0.1');
  return { server, address: `${a.host}:${a.port}` };
}

/** Whether two stores read alike, 64 MiB at a time. */
const same = async (x: ReplicaStore, y: ReplicaStore): Promise<boolean> => {
  for (let at = 0; at < SIZE; at += 64 * MiB)
    if (!(await x.read(at, 64 * MiB)).equals(await y.read(at, 64 * MiB))) return false;
  return true;
};

const t = suite('delta rebuild');
t.before.each(() => {
  dir = mkdtempSync(join(tmpdir(), 'cairn-delta-'));
});
t.after.each(() => {
  rmSync(dir, { recursive: true, force: true });
});

t('after 1% of a 1 GiB volume changed in scattered 4 KiB writes, the rebuild moves <= 5% of it', async () => {
  // The same full 1 GiB on both: written once, the replica's directory copied (as if an engine
  // had written both; a copy by the kernel is much faster than a second write from here).
  const first = await ReplicaStore.create(join(dir, 'a'), SIZE);
  for (let at = 0; at < SIZE; at += 16 * MiB) await first.write(at, randomBytes(16 * MiB));
  await first.close();
  await run('cp', ['-r', '--sparse=always', join(dir, 'a'), join(dir, 'b')]);
  const a = await ReplicaStore.open(join(dir, 'a'));
  const b = await ReplicaStore.open(join(dir, 'b'));
  const sa = await serve('a', a);
  let sb = await serve('b', b);
  const meter = new Meter();
  let lost!: () => void;
  const bLost = new Promise<void>((r) => {
    lost = r;
  });
  const engine = await Engine.open(
    'vol',
    [
      { id: 'a', local: false, replica: meter.wrap(await ReplicaClient.connect(sa.address, 'a', SECRET)) },
      { id: 'b', local: false, replica: meter.wrap(await ReplicaClient.connect(sb.address, 'b', SECRET)) },
    ],
    {
      onReplicaFailed: (id) => {
        if (id === 'b') lost();
      },
    },
  );
  await sb.server.close();
  await bLost;
  // 1% of the volume: 2621 distinct 4 KiB blocks anywhere, not one run.
  const blocks = new Set<number>();
  while (blocks.size < Math.floor((SIZE / 4096) * 0.01)) blocks.add(Math.floor(Math.random() * (SIZE / 4096)));
  const changed = blocks.size * 4096;
  await Promise.all([...blocks].map((blk) => engine.write(blk * 4096, randomBytes(4096))));
  sb = await serve('b', b);
  meter.on = true;
  const started = Date.now();
  const stats = await engine.rebuild(
    { id: 'b', local: false, replica: meter.wrap(await ReplicaClient.connect(sb.address, 'b', SECRET)) },
    'a',
  );
  const ms = Date.now() - started;
  meter.on = false;
  const pct = (100 * meter.bytes) / SIZE;
  console.log(
    `delta rebuild: ${changed} bytes changed, ${meter.bytes} bytes crossed (${pct.toFixed(2)}% of the volume; ` +
      `copied ${stats.copiedBytes}, hashes ${stats.hashBytes}, compared ${stats.comparedBytes}) in ${ms} ms`,
  );
  assert.ok(pct <= 5, `moved ${pct.toFixed(2)}% of the volume`);
  assert.ok(stats.copiedBytes >= changed, 'every changed block was copied');
  assert.equal(engine.replicaModes(), { a: 'healthy', b: 'healthy' });
  assert.ok(await same(b, a), 'the rebuilt replica reads as the source');
  // The reference snapshot is gone again, merged down cheaply: one layer left on each.
  assert.equal((await a.listLayers()).length, 0);
  assert.equal((await b.listLayers()).length, 0);
  await engine.close();
  await sa.server.close();
  await sb.server.close();
  await a.close();
  await b.close();
});

t.run();
