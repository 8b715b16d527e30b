// Snapshots of a ReplicaStore: what a snapshot reads is what was written before it was taken,
// after later writes, after deleting other snapshots (layer merges), and across reopening;
// checked by hand and against an in-memory model with random operation sequences (fast-check).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { readdir, rm } from 'node:fs/promises';
import { ReplicaError, ReplicaStore } from '../src/index.js';
import { KiB, pattern, scratch } from './replica-support.js';

const test = suite('replica snapshots');
let dir: string;
let cleanup: () => Promise<void>;
test.before.each(async () => {
  ({ dir, cleanup } = await scratch());
});
test.after.each(async () => {
  await cleanup();
});

test('a snapshot reads what was written before it, whatever happens after', async () => {
  const s = await ReplicaStore.create(dir, 64 * KiB);
  const v1 = pattern(64 * KiB, 1);
  await s.write(0, v1);
  const info = await s.snapshot('one');
  assert.is(info.name, 'one');
  assert.is(info.revision, 1);
  await s.write(4096, pattern(8192, 2));
  await s.trim(32 * KiB, 16 * KiB);
  const v2 = await s.read(0, 64 * KiB);
  await s.snapshot('two');
  await s.write(0, pattern(64 * KiB, 3));
  await s.snapshot('three');
  await s.writeZeroes(0, 64 * KiB);
  assert.ok((await s.readSnapshot('one', 0, 64 * KiB)).equals(v1));
  assert.ok((await s.readSnapshot('two', 0, 64 * KiB)).equals(v2));
  assert.ok((await s.readSnapshot('three', 0, 64 * KiB)).equals(pattern(64 * KiB, 3)));
  assert.equal(
    (await s.listSnapshots()).map((x) => x.name),
    ['one', 'two', 'three'],
  );

  await s.deleteSnapshot('two'); // a middle layer merges into 'three'
  assert.ok((await s.readSnapshot('one', 0, 64 * KiB)).equals(v1));
  assert.ok((await s.readSnapshot('three', 0, 64 * KiB)).equals(pattern(64 * KiB, 3)));
  await s.deleteSnapshot('one'); // the base layer merges
  assert.ok((await s.readSnapshot('three', 0, 64 * KiB)).equals(pattern(64 * KiB, 3)));
  assert.equal(await s.read(0, 64 * KiB), Buffer.alloc(64 * KiB));
  await s.deleteSnapshot('three'); // merges into the live head
  assert.equal(await s.read(0, 64 * KiB), Buffer.alloc(64 * KiB));
  assert.equal(await s.listSnapshots(), []);
  assert.equal((await readdir(dir)).filter((n) => n.startsWith('layer-')).length, 2, 'only the head layer is left');
  await s.close();
});

test('snapshots survive reopening; names are unique; deleting an unknown one is ENOENT', async () => {
  const s = await ReplicaStore.create(dir, 64 * KiB);
  await s.write(0, pattern(4096, 1));
  await s.snapshot('a');
  await s.write(0, pattern(4096, 2));
  try {
    await s.snapshot('a');
    assert.unreachable('duplicate name');
  } catch (e) {
    assert.ok(e instanceof ReplicaError && e.code === 'EEXIST');
  }
  try {
    await s.deleteSnapshot('zzz');
    assert.unreachable('unknown name');
  } catch (e) {
    assert.ok(e instanceof ReplicaError && e.code === 'ENOENT');
  }
  await s.close();
  const again = await ReplicaStore.open(dir);
  assert.ok((await again.readSnapshot('a', 0, 4096)).equals(pattern(4096, 1)));
  assert.ok((await again.read(0, 4096)).equals(pattern(4096, 2)));
  await again.close();
});

test('writes go on while a snapshot is taken and while one is merged into the head', async () => {
  const size = 4096 * KiB;
  const s = await ReplicaStore.create(dir, size);
  const model = Buffer.alloc(size);
  let seed = 1;
  const log: [number, Buffer][] = [];
  const writer = async (rounds: number) => {
    for (let i = 0; i < rounds; i++) {
      const off = ((seed * 7919) % 1024) * 4096;
      const d = pattern(4096, seed++);
      d.copy(model, off);
      log.push([off, d]);
      await s.write(off, d);
    }
  };
  await writer(300);
  const before = Buffer.from(model);
  log.length = 0;
  await Promise.all([s.snapshot('mid'), writer(200)]);
  // The snapshot is the volume after some prefix of the writes that raced with it.
  const atSnapshot = await s.readSnapshot('mid', 0, size);
  const state = Buffer.from(before);
  let prefix = atSnapshot.equals(state) ? 0 : -1;
  for (let k = 0; prefix < 0 && k < log.length; k++) {
    log[k]![1].copy(state, log[k]![0]);
    if (atSnapshot.equals(state)) prefix = k + 1;
  }
  assert.ok(prefix >= 0, 'the snapshot is a point in the write sequence');
  await Promise.all([s.deleteSnapshot('mid'), writer(300)]);
  assert.ok((await s.read(0, size)).equals(model), 'the volume holds every write, merged or not');
  await s.close();
});

