// Who can reach an NBD export (issue 15, point 1). NBD has no authentication, so the listener is
// the access control: a unix socket in a 0700 directory (root and the server's user only), a
// loopback address, or, anywhere else, TLS required (FORCEDTLS: NBD_OPT_STARTTLS before anything
// else) with a client certificate from the listener's CA. Checked with the clients an attacker
// would use (libnbd's nbdinfo and nbdcopy, a raw client) and an unprivileged user.
import { createHash, randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { connect as connectTls } from 'node:tls';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  checkNbdListen,
  isLoopback,
  MemoryBackend,
  NbdListenRefused,
  NbdServer,
  nbd as P,
  nbdUri,
  parseNbdListen,
} from '../src/index.js';
import type { BlockBackend } from '../src/index.js';
import { makeTestPki } from './nbd-pki.js';
import type { TestPki } from './nbd-pki.js';
import { RawClient, run } from './nbd-support.js';

const MiB = 1024 * 1024;
const SIZE = 8 * MiB;
const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

let dir = '';
let pki: TestPki;
const backends = new Map<string, BlockBackend>();
const servers: NbdServer[] = [];
const logs: string[] = [];

function server(): NbdServer {
  const s = new NbdServer({ exports: (n) => backends.get(n), log: (l) => logs.push(l) });
  servers.push(s);
  return s;
}

/** Writes random data through `uri` with nbdcopy, reads it back the same way: their sha256 must match. */
async function roundTrip(uri: string, extra: string[] = []): Promise<void> {
  const data = randomBytes(SIZE);
  const src = join(dir, `in-${randomBytes(4).toString('hex')}.bin`);
  const dst = `${src}.back`;
  writeFileSync(src, data);
  const w = await run('nbdcopy', [...extra, src, uri], 60_000);
  assert.is(w.code, 0, `nbdcopy to ${uri}: ${w.stderr}`);
  const r = await run('nbdcopy', [...extra, uri, dst], 60_000);
  assert.is(r.code, 0, `nbdcopy from ${uri}: ${r.stderr}`);
  assert.is(sha(readFileSync(dst)), sha(data), 'what was read back is what was written');
}

const setup = async (): Promise<void> => {
  dir = mkdtempSync(join(tmpdir(), 'cairn-nbd-listen-'));
  chmodSync(dir, 0o755); // the unprivileged user may walk up to the socket's own directory
  pki = makeTestPki(mkdtempSync(join(dir, 'pki-')));
  backends.set('vol', new MemoryBackend(SIZE));
};
const teardown = async (): Promise<void> => {
  for (const s of servers.splice(0)) await s.close();
  rmSync(dir, { recursive: true, force: true });
};

// ---- where a server may listen ------------------------------------------------------------------

const rule = suite('nbd listen rule');

rule('loopback only in clear: 127/8 and ::1; a name, 0.0.0.0, :: or a node address need TLS', () => {
  for (const h of ['127.0.0.1', '127.1.2.3', '::1', '[::1]']) assert.ok(isLoopback(h), h);
  for (const h of ['0.0.0.0', '::', '10.0.0.5', '192.168.1.1', 'localhost', 'node-1', '::ffff:10.0.0.1', ''])
    assert.not.ok(isLoopback(h), h);
  const tls = { cert: 'c', key: 'k', ca: 'a' };
  assert.not.throws(() => checkNbdListen({ kind: 'tcp', host: '127.0.0.1', port: 10809 }));
  for (const host of ['0.0.0.0', '10.0.0.5', 'localhost']) {
    assert.throws(
      () => checkNbdListen({ kind: 'tcp', host, port: 10809 }),
      (e: Error) => e instanceof NbdListenRefused && /only with TLS/.test(e.message),
      host,
    );
    assert.not.throws(() => checkNbdListen({ kind: 'tcp', host, port: 10809, tls }), host);
  }
  assert.throws(() => checkNbdListen({ kind: 'unix', path: 'relative.sock' }), /absolute/);
  assert.throws(() => checkNbdListen({ kind: 'unix', path: `/${'x'.repeat(120)}` }), /longer than/);
  assert.equal(parseNbdListen('127.0.0.1:10809'), { kind: 'tcp', host: '127.0.0.1', port: 10809 });
  assert.equal(parseNbdListen('[::1]:0'), { kind: 'tcp', host: '::1', port: 0 });
  assert.throws(() => parseNbdListen('10.0.0.5:10809'), /only with TLS/);
  assert.throws(() => parseNbdListen('127.0.0.1:70000'), /not a port/);
  assert.throws(() => parseNbdListen('127.0.0.1'), /HOST:PORT/);
});

