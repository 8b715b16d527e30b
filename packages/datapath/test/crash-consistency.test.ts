// Crash consistency of the replica store and what reaches it (issue 13, point 4), on real files:
// the order of the real fdatasyncs and map writes of a flush (recorded by wrapping node:fs, the
// real calls still made), a map header whose pages did not all reach the disk, NBD's NO_HOLE
// through the whole chain (NBD client, engine, replica protocol, store: st_blocks), one revision
// bump per request whatever its size and transport, and trims that spawn no process.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import cp from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { cp as copyDir, open as openFile, stat } from 'node:fs/promises';
import { syncBuiltinESMExports } from 'node:module';
import { connect } from 'node:net';
import { join } from 'node:path';
import { Engine, NbdServer, nbd as P, ReplicaClient, ReplicaServer, ReplicaStore } from '../src/index.js';
import { MAP_PAGES_OFFSET } from '../src/replica/map-header.js';
import { MAP_PAGE_BYTES } from '../src/replica/layer-map.js';
import { fallocateUnavailable } from '../src/replica/punch.js';
import { RawClient } from './nbd-support.js';
import { newNonce, proof } from '../src/replica/auth.js';
import { FrameReader } from '../src/replica/frame-reader.js';
import * as R from '../src/replica/protocol.js';
import { KiB, MiB, pattern, scratch } from './replica-support.js';

const GiB = 1024 * MiB;
const PAGE_SPAN = MAP_PAGE_BYTES * 4 * 4096; // volume bytes one map page covers (64 MiB)
const test = suite('crash consistency');
let dir: string;
let cleanup: () => Promise<void>;
test.before.each(async () => {
  ({ dir, cleanup } = await scratch());
});
test.after.each(async () => {
  await cleanup();
});

// ---- recording the real file calls ----

interface FileEvent {
  kind: 'sync-start' | 'sync-end' | 'write';
  file: string;
  position: number;
}

/** Records fdatasync (start and end) and positional writes on files under `under`, by file name. */
function recordFileCalls(under: string): { events: FileEvent[]; stop: () => void } {
  const events: FileEvent[] = [];
  const real = { fdatasync: fs.fdatasync, write: fs.write, writeSync: fs.writeSync };
  const name = (fd: number): string | null => {
    try {
      const path = fs.readlinkSync(`/proc/self/fd/${fd}`);
      return path.startsWith(under) ? path.slice(under.length + 1) : null;
    } catch {
      return null;
    }
  };
  const position = (args: unknown[]): number => (typeof args[3] === 'number' ? args[3] : -1);
  const patched = {
    fdatasync(fd: number, cb: (err: NodeJS.ErrnoException | null) => void): void {
      const file = name(fd);
      if (file) events.push({ kind: 'sync-start', file, position: -1 });
      real.fdatasync(fd, (err) => {
        if (file) events.push({ kind: 'sync-end', file, position: -1 });
        cb(err);
      });
    },
    write(fd: number, ...args: unknown[]): void {
      const file = name(fd);
      if (file) events.push({ kind: 'write', file, position: position(args) });
      (real.write as (...a: unknown[]) => void)(fd, ...args);
    },
    writeSync(fd: number, ...args: unknown[]): number {
      const file = name(fd);
      if (file) events.push({ kind: 'write', file, position: position(args) });
      return (real.writeSync as (...a: unknown[]) => number)(fd, ...args);
    },
  };
  Object.assign(fs, patched);
  syncBuiltinESMExports(); // file-io.ts imports these by name: its bindings now see the wrappers
  return {
    events,
    stop: () => {
      Object.assign(fs, real);
      syncBuiltinESMExports();
    },
  };
}

/**
 * Checks the flush rounds in `events` (head layer 1): every map write comes after the data
 * file's fdatasync of its round has ended, and before that round's map fdatasync. Returns the
 * number of rounds (map syncs) and of data syncs.
 */
function checkRounds(events: FileEvent[]): { rounds: number; dataSyncs: number } {
  let dataSyncEnded = false; // in the current round
  let dataSyncRunning = false;
  let rounds = 0;
  let dataSyncs = 0;
  for (const [i, e] of events.entries()) {
    if (e.file === 'layer-1.data' && e.kind === 'sync-start') {
      dataSyncRunning = true;
      dataSyncs++;
    }
    if (e.file === 'layer-1.data' && e.kind === 'sync-end') {
      dataSyncRunning = false;
      dataSyncEnded = true;
    }
    if (e.file === 'layer-1.map' && e.kind === 'write') {
      assert.ok(
        dataSyncEnded && !dataSyncRunning,
        `event ${i}: a map write (at ${e.position}) before the data file's fdatasync of its round ended: ${JSON.stringify(events)}`,
      );
    }
    if (e.file === 'layer-1.map' && e.kind === 'sync-end') {
      rounds++;
      dataSyncEnded = false;
    }
  }
  return { rounds, dataSyncs };
}

