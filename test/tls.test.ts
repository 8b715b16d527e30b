// TLS end to end (issue 15, point 3), attacked as the review describes: `cairn up` makes a CA and
// certificates (DIR/pki, modes, names) and every process uses them; a client that has the CA
// refuses a manager whose certificate comes from another CA (the CLI, a node agent, the CSI
// controller's admin connection), with an error that says so; plaintext to the TLS port gets
// nothing; the CLI never sends its token to something posing as the manager on a plain TCP port;
// a node's replica server refuses a peer without a node certificate.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { adminClient, adminProto, createCa, issueCertificate } from '@cairn/api';
import { controllerAdmin } from '@cairn/csi';
import { ReplicaClient } from '@cairn/datapath';
import { CAIRN, startCluster } from './support/cluster.js';
import type { TestCluster } from './support/cluster.js';

const t = suite('TLS end to end');
let c: TestCluster;
let scratch: string;
/** A gRPC server with the Admin service whose certificate (for 127.0.0.1) comes from another CA. */
let impostor: grpc.Server;
let impostorAddress: string;

t.before(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'cairn-tls-'));
  c = await startCluster(2);
  const otherCa = await createCa('not the cluster CA');
  const cert = await issueCertificate(otherCa, {
    commonName: 'manager',
    dns: ['localhost'],
    ips: ['127.0.0.1'],
    use: ['server'],
  });
  impostor = new grpc.Server();
  impostor.addService(adminProto().cairn.admin.v1.Admin.service, {});
  const port = await new Promise<number>((resolve, reject) =>
    impostor.bindAsync(
      '127.0.0.1:0',
      grpc.ServerCredentials.createSsl(null, [
        { cert_chain: Buffer.from(cert.cert), private_key: Buffer.from(cert.key) },
      ]),
      (e, p) => (e ? reject(e) : resolve(p)),
    ),
  );
  impostorAddress = `127.0.0.1:${port}`;
});

t.after(async () => {
  impostor?.forceShutdown();
  await c?.down();
  rmSync(scratch, { recursive: true, force: true });
});

function run(
  args: string[],
  env: NodeJS.ProcessEnv = {},
  cwd = scratch,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    // Nothing from this process's CAIRN_* settings: each case names its own connection.
    const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('CAIRN_')));
    const child = spawn(process.execPath, [CAIRN, ...args], { cwd, env: { ...base, ...env } });
    let stdout = '',
      stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

const pki = (name: string): string => join(c.dir, 'pki', name);
const mode = (p: string): number => statSync(p).mode & 0o777;

t("cairn up makes DIR/pki: the CA, the managers' and each node's certificate, keys readable by the owner only", () => {
  assert.is(mode(join(c.dir, 'pki')), 0o700);
  for (const k of ['ca.key', 'manager.key', 'node-1.key', 'node-2.key']) assert.is(mode(pki(k)), 0o600, k);
  const ca = new X509Certificate(readFileSync(pki('ca.crt')));
  assert.ok(ca.ca, 'ca.crt is a CA');
  const manager = new X509Certificate(readFileSync(pki('manager.crt')));
  assert.ok(manager.verify(ca.publicKey), 'the manager certificate is signed by the CA');
  assert.ok(manager.checkIP('127.0.0.1') && manager.checkHost('localhost'), manager.subjectAltName);
  const node = new X509Certificate(readFileSync(pki('node-2.crt')));
  assert.ok(node.verify(ca.publicKey));
  assert.match(node.subject, /CN=node-2/);
  assert.match(node.subject, /O=cairn:nodes/);
  assert.ok(node.checkHost('node-2') && !node.checkHost('node-1'), node.subjectAltName);
  assert.ok(node.checkIP('127.0.0.1'));
  assert.is((c.info as { tlsCa?: string }).tlsCa, pki('ca.crt'), 'cluster.json records the CA');
});

t('cairn status says TLS is on; the CLI talks to the cluster with the CA from cluster.json', async () => {
  const st = await run(['status', '--dir', c.dir]);
  assert.is(st.code, 0, st.stderr);
  assert.match(st.stdout, new RegExp(`tls on \\(CA ${pki('ca.crt').replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}\\)`));
  const ls = await run(['node', 'ls'], { CAIRN_CLUSTER: join(c.dir, 'cluster.json') });
  assert.is(ls.code, 0, ls.stderr);
  assert.match(ls.stdout, /node-2/);
  assert.is(ls.stderr, '', 'no warning on stderr');
});

