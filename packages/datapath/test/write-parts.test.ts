// Writes whose payload spans socket chunks travel as views of those chunks (writeParts) from the
// NBD frontend through the engine and the replica protocol to the stores, never joined. These
// tests check that such payloads arrive intact: regrouped on block boundaries, cut anywhere by the
// frame reader, over older layers, and with many pipelined at once (a part reused or dropped too
// early would show up as wrong data).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  alignParts,
  BLOCK_SIZE,
  Engine,
  NbdServer,
  nbd as P,
  ReplicaClient,
  ReplicaServer,
  ReplicaStore,
} from '../src/index.js';
import type { BlockBackend } from '../src/index.js';
import { FrameReader } from '../src/replica/frame-reader.js';
import { decodeRequest, encodeRequest, Op, REQUEST_HEADER_BYTES } from '../src/replica/protocol.js';
import { RawClient } from './nbd-support.js';
import { KiB, MiB, pattern, scratch } from './replica-support.js';

const test = suite('write parts');
const SECRET = 'volume-secret';

/** `b` cut into parts of the given lengths, cycling (views of `b`). */
function cut(b: Buffer, lengths: number[]): Buffer[] {
  const parts: Buffer[] = [];
  for (let at = 0, i = 0; at < b.length; i++) {
    const n = Math.min(lengths[i % lengths.length]!, b.length - at);
    parts.push(b.subarray(at, at + n));
    at += n;
  }
  return parts;
}

test('alignParts: whole blocks, in order, views where the parts allow', () => {
  const data = pattern(64 * BLOCK_SIZE, 1);
  for (const lengths of [
    [1],
    [4095, 1],
    [100, 5000, 9000],
    [4096],
    [8192, 4096, 12288],
    [65536],
    [3, 65533, 7000, 123456],
    [data.length],
  ]) {
    const parts = cut(data, lengths);
    const out = alignParts(parts, BLOCK_SIZE);
    assert.ok(Buffer.concat(out).equals(data), `cut ${lengths}`);
    for (const b of out) assert.is(b.length % BLOCK_SIZE, 0, `cut ${lengths}: a piece of ${b.length} bytes`);
    if (lengths.every((n) => n % BLOCK_SIZE === 0)) {
      assert.is(out.length, parts.length, 'aligned parts pass through');
      out.forEach((b, i) => assert.ok(b.buffer === data.buffer, `piece ${i} is a view, not a copy`));
    }
  }
  assert.equal(alignParts([], BLOCK_SIZE), []);
  assert.throws(() => alignParts([Buffer.alloc(4096), Buffer.alloc(10)], BLOCK_SIZE), /whole number/);
});

test('frame reader with a parts handler: payloads cut anywhere come out as views that join to the payload', () => {
  const frames: Buffer[] = [];
  const payloads: Buffer[] = [];
  for (let i = 0; i < 40; i++) {
    const payload = pattern(i % 9 === 0 ? 0 : (i * 7919) % 100_000, i + 1);
    payloads.push(payload);
    frames.push(Buffer.concat([encodeRequest(Op.WRITE, 0, i, i * 4096, payload.length, payload.length), payload]));
  }
  const stream = Buffer.concat(frames);
  for (const step of [5, 32, 33, 4096, 65536, stream.length]) {
    const got: { id: number; parts: Buffer[] }[] = [];
    let header: ReturnType<typeof decodeRequest> | undefined;
    const reader = new FrameReader(
      REQUEST_HEADER_BYTES,
      (h, at) => {
        header = decodeRequest(h, at);
        return header.payloadLength;
      },
      () => assert.unreachable('the plain handler is not used'),
      (_h, _at, parts) => {
        got.push({ id: header!.id, parts });
      },
    );
    for (let at = 0; at < stream.length; at += step) reader.push(stream.subarray(at, at + step));
    assert.is(got.length, 40, `step ${step}`);
    got.forEach((f, i) => {
      assert.is(f.id, i);
      assert.ok(Buffer.concat(f.parts).equals(payloads[i]!), `frame ${i}, step ${step}`);
      if (payloads[i]!.length === 0) assert.is(f.parts.length, 0);
      for (const p of f.parts) assert.ok(p.buffer === stream.buffer, 'a view of the chunk, not a copy');
    });
  }
});