// ---- model-based: random operations against a byte array per view ----

type Op =
  | { t: 'write' | 'trim' | 'zero'; pos: number; len: number; aligned: boolean; seed: number }
  | { t: 'snapshot' }
  | { t: 'delete'; pick: number }
  | { t: 'resize'; blocks: number }
  | { t: 'reopen' }
  | { t: 'flush' }
  | { t: 'batch'; ops: { t: 'write' | 'trim' | 'zero'; pos: number; len: number; aligned: boolean; seed: number }[] };

const io = fc.record({
  t: fc.constantFrom('write' as const, 'write' as const, 'trim' as const, 'zero' as const),
  pos: fc.nat(),
  len: fc.nat(),
  aligned: fc.boolean(),
  seed: fc.integer({ min: 1, max: 1_000_000 }),
});
const op: fc.Arbitrary<Op> = fc.oneof(
  { arbitrary: io, weight: 8 },
  { arbitrary: fc.constant({ t: 'snapshot' as const }), weight: 3 },
  { arbitrary: fc.record({ t: fc.constant('delete' as const), pick: fc.nat() }), weight: 2 },
  { arbitrary: fc.record({ t: fc.constant('resize' as const), blocks: fc.integer({ min: 1, max: 8 }) }), weight: 1 },
  { arbitrary: fc.constant({ t: 'reopen' as const }), weight: 1 },
  { arbitrary: fc.constant({ t: 'flush' as const }), weight: 1 },
  {
    arbitrary: fc.record({ t: fc.constant('batch' as const), ops: fc.array(io, { minLength: 2, maxLength: 6 }) }),
    weight: 2,
  },
);

/** Where an I/O lands in a volume of `size` bytes. */
function place(o: { pos: number; len: number; aligned: boolean }, size: number): [number, number] {
  if (o.aligned) {
    const blocks = size / 4096;
    const b = o.pos % blocks;
    return [b * 4096, (1 + (o.len % Math.min(6, blocks - b))) * 4096];
  }
  const off = o.pos % size;
  return [off, 1 + (o.len % Math.min(size - off, 20_000))];
}

test('model: random writes, trims, snapshots, deletions, resizes and reopens', async () => {
  let run = 0;
  await fc.assert(
    fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 40, size: 'max' }), async (ops) => {
      const where = `${dir}/run-${run++}`;
      let s = await ReplicaStore.create(where, 16 * 4096);
      let live = Buffer.alloc(16 * 4096);
      const snaps: { name: string; data: Buffer }[] = [];
      let nextName = 0;
      const apply = (o: Extract<Op, { pos: number }>): Promise<void> => {
        const [off, len] = place(o, live.length);
        if (o.t === 'write') {
          const d = pattern(len, o.seed);
          d.copy(live, off);
          return s.write(off, d);
        }
        live.fill(0, off, off + len);
        return o.t === 'trim' ? s.trim(off, len) : s.writeZeroes(off, len);
      };
      try {
        for (const o of ops) {
          switch (o.t) {
            case 'write':
            case 'trim':
            case 'zero':
              await apply(o);
              break;
            case 'batch':
              await Promise.all(o.ops.map(apply));
              break; // issue order is apply order
            case 'snapshot': {
              const name = `s${nextName++}`;
              await s.snapshot(name);
              snaps.push({ name, data: Buffer.from(live) });
              break;
            }
            case 'delete': {
              if (snaps.length === 0) break;
              const [gone] = snaps.splice(o.pick % snaps.length, 1);
              await s.deleteSnapshot(gone!.name);
              break;
            }
            case 'resize': {
              await s.resize(live.length + o.blocks * 4096);
              live = Buffer.concat([live, Buffer.alloc(o.blocks * 4096)]);
              break;
            }
            case 'reopen':
              await s.close();
              s = await ReplicaStore.open(where);
              break;
            case 'flush':
              await s.flush();
              break;
          }
          const got = await s.read(0, live.length);
          if (!got.equals(live)) return false;
          for (const snap of snaps) {
            if (!(await s.readSnapshot(snap.name, 0, snap.data.length)).equals(snap.data)) return false;
          }
          const { extents } = await s.allocatedRanges(0, live.length);
          const mask = Buffer.alloc(live.length);
          for (const e of extents) mask.fill(1, e.offset, e.offset + e.length);
          for (let i = 0; i < live.length; i++) if (live[i] !== 0 && mask[i] === 0) return false;
        }
        return true;
      } finally {
        await s.close();
        await rm(where, { recursive: true, force: true });
      }
    }),
    { numRuns: 100 },
  );
});

test.run();
