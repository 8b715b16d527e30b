// The replica protocol end to end: a ReplicaServer with real stores, ReplicaClients and raw
// sockets. Pipelining with hundreds of requests in flight, authentication (wrong secret, unknown
// replica, requests before HELLO), malformed frames closing only their connection, and a killed
// or silent server failing every request under way with EIO promptly.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { connect, createServer } from 'node:net';
import type { AddressInfo, Socket } from 'node:net';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { BlockError, ReplicaClient, ReplicaError, ReplicaServer, ReplicaStore, replicaLimits } from '../src/index.js';
import { newNonce, proof } from '../src/replica/auth.js';
import { FrameReader } from '../src/replica/frame-reader.js';
import {
  encodeHello,
  encodeReply,
  encodeRequest,
  Op,
  PROTOCOL_VERSION,
  REPLY_HEADER_BYTES,
  replyPayloadLength,
  REQUEST_HEADER_BYTES,
  Status,
} from '../src/replica/protocol.js';
import { MiB, pattern, scratch, sleep } from './replica-support.js';

const SECRET = 'volume-secret-1';
const test = suite('replica protocol');
let dir: string;
let cleanup: () => Promise<void>;
let store: ReplicaStore;
let server: ReplicaServer;
let address: string;
let port: number;

test.before.each(async () => {
  ({ dir, cleanup } = await scratch());
  store = await ReplicaStore.create(`${dir}/r1`, 64 * MiB);
  // No auth timeout within a test's time: a connection this server closes was closed for what the
  // test sent, never because a busy machine made the test slow.
  server = new ReplicaServer({ authTimeoutMs: 600_000 });
  server.addReplica('r1', 'vol1', store, SECRET);
  ({ port } = await server.listen(0, '127.0.0.1'));
  address = `127.0.0.1:${port}`;
});
test.after.each(async () => {
  await server.close();
  await store.close();
  await cleanup();
});

