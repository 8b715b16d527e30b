// file-io.ts: positional I/O that finishes the job, inline (on the calling thread) or through the
// thread pool, and the rule that sends a descriptor's I/O back to the thread pool once inline
// calls have been slow for a while.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { existsSync, readFileSync } from 'node:fs';
import {
  BACKOFF_MS,
  INLINE_MAX_BYTES,
  inlineAllowed,
  makeDir,
  metaCall,
  openFile,
  pieceRuns,
  readFully,
  recordInline,
  renameFile,
  SLOW_MS,
  syncDirShared,
  WRITE_PIECE_BYTES,
  writeFully,
  writePartsFully,
} from '../src/replica/file-io.js';
import type { InlineState } from '../src/replica/file-io.js';
import { KiB, pattern, scratch } from './replica-support.js';

const test = suite('file io');

test('inline and thread-pool reads and writes land at their positions, small and large', async () => {
  const { dir, cleanup } = await scratch();
  try {
    const fh = await open(join(dir, 'f'), 'w+');
    const sizes = [1, 4 * KiB, 100 * KiB, INLINE_MAX_BYTES, INLINE_MAX_BYTES + 4 * KiB, 1024 * KiB];
    let at = 0;
    const written: [number, Buffer][] = [];
    for (const [i, n] of sizes.entries()) {
      for (const inline of [true, false]) {
        const d = pattern(n, i * 2 + (inline ? 1 : 0) + 1);
        await writeFully(fh, d, at + 3, inline); // unaligned on purpose
        written.push([at + 3, d]);
        at += n + 4 * KiB;
      }
    }
    for (const [pos, d] of written) {
      for (const inline of [true, false]) {
        const back = Buffer.alloc(d.length + 2);
        await readFully(fh, back, 1, d.length, pos, inline);
        assert.ok(back.subarray(1, 1 + d.length).equals(d), `${d.length} bytes at ${pos}, inline ${inline}`);
        assert.is(back[0], 0);
      }
    }
    // Past the end of the file: what is there is read, the rest of the buffer stays as it was.
    const size = (await fh.stat()).size;
    for (const inline of [true, false]) {
      const tail = Buffer.alloc(8 * KiB, 0xee);
      await readFully(fh, tail, 0, 8 * KiB, size - 100, inline);
      assert.ok(tail.subarray(0, 100).equals(written.at(-1)![1].subarray(-100)));
      assert.ok(tail.subarray(100).equals(Buffer.alloc(8 * KiB - 100, 0xee)), `inline ${inline}`);
    }
    await fh.close();
  } finally {
    await cleanup();
  }
});

test('writePartsFully: parts of any size land joined at their position, inline and pooled; one pwritev per 64 KiB run', async () => {
  const { dir, cleanup } = await scratch();
  try {
    const fh = await open(join(dir, 'f'), 'w+');
    const cuts = [
      [4 * KiB],
      [60 * KiB, 8 * KiB, 64 * KiB],
      [1, 65535, 65536, 3],
      [200 * KiB],
      [12 * KiB, 4 * KiB, 100 * KiB, 4 * KiB],
    ];
    let at = 0;
    for (const [i, lengths] of cuts.entries()) {
      for (const inline of [true, false]) {
        const parts = lengths.map((n, j) => pattern(n, i * 16 + j * 2 + (inline ? 1 : 0) + 1));
        const joined = Buffer.concat(parts);
        const runs = pieceRuns(parts);
        assert.ok(Buffer.concat(runs.flat()).equals(joined), `runs of ${lengths} join to the parts`);
        runs.forEach((r, k) => {
          const n = r.reduce((a, b) => a + b.length, 0);
          assert.ok(
            k === runs.length - 1 ? n <= WRITE_PIECE_BYTES : n === WRITE_PIECE_BYTES,
            `run ${k} of ${lengths}: ${n} bytes`,
          );
        });
        await writePartsFully(fh, parts, at + 512, inline);
        const back = Buffer.alloc(joined.length + 1024);
        await readFully(fh, back, 0, back.length, at, false);
        assert.ok(
          back.subarray(512, 512 + joined.length).equals(joined),
          `${lengths} at ${at + 512}, inline ${inline}`,
        );
        assert.ok(back.subarray(0, 512).equals(Buffer.alloc(512)), 'nothing before it');
        at += joined.length + 1024;
      }
    }
    await fh.close();
  } finally {
    await cleanup();
  }
});