test('a flush syncs the data file before any map page or header of its round is written', async () => {
  const s = await ReplicaStore.create(dir, 256 * MiB);
  // Blocks in three map pages, so the flush has pages as well as a header to write.
  for (const at of [0, PAGE_SPAN, 2 * PAGE_SPAN + 8 * KiB]) await s.write(at, pattern(64 * KiB, at + 1));
  const rec = recordFileCalls(dir);
  try {
    await s.flush();
  } finally {
    rec.stop();
  }
  const mapWrites = rec.events.filter((e) => e.file === 'layer-1.map' && e.kind === 'write');
  assert.ok(
    mapWrites.some((e) => e.position >= MAP_PAGES_OFFSET),
    'the flush wrote map pages',
  );
  assert.ok(
    mapWrites.some((e) => e.position < MAP_PAGES_OFFSET),
    'the flush wrote a header',
  );
  const { rounds, dataSyncs } = checkRounds(rec.events);
  assert.is(rounds, 1);
  assert.is(dataSyncs, 1, 'a flush costs two fdatasyncs: the data file and the map file');
  await s.close();
});

test('FUA writes racing each other share rounds and keep data before map; close too', async () => {
  const s = await ReplicaStore.create(dir, 256 * MiB);
  const rec = recordFileCalls(dir);
  try {
    await Promise.all(
      Array.from({ length: 16 }, (_, i) => s.write(i * 16 * MiB + 4 * KiB, pattern(8 * KiB, i + 1), true)),
    );
    await s.write(3 * PAGE_SPAN, pattern(4 * KiB, 99)); // then a plain write, made durable by close
    await s.close();
  } finally {
    rec.stop();
  }
  const { rounds, dataSyncs } = checkRounds(rec.events);
  // 16 FUA writes at once share rounds (group commit: usually 1 or 2), then close has its own.
  assert.ok(rounds >= 2 && rounds < 17, `16 FUA writes at once and close: ${rounds} rounds`);
  assert.is(dataSyncs, rounds);
  const again = await ReplicaStore.open(dir);
  assert.ok((await again.read(3 * PAGE_SPAN, 4 * KiB)).equals(pattern(4 * KiB, 99)));
  await again.close();
});

test('an idle flush writes and syncs nothing', async () => {
  const s = await ReplicaStore.create(dir, 64 * MiB);
  await s.write(0, pattern(4 * KiB, 1), true);
  const rec = recordFileCalls(dir);
  try {
    await s.flush();
    await s.flush();
  } finally {
    rec.stop();
  }
  assert.equal(rec.events, []);
  await s.close();
});

test('a map header whose pages did not all reach the disk is not believed: the revision before it', async () => {
  const s = await ReplicaStore.create(join(dir, 'r'), 256 * MiB);
  await s.write(0, pattern(4 * KiB, 1));
  await s.flush();
  const first = s.revision;
  await s.write(PAGE_SPAN, pattern(4 * KiB, 2)); // a block in a map page not yet on disk
  await s.flush();
  const second = s.revision;
  assert.ok(second > first);
  // "Crash" now: the files as they are (the store is still open, nothing more is written), twice.
  await copyDir(join(dir, 'r'), join(dir, 'whole'), { recursive: true });
  await copyDir(join(dir, 'r'), join(dir, 'lost'), { recursive: true });
  await s.close();
  // In one copy the second flush's new map page is lost, as a disk may lose it when the header
  // written beside it in the same round survives.
  const map = await openFile(join(dir, 'lost', 'layer-1.map'), 'r+');
  await map.write(Buffer.alloc(MAP_PAGE_BYTES), 0, MAP_PAGE_BYTES, MAP_PAGES_OFFSET + MAP_PAGE_BYTES);
  await map.close();

  const whole = await ReplicaStore.open(join(dir, 'whole'));
  assert.is(whole.revision, second, 'with every page there, the last flush is believed');
  assert.is(whole.cleanShutdown, false);
  assert.ok((await whole.read(PAGE_SPAN, 4 * KiB)).equals(pattern(4 * KiB, 2)));
  await whole.close();

  const lost = await ReplicaStore.open(join(dir, 'lost'));
  assert.is(lost.revision, first, 'the header that vouched for the lost page is not believed');
  assert.is(lost.cleanShutdown, false);
  assert.ok((await lost.read(0, 4 * KiB)).equals(pattern(4 * KiB, 1)), 'what the believed revision covers is there');
  await lost.close();
  // Opening wrote a header that matches the pages: believed from now on, cleanly closed.
  const reopened = await ReplicaStore.open(join(dir, 'lost'));
  assert.is(reopened.revision, first);
  assert.is(reopened.cleanShutdown, true);
  await reopened.close();
});

