// NBD stays on its node (issue 15, point 1), on `cairn up --detach`: the review's attack was
// `nbdcopy nbd://NODE:10809/pvc-...` from anywhere that reaches the node. Now an attached volume's
// export is served on the agent's unix socket only (0600 in a 0700 directory): no TCP listener of
// the agent speaks NBD, an unprivileged local user cannot connect, root (the CSI node plugin)
// reads and writes through the endpoint the control plane reports. An agent told to serve NBD
// off loopback refuses to start without TLS; with TLS (--nbd-listen and --nbd-tls-*) its exports
// are nbds:// and need a client certificate from its CA.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { execFile, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { createCa, issueCertificate, nodeToken } from '@cairn/api';
import type { CertifiedKey } from '@cairn/api';
import { CAIRN, eventually, startCluster } from './support/cluster.js';
import type { TestCluster } from './support/cluster.js';

const run = promisify(execFile);
const MiB = 2 ** 20;
const SIZE = 32 * MiB;
const NBDMAGIC = Buffer.from('NBDMAGIC');
const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
const fails = (cmd: string, args: string[]): Promise<{ code: number; stderr: string }> =>
  run(cmd, args, { timeout: 30_000 }).then(
    () => ({ code: 0, stderr: '' }),
    (e: { code?: number; stderr?: string }) => ({ code: e.code ?? -1, stderr: String(e.stderr ?? '') }),
  );

let c: TestCluster;
let uri = '';
const t = suite('nbd stays on its node');

t.before(async () => {
  c = await startCluster(3);
});
t.after(async () => {
  await c?.down();
});

/** The TCP addresses `pid` listens on (ss -ltnp). */
async function tcpListeners(pid: number): Promise<string[]> {
  const { stdout } = await run('ss', ['-Hltnp']);
  return stdout
    .split('\n')
    .filter((l) => l.includes(`pid=${pid},`))
    .map((l) => l.trim().split(/\s+/)[3]!);
}

/** Whether whatever listens at HOST:PORT greets like an NBD server (NBDMAGIC first, unasked). */
function greetsWithNbd(address: string): Promise<boolean> {
  const i = address.lastIndexOf(':');
  const host = address
    .slice(0, i)
    .replace(/^\[|\]$/g, '')
    .replace(/^\*$|^0\.0\.0\.0$/, '127.0.0.1')
    .replace(/^::$/, '::1');
  return new Promise((resolve) => {
    const s = connect(Number(address.slice(i + 1)), host);
    let got = Buffer.alloc(0);
    const done = (v: boolean): void => {
      clearTimeout(timer);
      s.destroy();
      resolve(v);
    };
    const timer = setTimeout(() => done(false), 5000); // an NBD server greets at once; generous for a loaded machine
    s.on('data', (d: Buffer) => {
      got = Buffer.concat([got, d]);
      if (got.length >= 8) done(got.subarray(0, 8).equals(NBDMAGIC));
    });
    s.on('error', () => done(false));
    s.on('close', () => done(false));
  });
}

t(
  "an attached volume's export is on the node's unix socket: 0600 in a 0700 directory; root reads back what it wrote",
  async () => {
    await c.call('CreateVolume', { name: 'local', size: SIZE, numberOfReplicas: 2 });
    await eventually(
      '2 replicas running',
      20_000,
      async () =>
        (await c.call('GetVolume', { name: 'local' })).replicas.filter((r) => r.state === 'running').length === 2,
    );
    const att = await c.cairn([
      'volume',
      'attach',
      'local',
      '--node',
      'node-1',
      '-o',
      'json',
      '--cluster',
      join(c.dir, 'cluster.json'),
    ]);
    assert.is(att.code, 0, att.stderr);
    uri = JSON.parse(att.stdout).nbd;
    const socket = join(c.dir, 'nodes', 'node-1', 'run', 'nbd.sock');
    assert.is(uri, `nbd+unix:///local?socket=${socket}`);
    assert.ok(statSync(socket).isSocket());
    assert.is(statSync(socket).mode & 0o777, 0o600, 'socket mode');
    assert.is(statSync(dirname(socket)).mode & 0o777, 0o700, 'socket directory mode');
    const data = randomBytes(SIZE);
    const src = join(c.dir, 'local.bin');
    writeFileSync(src, data);
    await run('nbdcopy', [src, uri], { timeout: 60_000 });
    await run('nbdcopy', [uri, `${src}.back`], { timeout: 60_000 });
    assert.is(sha(readFileSync(`${src}.back`)), sha(data));
  },
);