rule('URIs: nbd+unix with the socket, nbd on loopback, nbds where TLS is required', () => {
  assert.is(
    nbdUri({ kind: 'unix', path: '/run/cairn/nbd.sock' }, 0, 'pvc-1'),
    'nbd+unix:///pvc-1?socket=/run/cairn/nbd.sock',
  );
  assert.is(
    nbdUri({ kind: 'unix', path: '/tmp/a b&c/nbd.sock' }, 0, 'v@s'),
    'nbd+unix:///v%40s?socket=/tmp/a%20b%26c/nbd.sock',
  );
  assert.is(nbdUri({ kind: 'tcp', host: '127.0.0.1', port: 0 }, 10809, 'v'), 'nbd://127.0.0.1:10809/v');
  assert.is(nbdUri({ kind: 'tcp', host: '::1', port: 0 }, 10809, 'v'), 'nbd://[::1]:10809/v');
  assert.is(
    nbdUri({ kind: 'tcp', host: '10.0.0.5', port: 10809, tls: { cert: '', key: '', ca: '' } }, 10809, 'v'),
    'nbds://10.0.0.5:10809/v',
  );
});

rule('NbdServer.listen refuses a non-loopback address without TLS', async () => {
  const s = new NbdServer({ exports: () => undefined });
  try {
    for (const host of ['0.0.0.0', '::']) {
      await s.listen(0, host).then(
        () => assert.unreachable(`listened on ${host}`),
        (e: Error) => {
          assert.instance(e, NbdListenRefused);
        },
      );
    }
    assert.equal(s.addresses(), [], 'no listener was left open');
  } finally {
    await s.close();
  }
});

rule.run();

// ---- unix socket ---------------------------------------------------------------------------------

const unix = suite('nbd unix socket');
unix.before(setup);
unix.after(teardown);

unix(
  'the socket is 0600 in a 0700 directory, whatever the umask; libnbd clients read and write through it',
  async () => {
    const path = join(dir, 'run', 'nbd.sock');
    const old = process.umask(0);
    try {
      await server().listenUnix(path);
    } finally {
      process.umask(old);
    }
    assert.is(statSync(join(dir, 'run')).mode & 0o777, 0o700, 'directory mode');
    assert.is(statSync(path).mode & 0o777, 0o600, 'socket mode');
    assert.ok(statSync(path).isSocket());
    const uri = nbdUri({ kind: 'unix', path }, 0, 'vol');
    const info = await run('nbdinfo', ['--size', uri]);
    assert.is(info.code, 0, info.stderr);
    assert.is(Number(info.stdout.trim()), SIZE);
    await roundTrip(uri);
  },
);

unix('an unprivileged user cannot connect to the socket (nor through a directory opened up afterwards)', async () => {
  const path = join(dir, 'priv', 'nbd.sock');
  await server().listenUnix(path);
  const uri = nbdUri({ kind: 'unix', path }, 0, 'vol');
  const asNobody = (args: string[]): Promise<{ code: number; stderr: string }> =>
    run('setpriv', ['--reuid=nobody', '--regid=nogroup', '--clear-groups', '--', 'nbdinfo', ...args]);
  const denied = await asNobody(['--size', uri]);
  assert.is.not(denied.code, 0, 'nobody reached the export');
  assert.match(denied.stderr, /Permission denied/i);
  // Even an operator's mistake on the directory leaves the socket itself closed to others.
  chmodSync(join(dir, 'priv'), 0o755);
  const still = await asNobody(['--size', uri]);
  assert.is.not(still.code, 0, 'nobody reached the export through an opened directory');
  assert.match(still.stderr, /Permission denied/i);
  // Root (the agent's and the CSI node plugin's user) still can.
  assert.is((await run('nbdinfo', ['--size', uri])).code, 0);
});

unix('a stale socket file is replaced; a live one, or a file that is not a socket, is refused', async () => {
  const path = join(dir, 'stale', 'nbd.sock');
  mkdirSync(join(dir, 'stale'), { mode: 0o700 });
  // A socket bound by a process that is gone (python binds and exits without unlinking).
  execFileSync('python3', ['-c', `import socket; socket.socket(socket.AF_UNIX).bind(${JSON.stringify(path)})`]);
  assert.ok(statSync(path).isSocket());
  const s = server();
  await s.listenUnix(path);
  assert.is((await run('nbdinfo', ['--size', nbdUri({ kind: 'unix', path }, 0, 'vol')])).code, 0);
  await server()
    .listenUnix(path)
    .then(
      () => assert.unreachable('took over a live socket'),
      (e: Error) => assert.match(e.message, /in use by another server/),
    );
  const file = join(dir, 'stale', 'not-a-socket');
  writeFileSync(file, 'keep me');
  await server()
    .listenUnix(file)
    .then(
      () => assert.unreachable('replaced a file'),
      (e: Error) => assert.match(e.message, /not a socket/),
    );
  assert.is(readFileSync(file, 'utf8'), 'keep me');
  await s.close();
  assert.not.ok(existsSync(path), 'the socket file is removed when the server closes');
});

