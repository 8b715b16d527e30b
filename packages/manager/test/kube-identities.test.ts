// Node credentials in Kubernetes (issue 15, point 2 in deploy/): an agent presents its pod's
// projected service-account token, and the manager (--node-token-audience) has the API server
// review it; the node it acts for is the one its pod runs on. A manager in-process on a real etcd,
// with @cairn/kube's NodeAuthenticator over a real client-node client; no API server can run in
// CI, so a local HTTP server plays it and answers TokenReviews from a table (the same path was
// checked once against a real kube-apiserver: packages/kube/README.md).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { status } from '@grpc/grpc-js';
import { KubeConfig } from '@kubernetes/client-node';
import { adminClient, nodeAgentClient, silentLogger } from '@cairn/api';
import type { AdminClient, Assignments__Output, NodeAgentClient } from '@cairn/api';
import { KubeClient, NodeAuthenticator, NODE_NAME_EXTRA, POD_NAME_EXTRA, POD_UID_EXTRA } from '@cairn/kube';
import { startEtcd } from './etcd-fixture.js';
import type { EtcdFixture } from './etcd-fixture.js';
import { callUnary } from '@cairn/api';
import type { RequestOf, UnaryMethod } from '@cairn/api';
import { Manager } from '../src/index.js';

const TOKEN = 'admin-token-0123456789';
let fx: EtcdFixture;
let manager: Manager;
let admin: AdminClient;
let api: Server;
const reviewed: { token: string; audiences: string[] }[] = [];
/** The played API server's verdicts: token -> the node its pod runs on (absent: not authenticated). */
const valid = new Map<string, { node: string; user?: string; bound?: boolean }>();

const jwt = (sub: string): string =>
  [{ alg: 'RS256' }, { sub, exp: Math.floor(Date.now() / 1000) + 3600 }, 'sig']
    .map((p) => Buffer.from(typeof p === 'string' ? p : JSON.stringify(p)).toString('base64url'))
    .join('.');
/** A token for an agent pod on `node` (as kubelet projects it), valid at the played API server. */
const podToken = (node: string, o: { user?: string; bound?: boolean } = {}): string => {
  const t = jwt(`${node}-${valid.size}`);
  valid.set(t, { node, ...o });
  return t;
};

const call = <C extends object, M extends UnaryMethod<C>>(c: C, method: M, req: RequestOf<C, M>) =>
  callUnary(c, method, req, 5000);
const refusal = async (p: Promise<unknown>): Promise<{ code: number; details: string }> =>
  p.then(
    () => ({ code: -1, details: 'accepted' }),
    (e: { code: number; details: string }) => ({ code: e.code, details: e.details }),
  );
const register = (c: NodeAgentClient, nodeId: string) =>
  call(c, 'Register', { nodeId, address: '', zone: 'z', hostname: nodeId, disks: [] });

function firstPush(c: NodeAgentClient, nodeId: string): Promise<Assignments__Output> {
  return new Promise((resolve, reject) => {
    const s = c.WatchAssignments({ nodeId, deltas: false });
    s.on('data', (a: Assignments__Output) => {
      resolve(a);
      s.cancel();
    });
    s.on('error', (e: { code: number }) => (e.code === status.CANCELLED ? undefined : reject(e)));
  });
}

