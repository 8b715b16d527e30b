// Replica traffic with TLS (replica/tls.ts), attacked as issue 15's review describes: a client
// without TLS, a replica address pointed at another node's server, a server or client with a
// certificate from another CA, and an eavesdropper on the path between engine and replica, who
// must not see the data written (and does see it without TLS: the control that shows the capture
// works). Certificates come from @cairn/api's pki.ts, as `cairn up` makes them.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { connect, createServer } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';
import { createCa, issueCertificate } from '@cairn/api';
import type { CertifiedKey } from '@cairn/api';
import { BlockError, ReplicaClient, ReplicaServer, ReplicaStore } from '../src/index.js';
import type { ReplicaClientOptions, ReplicaTls } from '../src/index.js';
import { MiB, pattern, scratch } from './replica-support.js';

const SECRET = 'volume-secret-tls';
const test = suite('replica TLS');

let ca: CertifiedKey;
let otherCa: CertifiedKey;
let node1: ReplicaTls;
let node2: ReplicaTls;
let foreign: ReplicaTls;

async function nodeTls(authority: CertifiedKey, id: string): Promise<ReplicaTls> {
  const c = await issueCertificate(authority, {
    commonName: id,
    organization: 'cairn:nodes',
    dns: [id],
    ips: ['127.0.0.1'],
    use: ['server', 'client'],
  });
  return { ca: authority.cert, cert: c.cert, key: c.key };
}

let dir: string;
let cleanup: () => Promise<void>;
let store: ReplicaStore;
let server: ReplicaServer;
let port: number;

test.before(async () => {
  ca = await createCa('test CA');
  otherCa = await createCa('another CA');
  node1 = await nodeTls(ca, 'node-1');
  node2 = await nodeTls(ca, 'node-2');
  foreign = await nodeTls(otherCa, 'node-1');
});

test.before.each(async () => {
  ({ dir, cleanup } = await scratch());
  store = await ReplicaStore.create(`${dir}/r1`, 16 * MiB);
  // node-1 serves replica r1.
  server = new ReplicaServer({ tls: node1 });
  server.addReplica('r1', 'vol1', store, SECRET);
  ({ port } = await server.listen(0, '127.0.0.1'));
});
test.after.each(async () => {
  await server.close();
  await store.close();
  await cleanup();
});

async function refused(p: Promise<unknown>, what: string): Promise<string> {
  try {
    const c = await p;
    (c as ReplicaClient).close?.();
  } catch (e) {
    assert.instance(e, BlockError, `${what}: ${String(e)}`);
    return (e as Error).message;
  }
  assert.unreachable(`${what}: connected`);
  return '';
}

test('a client that checks the CA and the node name reads back what it wrote, over TLS', async () => {
  const c = await ReplicaClient.connect(`127.0.0.1:${port}`, 'r1', SECRET, { tls: { ...node2, servername: 'node-1' } });
  const data = pattern(64 * 1024, 7);
  await c.write(4096, data);
  assert.ok((await c.read(4096, data.length)).equals(data));
  assert.equal(
    server.connectionCount,
    { open: 1, unauthenticated: 0 },
    'the handshake is no longer counted once authenticated',
  );
  await c.close();
});

test('connections still in the TLS handshake count against the cap on unauthenticated ones', async () => {
  const capped = new ReplicaServer({ tls: node1, maxUnauthenticated: 2 });
  const { port: p } = await capped.listen(0, '127.0.0.1');
  const silent: Socket[] = [];
  try {
    for (let i = 0; i < 2; i++) {
      const s = connect(p, '127.0.0.1');
      s.on('error', () => undefined);
      silent.push(s);
      await new Promise<void>((r) => s.once('connect', () => r()));
    }
    for (let i = 0; i < 100 && capped.connectionCount.unauthenticated < 2; i++)
      await new Promise((r) => setTimeout(r, 10));
    assert.equal(capped.connectionCount, { open: 2, unauthenticated: 2 });
    const third = connect(p, '127.0.0.1');
    third.on('error', () => undefined);
    await new Promise<void>((r) => third.once('close', () => r()));
    assert.is(capped.refused, 1, 'a third handshake is refused on accept');
  } finally {
    for (const s of silent) s.destroy();
    await capped.close();
  }
});

test('a plaintext client gets nothing from a TLS replica server: no greeting, its bytes end the connection', async () => {
  await refused(
    ReplicaClient.connect(`127.0.0.1:${port}`, 'r1', SECRET, { connectTimeoutMs: 1000 }),
    'plaintext client',
  );
  // A raw client that speaks first (a request header's worth) is answered, at most, with a TLS alert, then closed.
  const sock = connect(port, '127.0.0.1');
  const got: Buffer[] = [];
  sock.on('data', (d: Buffer) => got.push(d));
  sock.on('error', () => undefined);
  sock.write(Buffer.alloc(64, 1));
  await new Promise<void>((r) => sock.once('close', () => r()));
  const reply = Buffer.concat(got);
  assert.ok(reply.length === 0 || reply[0] === 0x15, `no plaintext greeting: ${reply.subarray(0, 8).toString('hex')}`);
  assert.is(server.connectionCount.open, 0);
});

