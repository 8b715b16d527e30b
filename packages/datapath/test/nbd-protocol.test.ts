// The NBD frontend byte by byte, with a raw client: the handshake's options and their errors,
// pipelined requests answered out of order, bad requests answered with errors on a connection
// that stays usable, backend errors mapped to NBD errors, FUA and FLUSH reaching the backend,
// malformed handshakes and truncated writes costing only their own connection.
import { randomBytes } from 'node:crypto';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { BlockError, MemoryBackend, NbdServer, nbd as P } from '../src/index.js';
import type { BlockBackend } from '../src/index.js';
import { RawClient, ScriptedBackend, sleep, until, within } from './nbd-support.js';

const MiB = 1024 * 1024;
const SIZE = 16 * MiB;

interface Ctx {
  server: NbdServer;
  port: number;
  backends: Map<string, BlockBackend>;
  logs: string[];
}

async function start(opts: Partial<ConstructorParameters<typeof NbdServer>[0]> = {}): Promise<Ctx> {
  const backends = new Map<string, BlockBackend>([
    ['vol', new MemoryBackend(SIZE)],
    ['small', new MemoryBackend(1 * MiB)],
  ]);
  const logs: string[] = [];
  const server = new NbdServer({
    exports: (n) => backends.get(n),
    list: () => [...backends.keys()],
    log: (l) => logs.push(l),
    ...opts,
  });
  const { port } = await server.listen(0, '127.0.0.1');
  return { server, port, backends, logs };
}

const EXPECTED_FLAGS =
  P.FLAG_HAS_FLAGS |
  P.FLAG_SEND_FLUSH |
  P.FLAG_SEND_FUA |
  P.FLAG_SEND_TRIM |
  P.FLAG_SEND_WRITE_ZEROES |
  P.FLAG_CAN_MULTI_CONN;

// ---- handshake ------------------------------------------------------------------------------

const hs = suite('nbd handshake');
let ctx: Ctx;
hs.before.each(async () => {
  ctx = await start();
});
hs.after.each(async () => {
  await ctx.server.close();
});

hs('greeting offers fixed newstyle and no-zeroes', async () => {
  const c = await RawClient.connect(ctx.port);
  const flags = await c.greet();
  assert.is(flags, P.FLAG_FIXED_NEWSTYLE | P.FLAG_NO_ZEROES);
  c.option(P.OPT_ABORT);
  const r = await c.optionReply();
  assert.equal([r.option, r.type], [P.OPT_ABORT, P.REP_ACK]);
  await c.closed;
});

hs('NBD_OPT_LIST names every export; with data it is invalid', async () => {
  const c = await RawClient.connect(ctx.port);
  await c.greet();
  c.option(P.OPT_LIST);
  const { infos, final } = await c.optionReplies();
  assert.is(final.type, P.REP_ACK);
  const names = infos.map((r) => {
    assert.is(r.type, P.REP_SERVER);
    return r.data.toString('utf8', 4, 4 + r.data.readUInt32BE(0));
  });
  assert.equal(names, ['vol', 'small']);
  c.option(P.OPT_LIST, Buffer.from('x'));
  assert.is((await c.optionReply()).type, P.REP_ERR_INVALID);
  c.destroy();
});

hs('NBD_OPT_LIST without a list function is refused by policy', async () => {
  const s = new NbdServer({ exports: () => undefined });
  const { port } = await s.listen();
  const c = await RawClient.connect(port);
  await c.greet();
  c.option(P.OPT_LIST);
  assert.is((await c.optionReply()).type, P.REP_ERR_POLICY);
  c.destroy();
  await s.close();
});

hs('NBD_OPT_INFO gives size, flags, block sizes and name, and stays in the handshake', async () => {
  const c = await RawClient.connect(ctx.port);
  await c.greet();
  const { infos, final } = await c.go('small', [P.INFO_BLOCK_SIZE, P.INFO_NAME, P.INFO_DESCRIPTION, 77], P.OPT_INFO);
  assert.is(final.type, P.REP_ACK);
  const byType = new Map(infos.map((r) => [r.data.readUInt16BE(0), r.data]));
  const exp = byType.get(P.INFO_EXPORT)!;
  assert.is(exp.length, 12);
  assert.is(Number(exp.readBigUInt64BE(2)), 1 * MiB);
  assert.is(exp.readUInt16BE(10), EXPECTED_FLAGS);
  const bs = byType.get(P.INFO_BLOCK_SIZE)!;
  assert.equal([bs.readUInt32BE(2), bs.readUInt32BE(6), bs.readUInt32BE(10)], [512, 4096, 32 * MiB]);
  assert.is(byType.get(P.INFO_NAME)!.toString('utf8', 2), 'small');
  // Still negotiating: GO now enters transmission.
  const go = await c.go('small');
  assert.is(go.final.type, P.REP_ACK);
  assert.equal(await c.readAt(0, 4096), Buffer.alloc(4096));
  await c.disconnect();
});