test('fast inline calls keep I/O inline; a lone slow one (a preemption) does not offload', () => {
  const st: InlineState = { average: 0, offloadUntil: 0 };
  let now = 1000;
  for (let i = 0; i < 1000; i++) recordInline(st, 0.005, (now += 0.01));
  assert.ok(inlineAllowed(st, now));
  recordInline(st, 50, (now += 50)); // one call preempted for 50 ms
  assert.ok(inlineAllowed(st, now), 'one slow call must not offload');
  for (let i = 0; i < 100; i++) recordInline(st, 0.005, (now += 0.01));
  assert.ok(inlineAllowed(st, now));
  assert.ok(st.average < SLOW_MS / 10, `average ${st.average} back down`);
});

test('a run of slow inline calls (a disk being waited for) offloads for BACKOFF_MS, then inline is tried again', () => {
  const st: InlineState = { average: 0, offloadUntil: 0 };
  let now = 1000;
  let calls = 0;
  while (inlineAllowed(st, now)) {
    recordInline(st, 8, (now += 8)); // cache misses on a spinning disk
    calls++;
    assert.ok(calls < 20, 'slow calls never offloaded');
  }
  assert.ok(calls >= 2, `offloaded after ${calls} slow call(s): one is not enough`);
  assert.not.ok(inlineAllowed(st, now + BACKOFF_MS - 1));
  assert.ok(inlineAllowed(st, now + BACKOFF_MS));
  assert.is(st.offloadUntil, 0);
  // Still slow afterwards: offloaded again after another run.
  now += BACKOFF_MS;
  calls = 0;
  while (inlineAllowed(st, now)) {
    recordInline(st, 8, (now += 8));
    calls++;
  }
  assert.ok(calls >= 2 && calls < 20);
});

test('metaCall: inline runs the call before it returns, pooled after; a failure is a rejection either way', async () => {
  const ran: string[] = [];
  const pooled = () =>
    new Promise<string>((ok) =>
      setImmediate(() => {
        ran.push('pooled');
        ok('pooled');
      }),
    );
  const inlined = metaCall(
    true,
    () => {
      ran.push('sync');
      return 'sync';
    },
    pooled,
  );
  assert.equal(ran, ['sync'], 'the inline call ran on this thread, before metaCall returned');
  assert.is(await inlined, 'sync');
  const offloaded = metaCall(
    false,
    () => {
      ran.push('sync');
      return 'sync';
    },
    pooled,
  );
  assert.equal(ran, ['sync'], 'inline = false never calls the sync version');
  assert.is(await offloaded, 'pooled');
  const boom = () => {
    throw Object.assign(new Error('EEXIST: boom'), { code: 'EEXIST' });
  };
  const failed = metaCall(true, boom, pooled);
  await failed.then(
    () => assert.unreachable('resolved'),
    (e: NodeJS.ErrnoException) => assert.is(e.code, 'EEXIST'),
  );
});

test('files by descriptor, inline and pooled: open, write, sync, truncate, rename, mkdir, close', async () => {
  const { dir, cleanup } = await scratch();
  try {
    for (const inline of [true, false]) {
      const sub = join(dir, `d-${inline}`, 'deeper');
      assert.is(await makeDir(sub, inline), join(dir, `d-${inline}`), 'mkdir -p says the first directory it made');
      assert.is(await makeDir(sub, inline), undefined, 'and nothing when it was there');
      const f = await openFile(join(sub, 'a'), 'wx+', inline);
      await writeFully(f, Buffer.from('hello'), 0, inline);
      await f.truncate(3);
      await f.datasync();
      await f.sync();
      await f.close();
      await renameFile(join(sub, 'a'), join(sub, 'b'), inline);
      assert.not.ok(existsSync(join(sub, 'a')));
      assert.is(readFileSync(join(sub, 'b'), 'utf8'), 'hel');
      await openFile(join(sub, 'b'), 'wx+', inline).then(
        () => assert.unreachable('opened'),
        (e: NodeJS.ErrnoException) => assert.is(e.code, 'EEXIST'),
      );
    }
  } finally {
    await cleanup();
  }
});

test('syncDirShared: callers while a sync runs share the one queued after it; a failure reaches its callers', async () => {
  const { dir, cleanup } = await scratch();
  try {
    const calls = Array.from({ length: 8 }, () => syncDirShared(dir));
    assert.is(new Set(calls).size, 2, 'the first starts a sync; the seven after it share the next one');
    assert.ok(calls.slice(2).every((p) => p === calls[1]));
    await Promise.all(calls);
    const again = syncDirShared(dir);
    assert.not.ok(calls.includes(again), 'once both are done, a new call starts a sync of its own');
    await again;
    const missing = join(dir, 'nope');
    const failed = [syncDirShared(missing), syncDirShared(missing)];
    for (const p of failed)
      await p.then(
        () => assert.unreachable('resolved'),
        (e: NodeJS.ErrnoException) => assert.is(e.code, 'ENOENT'),
      );
  } finally {
    await cleanup();
  }
});

test.run();
