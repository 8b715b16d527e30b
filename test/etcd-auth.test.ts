// Issue 15 point 4: nothing but the managers reads or writes cairn's log in etcd. Attacks on a real
// `cairn up` cluster, as the review describes them: a client that reaches etcd's port over plain
// http, over TLS without a certificate, with another certificate the cluster CA signed (a node's),
// with a certificate from another CA claiming the managers' name; then the managers' own credential
// (and only on cairn's prefix), a volume created through the cluster, and a 3-member etcd with TLS
// between its members. The library level (EtcdCluster with TLS, enableEtcdAuth with passwords) too.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { adminClient, createCa, issueCertificate } from '@cairn/api';
import type { AdminClient } from '@cairn/api';
import { enableEtcdAuth, EtcdCluster, openEtcd } from '@cairn/metadata';
import type { Etcd3, EtcdCredentials } from '@cairn/metadata';
import { CAIRN, etcdCredentials } from './support/cluster.js';
import type { ClusterInfo } from './support/cluster.js';
import { callAdmin } from './support/grpc-types.js';
import type { AdminMethod, AdminRequest } from './support/grpc-types.js';

const execFileP = promisify(execFile);
const PREFIX = '/cairn/v1/';

interface Up {
  dir: string;
  info: ClusterInfo & { etcdMembers: { name: string; clientUrl: string }[] };
  down(): Promise<void>;
}