hs('an unknown export is NBD_REP_ERR_UNKNOWN with a message; the client may try again', async () => {
  const c = await RawClient.connect(ctx.port);
  await c.greet();
  const bad = await c.go('nope');
  assert.is(bad.infos.length, 0);
  assert.is(bad.final.type, P.REP_ERR_UNKNOWN);
  assert.match(bad.final.data.toString(), /nope/);
  const bad2 = await c.go('nope', [], P.OPT_INFO);
  assert.is(bad2.final.type, P.REP_ERR_UNKNOWN);
  assert.is((await c.go('vol')).final.type, P.REP_ACK);
  assert.is(await c.writeAt(0, Buffer.alloc(512, 1)), 0);
  await c.disconnect();
});

hs('a lookup that throws costs that option only', async () => {
  const s = new NbdServer({
    exports: async (n) => {
      if (n === 'boom') throw new Error('etcd unreachable');
      return ctx.backends.get(n);
    },
    log: (l) => ctx.logs.push(l),
  });
  const { port } = await s.listen();
  const c = await RawClient.connect(port);
  await c.greet();
  const r = await c.go('boom');
  assert.is(r.final.type, P.REP_ERR_UNKNOWN);
  assert.match(r.final.data.toString(), /etcd unreachable/);
  assert.is((await c.go('vol')).final.type, P.REP_ACK);
  await c.disconnect();
  assert.ok(ctx.logs.some((l) => /etcd unreachable/.test(l)));
  await s.close();
});

hs(
  'unsupported options get NBD_REP_ERR_UNSUP: TLS, structured replies, meta contexts, extended headers, unknown',
  async () => {
    const c = await RawClient.connect(ctx.port);
    await c.greet();
    for (const opt of [
      P.OPT_STARTTLS,
      P.OPT_STRUCTURED_REPLY,
      P.OPT_LIST_META_CONTEXT,
      P.OPT_SET_META_CONTEXT,
      P.OPT_EXTENDED_HEADERS,
      4,
      99,
      0x7fffffff,
    ]) {
      c.option(opt, opt === P.OPT_SET_META_CONTEXT ? Buffer.alloc(8) : undefined);
      const r = await c.optionReply();
      assert.is(r.option, opt);
      assert.is(r.type, P.REP_ERR_UNSUP, `option ${opt}`);
    }
    assert.is((await c.go('vol')).final.type, P.REP_ACK);
    await c.disconnect();
  },
);

hs('malformed NBD_OPT_GO data is NBD_REP_ERR_INVALID', async () => {
  const c = await RawClient.connect(ctx.port);
  await c.greet();
  const good = RawClient.infoData('vol', [P.INFO_BLOCK_SIZE]);
  const cases = [
    Buffer.alloc(3),
    good.subarray(0, good.length - 1),
    Buffer.concat([good, Buffer.alloc(1)]),
    (() => {
      const b = Buffer.from(good);
      b.writeUInt32BE(1000, 0);
      return b;
    })(),
  ];
  for (const data of cases) {
    c.option(P.OPT_GO, data);
    assert.is((await c.optionReply()).type, P.REP_ERR_INVALID);
  }
  assert.is((await c.go('vol')).final.type, P.REP_ACK);
  await c.disconnect();
});