test("a replica address pointed at another node's server is refused: the certificate does not name the expected node", async () => {
  // The engine expects r1 on node-2; the address leads to node-1's server.
  const msg = await refused(
    ReplicaClient.connect(`127.0.0.1:${port}`, 'r1', SECRET, { tls: { ...node1, servername: 'node-2' } }),
    'wrong node',
  );
  assert.match(msg, /node-2/);
  assert.match(msg, /altnames|does not match/i);
});

test('a server certificate from another CA is refused', async () => {
  const impostor = new ReplicaServer({ tls: foreign });
  impostor.addReplica('r1', 'vol1', store, SECRET);
  const { port: p } = await impostor.listen(0, '127.0.0.1');
  try {
    const msg = await refused(
      ReplicaClient.connect(`127.0.0.1:${p}`, 'r1', SECRET, { tls: { ...node2, servername: 'node-1' } }),
      'foreign server',
    );
    assert.match(msg, /self[- ]signed|unable to (get|verify)|certificate/i);
  } finally {
    await impostor.close();
  }
});

test('a client whose certificate is from another CA is refused before HELLO', async () => {
  // It trusts the real CA (so it would accept the server) but presents a foreign certificate.
  const msg = await refused(
    ReplicaClient.connect(`127.0.0.1:${port}`, 'r1', SECRET, {
      tls: { ca: ca.cert, cert: foreign.cert, key: foreign.key, servername: 'node-1' },
    }),
    'foreign client',
  );
  assert.ok(msg.length > 0);
  assert.is(server.connectionCount.open, 0);
});

/** A TCP proxy to `port` that keeps every byte it forwards, both ways. */
async function eavesdropper(
  target: number,
): Promise<{ port: number; captured: () => Buffer; close: () => Promise<void> }> {
  const chunks: Buffer[] = [];
  const sockets: Socket[] = [];
  const proxy: Server = createServer((a) => {
    const b = connect(target, '127.0.0.1');
    sockets.push(a, b);
    a.on('data', (d: Buffer) => {
      chunks.push(Buffer.from(d));
      b.write(d);
    });
    b.on('data', (d: Buffer) => {
      chunks.push(Buffer.from(d));
      a.write(d);
    });
    a.on('error', () => b.destroy());
    b.on('error', () => a.destroy());
    a.on('close', () => b.destroy());
    b.on('close', () => a.destroy());
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
  return {
    port: (proxy.address() as AddressInfo).port,
    captured: () => Buffer.concat(chunks),
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => proxy.close(() => r()));
    },
  };
}

async function writeThrough(proxyPort: number, opts: ReplicaClientOptions, block: Buffer): Promise<void> {
  const c = await ReplicaClient.connect(`127.0.0.1:${proxyPort}`, 'r1', SECRET, opts);
  await c.write(0, block);
  assert.ok((await c.read(0, block.length)).equals(block));
  await c.close();
}

test('an eavesdropper between engine and replica sees none of the data written with TLS (and all of it without)', async () => {
  const block = pattern(4096, 99);
  const probe = block.subarray(1000, 1064); // any 64 bytes of the block would give it away

  // Control: a plaintext server on the same path leaks the block, so the search below can fail.
  const plainStore = await ReplicaStore.create(`${dir}/r2`, 16 * MiB);
  const plain = new ReplicaServer();
  plain.addReplica('r1', 'vol1', plainStore, SECRET);
  const { port: plainPort } = await plain.listen(0, '127.0.0.1');
  const tap1 = await eavesdropper(plainPort);
  try {
    await writeThrough(tap1.port, {}, block);
    assert.ok(tap1.captured().includes(probe), 'the plaintext control shows the capture sees data');
  } finally {
    await tap1.close();
    await plain.close();
    await plainStore.close();
  }

  const tap2 = await eavesdropper(port);
  try {
    // Through a proxy the address is the proxy's; the node name checked is still node-1.
    await writeThrough(tap2.port, { tls: { ...node2, servername: 'node-1' } }, block);
    const seen = tap2.captured();
    assert.ok(seen.length > block.length * 2, `the proxy carried the write and the read (${seen.length} bytes)`);
    assert.not.ok(seen.includes(probe), 'no 64-byte run of the block crosses the wire in clear');
  } finally {
    await tap2.close();
  }
});

test.run();