t("plaintext to the manager's TLS port gets no answer", async () => {
  const plain = adminClient(c.info.admin, { token: c.token });
  try {
    const err = await new Promise<grpc.ServiceError | null>((resolve) =>
      plain.GetClusterInfo({}, { deadline: Date.now() + 5000 }, (e) => resolve(e)),
    );
    assert.ok(err, 'a plaintext call failed');
    assert.ok(
      [grpc.status.UNAVAILABLE, grpc.status.DEADLINE_EXCEEDED, grpc.status.INTERNAL].includes(err!.code),
      `${err!.code} ${err!.details}`,
    );
  } finally {
    plain.close();
  }
  // And the CLI pointed at the port without a CA fails the same way.
  const r = await run(['node', 'ls', '--endpoint', c.info.admin, '--token-file', c.info.token, '--timeout', '5s']);
  assert.is.not(r.code, 0);
});

t('the CLI refuses a manager whose certificate is from another CA, and says why', async () => {
  const r = await run([
    'volume',
    'ls',
    '--endpoint',
    impostorAddress,
    '--token',
    'secret-token',
    '--tls-ca',
    pki('ca.crt'),
    '--timeout',
    '5s',
  ]);
  assert.is.not(r.code, 0);
  assert.match(r.stderr, /failed the TLS check, nothing was sent: .*certificate/i, r.stderr);
  // The same through CAIRN_TLS_CA.
  const e = await run(['volume', 'ls', '--endpoint', impostorAddress, '--token', 'secret-token', '--timeout', '5s'], {
    CAIRN_TLS_CA: pki('ca.crt'),
  });
  assert.is.not(e.code, 0);
  assert.match(e.stderr, /certificate/i, e.stderr);
});