hs(
  'NBD_OPT_EXPORT_NAME: size, flags and 124 zeroes unless no-zeroes; an unknown name closes the connection',
  async () => {
    for (const noZeroes of [true, false]) {
      const c = await RawClient.connect(ctx.port);
      await c.greet(P.FLAG_C_FIXED_NEWSTYLE | (noZeroes ? P.FLAG_C_NO_ZEROES : 0));
      c.option(P.OPT_EXPORT_NAME, Buffer.from('small'));
      const r = await c.read(noZeroes ? 10 : 134);
      assert.is(Number(r.readBigUInt64BE(0)), 1 * MiB);
      assert.is(r.readUInt16BE(8), EXPECTED_FLAGS);
      if (!noZeroes) assert.equal(r.subarray(10), Buffer.alloc(124));
      // No block size was negotiated: sub-block I/O is accepted (the spec's default minimum of 1).
      assert.is(await c.writeAt(5, Buffer.from('abc')), 0);
      assert.equal(await c.readAt(4, 5), Buffer.from('\0abc\0'));
      await c.disconnect();
    }
    const c = await RawClient.connect(ctx.port);
    await c.greet();
    c.option(P.OPT_EXPORT_NAME, Buffer.from('nope'));
    await c.closed;
    assert.ok(ctx.logs.some((l) => l.includes('nope')));
  },
);

