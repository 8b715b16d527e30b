// Per-node identities end to end on `cairn up --detach` (issue 15, point 2): each node agent runs
// with its own token (DIR/credentials/node-N.token, 0600) made from the managers' node key; the
// admin token (DIR/token) is refused on the node API and a node's token on the admin API and on
// another node's calls; the events of a node carry the credential's actor; volumes are served
// with the managers' random secrets (replicas run, an engine opens them).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { status } from '@grpc/grpc-js';
import { adminClient, nodeAgentClient } from '@cairn/api';
import type { NodeAgentClient } from '@cairn/api';
import { eventually, startCluster } from './support/cluster.js';
import type { TestCluster } from './support/cluster.js';
import { callUnary } from './support/grpc-types.js';
import type { RequestOf, UnaryMethod } from './support/grpc-types.js';

let c: TestCluster;
const t = suite('per-node identities end to end');
const tokenOf = (id: string): string => readFileSync(join(c.dir, 'credentials', `${id}.token`), 'utf8').trim();
/** The cluster's CA (cairn up serves TLS): every client here checks the manager, as agents do. */
const tls = (): { tlsCa?: Buffer } => (c.info.tlsCa ? { tlsCa: readFileSync(c.info.tlsCa) } : {});
const codeOf = (p: Promise<unknown>): Promise<number> =>
  p.then(
    () => -1,
    (e: { code: number }) => e.code,
  );
const unary = <C extends object, M extends UnaryMethod<C>>(cl: C, method: M, req: RequestOf<C, M>) =>
  callUnary(cl, method, req, 5000);
/** The first push of an assignment stream, or its refusal. */
const watch = (cl: NodeAgentClient, nodeId: string): Promise<unknown> =>
  new Promise((resolve, reject) => {
    const s = cl.WatchAssignments({ nodeId, deltas: false });
    s.on('data', (a) => {
      resolve(a);
      s.cancel();
    });
    s.on('error', (e: { code: number }) => (e.code === status.CANCELLED ? undefined : reject(e)));
  });

t.before(async () => {
  c = await startCluster(3);
});
t.after(async () => {
  await c?.down();
});

t('cairn up gives each node its own token and the managers the node key, all private', async () => {
  assert.is(statSync(join(c.dir, 'credentials')).mode & 0o777, 0o700);
  for (const f of ['node.key', 'node-1.token', 'node-2.token', 'node-3.token']) {
    assert.is(statSync(join(c.dir, 'credentials', f)).mode & 0o777, 0o600, f);
  }
  const tokens = ['node-1', 'node-2', 'node-3'].map(tokenOf);
  assert.is(new Set([...tokens, c.token]).size, 4, 'four different credentials');
  // The operator's command makes the same token from the key.
  const r = await c.cairn([
    'manager',
    'node-credential',
    'node-2',
    '--node-key-file',
    join(c.dir, 'credentials', 'node.key'),
  ]);
  assert.is(r.code, 0, r.stderr);
  assert.is(r.stdout.trim(), tokens[1]);
});

t("each node's events carry the actor its credential proves", async () => {
  const events = await c.eventsAfter(0);
  const reg = events.filter((e) => e.payload === 'nodeRegistered');
  assert.ok(reg.length >= 3);
  for (const e of reg) assert.is(e.actor, `node/${e.nodeRegistered!.nodeId}`);
});

t("the admin token is refused on the node API, a node token on the admin API and on another node's calls", async () => {
  const adminAsNode = nodeAgentClient(c.info.admin, { token: c.token, ...tls() });
  const node2 = nodeAgentClient(c.info.admin, { token: tokenOf('node-2'), ...tls() });
  const node1AsAdmin = adminClient(c.info.admin, { token: tokenOf('node-1'), ...tls() });
  try {
    assert.is(await codeOf(unary(adminAsNode, 'Heartbeat', { nodeId: 'node-1', disks: [] })), status.PERMISSION_DENIED);
    assert.is(await codeOf(watch(node2, 'node-1')), status.PERMISSION_DENIED);
    assert.is(
      await codeOf(unary(node2, 'Report', { nodeId: 'node-1', replicas: [], engines: [] })),
      status.PERMISSION_DENIED,
    );
    assert.is(await codeOf(unary(node1AsAdmin, 'DeleteVolume', { name: 'anything' })), status.UNAUTHENTICATED);
    assert.is(await codeOf(unary(node1AsAdmin, 'ListNodes', {})), status.UNAUTHENTICATED);
    // Its own stream is served.
    assert.ok(await watch(node2, 'node-2'));
  } finally {
    adminAsNode.close();
    node2.close();
    node1AsAdmin.close();
  }
});

t("a volume is served with the managers' random secret: its replicas run and an engine opens them", async () => {
  // The disks are directories of this shared host: its free fraction is not this test's concern.
  await c.call('UpdateSettings', { values: { 'storage-minimal-available-percentage': '0' } });
  await c.call('CreateVolume', { name: 'idv', size: 64 * 2 ** 20, numberOfReplicas: 2 });
  await eventually('idv has 2 running replicas', 30_000, async () => {
    const v = await c.call('GetVolume', { name: 'idv' });
    return v.replicas.filter((r) => r.state === 'running').length === 2 ? v : null;
  });
  await c.call('AttachVolume', { name: 'idv', nodeId: 'node-3' });
  const v = await eventually('idv attached on node-3', 30_000, async () => {
    const x = await c.call('GetVolume', { name: 'idv' });
    return x.state === 'attached' ? x : null;
  });
  assert.is(v.attachedTo, 'node-3');
  assert.is(v.replicas.filter((r) => r.state === 'running').length, 2, 'the engine holds both replicas');
});

t.run();
