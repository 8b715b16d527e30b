// The agent's Kubernetes reads and writes with --kubeconfig: the Node's zone and tag labels, and
// the label on its own pod. No API server can run in CI, so a local HTTP server plays it and
// records each request (method, path, content type, body), answering as the API reference says.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { labelOwnPod, readNodeInfo } from '../src/node-zone.js';

interface Req {
  method: string;
  path: string;
  type: string;
  auth: string;
  body: unknown;
}
let server: Server;
let requests: Req[] = [];
let dir: string;
let kubeconfig: string;

test.before(async () => {
  server = createServer(async (req, res) => {
    let raw = '';
    for await (const c of req) raw += c;
    requests.push({
      method: req.method!,
      path: req.url!,
      type: String(req.headers['content-type'] ?? ''),
      auth: String(req.headers.authorization ?? ''),
      body: raw ? JSON.parse(raw) : undefined,
    });
    const json = (code: number, body: unknown): void =>
      void res.writeHead(code, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (req.method === 'GET' && req.url === '/api/v1/nodes/w1') {
      return json(200, {
        apiVersion: 'v1',
        kind: 'Node',
        metadata: {
          name: 'w1',
          labels: {
            'topology.kubernetes.io/zone': 'eu-1b',
            'tag.node.cairn.io/ssd': 'true',
            'tag.node.cairn.io/nvme': 'true',
            'kubernetes.io/os': 'linux',
          },
        },
      });
    }
    if (req.method === 'GET' && req.url === '/api/v1/nodes/bare')
      return json(200, {
        apiVersion: 'v1',
        kind: 'Node',
        metadata: { name: 'bare', labels: { 'topology.kubernetes.io/zone': 'z' } },
      });
    if (req.method === 'PATCH' && req.url === '/api/v1/namespaces/cairn-system/pods/cairn-node-abcde')
      return json(200, {});
    json(404, {
      kind: 'Status',
      apiVersion: 'v1',
      status: 'Failure',
      code: 404,
      reason: 'NotFound',
      message: 'not found',
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  dir = mkdtempSync(join(tmpdir(), 'cairn-agent-kube-'));
  kubeconfig = join(dir, 'config');
  writeFileSync(
    kubeconfig,
    `apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: "http://127.0.0.1:${(server.address() as AddressInfo).port}", insecure-skip-tls-verify: true}}]
users: [{name: u, user: {token: agent-token}}]
contexts: [{name: x, context: {cluster: c, user: u}}]
current-context: x
`,
  );
});
test.after(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  rmSync(dir, { recursive: true, force: true });
});
test.before.each(() => {
  requests = [];
});

test("--zone-from-node with --kubeconfig: GET /api/v1/nodes/NAME gives the zone and the tag labels' tags", async () => {
  assert.equal(await readNodeInfo('w1', { kubeconfig, env: {} }), { zone: 'eu-1b', tags: ['nvme', 'ssd'] });
  assert.equal(
    requests.map((r) => `${r.method} ${r.path} ${r.auth}`),
    ['GET /api/v1/nodes/w1 Bearer agent-token'],
  );
  assert.equal(
    await readNodeInfo('bare', { kubeconfig, env: {} }),
    { zone: 'z', tags: null },
    "no tag label: the tags stay --tags'",
  );
});

test('a Node that does not exist is the 404 error naming it', async () => {
  try {
    await readNodeInfo('nope', { kubeconfig, env: {} });
    assert.unreachable('should have thrown');
  } catch (e) {
    assert.match((e as Error).message, /there is no node "nope"/);
  }
});

test('the agent labels its own pod: a merge PATCH of node.cairn.io/id on POD_NAMESPACE/POD_NAME', async () => {
  const said = await labelOwnPod('w1', {
    kubeconfig,
    env: { POD_NAME: 'cairn-node-abcde', POD_NAMESPACE: 'cairn-system' },
  });
  assert.is(said, 'labelled pod cairn-system/cairn-node-abcde node.cairn.io/id=w1');
  assert.equal(
    requests.map((r) => [r.method, r.path, r.type, r.body]),
    [
      [
        'PATCH',
        '/api/v1/namespaces/cairn-system/pods/cairn-node-abcde',
        'application/merge-patch+json',
        { metadata: { labels: { 'node.cairn.io/id': 'w1' } } },
      ],
    ],
  );
});

test('no POD_NAME/POD_NAMESPACE, or not in Kubernetes: no request; a refused patch is a warning, not a failure', async () => {
  assert.is(await labelOwnPod('w1', { kubeconfig, env: {} }), null);
  assert.is(
    await labelOwnPod('w1', { env: { POD_NAME: 'p', POD_NAMESPACE: 'n' } }),
    null,
    'no in-cluster env, no --kubeconfig',
  );
  assert.equal(requests, []);
  const said = await labelOwnPod('w1', { kubeconfig, env: { POD_NAME: 'other', POD_NAMESPACE: 'cairn-system' } });
  assert.match(said!, /^warning: cannot label pod cairn-system\/other node\.cairn\.io\/id=w1 \(HTTP 404\)/);
});

test.run();
