// A fast-check model of rebuild with snapshots: random writes (partial blocks included), trims,
// snapshots and deletions before a replica is lost, while it is away, and interleaved with its
// rebuild; afterwards every view (each snapshot and the live volume) read from each replica's
// store ALONE must equal a byte-array model. Real stores on disk in a temp dir; the engine holds
// the stores themselves (in-process, as the agent holds a local one).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { join } from 'node:path';
import { Engine, ReplicaStore } from '../src/index.js';
import { KiB, MiB, pattern, scratch } from './replica-support.js';

const SIZE = 4 * MiB;

type Op =
  | { k: 'write'; off: number; len: number; seed: number }
  | { k: 'trim'; off: number; len: number }
  | { k: 'snap' }
  | { k: 'del'; pick: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      k: fc.constant('write' as const),
      off: fc.integer({ min: 0, max: SIZE - 1 }),
      len: fc.integer({ min: 1, max: 96 * KiB }),
      seed: fc.integer({ min: 1, max: 1e6 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      k: fc.constant('trim' as const),
      off: fc.integer({ min: 0, max: SIZE - 1 }),
      len: fc.integer({ min: 1, max: 256 * KiB }),
    }),
  },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('snap' as const) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('del' as const), pick: fc.nat() }) },
);

class Model {
  bytes = Buffer.alloc(SIZE);
  snaps = new Map<string, Buffer>();
  private n = 0;

  async apply(engine: Engine, o: Op): Promise<void> {
    switch (o.k) {
      case 'write': {
        const len = Math.min(o.len, SIZE - o.off);
        const data = pattern(len, o.seed);
        await engine.write(o.off, data);
        data.copy(this.bytes, o.off);
        return;
      }
      case 'trim': {
        const len = Math.min(o.len, SIZE - o.off);
        await engine.trim(o.off, len);
        this.bytes.fill(0, o.off, o.off + len);
        return;
      }
      case 'snap': {
        const name = `s${++this.n}`;
        const at = Buffer.from(this.bytes);
        await engine.snapshot(name);
        this.snaps.set(name, at);
        return;
      }
      case 'del': {
        const names = [...this.snaps.keys()];
        if (names.length === 0) return;
        const name = names[o.pick % names.length]!;
        await engine.deleteSnapshot(name);
        this.snaps.delete(name);
      }
    }
  }
}

async function checkAlone(store: ReplicaStore, model: Model, who: string): Promise<void> {
  assert.equal(
    (await store.listSnapshots()).map((s) => s.name),
    [...model.snaps.keys()],
    `${who}: snapshots`,
  );
  assert.equal((await store.listLayers()).length, model.snaps.size, `${who}: no system layer left`);
  for (const [name, want] of model.snaps)
    assert.ok((await store.readSnapshot(name, 0, SIZE)).equals(want), `${who}: ${name}`);
  assert.ok((await store.read(0, SIZE)).equals(model.bytes), `${who}: live volume`);
}

const t = suite('rebuild model');

t(
  'random writes, trims, snapshots and deletions around and during a rebuild: every view equal on every replica',
  async () => {
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(op, { maxLength: 12 }),
        fc.array(op, { maxLength: 12 }),
        fc.array(op, { maxLength: 16 }),
        fc.boolean(),
        async (before, away, during, fresh) => {
          runs++;
          const { dir, cleanup } = await scratch();
          const a = await ReplicaStore.create(join(dir, 'a'), SIZE);
          let b = await ReplicaStore.create(join(dir, 'b'), SIZE);
          const model = new Model();
          try {
            let engine = await Engine.open('vol', [
              { id: 'a', local: true, replica: a },
              { id: 'b', local: false, replica: b },
            ]);
            for (const o of before) await model.apply(engine, o);
            await engine.close();
            // b is gone: the volume goes on with a alone (the engine closed the stores it held).
            await b.close().catch(() => undefined);
            const aa = await ReplicaStore.open(join(dir, 'a'));
            let copying!: () => void;
            const midway = new Promise<void>((r) => {
              copying = r;
            });
            engine = await Engine.open('vol', [{ id: 'a', local: true, replica: aa }], {
              onRebuildProgress: (_id, pct) => {
                if (pct > 0) copying();
              },
            });
            for (const o of away) await model.apply(engine, o);
            // b comes back with its old chain and data, or a fresh replica takes its place.
            b = fresh ? await ReplicaStore.create(join(dir, 'c'), SIZE) : await ReplicaStore.open(join(dir, 'b'));
            const rebuild = engine.rebuild({ id: 'b', local: false, replica: b }, 'a', { windowBytes: 512 * KiB });
            // Half of these race the rebuild's first steps, half start once the layers are being copied.
            const half = Math.floor(during.length / 2);
            for (const o of during.slice(0, half)) await model.apply(engine, o);
            await Promise.race([midway, rebuild]);
            for (const o of during.slice(half)) await model.apply(engine, o);
            await rebuild;
            assert.equal(engine.replicaModes(), { a: 'healthy', b: 'healthy' });
            await checkAlone(aa, model, 'a');
            await checkAlone(b, model, 'b');
            await engine.close();
          } finally {
            await cleanup();
          }
        },
      ),
      { numRuns: Number(process.env.CAIRN_MODEL_RUNS ?? 40) },
    );
    assert.ok(runs >= 1);
  },
);

t.run();