test('a map written before headers carried a digest (version 1) is believed as it is', async () => {
  const s = await ReplicaStore.create(dir, 256 * MiB);
  await s.write(PAGE_SPAN, pattern(4 * KiB, 3));
  await s.close();
  // Both slots as version 1 wrote them (no digest of the pages), revision 41 in the newer one.
  const v1 = (seq: number, revision: number): Buffer => {
    const b = Buffer.alloc(512);
    b.write('CAIRNMAP', 0, 'latin1');
    b.writeUInt32LE(1, 8);
    b.writeUInt32LE(1, 12); // clean
    b.writeUInt32LE(seq, 16);
    b.writeUInt32LE(revision, 24);
    createHash('sha256').update(b.subarray(0, 40)).digest().copy(b, 40, 0, 16);
    return b;
  };
  const map = await openFile(join(dir, 'layer-1.map'), 'r+');
  await map.write(v1(100, 40), 0, 512, 0);
  await map.write(v1(101, 41), 0, 512, 512);
  await map.close();
  const again = await ReplicaStore.open(dir);
  assert.is(again.revision, 41);
  assert.is(again.cleanShutdown, true);
  assert.ok((await again.read(PAGE_SPAN, 4 * KiB)).equals(pattern(4 * KiB, 3)));
  await again.write(0, pattern(4 * KiB, 4), true); // from now on version 2 headers
  await again.close();
  const third = await ReplicaStore.open(dir);
  assert.is(third.revision, 42);
  assert.is(third.cleanShutdown, true);
  await third.close();
});

// ---- NO_HOLE ----

const allocated = async (path: string): Promise<number> => (await stat(path)).blocks * 512;

test('write-zeroes with keepAllocated leaves the range allocated and reading as zeroes (store)', async () => {
  const s = await ReplicaStore.create(dir, 64 * MiB);
  const data = join(dir, 'layer-1.data');
  await s.write(0, pattern(2 * MiB, 3), true);
  const written = await allocated(data);
  assert.ok(written >= 2 * MiB);
  await s.writeZeroes(0, 1 * MiB, true, true);
  assert.ok((await allocated(data)) >= written, `NO_HOLE kept the space: ${await allocated(data)} of ${written}`);
  assert.ok((await s.read(0, 1 * MiB)).equals(Buffer.alloc(1 * MiB)));
  assert.ok((await s.read(1 * MiB, 1 * MiB)).equals(pattern(2 * MiB, 3).subarray(1 * MiB)));
  // A range never written becomes allocated; without the flag, space is released.
  await s.writeZeroes(8 * MiB + 512, 1 * MiB, false, true);
  assert.ok((await allocated(data)) >= written + 1 * MiB - 4 * KiB, 'a NO_HOLE range never written is allocated');
  const beforePunch = await allocated(data);
  await s.writeZeroes(1 * MiB, 1 * MiB, true);
  assert.ok((await allocated(data)) <= beforePunch - 1 * MiB, 'without NO_HOLE the range is punched');
  await s.close();
  const again = await ReplicaStore.open(dir);
  assert.ok((await again.read(0, 10 * MiB)).equals(Buffer.alloc(10 * MiB)));
  await again.close();
});