t('no TCP listener of the node agent speaks NBD, on any address: nbdinfo gets nothing from any of them', async () => {
  const pid = c.info.nodes[0]!.pid;
  const listeners = await tcpListeners(pid);
  assert.ok(listeners.length > 0, 'the agent listens on TCP (its replica port), so there is something to try');
  for (const a of listeners) {
    assert.not.ok(await greetsWithNbd(a), `${a} of node-1's agent answers as an NBD server`);
    const r = await fails('nbdinfo', ['--size', `nbd://${a.replace(/^\*|^0\.0\.0\.0/, '127.0.0.1')}/local`]);
    assert.is.not(r.code, 0, `nbdinfo read the export through ${a}`);
  }
  // The old default port, on every address of the host.
  const r = await fails('nbdinfo', ['--size', 'nbd://127.0.0.1:10809/local']);
  assert.is.not(r.code, 0);
});

t('an unprivileged user cannot connect to the socket, even with the directories above it opened', async () => {
  const socket = join(c.dir, 'nodes', 'node-1', 'run', 'nbd.sock');
  // mkdtemp made the cluster directory 0700: open the way down to the socket's own directory, and
  // then that one too, as an operator might by mistake. The socket's own mode still says no.
  chmodSync(c.dir, 0o755);
  const asNobody = (): Promise<{ code: number; stderr: string }> =>
    fails('setpriv', ['--reuid=nobody', '--regid=nogroup', '--clear-groups', '--', 'nbdinfo', '--size', uri]);
  const a = await asNobody();
  assert.is.not(a.code, 0, 'nobody read the export');
  assert.match(a.stderr, /Permission denied/i);
  chmodSync(dirname(socket), 0o755);
  const b = await asNobody();
  assert.is.not(b.code, 0, 'nobody read the export through an opened directory');
  assert.match(b.stderr, /Permission denied/i);
  chmodSync(dirname(socket), 0o700);
  chmodSync(c.dir, 0o700);
});

t(
  'cairn node refuses NBD off loopback without TLS, and TLS files without all three or without --nbd-listen',
  async () => {
    const base = [
      'node',
      '--manager',
      c.info.admin,
      '--node-id',
      'nope',
      '--disk',
      join(c.dir, 'nope'),
      '--zone',
      'z',
      '--token-file',
      c.info.token,
    ];
    for (const [flags, why] of [
      [['--nbd-listen', '0.0.0.0:0'], /only with TLS/],
      [['--nbd-listen', '10.1.2.3:10809'], /only with TLS/],
      [['--nbd-listen', '127.0.0.1:0', '--nbd-tls-cert', '/x'], /go together/],
      [['--nbd-tls-cert', '/x', '--nbd-tls-key', '/y', '--nbd-tls-ca', '/z'], /need --nbd-listen/],
      [['--nbd-socket', '/tmp/s', '--nbd-listen', '127.0.0.1:0'], /not both/],
      [['--nbd-port', '10809'], /unknown flag --nbd-port/],
    ] as [string[], RegExp][]) {
      const r = await c.cairn([...base, ...flags]);
      assert.is.not(r.code, 0, flags.join(' '));
      assert.match(r.stderr, why, flags.join(' '));
    }
  },
);

/**
 * The NBD listener's own CA (docs/security.md: kept apart from the cluster's), made with pki.ts:
 * its server certificate under `dir`, and libnbd tls-certificates directories (ca-cert.pem,
 * client-cert.pem, client-key.pem) for a client of that CA, a stranger's CA, and none.
 */
async function nbdPki(dir: string): Promise<{ clientDir: string; strangerDir: string; anonymousDir: string }> {
  mkdirSync(dir, { mode: 0o700 });
  const ca = await createCa('nbd test CA');
  const other = await createCa("a stranger's CA");
  const server = await issueCertificate(ca, {
    commonName: 'localhost',
    ips: ['127.0.0.1'],
    dns: ['localhost'],
    use: ['server'],
  });
  writeFileSync(join(dir, 'ca-cert.pem'), ca.cert);
  writeFileSync(join(dir, 'server-cert.pem'), server.cert);
  writeFileSync(join(dir, 'server-key.pem'), server.key, { mode: 0o600 });
  const clientDir = async (sub: string, issuer: CertifiedKey | null): Promise<string> => {
    const d = join(dir, sub);
    mkdirSync(d, { mode: 0o700 });
    writeFileSync(join(d, 'ca-cert.pem'), ca.cert);
    if (issuer) {
      const client = await issueCertificate(issuer, { commonName: 'nbd-client', use: ['client'] });
      writeFileSync(join(d, 'client-cert.pem'), client.cert);
      writeFileSync(join(d, 'client-key.pem'), client.key, { mode: 0o600 });
    }
    return d;
  };
  return {
    clientDir: await clientDir('client', ca),
    strangerDir: await clientDir('stranger', other),
    anonymousDir: await clientDir('anonymous', null),
  };
}