unix.run();

// ---- TLS -----------------------------------------------------------------------------------------

const tls = suite('nbd STARTTLS');
let port = 0;
tls.before(async () => {
  await setup();
  port = (await server().listen(0, '127.0.0.1', pki.server)).port;
});
tls.after(teardown);

tls('without TLS nbdinfo is refused (TLS required), and nothing about the exports is said', async () => {
  const r = await run('nbdinfo', ['--size', `nbd://127.0.0.1:${port}/vol`]);
  assert.is.not(r.code, 0, 'nbdinfo read the size in clear');
  assert.match(r.stderr, /TLS|tls/);
});

tls('FORCEDTLS: every option but STARTTLS and ABORT gets NBD_REP_ERR_TLS_REQD; EXPORT_NAME closes', async () => {
  const c = await RawClient.connect(port);
  await c.greet();
  for (const opt of [P.OPT_LIST, P.OPT_STRUCTURED_REPLY, 99]) {
    c.option(opt);
    const r = await c.optionReply();
    assert.is(r.type, P.REP_ERR_TLS_REQD, `option ${opt}`);
  }
  for (const opt of [P.OPT_INFO, P.OPT_GO]) {
    const r = await c.go('vol', [P.INFO_BLOCK_SIZE], opt);
    assert.is(r.infos.length, 0, 'no NBD_REP_INFO (the export size) before TLS');
    assert.is(r.final.type, P.REP_ERR_TLS_REQD, `option ${opt}`);
  }
  c.option(P.OPT_ABORT);
  assert.is((await c.optionReply()).type, P.REP_ACK);
  await c.closed;

  const e = await RawClient.connect(port);
  await e.greet();
  e.option(P.OPT_EXPORT_NAME, Buffer.from('vol'));
  await e.closed;
  assert.ok(e.isClosed, 'NBD_OPT_EXPORT_NAME before TLS closes the connection');

  const d = await RawClient.connect(port);
  await d.greet();
  d.option(P.OPT_STARTTLS, Buffer.from('x'));
  assert.is((await d.optionReply()).type, P.REP_ERR_INVALID, 'STARTTLS with data');
  d.destroy();
});

tls('after STARTTLS the haggling goes on over TLS: a second STARTTLS is NBD_REP_ERR_INVALID, GO serves', async () => {
  const c = await RawClient.connect(port);
  await c.greet();
  c.option(P.OPT_STARTTLS);
  assert.is((await c.optionReply()).type, P.REP_ACK);
  const secure = connectTls({
    socket: c.socket,
    servername: 'localhost',
    ca: pki.server.ca,
    cert: readFileSync(join(pki.clientDir, 'client-cert.pem')),
    key: readFileSync(join(pki.clientDir, 'client-key.pem')),
  });
  await new Promise<void>((resolve, reject) => {
    secure.once('secureConnect', resolve);
    secure.once('error', reject);
  });
  const t = RawClient.over(secure);
  t.option(P.OPT_STARTTLS);
  assert.is((await t.optionReply()).type, P.REP_ERR_INVALID, 'TLS is already in use');
  const go = await t.go('vol');
  assert.is(go.final.type, P.REP_ACK);
  const data = randomBytes(4096);
  assert.is(await t.writeAt(8192, data), 0);
  assert.equal(await t.readAt(8192, 4096), data);
  await t.disconnect();
});

tls('a client certificate from another CA, or none, is refused', async () => {
  for (const certs of [pki.strangerDir, pki.anonymousDir]) {
    const r = await run('nbdinfo', ['--size', `nbds://127.0.0.1:${port}/vol?tls-certificates=${certs}`]);
    assert.is.not(r.code, 0, `nbdinfo with ${certs} read the size`);
  }
});

tls("with the CA's client certificate nbdinfo and nbdcopy work over TLS: written data reads back", async () => {
  const uri = `nbds://127.0.0.1:${port}/vol?tls-certificates=${pki.clientDir}`;
  const info = await run('nbdinfo', ['--size', uri]);
  assert.is(info.code, 0, info.stderr);
  assert.is(Number(info.stdout.trim()), SIZE);
  await roundTrip(uri);
});

tls.run();