hs('malformed handshakes close only their own connection; the server goes on serving', async () => {
  const good = await RawClient.open(ctx.port, 'vol');
  const data = randomBytes(4096);
  assert.is(await good.writeAt(8192, data), 0);

  const garbage: Array<(c: RawClient) => Promise<void>> = [
    async (c) => {
      c.write(Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'));
    },
    async (c) => {
      await c.greet(0x80);
    }, // unknown client flag
    async (c) => {
      await c.greet();
      c.write(Buffer.from('NOTAMAGICxxxxxxxxxxxxxxxxxxxx'));
    },
    async (c) => {
      await c.greet();
      c.option(P.OPT_GO, Buffer.alloc(0));
      await c.optionReply();
      c.write(Buffer.alloc(64, 0xff));
    },
    async (c) => {
      await c.greet();
      const h = Buffer.alloc(16);
      h.writeBigUInt64BE(P.IHAVEOPT);
      h.writeUInt32BE(P.OPT_GO, 8);
      h.writeUInt32BE(0xffffffff, 12);
      c.write(h);
    },
    async (c) => {
      await c.greet();
      c.write(Buffer.alloc(7));
      c.socket.end();
    }, // half an option, then EOF
  ];
  for (const [i, g] of garbage.entries()) {
    const c = await RawClient.connect(ctx.port);
    await g(c);
    await within(c.closed, 3000, `garbage case ${i}: connection closed`);
    // Meanwhile the good client is unaffected.
    assert.equal(await good.readAt(8192, 4096), data, `after garbage case ${i}`);
  }
  const again = await RawClient.open(ctx.port, 'vol');
  assert.equal(await again.readAt(8192, 4096), data);
  await again.disconnect();
  await good.disconnect();
  await until(() => ctx.server.connectionCount === 0, 3000, 'no connections');
});

hs('a client that never finishes its handshake is disconnected after the timeout', async () => {
  const s = new NbdServer({ exports: () => undefined, handshakeTimeoutMs: 200 });
  const { port } = await s.listen();
  const c = await RawClient.connect(port);
  await c.greet();
  // Nothing else closes it: the 200 ms handshake timeout must, well within this generous bound.
  let bound: NodeJS.Timeout | undefined;
  await Promise.race([
    c.closed,
    new Promise((_, reject) => {
      bound = setTimeout(
        () =>
          reject(
            new Error(
              'timed out after 30 s waiting for: the server to close a connection that never finished its handshake',
            ),
          ),
        30_000,
      );
    }),
  ]);
  clearTimeout(bound);
  await s.close();
});

hs('an option longer than NBD_LIMITS.maxOptionLength closes the connection on its header, unread', async () => {
  const c = await RawClient.connect(ctx.port);
  await c.greet();
  const h = Buffer.alloc(16);
  h.writeBigUInt64BE(P.IHAVEOPT, 0);
  h.writeUInt32BE(P.OPT_GO, 8);
  h.writeUInt32BE(512 * 1024, 12); // under the old 1 MiB limit, over the data any option needs
  c.write(h);
  await within(c.closed, 2000, 'closed on an oversized option header');
});

hs('a client that sends far ahead during the handshake is cut off', async () => {
  // The lookup never answers, so the server is not reading options; the client keeps sending.
  const s = new NbdServer({ exports: (n) => (n === 'slow' ? new Promise<undefined>(() => {}) : undefined) });
  const { port } = await s.listen();
  const c = await RawClient.connect(port);
  await c.greet();
  c.option(P.OPT_GO, RawClient.infoData('slow', []));
  const junk = Buffer.alloc(64 * 1024);
  for (let i = 0; i < 32 && !c.isClosed; i++) c.write(junk); // 2 MiB
  await within(c.closed, 3000, 'closed after sending 2 MiB ahead');
  await s.close();
});

hs('connections beyond maxHandshaking / maxConnections are closed at once; the others serve', async () => {
  const s = new NbdServer({ exports: (n) => ctx.backends.get(n), maxConnections: 3, maxHandshaking: 2 });
  const { port } = await s.listen();
  const a = await RawClient.connect(port);
  await a.greet();
  const b = await RawClient.connect(port);
  await b.greet();
  const third = await RawClient.connect(port);
  await within(third.closed, 2000, 'a third handshaking connection closed');
  assert.not.ok(
    await third.read(1, 100).then(
      () => true,
      () => false,
    ),
    'closed without a greeting',
  );
  assert.is(s.connectionCount, 2);
  // Once one of them is in transmission, a new handshake fits, and that makes three connections.
  assert.is((await a.go('vol')).final.type, P.REP_ACK);
  const c = await RawClient.open(port, 'vol');
  const fourth = await RawClient.connect(port);
  await within(fourth.closed, 2000, 'a fourth connection closed');
  assert.is(s.refused, 2);
  assert.is(await c.writeAt(0, Buffer.alloc(4096, 5)), 0);
  assert.equal(await a.readAt(0, 4096), Buffer.alloc(4096, 5), 'connections within the caps serve');
  await a.disconnect();
  await c.disconnect();
  b.destroy();
  await s.close();
});

hs.run();

// ---- transmission ---------------------------------------------------------------------------

const tx = suite('nbd transmission');
tx.before.each(async () => {
  ctx = await start();
});
tx.after.each(async () => {
  await ctx.server.close();
});

tx('write, read, write zeroes, trim, flush round trip', async () => {
  const c = await RawClient.open(ctx.port, 'vol');
  const a = randomBytes(3 * 65536 + 4096);
  assert.is(await c.writeAt(65536 - 4096, a), 0);
  assert.equal(await c.readAt(65536 - 4096, a.length), a);
  assert.is((await c.call(P.CMD_WRITE_ZEROES, 65536, 8192, { flags: P.CMD_FLAG_NO_HOLE })).error, 0);
  const z = await c.readAt(65536 - 4096, a.length);
  assert.equal(z.subarray(4096, 4096 + 8192), Buffer.alloc(8192));
  assert.equal(z.subarray(0, 4096), a.subarray(0, 4096));
  assert.equal(z.subarray(4096 + 8192), a.subarray(4096 + 8192));
  assert.is((await c.call(P.CMD_TRIM, 0, SIZE)).error, 0);
  assert.is((await c.call(P.CMD_FLUSH, 0, 0)).error, 0);
  assert.equal(await c.readAt(65536, 4096), Buffer.alloc(4096)); // the memory backend zeroes on trim
  // Zero-length requests do nothing and succeed.
  assert.is((await c.call(P.CMD_READ, 0, 0)).error, 0);
  assert.is(await c.writeAt(512, Buffer.alloc(0)), 0);
  // The last block of the export is reachable.
  assert.is(await c.writeAt(SIZE - 512, Buffer.alloc(512, 7)), 0);
  assert.equal(await c.readAt(SIZE - 512, 512), Buffer.alloc(512, 7));
  await c.disconnect();
});

tx('pipelined requests complete out of order, each reply carrying its own handle', async () => {
  const sb = new ScriptedBackend(new MemoryBackend(SIZE));
  ctx.backends.set('slow', sb);
  sb.delay = (call) => (call.op === 'write' ? ((call.offset! / 4096) % 7) * 3 : ((call.offset! / 4096) % 5) * 3);
  const c = await RawClient.open(ctx.port, 'slow');
  const N = 200;
  const blocks = Array.from({ length: N }, (_, i) => Buffer.alloc(4096, i & 0xff));
  // All writes at once, in one burst of bytes, with arbitrary 64-bit handles.
  const handles = blocks.map((b, i) =>
    c.send(P.CMD_WRITE, i * 4096, 4096, { payload: b, handle: 0xdead000000000000n + BigInt(i) * 0x100000001n }),
  );
  const seen: bigint[] = [];
  for (let i = 0; i < N; i++) {
    const r = await c.reply();
    assert.is(r.error, 0);
    seen.push(r.handle);
  }
  assert.equal([...seen].sort(), [...handles].sort());
  assert.not.equal(seen, handles, 'replies should not all come back in request order');
  // Now reads, pipelined too; match data to handles.
  const readHandles = new Map(blocks.map((_, i) => [c.send(P.CMD_READ, i * 4096, 4096), i]));
  for (let i = 0; i < N; i++) {
    const r = await c.reply();
    const idx = readHandles.get(r.handle);
    assert.ok(idx !== undefined);
    assert.equal(r.data, blocks[idx!]);
    readHandles.delete(r.handle);
  }
  await c.disconnect();
});

tx('bad requests get EINVAL (ENOSPC for writes past the end) and the connection stays usable', async () => {
  const c = await RawClient.open(ctx.port, 'small'); // 1 MiB, block size 512 negotiated
  const end = 1 * MiB;
  const cases: Array<[string, number, bigint | number, number, number, Buffer?]> = [
    // [what, type, offset, length, flags, payload]
    ['read past the end', P.CMD_READ, end, 512, 0],
    ['read across the end', P.CMD_READ, end - 512, 1024, 0],
    ['read at 2^63', P.CMD_READ, 1n << 63n, 512, 0],
    ['read at 2^64-512', P.CMD_READ, (1n << 64n) - 512n, 512, 0],
    ['trim past the end', P.CMD_TRIM, end, 4096, 0],
    ['misaligned read offset', P.CMD_READ, 1, 512, 0],
    ['misaligned read length', P.CMD_READ, 0, 100, 0],
    ['misaligned trim', P.CMD_TRIM, 256, 512, 0],
    ['misaligned write zeroes', P.CMD_WRITE_ZEROES, 512, 100, 0],
    ['read larger than the maximum payload', P.CMD_READ, 0, 32 * MiB + 512, 0],
    ['unknown command', 99, 0, 512, 0],
    ['NBD_CMD_CACHE (not advertised)', P.CMD_CACHE, 0, 512, 0],
    ['NBD_CMD_BLOCK_STATUS (not negotiated)', P.CMD_BLOCK_STATUS, 0, 512, 0],
    ['unknown flag', P.CMD_READ, 0, 512, 1 << 9],
    ['DF without structured replies', P.CMD_READ, 0, 512, P.CMD_FLAG_DF],
    ['NO_HOLE on a write', P.CMD_WRITE, 0, 512, P.CMD_FLAG_NO_HOLE, Buffer.alloc(512, 1)],
    ['FAST_ZERO (not advertised)', P.CMD_WRITE_ZEROES, 0, 512, P.CMD_FLAG_FAST_ZERO],
    ['flush with a length', P.CMD_FLUSH, 0, 512, 0],
    ['misaligned write', P.CMD_WRITE, 3, 512, 0, Buffer.alloc(512, 2)],
    ['write past the end', P.CMD_WRITE, end, 4096, 0, Buffer.alloc(4096, 3)],
    ['write across the end', P.CMD_WRITE, end - 512, 1024, 0, Buffer.alloc(1024, 4)],
    ['write zeroes past the end', P.CMD_WRITE_ZEROES, end, 512, 0],
  ];
  const want = (what: string): number => (what.startsWith('write') && what.includes('end') ? P.ENOSPC : P.EINVAL);
  for (const [what, type, offset, length, flags, payload] of cases) {
    const r = await c.call(type, offset, length, { flags, payload });
    assert.is(r.error, want(what), what);
    assert.is(r.data, undefined, `${what}: no payload with an error`);
    // Still in step: a good request works right after.
    const probe = randomBytes(512);
    assert.is(await c.writeAt(4096, probe), 0, `write after ${what}`);
    assert.equal(await c.readAt(4096, 512), probe, `read after ${what}`);
  }
  // Nothing bad reached the backend.
  assert.equal(await c.readAt(0, 1024), Buffer.alloc(1024));
  assert.is(ctx.logs.filter((l) => /refused/.test(l)).length, 1, 'one log line per connection');
  // All of them pipelined at once, too.
  for (const [, type, offset, length, flags, payload] of cases) c.send(type, offset, length, { flags, payload });
  for (const [what] of cases) assert.is((await c.reply()).error, want(what));
  await c.disconnect();
});

tx('a write larger than the maximum payload is refused and its payload skipped', async () => {
  const s = await start({ maximumPayload: 64 * 1024 });
  const c = await RawClient.open(s.port, 'vol');
  const r = await c.call(P.CMD_WRITE, 0, 256 * 1024, { payload: Buffer.alloc(256 * 1024, 9) });
  assert.is(r.error, P.EINVAL);
  assert.is(await c.writeAt(0, Buffer.alloc(64 * 1024, 1)), 0);
  assert.equal(await c.readAt(0, 64 * 1024), Buffer.alloc(64 * 1024, 1));
  await c.disconnect();
  await s.server.close();
});

tx('sub-block I/O is accepted when the client did not ask for block sizes', async () => {
  const c = await RawClient.open(ctx.port, 'vol', []);
  assert.is(await c.writeAt(1001, Buffer.from('hello')), 0);
  assert.equal((await c.readAt(1000, 7)).toString('latin1'), '\0hello\0');
  assert.is((await c.call(P.CMD_WRITE_ZEROES, 1002, 2)).error, 0);
  assert.equal((await c.readAt(1000, 7)).toString('latin1'), '\0h\0\0lo\0');
  // Out of range is still out of range.
  assert.is((await c.call(P.CMD_READ, SIZE - 1, 2)).error, P.EINVAL);
  await c.disconnect();
});

tx('backend errors map to NBD errors; the connection stays usable', async () => {
  const sb = new ScriptedBackend(new MemoryBackend(SIZE));
  ctx.backends.set('faulty', sb);
  const errs: Array<[unknown, number]> = [
    [new BlockError('EIO', 'disk'), P.EIO],
    [new BlockError('ENOSPC', 'full'), P.ENOSPC],
    [new BlockError('EPERM', 'ro'), P.EPERM],
    [new BlockError('EINVAL', 'bad'), P.EINVAL],
    [new BlockError('ESHUTDOWN', 'stopping'), P.ESHUTDOWN],
    [Object.assign(new Error('quota'), { code: 'EDQUOT' }), P.ENOSPC],
    [new Error('anything else'), P.EIO],
    ['not even an Error', P.EIO],
  ];
  const c = await RawClient.open(ctx.port, 'faulty');
  for (const [err, code] of errs) {
    for (const op of ['read', 'write', 'flush', 'trim', 'writeZeroes']) {
      sb.fail = (call) => (call.op === op ? err : undefined);
      const r =
        op === 'read'
          ? await c.call(P.CMD_READ, 0, 4096)
          : op === 'write'
            ? await c.call(P.CMD_WRITE, 0, 4096, { payload: Buffer.alloc(4096, 1) })
            : op === 'flush'
              ? await c.call(P.CMD_FLUSH, 0, 0)
              : op === 'trim'
                ? await c.call(P.CMD_TRIM, 0, 4096)
                : await c.call(P.CMD_WRITE_ZEROES, 0, 4096);
      assert.is(r.error, code, `${op}: ${String(err)}`);
      assert.is(r.data, undefined);
    }
  }
  sb.fail = () => undefined;
  assert.is(await c.writeAt(0, Buffer.alloc(4096, 5)), 0);
  assert.equal(await c.readAt(0, 4096), Buffer.alloc(4096, 5));

  // A backend that throws synchronously, or returns a short read, is an EIO too.
  const broken: BlockBackend = {
    size: SIZE,
    read: (_o, l) => Promise.resolve(Buffer.alloc(l - 1)),
    write: () => {
      throw new Error('sync throw');
    },
    flush: () => Promise.resolve(),
    trim: () => Promise.resolve(),
    writeZeroes: () => Promise.resolve(),
  };
  ctx.backends.set('broken', broken);
  const b = await RawClient.open(ctx.port, 'broken');
  assert.is((await b.call(P.CMD_WRITE, 0, 512, { payload: Buffer.alloc(512) })).error, P.EIO);
  const r = await b.call(P.CMD_READ, 0, 512);
  assert.is(r.error, P.EIO);
  assert.is((await b.call(P.CMD_FLUSH, 0, 0)).error, 0);
  await b.disconnect();
  await c.disconnect();
});

tx('FUA and FLUSH reach the backend; NO_HOLE is accepted', async () => {
  const sb = new ScriptedBackend(new MemoryBackend(SIZE));
  ctx.backends.set('rec', sb);
  const c = await RawClient.open(ctx.port, 'rec');
  await c.writeAt(0, Buffer.alloc(4096, 1), P.CMD_FLAG_FUA);
  await c.writeAt(4096, Buffer.alloc(4096, 2));
  await c.call(P.CMD_WRITE_ZEROES, 0, 4096, { flags: P.CMD_FLAG_FUA | P.CMD_FLAG_NO_HOLE });
  await c.call(P.CMD_TRIM, 8192, 4096, { flags: P.CMD_FLAG_FUA });
  await c.call(P.CMD_FLUSH, 0, 0);
  await c.call(P.CMD_READ, 0, 4096, { flags: P.CMD_FLAG_FUA }); // FUA is valid (and harmless) on any command
  assert.equal(sb.calls, [
    { op: 'write', offset: 0, length: 4096, fua: true },
    { op: 'write', offset: 4096, length: 4096, fua: false },
    { op: 'writeZeroes', offset: 0, length: 4096, fua: true },
    { op: 'trim', offset: 8192, length: 4096 },
    { op: 'flush' }, // the trim's FUA
    { op: 'flush' },
    { op: 'read', offset: 0, length: 4096 },
  ]);
  await c.disconnect();
});

tx('NBD_CMD_DISC answers the requests in flight before closing', async () => {
  const sb = new ScriptedBackend(new MemoryBackend(SIZE));
  ctx.backends.set('slow', sb);
  sb.delay = () => 150;
  const c = await RawClient.open(ctx.port, 'slow');
  const h1 = c.send(P.CMD_WRITE, 0, 4096, { payload: Buffer.alloc(4096, 1) });
  const h2 = c.send(P.CMD_READ, 0, 4096);
  c.send(P.CMD_DISC, 0, 0);
  const got = new Map<bigint, number>();
  for (let i = 0; i < 2; i++) {
    const r = await c.reply();
    got.set(r.handle, r.error);
  }
  assert.equal([got.get(h1), got.get(h2)], [0, 0]);
  await c.closed;
  await until(() => ctx.server.connectionCount === 0, 3000, 'connection gone');
});

tx('a write cut short by a disconnect is dropped; nothing hangs and others keep working', async () => {
  const sb = new ScriptedBackend(new MemoryBackend(SIZE));
  ctx.backends.set('rec', sb);
  const other = await RawClient.open(ctx.port, 'rec');
  for (const cut of [0, 1000, 65536 + 3]) {
    const c = await RawClient.open(ctx.port, 'rec');
    const h = P.encodeRequest(P.CMD_WRITE, 0, 1n, 0, 1 * MiB);
    c.write(Buffer.concat([h, Buffer.alloc(cut, 0xee)]));
    await sleep(20);
    c.destroy();
    await c.closed;
  }
  // A header cut in half, too.
  const c = await RawClient.open(ctx.port, 'rec');
  c.write(P.encodeRequest(P.CMD_READ, 0, 1n, 0, 512).subarray(0, 13));
  c.socket.end();
  await c.closed;
  await until(() => ctx.server.connectionCount === 1, 3000, 'only the other client left');
  assert.is(sb.calls.filter((x) => x.op === 'write').length, 0);
  assert.ok(ctx.logs.some((l) => /inside a WRITE payload/.test(l)));
  assert.is(await other.writeAt(0, Buffer.alloc(512, 1)), 0);
  assert.equal(await other.readAt(0, 512), Buffer.alloc(512, 1));
  await other.disconnect();
});

tx('a bad request magic closes that connection only', async () => {
  const other = await RawClient.open(ctx.port, 'vol');
  const c = await RawClient.open(ctx.port, 'vol');
  c.write(Buffer.alloc(28, 0x41));
  await c.closed;
  assert.is(await other.writeAt(0, Buffer.alloc(512, 3)), 0);
  await other.disconnect();
});

tx("several connections at once share the export (multi-conn): each sees the others' writes", async () => {
  const clients = await Promise.all(Array.from({ length: 6 }, () => RawClient.open(ctx.port, 'vol')));
  assert.is(ctx.server.connectionCount, 6);
  assert.equal(ctx.server.connectedExports(), Array(6).fill('vol'));
  const data = clients.map(() => randomBytes(64 * 1024));
  // Every client writes its own region, many requests in flight on every connection.
  await Promise.all(
    clients.map(async (c, i) => {
      for (let k = 0; k < 16; k++)
        c.send(P.CMD_WRITE, i * MiB + k * 4096, 4096, { payload: data[i]!.subarray(k * 4096, (k + 1) * 4096) });
      for (let k = 0; k < 16; k++) assert.is((await c.reply()).error, 0);
      assert.is((await c.call(P.CMD_FLUSH, 0, 0)).error, 0);
    }),
  );
  // Then each reads its neighbour's.
  await Promise.all(
    clients.map(async (c, i) => {
      const j = (i + 1) % clients.length;
      assert.equal(await c.readAt(j * MiB, 64 * 1024), data[j]);
    }),
  );
  await Promise.all(clients.map((c) => c.disconnect()));
  await ctx.server.waitForConnections(0);
});

tx('disconnectExport() ends the connections of one export only, after answering what is in flight', async () => {
  const sb = new ScriptedBackend(new MemoryBackend(SIZE));
  ctx.backends.set('slow', sb);
  const a1 = await RawClient.open(ctx.port, 'slow');
  const a2 = await RawClient.open(ctx.port, 'slow');
  const b = await RawClient.open(ctx.port, 'vol');
  sb.delay = () => 100;
  const h = a1.send(P.CMD_WRITE, 0, 512, { payload: Buffer.alloc(512, 1) });
  await until(() => sb.calls.length === 1, 2000, 'write started');
  assert.is(await ctx.server.disconnectExport('slow'), 2);
  const r = await a1.reply();
  assert.equal([r.handle, r.error], [h, 0]);
  await Promise.all([a1.closed, a2.closed]);
  assert.is(b.isClosed, false);
  assert.is(await b.writeAt(0, Buffer.alloc(512, 2)), 0);
  assert.is(await ctx.server.disconnectExport('nothing'), 0);
  await b.disconnect();
});

tx('close() ends listeners and connections, handshaking or transmitting', async () => {
  const sb = new ScriptedBackend(new MemoryBackend(SIZE));
  ctx.backends.set('slow', sb);
  const a = await RawClient.open(ctx.port, 'slow');
  const b = await RawClient.connect(ctx.port);
  await b.greet();
  sb.delay = () => 100;
  const h = a.send(P.CMD_WRITE, 0, 512, { payload: Buffer.alloc(512, 1) });
  await until(() => sb.calls.length === 1, 2000, 'write started');
  await until(() => ctx.server.connectionCount === 2, 2000, 'both connected');
  await ctx.server.close();
  // The write in flight was answered before the close.
  const r = await a.reply();
  assert.equal([r.handle, r.error], [h, 0]);
  await Promise.all([a.closed, b.closed]);
  assert.is(ctx.server.connectionCount, 0); // close() resolved only once every connection was gone
  await RawClient.connect(ctx.port).then(
    (c) => {
      c.destroy();
      assert.unreachable('the listener is closed');
    },
    () => {},
  );
});

tx.run();

// ---- memory backend -------------------------------------------------------------------------

const mem = suite('memory backend');

mem('sparse: reads zeroes, allocates on write, releases whole chunks on trim and write zeroes', async () => {
  const m = new MemoryBackend(1 * MiB);
  assert.equal(await m.read(0, 1 * MiB), Buffer.alloc(MiB));
  assert.is(m.allocatedBytes, 0);
  const d = randomBytes(200_000);
  await m.write(1000, d);
  assert.equal(await m.read(1000, d.length), d);
  assert.is(m.allocatedBytes, 4 * 65536);
  await m.writeZeroes(0, 3 * 65536);
  assert.is(m.allocatedBytes, 65536);
  await m.trim(3 * 65536, 1000);
  const r = await m.read(0, 4 * 65536);
  assert.equal(r.subarray(0, 3 * 65536 + 1000), Buffer.alloc(3 * 65536 + 1000));
  assert.equal(r.subarray(3 * 65536 + 1000, 1000 + d.length), d.subarray(3 * 65536));
  await m.flush();
});

mem('out-of-range and bad sizes are BlockError EINVAL', async () => {
  const m = new MemoryBackend(4096);
  for (const p of [
    m.read(4096, 1),
    m.write(4000, Buffer.alloc(100)),
    m.trim(-1, 1),
    m.writeZeroes(0, 4097),
    m.read(0.5, 1),
  ]) {
    await p.then(
      () => assert.unreachable('must fail'),
      (e) => {
        assert.instance(e, BlockError);
        assert.is((e as BlockError).errno, 'EINVAL');
      },
    );
  }
  assert.throws(() => new MemoryBackend(1000), /multiple of 4096/);
});

mem.run();