test('store.writeParts: over an older layer, aligned or not, reads back as the joined write; one revision each', async () => {
  const { dir, cleanup } = await scratch();
  try {
    const s = await ReplicaStore.create(dir, 4 * MiB);
    const model = pattern(4 * MiB, 1);
    await s.write(0, model);
    await s.snapshot('base');
    const cases: [number, number, number[]][] = [
      [0, 64 * KiB, [65536]],
      [128 * KiB, 200 * KiB, [100, 65436, 65536, 4000, 70000]],
      [1 * MiB, 12 * KiB, [1, 2, 3, 12282]],
      [2 * MiB + 100, 9000, [4000, 5000]], // unaligned: joined, copy-on-write from the snapshot
      [3 * MiB, 8 * KiB + 1, [8193]],
    ];
    for (const [i, [off, len, lengths]] of cases.entries()) {
      const d = pattern(len, 10 + i);
      const before = s.revision;
      await s.writeParts(off, cut(d, lengths), i === 1);
      assert.is(s.revision, before + 1, `case ${i}: one revision`);
      d.copy(model, off);
    }
    assert.ok((await s.read(0, 4 * MiB)).equals(model));
    assert.ok((await s.readSnapshot('base', 0, 4 * MiB)).equals(pattern(4 * MiB, 1)), 'the snapshot is untouched');
    await s.close();
  } finally {
    await cleanup();
  }
});

test('pipelined writeParts through the replica protocol and the engine: every payload intact on every replica', async () => {
  const { dir, cleanup } = await scratch();
  const local = await ReplicaStore.create(`${dir}/a`, 64 * MiB);
  const remote = await ReplicaStore.create(`${dir}/b`, 64 * MiB);
  const server = new ReplicaServer();
  server.addReplica('b', 'vol', remote, SECRET);
  const { port } = await server.listen(0, '127.0.0.1');
  try {
    const client = await ReplicaClient.connect(`127.0.0.1:${port}`, 'b', SECRET);
    const engine = await Engine.open('vol', [
      { id: 'a', replica: local, local: true },
      { id: 'b', replica: client, local: false },
    ]);
    // 300 writes at once, ragged parts, all views of one buffer that stays as it is.
    const source = pattern(300 * 48 * KiB, 7);
    const writes: Promise<void>[] = [];
    for (let i = 0; i < 300; i++) {
      const d = source.subarray(i * 48 * KiB, (i + 1) * 48 * KiB);
      writes.push(engine.writeParts(((i * 7) % 300) * 64 * KiB, cut(d, [1000 + i, 30_000, 4096]), i % 50 === 0));
    }
    await Promise.all(writes);
    for (let i = 0; i < 300; i++) {
      const want = source.subarray(i * 48 * KiB, (i + 1) * 48 * KiB);
      const off = ((i * 7) % 300) * 64 * KiB;
      assert.ok((await local.read(off, 48 * KiB)).equals(want), `write ${i} on the local replica`);
      assert.ok((await remote.read(off, 48 * KiB)).equals(want), `write ${i} on the remote replica`);
    }
    await engine.close();
  } finally {
    await server.close();
    await local.close().catch(() => undefined);
    await remote.close().catch(() => undefined);
    await cleanup();
  }
});

test('NBD: pipelined writes larger than a socket chunk reach a writeParts backend as parts, intact', async () => {
  const { dir, cleanup } = await scratch();
  const store = await ReplicaStore.create(dir, 64 * MiB);
  let partsCalls = 0;
  let multiPart = 0;
  const backend: BlockBackend = {
    size: store.size,
    read: (o, l) => store.read(o, l),
    write: (o, d, f) => store.write(o, d, f),
    writeParts: (o, parts, f) => {
      partsCalls++;
      if (parts.length > 1) multiPart++;
      return store.writeParts(o, parts, f);
    },
    flush: () => store.flush(),
    trim: (o, l) => store.trim(o, l),
    writeZeroes: (o, l, f) => store.writeZeroes(o, l, f),
  };
  const server = new NbdServer({ exports: (n) => (n === 'v' ? backend : undefined) });
  const { port } = await server.listen(0, '127.0.0.1');
  try {
    const c = await RawClient.open(port, 'v');
    const n = 64;
    const len = 200 * KiB;
    const handles = new Set<bigint>();
    for (let i = 0; i < n; i++)
      handles.add(c.send(P.CMD_WRITE, i * 256 * KiB, len, { payload: pattern(len, 100 + i) }));
    for (let i = 0; i < n; i++) {
      const r = await c.reply();
      assert.is(r.error, 0);
      assert.ok(handles.delete(r.handle));
    }
    assert.ok(partsCalls > 0 && multiPart > 0, `${partsCalls} writeParts calls, ${multiPart} with several parts`);
    for (let i = 0; i < n; i++)
      assert.ok((await c.readAt(i * 256 * KiB, len)).equals(pattern(len, 100 + i)), `write ${i}`);
    await c.disconnect();
  } finally {
    await server.close();
    await store.close();
    await cleanup();
  }
});

test.run();