const t = suite('manager: Kubernetes node credentials (TokenReview)');
t.before(async () => {
  api = createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      if (req.method !== 'POST' || req.url?.split('?')[0] !== '/apis/authentication.k8s.io/v1/tokenreviews') {
        res.writeHead(404).end();
        return;
      }
      const spec = (JSON.parse(raw) as { spec: { token: string; audiences: string[] } }).spec;
      reviewed.push(spec);
      const v = valid.get(spec.token);
      const extra =
        v?.bound === false
          ? {}
          : { [POD_NAME_EXTRA]: ['cairn-node-abcde'], [POD_UID_EXTRA]: ['uid-1'], [NODE_NAME_EXTRA]: [v?.node ?? ''] };
      const st =
        v && spec.audiences.includes('cairn')
          ? {
              authenticated: true,
              user: { username: v.user ?? 'system:serviceaccount:cairn-system:cairn-node', extra },
            }
          : { authenticated: false, error: 'invalid bearer token' };
      res
        .writeHead(201, { 'content-type': 'application/json' })
        .end(JSON.stringify({ apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec, status: st }));
    });
  });
  await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'c', server: `http://127.0.0.1:${(api.address() as AddressInfo).port}`, skipTLSVerify: true }],
    users: [{ name: 'u', token: 'manager-sa-token' }],
    contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
    currentContext: 'x',
  });
  fx = await startEtcd('kube-identities');
  const nodeTokens = new NodeAuthenticator(new KubeClient(kc), {
    audience: 'cairn',
    account: { namespace: 'cairn-system', name: 'cairn-node' },
  });
  manager = await Manager.start({
    etcd: fx.etcd.endpoints,
    listen: '127.0.0.1:0',
    token: TOKEN,
    nodeTokens,
    id: 'm1',
    logger: silentLogger(),
  });
  admin = adminClient(manager.address, { token: TOKEN });
});
t.after(async () => {
  admin?.close();
  await manager?.stop();
  await fx?.stop();
  api?.closeAllConnections();
  await new Promise<void>((resolve) => (api ? api.close(() => resolve()) : resolve()));
});

t(
  'an agent\'s pod token registers its own node, reviewed for audience "cairn", and its events name that node',
  async () => {
    const tok = podToken('node-1');
    const n1 = nodeAgentClient(manager.address, { token: tok });
    try {
      await register(n1, 'node-1');
      assert.ok(reviewed.some((r) => r.token === tok && r.audiences.join() === 'cairn'));
      const reg = (await manager.log.read(1, manager.projection.state.seq)).filter((e) => e.nodeRegistered);
      assert.equal(
        reg.map((e) => [e.nodeRegistered!.nodeId, e.actor]),
        [['node-1', 'node/node-1']],
      );
      // The assignment stream, whose check is asynchronous too, follows for its own node.
      assert.ok((await firstPush(n1, 'node-1')).seq >= 1);
    } finally {
      n1.close();
    }
  },
);

t('a pod token cannot act for another node; the stream is refused too; nothing is appended', async () => {
  const n2 = nodeAgentClient(manager.address, { token: podToken('node-2') });
  const before = manager.projection.state.seq;
  try {
    for (const [what, p] of [
      ['Register', register(n2, 'node-1')],
      ['Heartbeat', call(n2, 'Heartbeat', { nodeId: 'node-1', disks: [] })],
      ['WatchAssignments', firstPush(n2, 'node-1')],
    ] as const) {
      const r = await refusal(p);
      assert.is(r.code, status.PERMISSION_DENIED, what);
      assert.match(r.details, /credential of node "node-2" cannot act for node "node-1"/, what);
    }
    assert.is(manager.projection.state.seq, before);
  } finally {
    n2.close();
  }
});

t(
  "refused as unauthenticated, with the reason: a token the API server rejects, another account's, an unbound one",
  async () => {
    const cases: [string, string, RegExp][] = [
      ['rejected', jwt('nobody'), /did not authenticate the token \(invalid bearer token\)/],
      ['other account', podToken('node-1', { user: 'system:serviceaccount:apps:default' }), /apps:default's, not/],
      ['unbound', podToken('node-1', { bound: false }), /not bound to a pod/],
      ['not a JWT', 'some-random-string', /not a Kubernetes service-account token/],
    ];
    for (const [what, tok, why] of cases) {
      const c = nodeAgentClient(manager.address, { token: tok });
      const r = await refusal(call(c, 'Heartbeat', { nodeId: 'node-1', disks: [] }));
      c.close();
      assert.is(r.code, status.UNAUTHENTICATED, what);
      assert.match(r.details, why, what);
    }
  },
);

t('with Kubernetes node credentials the admin token is no node credential, and a pod token no admin one', async () => {
  const adminAsNode = nodeAgentClient(manager.address, { token: TOKEN });
  const r = await refusal(call(adminAsNode, 'Heartbeat', { nodeId: 'node-1', disks: [] }));
  adminAsNode.close();
  assert.is(r.code, status.PERMISSION_DENIED);
  assert.match(r.details, /admin token is not a node credential/);
  const podAsAdmin = adminClient(manager.address, { token: podToken('node-1') });
  const a = await refusal(call(podAsAdmin, 'ListVolumes', {}));
  podAsAdmin.close();
  assert.is(a.code, status.UNAUTHENTICATED);
});

t.run();