/** A plain TCP listener posing as the manager: keeps every byte a client sends. */
async function listener(): Promise<{ address: string; bytes: () => Buffer; close: () => Promise<void> }> {
  const chunks: Buffer[] = [];
  const sockets: Socket[] = [];
  const server: Server = createServer((s) => {
    sockets.push(s);
    s.on('data', (d: Buffer) => chunks.push(Buffer.from(d)));
    s.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    address: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    bytes: () => Buffer.concat(chunks),
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

t(
  'the CLI with a CA never sends its token in clear: a plain TCP listener posing as the manager sees a TLS hello only',
  async () => {
    const fake = await listener();
    const token = 'never-on-the-wire-' + 'x'.repeat(20);
    try {
      // The cluster file names the fake as its manager, with the CA: what an attacker who can
      // bind the manager's address (or reroute it) gets.
      const file = join(scratch, 'fake-cluster.json');
      const tokenFile = join(scratch, 'fake-token');
      writeFileSync(tokenFile, token, { mode: 0o600 });
      writeFileSync(file, JSON.stringify({ admin: fake.address, token: tokenFile, tlsCa: pki('ca.crt') }));
      const r = await run(['volume', 'ls', '--timeout', '3s'], { CAIRN_CLUSTER: file });
      assert.is.not(r.code, 0);
      const seen = fake.bytes();
      assert.ok(seen.length > 0, 'the CLI did connect');
      assert.is(seen[0], 0x16, `a TLS handshake record, not HTTP/2: ${seen.subarray(0, 16).toString('hex')}`);
      assert.not.ok(seen.includes(Buffer.from('PRI * HTTP/2.0')), 'no HTTP/2 preface in clear');
      assert.not.ok(seen.includes(Buffer.from(token)), 'the token is not on the wire');
    } finally {
      await fake.close();
    }
  },
);

t(
  'a node agent with the CA refuses a manager whose certificate is from another CA, and never registers there',
  async () => {
    const disk = join(scratch, 'agent-disk');
    const child = spawn(
      process.execPath,
      [
        CAIRN,
        'node',
        '--manager',
        impostorAddress,
        '--node-id',
        'node-9',
        '--disk',
        disk,
        '--zone',
        'z',
        '--token',
        'secret-token',
        '--tls-ca',
        pki('ca.crt'),
        '--tls-cert',
        pki('node-1.crt'),
        '--tls-key',
        pki('node-1.key'),
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no refusal logged in 15 s:\n${out}`)), 15_000);
        const check = (): void => {
          if (/register with .* failed, retrying: .*certificate/i.test(out)) {
            clearTimeout(timer);
            resolve();
          }
        };
        child.stdout.on('data', check);
        child.stderr.on('data', check);
        child.on('exit', () => reject(new Error(`the agent exited:\n${out}`)));
      });
      assert.not.match(out, /registered with/);
    } finally {
      child.kill('SIGKILL');
    }
  },
);

t("the CSI controller's admin connection refuses a manager whose certificate is from another CA", async () => {
  const admin = controllerAdmin({
    endpoint: impostorAddress,
    token: 'secret-token',
    ca: readFileSync(pki('ca.crt')),
    timeoutMs: 5000,
  });
  try {
    await admin.getClusterInfo();
    assert.unreachable('connected');
  } catch (e) {
    assert.match((e as Error).message, /certificate/i);
  } finally {
    admin.close();
  }
  // With the cluster CA and the real manager it works: the refusal is the certificate's.
  const real = controllerAdmin({
    endpoint: c.info.admin,
    token: c.token,
    ca: readFileSync(pki('ca.crt')),
    timeoutMs: 5000,
  });
  try {
    assert.ok((await real.getClusterInfo()).seq);
  } finally {
    real.close();
  }
});

t('the CSI controller checks the name it is told to (--tls-server-name), not the address it dials', async () => {
  const ca = readFileSync(pki('ca.crt'));
  // 127.0.0.1 is in the managers' certificate; "node-1" is not, whatever address is dialled.
  const wrong = controllerAdmin({ endpoint: c.info.admin, token: c.token, ca, serverName: 'node-1', timeoutMs: 5000 });
  try {
    await wrong.getClusterInfo();
    assert.unreachable('connected under a name the certificate does not carry');
  } catch (e) {
    assert.match((e as Error).message, /node-1|altnames|certificate/i);
  } finally {
    wrong.close();
  }
  const right = controllerAdmin({
    endpoint: c.info.admin,
    token: c.token,
    ca,
    serverName: 'localhost',
    timeoutMs: 5000,
  });
  try {
    assert.ok((await right.getClusterInfo()).seq);
  } finally {
    right.close();
  }
});

t("cairn pki makes a CA and node certificates an operator puts in deploy/'s Secrets", async () => {
  const dir = join(scratch, 'op-pki');
  assert.is((await run(['pki', 'ca', dir])).code, 0);
  const issued = await run([
    'pki',
    'issue',
    dir,
    'worker-7',
    '--node',
    '--ip',
    '10.1.2.3',
    '--out',
    join(dir, 'nodes'),
    '-o',
    'json',
  ]);
  assert.is(issued.code, 0, issued.stderr);
  const files = JSON.parse(issued.stdout) as { cert: string; key: string };
  assert.is(mode(files.key), 0o600);
  assert.is(mode(join(dir, 'nodes')), 0o700);
  const ca = new X509Certificate(readFileSync(join(dir, 'ca.crt')));
  const cert = new X509Certificate(readFileSync(files.cert));
  assert.ok(cert.verify(ca.publicKey));
  assert.match(cert.subject, /CN=worker-7/);
  assert.match(cert.subject, /O=cairn:nodes/);
  assert.ok(cert.checkHost('worker-7') && cert.checkIP('10.1.2.3'));
  // A second `pki ca` keeps the CA (certificates issued from it stay valid).
  const again = await run(['pki', 'ca', dir, '-o', 'json']);
  assert.is(JSON.parse(again.stdout).created, false);
  assert.ok(new X509Certificate(readFileSync(join(dir, 'ca.crt'))).fingerprint256 === ca.fingerprint256);
});

t("a node's replica server refuses a peer without a node certificate, and one checking for another node", async () => {
  await c.call('CreateVolume', { name: 'tls-vol', size: 16 * 2 ** 20, numberOfReplicas: 2 });
  const replicas = await (async () => {
    for (let i = 0; i < 300; i++) {
      const v = await c.call('GetVolume', { name: 'tls-vol' });
      if (
        v.replicas.length === 2 &&
        v.replicas.every((r: { state: string; address: string }) => r.state === 'running' && r.address)
      )
        return v.replicas;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('replicas did not run');
  })();
  const r = replicas[0] as { id: string; node: string; address: string };
  const other = r.node === 'node-1' ? 'node-2' : 'node-1';
  const tryConnect = async (opts: Parameters<typeof ReplicaClient.connect>[3]): Promise<string> => {
    try {
      const client = await ReplicaClient.connect(r.address, r.id, 'any-secret', { connectTimeoutMs: 2000, ...opts });
      client.close();
      return 'connected';
    } catch (e) {
      return (e as Error).message;
    }
  };
  assert.is.not(await tryConnect({}), 'connected', 'plaintext');
  const wrongNode = await tryConnect({
    tls: {
      ca: readFileSync(pki('ca.crt')),
      cert: readFileSync(pki(`${other}.crt`)),
      key: readFileSync(pki(`${other}.key`)),
      servername: other,
    },
  });
  assert.match(wrongNode, new RegExp(`${other}.*altnames|altnames.*${other}|does not match`, 'i'));
  // With a node certificate and the right name, TLS is established and HELLO decides: the secret is wrong.
  const right = await tryConnect({
    tls: {
      ca: readFileSync(pki('ca.crt')),
      cert: readFileSync(pki(`${other}.crt`)),
      key: readFileSync(pki(`${other}.key`)),
      servername: r.node,
    },
  });
  assert.match(right, /authentication failed|secret/, right);
});

t.run();