t(
  "an agent serving NBD with TLS: nbds:// endpoint; refused in clear and to another CA's client; nbdcopy round-trips with its CA's",
  async () => {
    const pkiDir = join(c.dir, 'nbd-pki'); // DIR/pki is the cluster's own CA
    const pki = await nbdPki(pkiDir);
    const disk = join(c.dir, 'nodes', 'node-tls', 'disk-1');
    mkdirSync(disk, { recursive: true });
    // A node of this cluster like the others: its own token (from the managers' node key), the cluster's CA.
    const tokenFile = join(c.dir, 'credentials', 'node-tls.token');
    writeFileSync(
      tokenFile,
      nodeToken(readFileSync(join(c.dir, 'credentials', 'node.key'), 'utf8').trim(), 'node-tls'),
      { mode: 0o600 },
    );
    // Its node certificate from the cluster CA: replica traffic to and from the other nodes is TLS.
    const caDir = join(c.dir, 'pki');
    const nodeCert = await issueCertificate(
      { cert: readFileSync(join(caDir, 'ca.crt'), 'utf8'), key: readFileSync(join(caDir, 'ca.key'), 'utf8') },
      {
        commonName: 'node-tls',
        organization: 'cairn:nodes',
        dns: ['node-tls'],
        ips: ['127.0.0.1'],
        use: ['server', 'client'],
      },
    );
    writeFileSync(join(caDir, 'node-tls.crt'), nodeCert.cert);
    writeFileSync(join(caDir, 'node-tls.key'), nodeCert.key, { mode: 0o600 });
    const agent: ChildProcess = spawn(
      process.execPath,
      [
        CAIRN,
        'node',
        '--manager',
        c.info.admin,
        '--node-id',
        'node-tls',
        '--disk',
        disk,
        '--zone',
        'zone-tls',
        '--node-token-file',
        tokenFile,
        '--tls-ca',
        join(caDir, 'ca.crt'),
        '--tls-cert',
        join(caDir, 'node-tls.crt'),
        '--tls-key',
        join(caDir, 'node-tls.key'),
        '--nbd-listen',
        '127.0.0.1:0',
        '--nbd-tls-cert',
        join(pkiDir, 'server-cert.pem'),
        '--nbd-tls-key',
        join(pkiDir, 'server-key.pem'),
        '--nbd-tls-ca',
        join(pkiDir, 'ca-cert.pem'),
      ],
      { stdio: ['ignore', 'ignore', 'inherit'] },
    );
    try {
      await eventually('node-tls registers', 20_000, async () =>
        (await c.call('ListNodes', {})).nodes.some((n) => n.id === 'node-tls' && n.state === 'up'),
      );
      await c.call('CreateVolume', { name: 'tls', size: SIZE, numberOfReplicas: 1 });
      await eventually('the replica runs', 20_000, async () =>
        (await c.call('GetVolume', { name: 'tls' })).replicas.some((r) => r.state === 'running'),
      );
      const att = await c.cairn([
        'volume',
        'attach',
        'tls',
        '--node',
        'node-tls',
        '-o',
        'json',
        '--cluster',
        join(c.dir, 'cluster.json'),
      ]);
      assert.is(att.code, 0, att.stderr);
      const endpoint = JSON.parse(att.stdout).nbd as string;
      assert.match(endpoint, /^nbds:\/\/127\.0\.0\.1:\d+\/tls$/);
      // The probe of the test above does see an NBD listener when there is one (it greets in clear before STARTTLS).
      assert.ok(await greetsWithNbd(new URL(endpoint).host), 'the NBD greeting is recognised');
      const plain = endpoint.replace(/^nbds:/, 'nbd:');
      assert.is.not((await fails('nbdinfo', ['--size', plain])).code, 0, 'read in clear');
      for (const dir of [pki.strangerDir, pki.anonymousDir]) {
        assert.is.not(
          (await fails('nbdinfo', ['--size', `${endpoint}?tls-certificates=${dir}`])).code,
          0,
          `read with ${dir}`,
        );
      }
      const good = `${endpoint}?tls-certificates=${pki.clientDir}`;
      const data = randomBytes(SIZE);
      const src = join(c.dir, 'tls.bin');
      writeFileSync(src, data);
      await run('nbdcopy', [src, good], { timeout: 60_000 });
      await run('nbdcopy', [good, `${src}.back`], { timeout: 60_000 });
      assert.is(sha(readFileSync(`${src}.back`)), sha(data), 'read back over TLS what was written over TLS');
    } finally {
      agent.kill('SIGTERM');
      await new Promise((r) => agent.once('exit', r));
    }
  },
);

t.run();