test('NBD WRITE_ZEROES with NO_HOLE keeps the range allocated on every replica (NBD, engine, replica protocol)', async () => {
  const local = await ReplicaStore.create(join(dir, 'a'), 64 * MiB);
  const remote = await ReplicaStore.create(join(dir, 'b'), 64 * MiB);
  const server = new ReplicaServer();
  server.addReplica('b', 'vol', remote, 'secret');
  const { port } = await server.listen(0, '127.0.0.1');
  const client = await ReplicaClient.connect(`127.0.0.1:${port}`, 'b', 'secret');
  const engine = await Engine.open('vol', [
    { id: 'a', local: true, replica: local },
    { id: 'b', local: false, replica: client },
  ]);
  const nbd = new NbdServer({ exports: (name) => (name === 'vol' ? engine : undefined) });
  const { port: nbdPort } = await nbd.listen(0, '127.0.0.1');
  const files = [join(dir, 'a', 'layer-1.data'), join(dir, 'b', 'layer-1.data')];
  try {
    const c = await RawClient.open(nbdPort, 'vol');
    assert.is(await c.writeAt(0, pattern(1 * MiB, 5)), 0);
    const before = await Promise.all(files.map(allocated));
    assert.is((await c.call(P.CMD_WRITE_ZEROES, 0, 1 * MiB, { flags: P.CMD_FLAG_NO_HOLE })).error, 0);
    assert.is(
      (await c.call(P.CMD_WRITE_ZEROES, 4 * MiB, 1 * MiB, { flags: P.CMD_FLAG_NO_HOLE | P.CMD_FLAG_FUA })).error,
      0,
    );
    assert.ok((await c.readAt(0, 8 * MiB)).equals(Buffer.alloc(8 * MiB)));
    for (const [i, f] of files.entries()) {
      const now = await allocated(f);
      assert.ok(now >= before[i]! + 1 * MiB, `${f}: ${now} bytes allocated, ${before[i]} before NO_HOLE zeroes`);
    }
    // The same request without NO_HOLE releases the space on both.
    assert.is((await c.call(P.CMD_WRITE_ZEROES, 0, 8 * MiB)).error, 0);
    for (const f of files) assert.ok((await allocated(f)) < 1 * MiB, `${f}: punched`);
    await c.disconnect();
  } finally {
    await nbd.close();
    await engine.close();
    await server.close();
    await Promise.all([local.close(), remote.close()]);
  }
});

// ---- one revision bump per request ----

test('a trim or write-zeroes over 2 GiB bumps the revision once, through a client as on a local store', async () => {
  const size = 8 * GiB;
  const local = await ReplicaStore.create(join(dir, 'local'), size);
  const remote = await ReplicaStore.create(join(dir, 'remote'), size);
  const server = new ReplicaServer();
  server.addReplica('r', 'vol', remote, 'secret');
  const { port } = await server.listen(0, '127.0.0.1');
  const client = await ReplicaClient.connect(`127.0.0.1:${port}`, 'r', 'secret');
  try {
    for (const target of [local, client]) {
      for (const at of [0, 3 * GiB, 5 * GiB, 7 * GiB]) await target.write(at, pattern(4 * KiB, 7));
      await target.trim(0, 6 * GiB); // three pieces on the wire
      await target.writeZeroes(2 * GiB + 4 * KiB, 4 * GiB + 4 * KiB, true); // three pieces, FUA
      await target.writeZeroes(1 * GiB, 4 * GiB + 8 * KiB); // three pieces
      await target.trim(6 * GiB, 4 * KiB); // one piece
    }
    assert.is(local.revision, 8, 'four writes and four range requests');
    assert.is(remote.revision, local.revision, 'the remote store bumped once per request, as the local one');
    assert.is((await client.info()).revision, local.revision);
    for (const at of [3 * GiB, 5 * GiB]) assert.ok((await client.read(at, 4 * KiB)).equals(Buffer.alloc(4 * KiB)));
    assert.ok((await client.read(7 * GiB, 4 * KiB)).equals(pattern(4 * KiB, 7)));
    // Both flushed their revision: after a clean close both reopen equal, so an engine opening
    // over them would trust both instead of rebuilding one for nothing.
    await client.flush();
    await local.flush();
  } finally {
    await client.close();
    await server.close();
    await Promise.all([local.close(), remote.close()]);
  }
  const [a, b] = await Promise.all([ReplicaStore.open(join(dir, 'local')), ReplicaStore.open(join(dir, 'remote'))]);
  assert.is(a.revision, b.revision);
  await Promise.all([a.close(), b.close()]);
});