async function rejects(p: Promise<unknown>, check: (e: unknown) => boolean, what: string): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    assert.ok(check(e), `${what}: got ${String(e)}`);
    return e;
  }
  assert.unreachable(`${what}: resolved`);
  return undefined;
}
async function until(cond: () => boolean, what: string, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) assert.unreachable(`timed out after ${ms} ms waiting for: ${what}`);
    await sleep(10);
  }
}
/** `p`, or a failure naming `what` after a generous `ms` (the suite's bound, not a speed check). */
async function within<T>(p: Promise<T>, what: string, ms = 30_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for: ${what}`)), ms);
  });
  try {
    return await Promise.race([p, bound]);
  } finally {
    clearTimeout(timer);
  }
}
/** Whether `p` is already settled: it is, if it settles before the event loop turns once. */
async function settledAtOnce(p: Promise<unknown>): Promise<boolean> {
  return Promise.race([
    p.then(
      () => true,
      () => true,
    ),
    new Promise<boolean>((r) => setImmediate(() => r(false))),
  ]);
}
const errno = (name: string) => (e: unknown) => e instanceof BlockError && e.errno === name;

/** A raw connection that records reply frames and whether the server closed it. */
function raw(p = port): {
  socket: Socket;
  frames: { id: number; status: number; payload: Buffer }[];
  closed: Promise<void>;
  next: () => Promise<{ id: number; status: number; payload: Buffer }>;
} {
  const socket = connect({ host: '127.0.0.1', port: p });
  const frames: { id: number; status: number; payload: Buffer }[] = [];
  let wake: (() => void) | null = null;
  const reader = new FrameReader(REPLY_HEADER_BYTES, replyPayloadLength, (h, at, payload) => {
    frames.push({ id: h.readUInt32LE(at + 4), status: h.readUInt32LE(at + 8), payload: Buffer.from(payload) });
    wake?.();
  });
  socket.on('data', (c: Buffer) => reader.push(c));
  socket.on('error', () => {});
  const closed = new Promise<void>((r) =>
    socket.on('close', () => {
      r();
      wake?.();
    }),
  );
  let taken = 0;
  const next = async () => {
    while (frames.length <= taken) {
      if (socket.destroyed) throw new Error('closed');
      await new Promise<void>((r) => {
        wake = r;
      });
    }
    return frames[taken++]!;
  };
  return { socket, frames, closed, next };
}

/** Performs HELLO by hand; resolves with the raw connection, authenticated. */
async function rawAuthenticated(replicaId = 'r1', secret = SECRET) {
  const c = raw();
  const greeting = await c.next();
  assert.is(greeting.payload.readUInt32LE(0), PROTOCOL_VERSION);
  const challenge = greeting.payload.subarray(4, 36);
  const nonce = newNonce();
  const body = encodeHello({ nonce, proof: proof('client', secret, challenge, nonce, replicaId), epoch: 0, replicaId });
  c.socket.write(Buffer.concat([encodeRequest(Op.HELLO, 0, 1, 0, 0, body.length), body]));
  const reply = await c.next();
  return { ...c, reply };
}

test('frame reader: frames cut anywhere come out whole, headers and payloads intact', () => {
  const frames: Buffer[] = [];
  for (let i = 0; i < 60; i++) {
    const payload = pattern(i % 7 === 0 ? 0 : (i * 97) % 5000, i + 1);
    frames.push(Buffer.concat([encodeReply(i, i % 3, payload.length), payload]));
  }
  const stream = Buffer.concat(frames);
  for (const cut of [1, 3, 16, 17, 1000, 4096, stream.length]) {
    const got: { id: number; status: number; payload: Buffer }[] = [];
    const reader = new FrameReader(REPLY_HEADER_BYTES, replyPayloadLength, (h, at, payload) => {
      got.push({ id: h.readUInt32LE(at + 4), status: h.readUInt32LE(at + 8), payload: Buffer.from(payload) });
    });
    for (let at = 0; at < stream.length; at += cut) reader.push(stream.subarray(at, at + cut));
    assert.is(got.length, 60, `cut every ${cut}`);
    got.forEach((f, i) => {
      assert.is(f.id, i);
      assert.is(f.status, i % 3);
      assert.ok(f.payload.equals(frames[i]!.subarray(REPLY_HEADER_BYTES)), `frame ${i}, cut every ${cut}`);
    });
  }
  const bad = new FrameReader(REPLY_HEADER_BYTES, replyPayloadLength, () => {});
  assert.throws(() => bad.push(Buffer.alloc(16, 1)), /magic/);
});

test('a client authenticates and every operation works through it', async () => {
  const c = await ReplicaClient.connect(address, 'r1', SECRET);
  assert.is(c.size, 64 * MiB);
  await c.write(4096, pattern(8192, 1));
  await c.write(100, Buffer.from('unaligned'), true);
  assert.ok((await c.read(4096, 8192)).equals(pattern(8192, 1)));
  assert.is((await c.read(100, 9)).toString(), 'unaligned');
  await c.flush();
  const snap = await c.snapshot('s1');
  assert.is(snap.name, 's1');
  await c.trim(4096, 4096);
  await c.writeZeroes(8192, 100, true);
  assert.equal(await c.read(4096, 4096), Buffer.alloc(4096));
  assert.ok((await c.readSnapshot('s1', 4096, 8192)).equals(pattern(8192, 1)));
  assert.equal(
    (await c.listSnapshots()).map((s) => s.name),
    ['s1'],
  );
  const live = await c.allocatedRanges(0, c.size);
  assert.equal(
    live.extents.map((e) => [e.offset, e.length]),
    [
      [0, 4096],
      [8192, 4096],
    ],
  );
  const head = await c.layerRanges(null, 0, c.size);
  assert.equal(
    head.extents.map((e) => [e.offset, e.length, e.zero]),
    [
      [4096, 4096, true],
      [8192, 4096, false],
    ],
  );
  assert.is((await c.layerRanges('s1', 0, c.size, 1)).extents.length, 1);
  await c.deleteSnapshot('s1');
  await rejects(c.deleteSnapshot('s1'), (e) => e instanceof ReplicaError && e.code === 'ENOENT', 'delete twice');
  await rejects(c.snapshot('bad name'), errno('EINVAL'), 'bad name');
  await rejects(c.read(64 * MiB - 10, 20), errno('EINVAL'), 'read past the end');
  await c.resize(128 * MiB);
  assert.is(c.size, 128 * MiB);
  const info = await c.info();
  assert.is(info.size, 128 * MiB);
  assert.is(info.revision, store.revision);
  assert.is(info.revision, 4);
  await c.beginRebuild();
  assert.is((await c.info()).revision, 0);
  await c.endRebuild(77);
  assert.is((await c.info()).revision, 77);
  const big = pattern(40 * MiB, 9); // over one request's limit: split in two
  await c.write(0, big);
  assert.ok((await c.read(0, 40 * MiB)).equals(big));
  await c.close();
  assert.not.ok(c.isOpen);
  await rejects(c.read(0, 1), errno('ESHUTDOWN'), 'after close');
  assert.is((await c.closed).errno, 'ESHUTDOWN');
});

test('pipelined: hundreds of requests in flight come back matched to their ids', async () => {
  const c = await ReplicaClient.connect(address, 'r1', SECRET);
  const blocks = 1024;
  const writes = Array.from({ length: blocks }, (_, i) => c.write(i * 4096, pattern(4096, i + 1)));
  await Promise.all(writes);
  // reads of different sizes at once: small ones overtake big ones
  const reads = Array.from({ length: 600 }, (_, i) => {
    const first = (i * 37) % (blocks - 64);
    const n = i % 3 === 0 ? 64 : 1;
    return c.read(first * 4096, n * 4096).then((got) => ({ first, n, got }));
  });
  let inflight = c.inflight;
  assert.ok(inflight >= 600, `${inflight} requests in flight`);
  for (const { first, n, got } of await Promise.all(reads)) {
    for (let k = 0; k < n; k++) {
      if (!got.subarray(k * 4096, (k + 1) * 4096).equals(pattern(4096, first + k + 1)))
        assert.unreachable(`block ${first + k}`);
    }
  }
  // a mix of everything at once, several clients on one server
  const d = await ReplicaClient.connect(address, 'r1', SECRET);
  const mixed = [];
  for (let i = 0; i < 300; i++) {
    const off = (blocks + i) * 4096;
    mixed.push((i % 2 ? c : d).write(off, pattern(4096, 5000 + i), i % 10 === 0));
    if (i % 50 === 0) mixed.push(c.flush());
  }
  inflight = c.inflight + d.inflight;
  await Promise.all(mixed);
  for (let i = 0; i < 300; i++) assert.ok((await d.read((blocks + i) * 4096, 4096)).equals(pattern(4096, 5000 + i)));
  assert.ok(inflight >= 300);
  await c.close();
  await d.close();
});

test('close() called twice while requests are under way: both calls resolve once the requests are answered', async () => {
  // An engine closing a member while that member's failed rebuild closes it too: before, the
  // second call took over the one drain callback and the first waited for ever.
  const c = await ReplicaClient.connect(address, 'r1', SECRET);
  const writes = Array.from({ length: 64 }, (_, i) => c.write(i * 4096, pattern(4096, 9000 + i)));
  assert.ok(c.inflight > 0, 'requests are under way when close is called');
  const first = c.close();
  const second = c.close();
  await within(Promise.all([first, second]), 'both close() calls to resolve');
  await Promise.all(writes);
  assert.not.ok(c.isOpen);
});

test('a wrong secret is refused and the connection closed; so is an unknown replica', async () => {
  const e = await rejects(ReplicaClient.connect(address, 'r1', 'not-the-secret'), errno('EPERM'), 'wrong secret');
  assert.match(String(e), /authentication failed/);
  await rejects(
    ReplicaClient.connect(address, 'r9', SECRET),
    (x) => x instanceof ReplicaError && x.code === 'ENOENT',
    'unknown replica',
  );
  const r = await rawAuthenticated('r1', 'wrong');
  assert.is(r.reply.status, Status.EPERM);
  await r.closed; // the server hung up
  // and the secret never crossed the wire: the HELLO carried only nonce, HMAC and id
  const ok = await ReplicaClient.connect(address, 'r1', SECRET);
  await ok.write(0, Buffer.from('still fine'));
  await ok.close();
});

test('nobody listening: connect fails with EIO on the refusal (not its connect timeout)', async () => {
  const gone = new ReplicaServer();
  const { port: p } = await gone.listen(0, '127.0.0.1');
  await gone.close();
  // With a 10-minute connect timeout, only the refusal can end this within the bound.
  await within(
    rejects(
      ReplicaClient.connect(`127.0.0.1:${p}`, 'r1', SECRET, { connectTimeoutMs: 600_000 }),
      errno('EIO'),
      'refused',
    ),
    'the refused connect to fail',
  );
  await rejects(ReplicaClient.connect('no-port', 'r1', SECRET), errno('EINVAL'), 'bad address');
});

test('requests before HELLO are refused and the connection closed', async () => {
  const c = raw();
  await c.next(); // the greeting
  c.socket.write(encodeRequest(Op.READ, 0, 7, 0, 4096, 0));
  const reply = await c.next();
  assert.is(reply.id, 7);
  assert.is(reply.status, Status.EPERM);
  await c.closed;
});

test('before HELLO, a frame longer than HELLO closes the connection on its header, unread', async () => {
  // The review's attack: a 32 MiB frame header before HELLO used to make the server wait for, and
  // buffer, the whole payload. Now the header alone ends it, well before the auth timeout.
  const c = raw();
  await c.next(); // the greeting
  c.socket.write(Buffer.concat([encodeRequest(Op.HELLO, 0, 1, 0, 0, 32 * MiB), Buffer.alloc(64 * 1024, 7)]));
  await within(c.closed, 'the server to close the connection on the 32 MiB header (its auth timeout is 10 minutes)');
  // The largest real HELLO still works.
  const id = 'r'.repeat(replicaLimits.MAX_REPLICA_ID_BYTES);
  server.addReplica(id, 'vol1', store, SECRET);
  const ok = await rawAuthenticated(id);
  assert.is(ok.reply.status, Status.OK);
  ok.socket.destroy();
});

test('an unauthenticated connection is closed after authTimeoutMs', async () => {
  const s = new ReplicaServer({ authTimeoutMs: 200 });
  const { port: p } = await s.listen(0, '127.0.0.1');
  const c = raw(p);
  await c.next();
  const t0 = Date.now();
  await within(c.closed, 'the server to close an unauthenticated connection after its 200 ms auth timeout');
  assert.ok(Date.now() - t0 >= 150, 'not before the deadline');
  await s.close();
});

test('connections beyond the caps are closed at once; authenticated ones are not counted as unauthenticated', async () => {
  const s = new ReplicaServer({ maxConnections: 5, maxUnauthenticated: 3 });
  s.addReplica('r1', 'vol1', store, SECRET);
  const { port: p } = await s.listen(0, '127.0.0.1');
  const idle = [raw(p), raw(p), raw(p)];
  for (const c of idle) await c.next(); // greeted: three unauthenticated
  const fourth = raw(p);
  await within(fourth.closed, 'the server to close a 4th unauthenticated connection');
  assert.is(fourth.frames.length, 0, 'closed without a greeting');
  assert.equal(s.connectionCount, { open: 3, unauthenticated: 3 });
  idle[0]!.socket.destroy();
  await idle[0]!.closed;
  await until(() => s.connectionCount.open === 2, 'the server to count the closed connection gone');
  const clients = [
    await ReplicaClient.connect(`127.0.0.1:${p}`, 'r1', SECRET),
    await ReplicaClient.connect(`127.0.0.1:${p}`, 'r1', SECRET),
  ];
  const third = await ReplicaClient.connect(`127.0.0.1:${p}`, 'r1', SECRET);
  clients.push(third);
  assert.equal(s.connectionCount, { open: 5, unauthenticated: 2 });
  await rejects(ReplicaClient.connect(`127.0.0.1:${p}`, 'r1', SECRET), errno('EIO'), 'a 6th connection');
  assert.ok(s.refused >= 2);
  await third.write(0, pattern(4096, 9));
  assert.ok((await third.read(0, 4096)).equals(pattern(4096, 9)), 'connections within the cap still serve');
  for (const c of clients) await c.close();
  for (const c of idle) c.socket.destroy();
  await s.close();
});

test('malformed frames close only that connection', async () => {
  const good = await ReplicaClient.connect(address, 'r1', SECRET);
  const cases: [string, (s: Socket) => void][] = [
    ['garbage before HELLO', (s) => s.write(Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'.padEnd(64, ' ')))],
    ['bad magic after HELLO', (s) => s.write(Buffer.alloc(REQUEST_HEADER_BYTES, 0xab))],
    ['payload over the limit', (s) => s.write(encodeRequest(Op.WRITE, 0, 2, 0, 4096, 0x7fff_ffff))],
    [
      'nonzero reserved bits',
      (s) => {
        const h = encodeRequest(Op.FLUSH, 0, 2, 0, 0, 0);
        h.writeUInt16LE(1, 6);
        s.write(h);
      },
    ],
  ];
  for (const [what, send] of cases) {
    const c = what.includes('before') ? raw() : await rawAuthenticated();
    if (what.includes('before')) await c.next();
    const inflight = good.write(0, pattern(4096, 3));
    send(c.socket);
    await within(c.closed, `the server to close the connection after ${what}`);
    await inflight;
    assert.ok((await good.read(0, 4096)).equals(pattern(4096, 3)), `${what}: the other connection works`);
  }
  // an unknown op with a sound frame is an error reply, and the connection stays
  const c = await rawAuthenticated();
  c.socket.write(encodeRequest(99 as never, 0, 5, 0, 0, 0));
  const reply = await c.next();
  assert.is(reply.status, Status.EINVAL);
  c.socket.write(encodeRequest(Op.FLUSH, 0, 6, 0, 0, 0));
  assert.is((await c.next()).status, Status.OK);
  c.socket.destroy();
  await good.close();
});

test('removeReplica cuts its connections: requests under way fail with EIO', async () => {
  const c = await ReplicaClient.connect(address, 'r1', SECRET);
  let answered = 0;
  const pending = Array.from({ length: 200 }, (_, i) =>
    c.write(i * 65_536, pattern(65_536, i)).then(
      () => {
        answered++;
        return 'ok';
      },
      (e: unknown) => e,
    ),
  );
  await until(() => answered > 0, 'the server to answer a first write'); // it is serving them when cut
  server.removeReplica('r1');
  const outcomes = await Promise.all(pending);
  const failed = outcomes.filter((o) => o !== 'ok');
  assert.ok(failed.length > 0 && failed.every(errno('EIO')), `${failed.length} failed with EIO`);
  assert.is((await c.closed).errno, 'EIO');
  await rejects(c.read(0, 1), errno('EIO'), 'later requests');
  await rejects(
    ReplicaClient.connect(address, 'r1', SECRET),
    (e) => e instanceof ReplicaError && e.code === 'ENOENT',
    'gone',
  );
});

test('a server that stops answering is a dead connection after requestTimeoutMs', async () => {
  // speaks the handshake correctly, then swallows every request
  const silent = createServer((s) => {
    const challenge = newNonce();
    const greeting = Buffer.alloc(36);
    greeting.writeUInt32LE(PROTOCOL_VERSION, 0);
    challenge.copy(greeting, 4);
    s.write(Buffer.concat([encodeReply(0, 0, greeting.length), greeting]));
    let done = false;
    s.on('data', (d: Buffer) => {
      if (done) return;
      done = true;
      const nonce = d.subarray(REQUEST_HEADER_BYTES, REQUEST_HEADER_BYTES + 32);
      const body = Buffer.concat([
        proof('server', SECRET, challenge, nonce, 'r1'),
        Buffer.from(JSON.stringify({ size: 4096 })),
      ]);
      s.write(Buffer.concat([encodeReply(d.readUInt32LE(8), 0, body.length), body]));
    });
    s.on('error', () => {});
  });
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
  const p = (silent.address() as AddressInfo).port;
  const c = await ReplicaClient.connect(`127.0.0.1:${p}`, 'r1', SECRET, { requestTimeoutMs: 300 });
  const started = Date.now();
  // The silent server never closes: only the request timeout can end the read.
  await within(rejects(c.read(0, 4096), errno('EIO'), 'unanswered read'), 'the unanswered read to fail');
  const took = Date.now() - started;
  assert.ok(took >= 300, `failed after ${took} ms, not before requestTimeoutMs`);
  silent.close();
});

// ---- a server in its own process, killed ----

async function startChild(where: string, replicaId: string): Promise<{ child: ChildProcess; port: number }> {
  const script = fileURLToPath(new URL('./replica-server-child.js', import.meta.url));
  const child = spawn(process.execPath, [script, where, replicaId, SECRET, String(64 * MiB)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`child exited with ${code}`)));
  });
  return { child, port: (JSON.parse(line) as { port: number }).port };
}

test("a killed server fails every request in flight with EIO, on the connection's death (not a timeout)", async () => {
  const { child, port: p } = await startChild(`${dir}/child`, 'rk');
  // No request timeout: only the dead connection can fail what is in flight.
  const c = await ReplicaClient.connect(`127.0.0.1:${p}`, 'rk', SECRET, { requestTimeoutMs: 0 });
  await c.write(0, pattern(4096, 1));
  const outcomes: Promise<unknown>[] = [];
  let answered = 0;
  for (let i = 0; i < 2000; i++) {
    outcomes.push(
      c.write((i % 1024) * 65_536, pattern(65_536, i)).then(
        () => {
          answered++;
          return 'ok';
        },
        (e: unknown) => e,
      ),
    );
    if (i % 4 === 0)
      outcomes.push(
        c.read((i % 1024) * 65_536, 65_536).then(
          () => {
            answered++;
            return 'ok';
          },
          (e: unknown) => e,
        ),
      );
  }
  assert.ok(c.inflight > 1000);
  await until(() => answered > 0, 'the server to answer a first request'); // it is serving when killed
  child.kill('SIGKILL');
  const settled = await within(Promise.all(outcomes), 'every request in flight to settle after the kill');
  const failed = settled.filter((o) => o !== 'ok');
  assert.ok(failed.length > 0, 'some requests were still in flight');
  assert.ok(failed.every(errno('EIO')), 'all failed with EIO');
  assert.is((await c.closed).errno, 'EIO');
  const after = c.write(0, Buffer.alloc(4096));
  assert.ok(await settledAtOnce(after), 'a request after the death fails at once, before any I/O');
  await rejects(after, errno('EIO'), 'a request after the death');
});

test('after a kill the replica reopens with the revision of its last flush and the flushed data', async () => {
  const where = `${dir}/crash`;
  const { child, port: p } = await startChild(where, 'rc');
  const c = await ReplicaClient.connect(`127.0.0.1:${p}`, 'rc', SECRET);
  for (let i = 0; i < 10; i++) await c.write(i * 4096, pattern(4096, i + 1));
  await c.flush();
  for (let i = 10; i < 15; i++) await c.write(i * 4096, pattern(4096, i + 1)); // acknowledged, not flushed
  await c.write(0, pattern(4096, 99)); // an overwrite, not flushed
  assert.is((await c.info()).revision, 16);
  child.kill('SIGKILL');
  await c.closed;
  const reopened = await ReplicaStore.open(where);
  assert.is(reopened.revision, 10, 'the last persisted revision');
  assert.not.ok(reopened.cleanShutdown);
  for (let i = 1; i < 10; i++)
    assert.ok((await reopened.read(i * 4096, 4096)).equals(pattern(4096, i + 1)), `flushed block ${i}`);
  const first = await reopened.read(0, 4096);
  assert.ok(first.equals(pattern(4096, 1)) || first.equals(pattern(4096, 99)), 'block 0 is old or new');
  await reopened.close();
  const again = await ReplicaStore.open(where);
  assert.ok(again.cleanShutdown, 'clean after a clean close');
  await again.close();
});

test.run();