async function up(args: string[]): Promise<Up> {
  const dir = mkdtempSync(join(tmpdir(), 'cairn-etcd-auth-'));
  await execFileP(process.execPath, [CAIRN, 'up', '--dir', dir, '--detach', ...args], { timeout: 120_000 });
  const info = JSON.parse(readFileSync(join(dir, 'cluster.json'), 'utf8')) as Up['info'];
  return {
    dir,
    info,
    async down() {
      await execFileP(process.execPath, [CAIRN, 'down', '--dir', dir], { timeout: 30_000 }).catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The admin API of a `cairn up` cluster, checked against its CA (up serves TLS). */
function adminOf(u: Up): AdminClient {
  return adminClient(u.info.admin, {
    token: readFileSync(u.info.token, 'utf8').trim(),
    ...(u.info.tlsCa ? { tlsCa: readFileSync(u.info.tlsCa) } : {}),
  });
}

/** The error a call ends with (assert.unreachable if it succeeds). */
async function refused(what: string, call: () => unknown): Promise<Error> {
  try {
    await call();
  } catch (e) {
    return e as Error;
  }
  assert.unreachable(`${what} succeeded`);
  throw new Error('unreachable');
}

const clients: Etcd3[] = [];
function client(endpoint: string | string[], creds: EtcdCredentials = {}): Etcd3 {
  const c = openEtcd(endpoint, { ...creds, callTimeoutMs: 3000 });
  clients.push(c);
  return c;
}

const call = <M extends AdminMethod>(admin: AdminClient, method: M, req: AdminRequest<M>) =>
  callAdmin(admin, method, req, 15_000);

// --- a one-member `cairn up`

const single = suite('cairn up: etcd with TLS and auth');
let c: Up;
let caPair: { cert: string; key: string };
let manager: EtcdCredentials;
single.before(async () => {
  c = await up(['--nodes', '1']);
  caPair = {
    cert: readFileSync(join(c.dir, 'pki', 'ca.crt'), 'utf8'),
    key: readFileSync(join(c.dir, 'pki', 'ca.key'), 'utf8'),
  };
  manager = etcdCredentials(c.info);
});
single.after(async () => {
  for (const x of clients.splice(0)) x.close();
  await c?.down();
});

single("etcd listens on loopback over https only, and cluster.json names the managers' credential", () => {
  assert.is(c.info.etcd.length, 1);
  assert.match(c.info.etcd[0]!, /^https:\/\/127\.0\.0\.1:\d+$/);
  const f = c.info.etcdCredentials!;
  assert.ok(f.ca && f.cert && f.key, 'CA, certificate and key');
  for (const key of [
    join(c.dir, 'pki', 'ca.key'),
    f.key!,
    join(c.dir, 'pki', 'etcd', 'root.key'),
    join(c.dir, 'pki', 'etcd', 'server.key'),
  ]) {
    assert.is(statSync(key).mode & 0o777, 0o600, `${key} is 0600`);
  }
});

single('a plain http client reaches the port and can neither read nor write the log', async () => {
  const plain = client(c.info.etcd[0]!.replace('https://', 'http://'));
  await refused('plain http read', () => plain.getAll().prefix(PREFIX).keys());
  await refused('plain http write', () => plain.put(`${PREFIX}log/9999999999999999`).value('forged'));
  assert.is(
    await client(c.info.etcd, manager).get(`${PREFIX}log/9999999999999999`).string(),
    null,
    'nothing was written',
  );
});

single('a TLS client without a client certificate is refused', async () => {
  const anon = client(c.info.etcd, { ca: Buffer.from(caPair.cert) });
  await refused('read without a certificate', () => anon.getAll().prefix(PREFIX).keys());
  await refused('write without a certificate', () => anon.put(`${PREFIX}log-head`).value('0'));
});

single("a node's certificate from the same CA is refused read and write of the prefix: permission denied", async () => {
  const node = await issueCertificate(caPair, { commonName: 'node-1', organization: 'cairn:nodes', use: ['client'] });
  const n = client(c.info.etcd, {
    ca: Buffer.from(caPair.cert),
    cert: Buffer.from(node.cert),
    key: Buffer.from(node.key),
  });
  const read = await refused('node read', () => n.getAll().prefix(PREFIX).keys());
  assert.match(read.message, /permission denied/);
  const write = await refused('node write', () => n.put(`${PREFIX}log/9999999999999999`).value('forged'));
  assert.match(write.message, /permission denied/);
  const del = await refused('node delete', () => n.delete().prefix(`${PREFIX}log/`).exec());
  assert.match(del.message, /permission denied/);
  const watch = await refused('node watch', async () => {
    const w = await n.watch().prefix(PREFIX).create();
    await w.cancel();
  });
  assert.match(watch.message, /permission denied/);
});

single("any other certificate from the same CA (the etcd members' own) is refused too", async () => {
  const server = {
    ca: Buffer.from(caPair.cert),
    cert: readFileSync(join(c.dir, 'pki', 'etcd', 'server.crt')),
    key: readFileSync(join(c.dir, 'pki', 'etcd', 'server.key')),
  };
  assert.match(
    (await refused('server-cert read', () => client(c.info.etcd, server).getAll().prefix(PREFIX).keys())).message,
    /permission denied/,
  );
});

single("a certificate naming the managers' user but signed by another CA is refused", async () => {
  const other = await createCa('not the cluster CA');
  const forged = await issueCertificate(other, { commonName: 'cairn-manager', use: ['client'] });
  const f = client(c.info.etcd, {
    ca: Buffer.from(caPair.cert),
    cert: Buffer.from(forged.cert),
    key: Buffer.from(forged.key),
  });
  await refused('forged manager read', () => f.getAll().prefix(PREFIX).keys());
});

single("the managers' credential reads and writes cairn's prefix and nothing outside it", async () => {
  const m = client(c.info.etcd, manager);
  const keys = await m.getAll().prefix(`${PREFIX}log/`).keys();
  assert.ok(keys.length > 0, 'the log has events');
  await m.put(`${PREFIX}etcd-auth-test`).value('x');
  assert.is(await m.get(`${PREFIX}etcd-auth-test`).string(), 'x');
  await m.delete().key(`${PREFIX}etcd-auth-test`).exec();
  assert.match(
    (await refused('write outside the prefix', () => m.put('/elsewhere').value('x'))).message,
    /permission denied/,
  );
  assert.match(
    (await refused('read outside the prefix', () => m.get('/elsewhere').string())).message,
    /permission denied/,
  );
});

single('the cluster works: a volume is created, and the event is in the log', async () => {
  const admin = adminOf(c);
  try {
    await call(admin, 'CreateVolume', { name: 'etcd-auth-vol', size: 64 * 2 ** 20, numberOfReplicas: 1 });
    const v = await call(admin, 'GetVolume', { name: 'etcd-auth-vol' });
    assert.is(v.name, 'etcd-auth-vol');
  } finally {
    admin.close();
  }
  const values = Object.values(await client(c.info.etcd, manager).getAll().prefix(`${PREFIX}log/`).buffers());
  assert.ok(
    values.some((b) => b.includes(Buffer.from('etcd-auth-vol'))),
    'the create event is stored',
  );
});

// --- three members: TLS between them too

const three = suite('cairn up --etcd-members 3: members talk TLS to each other');
let c3: Up;
three.before(async () => {
  c3 = await up(['--nodes', '1', '--etcd-members', '3']);
});
three.after(async () => {
  for (const x of clients.splice(0)) x.close();
  await c3?.down();
});

three('every member serves https only, shares one leader, and refuses plain http; a volume is created', async () => {
  const creds = etcdCredentials(c3.info);
  assert.is(c3.info.etcdMembers.length, 3);
  const leaders = new Set<string>();
  for (const m of c3.info.etcdMembers) {
    assert.match(m.clientUrl, /^https:\/\/127\.0\.0\.1:/);
    leaders.add((await client(m.clientUrl, creds).maintenance.status()).leader);
    await refused(`plain http to ${m.name}`, () =>
      client(m.clientUrl.replace('https://', 'http://')).getAll().prefix(PREFIX).keys(),
    );
  }
  assert.is(leaders.size, 1, 'one leader');
  assert.not.ok(leaders.has('0'));
  // The peer URLs are https and checked: the members' logs show no plain-text peer traffic, and
  // the managers' writes reach a quorum (the create below commits).
  const command = readFileSync(join(c3.dir, 'cluster.json'), 'utf8');
  assert.match(command, /--peer-client-cert-auth/);
  assert.match(command, /"--peer-cert-allowed-cn",\s*"cairn-etcd"/);
  assert.match(command, /"--initial-cluster",\s*"etcd-0=https:/);
  const admin = adminOf(c3);
  try {
    await call(admin, 'CreateVolume', { name: 'three-vol', size: 64 * 2 ** 20, numberOfReplicas: 1 });
  } finally {
    admin.close();
  }
  for (const m of c3.info.etcdMembers) {
    const stored = Object.values(
      await client(m.clientUrl, creds).getAll().prefix(`${PREFIX}log/`).serializable(true).buffers(),
    );
    assert.ok(stored.length > 0, `${m.name} serves the log`);
  }
});

// --- the library: EtcdCluster with TLS, enableEtcdAuth with passwords on another prefix

const lib = suite('EtcdCluster tls + enableEtcdAuth: password users, a prefix of their own');
let dir: string;
let etcd: EtcdCluster;
let ca: { cert: string; key: string };
lib.before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cairn-etcd-lib-'));
  ca = await createCa();
  const server = await issueCertificate(ca, { commonName: 'etcd', ips: ['127.0.0.1'], use: ['server', 'client'] });
  const root = await issueCertificate(ca, { commonName: 'root', use: ['client'] });
  const w = (name: string, text: string): string => {
    writeFileSync(join(dir, name), text, { mode: 0o600 });
    return join(dir, name);
  };
  const probe = { ca: Buffer.from(ca.cert), cert: Buffer.from(root.cert), key: Buffer.from(root.key) };
  etcd = await EtcdCluster.start({
    dir,
    tls: { ca: w('ca.crt', ca.cert), cert: w('s.crt', server.cert), key: w('s.key', server.key), probe },
  });
  const admin = openEtcd(etcd.endpoints, probe);
  try {
    await enableEtcdAuth(admin, {
      prefix: '/tenant/',
      managerUser: 'mgr',
      managerPassword: 'pw-1',
      rootPassword: 'root-pw',
    });
  } finally {
    admin.close();
  }
});
lib.after(async () => {
  for (const x of clients.splice(0)) x.close();
  await etcd?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

// etcd with --client-cert-auth asks every client for a certificate; the one here (CN node-1) names
// no etcd user, so what the password user may do is the password's doing.
let nodeCert: EtcdCredentials;
lib('a user and password over TLS reads and writes its prefix only', async () => {
  const node = await issueCertificate(ca, { commonName: 'node-1', use: ['client'] });
  nodeCert = { ca: Buffer.from(ca.cert), cert: Buffer.from(node.cert), key: Buffer.from(node.key) };
  assert.match(
    (await refused('the certificate alone', () => client(etcd.endpoints, nodeCert).get('/tenant/k').string())).message,
    /permission denied/,
  );
  const m = client(etcd.endpoints, { ...nodeCert, user: 'mgr', password: 'pw-1' });
  await m.put('/tenant/k').value('v');
  assert.is(await m.get('/tenant/k').string(), 'v');
  assert.match(
    (await refused('outside the prefix', () => m.put('/cairn/v1/log-head').value('0'))).message,
    /permission denied/,
  );
});

lib('a wrong password is refused', async () => {
  const bad = client(etcd.endpoints, { ...nodeCert, user: 'mgr', password: 'pw-2' });
  const e = await refused('wrong password', () => bad.get('/tenant/k').string());
  assert.match(e.message, /authentication failed/);
});

lib("the root certificate's CN is root: it may administer users (after auth is on)", async () => {
  const root = await issueCertificate(ca, { commonName: 'root', use: ['client'] });
  const r = client(etcd.endpoints, {
    ca: Buffer.from(ca.cert),
    cert: Buffer.from(root.cert),
    key: Buffer.from(root.key),
  });
  const users = (await r.auth.userList({})).users.map(String).sort();
  assert.equal(users, ['mgr', 'root']);
  // Run again as root (deploy/'s Job restarted half-way): it succeeds and changes nothing.
  await enableEtcdAuth(r, { prefix: '/tenant/', managerUser: 'mgr', managerPassword: 'pw-1', rootPassword: 'root-pw' });
  assert.equal((await r.auth.userList({})).users.map(String).sort(), ['mgr', 'root']);
  const m = client(etcd.endpoints, { ...nodeCert, user: 'mgr', password: 'pw-1' });
  assert.is(await m.get('/tenant/k').string(), 'v');
  assert.match((await refused('still only its prefix', () => m.get('/other').string())).message, /permission denied/);
});

// --- `cairn etcd-auth`, what deploy/'s Job runs against an etcd it did not start

const job = suite("cairn etcd-auth: turns auth on in an etcd started with TLS, as root's certificate");
let jobDir: string;
let jobEtcd: EtcdCluster;
job.before(async () => {
  jobDir = mkdtempSync(join(tmpdir(), 'cairn-etcd-job-'));
  ca = await createCa();
  const w = (name: string, ck: { cert: string; key: string }): { cert: string; key: string } => {
    writeFileSync(join(jobDir, `${name}.crt`), ck.cert);
    writeFileSync(join(jobDir, `${name}.key`), ck.key, { mode: 0o600 });
    return { cert: join(jobDir, `${name}.crt`), key: join(jobDir, `${name}.key`) };
  };
  writeFileSync(join(jobDir, 'ca.crt'), ca.cert);
  const server = w(
    'server',
    await issueCertificate(ca, { commonName: 'etcd', ips: ['127.0.0.1'], use: ['server', 'client'] }),
  );
  w('root', await issueCertificate(ca, { commonName: 'root', use: ['client'] }));
  w('manager', await issueCertificate(ca, { commonName: 'cairn-manager', use: ['client'] }));
  w('node', await issueCertificate(ca, { commonName: 'node-1', use: ['client'] }));
  const probe = { ca: Buffer.from(ca.cert), ...certOf('root') };
  jobEtcd = await EtcdCluster.start({
    dir: jobDir,
    tls: { ca: join(jobDir, 'ca.crt'), cert: server.cert, key: server.key, probe },
  });
});
job.after(async () => {
  for (const x of clients.splice(0)) x.close();
  await jobEtcd?.stop();
  if (jobDir) rmSync(jobDir, { recursive: true, force: true });
});
function certOf(name: string): { cert: Buffer; key: Buffer } {
  return { cert: readFileSync(join(jobDir, `${name}.crt`)), key: readFileSync(join(jobDir, `${name}.key`)) };
}

job('before: any certificate of the CA writes; after (twice): only cairn-manager, only on /cairn/v1/', async () => {
  const nodeCreds = { ca: Buffer.from(ca.cert), ...certOf('node') };
  await client(jobEtcd.endpoints, nodeCreds).put(`${PREFIX}before`).value('x'); // the window deploy/README.md names
  const run = () =>
    execFileP(
      process.execPath,
      [
        CAIRN,
        'etcd-auth',
        '--etcd',
        jobEtcd.endpoints.join(','),
        '--etcd-ca',
        join(jobDir, 'ca.crt'),
        '--etcd-cert',
        join(jobDir, 'root.crt'),
        '--etcd-key',
        join(jobDir, 'root.key'),
      ],
      { timeout: 30_000 },
    );
  assert.match((await run()).stdout, /authentication is on/);
  assert.match((await run()).stdout, /authentication is on/, 'a second run (a restarted Job) succeeds');
  assert.match(
    (await refused('node write after', () => client(jobEtcd.endpoints, nodeCreds).put(`${PREFIX}after`).value('x')))
      .message,
    /permission denied/,
  );
  const m = client(jobEtcd.endpoints, { ca: Buffer.from(ca.cert), ...certOf('manager') });
  assert.is(await m.get(`${PREFIX}before`).string(), 'x');
  await m.put(`${PREFIX}after`).value('y');
  assert.match(
    (await refused('manager outside the prefix', () => m.put('/x').value('x'))).message,
    /permission denied/,
  );
});

job('cairn up --etcd (an etcd the user runs) passes the credentials it is given to the managers', async () => {
  const files = [
    '--etcd-ca',
    join(jobDir, 'ca.crt'),
    '--etcd-cert',
    join(jobDir, 'manager.crt'),
    '--etcd-key',
    join(jobDir, 'manager.key'),
  ];
  const u = await up(['--nodes', '1', '--etcd', jobEtcd.endpoints.join(','), ...files]);
  try {
    assert.equal(u.info.etcdCredentials, {
      ca: join(jobDir, 'ca.crt'),
      cert: join(jobDir, 'manager.crt'),
      key: join(jobDir, 'manager.key'),
    });
    const admin = adminOf(u);
    try {
      await call(admin, 'CreateVolume', { name: 'external-vol', size: 64 * 2 ** 20, numberOfReplicas: 1 });
    } finally {
      admin.close();
    }
    const m = client(jobEtcd.endpoints, { ca: Buffer.from(ca.cert), ...certOf('manager') });
    assert.ok(
      Object.values(await m.getAll().prefix(`${PREFIX}log/`).buffers()).some((b) =>
        b.includes(Buffer.from('external-vol')),
      ),
    );
  } finally {
    await u.down();
  }
});

single.run();
three.run();
lib.run();
job.run();