test('split pieces over the wire: applied once when the last arrives; EINVAL when left unfinished or misused', async () => {
  const store = await ReplicaStore.create(dir, 8 * GiB);
  const server = new ReplicaServer();
  server.addReplica('r', 'vol', store, 'secret');
  const { port } = await server.listen(0, '127.0.0.1');
  const socket = connect({ host: '127.0.0.1', port });
  const frames: { id: number; status: number; payload: Buffer }[] = [];
  let wake: (() => void) | null = null;
  const reader = new FrameReader(R.REPLY_HEADER_BYTES, R.replyPayloadLength, (h, at, payload) => {
    frames.push({ id: h.readUInt32LE(at + 4), status: h.readUInt32LE(at + 8), payload: Buffer.from(payload) });
    wake?.();
  });
  socket.on('data', (c: Buffer) => reader.push(c));
  socket.on('error', () => {});
  const replies = async (n: number) => {
    while (frames.length < n)
      await new Promise<void>((r) => {
        wake = r;
      });
    return frames.splice(0, n);
  };
  const send = (op: R.OpCode, flags: number, id: number, offset: number, length: number) => {
    socket.write(R.encodeRequest(op, flags, id, offset, length, 0));
  };
  try {
    const [greeting] = await replies(1);
    const challenge = greeting!.payload.subarray(4, 36);
    const nonce = newNonce();
    const body = R.encodeHello({
      nonce,
      proof: proof('client', 'secret', challenge, nonce, 'r'),
      epoch: 0,
      replicaId: 'r',
    });
    socket.write(Buffer.concat([R.encodeRequest(R.Op.HELLO, 0, 1, 0, 0, body.length), body]));
    assert.is((await replies(1))[0]!.status, R.Status.OK);
    await store.write(3 * GiB, pattern(4 * KiB, 1));
    const base = store.revision;
    // Three pieces of one trim: one store call, every piece answered with its result.
    send(R.Op.TRIM, R.FLAG_MORE, 10, 0, 2 * GiB);
    send(R.Op.TRIM, R.FLAG_MORE, 11, 2 * GiB, 2 * GiB);
    send(R.Op.TRIM, 0, 12, 4 * GiB, 4 * KiB);
    const got = await replies(3);
    assert.equal(got.map((f) => [f.id, f.status]).sort(), [
      [10, 0],
      [11, 0],
      [12, 0],
    ]);
    assert.is(store.revision, base + 1, 'one bump for the three pieces');
    assert.ok((await store.read(3 * GiB, 4 * KiB)).equals(Buffer.alloc(4 * KiB)));
    // A split interrupted by another request fails; the other request is served.
    send(R.Op.WRITE_ZEROES, R.FLAG_MORE, 20, 0, 2 * GiB);
    send(R.Op.FLUSH, 0, 21, 0, 0);
    assert.equal((await replies(2)).map((f) => [f.id, f.status]).sort(), [
      [20, R.Status.EINVAL],
      [21, R.Status.OK],
    ]);
    // MORE on any other op is refused.
    send(R.Op.READ, R.FLAG_MORE, 30, 0, 4 * KiB);
    assert.equal(
      (await replies(1)).map((f) => [f.id, f.status]),
      [[30, R.Status.EINVAL]],
    );
    assert.is(store.revision, base + 1);
  } finally {
    socket.destroy();
    await server.close();
    await store.close();
  }
});

// ---- trims without a process each ----

test('a trim storm spawns no process and still releases the space', async () => {
  assert.is(fallocateUnavailable, null, `the fallocate addon must load: ${fallocateUnavailable?.message}`);
  const s = await ReplicaStore.create(dir, 64 * MiB);
  const data = join(dir, 'layer-1.data');
  await s.write(0, pattern(32 * MiB, 9), true);
  const before = await allocated(data);
  assert.ok(before >= 32 * MiB);
  const real = { spawn: cp.spawn, execFile: cp.execFile, exec: cp.exec, fork: cp.fork };
  let spawned = 0;
  const count = <F extends (...a: never[]) => unknown>(f: F): F =>
    ((...a: Parameters<F>) => {
      spawned++;
      return f(...a);
    }) as F;
  Object.assign(cp, {
    spawn: count(real.spawn),
    execFile: count(real.execFile),
    exec: count(real.exec),
    fork: count(real.fork),
  });
  syncBuiltinESMExports();
  try {
    // 512 trims of 64 KiB, all at once, then every other 64 KiB block's neighbour one by one.
    await Promise.all(Array.from({ length: 256 }, (_, i) => s.trim(i * 128 * KiB, 64 * KiB)));
    for (let i = 0; i < 256; i++) await s.trim(i * 128 * KiB + 64 * KiB, 64 * KiB);
  } finally {
    Object.assign(cp, real);
    syncBuiltinESMExports();
  }
  assert.is(spawned, 0, 'no child process');
  const after = await allocated(data);
  assert.ok(after <= before - 31 * MiB, `holes punched: ${after} bytes allocated, ${before} before`);
  assert.ok((await s.read(0, 32 * MiB)).equals(Buffer.alloc(32 * MiB)));
  await s.close();
});

test.run();
