// The thin client's requests are the documented Kubernetes API objects. No API server can run in CI,
// so client-node is pointed at a local HTTP server that records each request (recorder.ts); every
// test asserts method, path and body as the Kubernetes API reference documents them.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  errorText,
  KubeClient,
  loadKubeConfig,
  PdbReconciler,
  PvcEventWriter,
  podLabelPatch,
  inClusterProblem,
  SERVICE_ACCOUNT_DIR,
} from '../src/index.js';
import type { PvcEvent } from '../src/index.js';
import { ApiException } from '@kubernetes/client-node';
import { echo, on, Recorder, status } from './recorder.js';

let rec: Recorder;
let client: KubeClient;

test.before.each(async () => {
  rec = await new Recorder().start();
  client = new KubeClient(rec.kubeConfig());
});
test.after.each(async () => {
  await rec.stop();
});

const ev: PvcEvent = {
  volume: 'v1',
  pvc: { pvcNamespace: 'apps', pvcName: 'data', pvName: 'pvc-1' },
  type: 'Warning',
  reason: 'VolumeUnschedulable',
  message: '1 replica(s) of volume v1 cannot be placed: AntiAffinityNode',
  suffix: 'unschedulable-7',
};

test('--kubeconfig FILE is used as given; without it and outside a pod, Kubernetes is off', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cairn-kube-'));
  const file = join(dir, 'config');
  writeFileSync(
    file,
    `apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: "https://192.0.2.1:6443", insecure-skip-tls-verify: true}}]
users: [{name: u, user: {token: t}}]
contexts: [{name: x, context: {cluster: c, user: u}}]
current-context: x
`,
  );
  try {
    assert.is(loadKubeConfig({ kubeconfig: file, env: {} })!.getCurrentCluster()!.server, 'https://192.0.2.1:6443');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  assert.is(loadKubeConfig({ env: {} }), null, 'no in-cluster env, no --kubeconfig: off');
  assert.is(
    loadKubeConfig({
      env: { KUBERNETES_SERVICE_HOST: '10.0.0.1', KUBERNETES_SERVICE_PORT: '443' },
      exists: () => false,
    }),
    null,
    'no token mounted: off',
  );
  assert.is(
    inClusterProblem(
      { KUBERNETES_SERVICE_HOST: 'h', KUBERNETES_SERVICE_PORT: '443' },
      (p) => p === `${SERVICE_ACCOUNT_DIR}/token`,
    ),
    null,
  );
});

test('an Event on a PVC: GET the claim for its uid, then POST /api/v1/namespaces/NS/events with involvedObject the claim', async () => {
  rec
    .route(
      on('GET', '/api/v1/namespaces/apps/persistentvolumeclaims/data', () => ({
        status: 200,
        body: {
          apiVersion: 'v1',
          kind: 'PersistentVolumeClaim',
          metadata: { name: 'data', namespace: 'apps', uid: 'uid-123' },
        },
      })),
    )
    .route(on('POST', '/api/v1/namespaces/apps/events', echo(201)));
  const w = new PvcEventWriter(client, { instance: 'manager-0', clock: () => new Date('2026-01-02T03:04:05Z') });
  assert.is(await w.write(ev), 'created');
  const post = rec.requests.find((r) => r.method === 'POST')!;
  assert.is(post.path, '/api/v1/namespaces/apps/events');
  assert.equal(post.body, {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: 'data.cairn-unschedulable-7', namespace: 'apps' },
    involvedObject: {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      namespace: 'apps',
      name: 'data',
      uid: 'uid-123',
    },
    type: 'Warning',
    reason: 'VolumeUnschedulable',
    message: '1 replica(s) of volume v1 cannot be placed: AntiAffinityNode',
    count: 1,
    firstTimestamp: '2026-01-02T03:04:05.000Z',
    lastTimestamp: '2026-01-02T03:04:05.000Z',
    source: { component: 'cairn-manager' },
    reportingComponent: 'csi.cairn.io',
    reportingInstance: 'manager-0',
  });
});

test("the same event said again is a merge PATCH of count and lastTimestamp, as Kubernetes' recorder does", async () => {
  rec
    .route(on('GET', /persistentvolumeclaims/, () => ({ status: 200, body: { metadata: { uid: 'u' } } })))
    .route(on('POST', '/api/v1/namespaces/apps/events', echo(201)))
    .route(on('PATCH', '/api/v1/namespaces/apps/events/data.cairn-unschedulable-7', echo(200)));
  let t = 0;
  const w = new PvcEventWriter(client, { instance: 'm', clock: () => new Date(Date.UTC(2026, 0, 1, 0, 0, t++)) });
  await w.write(ev);
  assert.is(await w.write({ ...ev, suffix: 'unschedulable-9' }), 'repeated');
  assert.is(await w.write(ev), 'repeated');
  const patches = rec.requests.filter((r) => r.method === 'PATCH');
  assert.is(patches.length, 2);
  assert.is(patches[0]!.contentType, 'application/merge-patch+json');
  assert.equal(
    patches.map((p) => p.body),
    [
      { count: 2, lastTimestamp: '2026-01-01T00:00:01.000Z' },
      { count: 3, lastTimestamp: '2026-01-01T00:00:02.000Z' },
    ],
  );
  assert.is(rec.requests.filter((r) => r.method === 'GET').length, 1, "the claim's uid is read once");
});

test('a name already taken (409, said by a previous leader) counts as said; a claim that is gone (404) gets none', async () => {
  rec
    .route(
      on('GET', '/api/v1/namespaces/apps/persistentvolumeclaims/data', () => ({
        status: 200,
        body: { metadata: { uid: 'u' } },
      })),
    )
    .route(
      on('POST', '/api/v1/namespaces/apps/events', () => ({
        status: 409,
        body: status(409, 'AlreadyExists', 'exists'),
      })),
    );
  const w = new PvcEventWriter(client, { instance: 'm' });
  assert.is(await w.write(ev), 'exists');
  assert.is(await w.write({ ...ev, pvc: { ...ev.pvc, pvcName: 'gone' } }), 'no-claim');
  assert.is(rec.requests.filter((r) => r.method === 'POST').length, 1);
});

test(
  'drain guards: list budgets and pods by the managed-by label; ' +
    'POST the guard pod then its policy/v1 PodDisruptionBudget; DELETE the unwanted',
  async () => {
    const list = (kind: string) => () => ({
      status: 200,
      body: {
        kind,
        metadata: {},
        items: [
          {
            metadata: {
              name: 'cairn-drain-old',
              namespace: 'cairn-system',
              labels: { 'app.kubernetes.io/managed-by': 'cairn', 'node.cairn.io/id': 'old' },
            },
          },
        ],
      },
    });
    rec
      .route(on('GET', '/apis/policy/v1/namespaces/cairn-system/poddisruptionbudgets', list('PodDisruptionBudgetList')))
      .route(on('GET', '/api/v1/namespaces/cairn-system/pods', list('PodList')))
      .route(on('POST', '/apis/policy/v1/namespaces/cairn-system/poddisruptionbudgets', echo(201)))
      .route(on('POST', '/api/v1/namespaces/cairn-system/pods', echo(201)))
      .route(on('DELETE', /\/cairn-drain-old$/, () => ({ status: 200, body: status(200, '', '') })));
    const r = new PdbReconciler(client, 'cairn-system', 'registry.example/pause:1');
    const current = await r.current();
    assert.equal([...current.any], ['old']);
    assert.equal([...current.complete], ['old']);
    assert.equal(
      rec.requests.map((q) => `${q.method} ${q.path}`),
      [
        'GET /apis/policy/v1/namespaces/cairn-system/poddisruptionbudgets?labelSelector=app.kubernetes.io%2Fmanaged-by%3Dcairn',
        'GET /api/v1/namespaces/cairn-system/pods?labelSelector=app.kubernetes.io%2Fmanaged-by%3Dcairn',
      ],
    );
    rec.requests.length = 0;
    assert.equal(await r.apply(current, ['w1', 'not-a-k8s-node'], (id) => (id === 'w1' ? 'node-uid-1' : undefined)), {
      created: ['w1'],
      deleted: ['old'],
    });
    assert.equal(
      rec.requests.map((q) => `${q.method} ${q.path}`),
      [
        'POST /api/v1/namespaces/cairn-system/pods',
        'POST /apis/policy/v1/namespaces/cairn-system/poddisruptionbudgets',
        'DELETE /apis/policy/v1/namespaces/cairn-system/poddisruptionbudgets/cairn-drain-old',
        'DELETE /api/v1/namespaces/cairn-system/pods/cairn-drain-old',
      ],
      'the pod first and gone last; a node that is no Kubernetes Node gets no guard',
    );
    const labels = {
      'app.kubernetes.io/managed-by': 'cairn',
      'node.cairn.io/id': 'w1',
      'app.kubernetes.io/component': 'drain-guard',
    };
    assert.equal(rec.requests[1]!.body, {
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: { name: 'cairn-drain-w1', namespace: 'cairn-system', labels },
      spec: {
        minAvailable: 1,
        selector: { matchLabels: { 'node.cairn.io/id': 'w1', 'app.kubernetes.io/component': 'drain-guard' } },
      },
    });
    assert.equal(
      rec.requests[0]!.body,
      {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: {
          name: 'cairn-drain-w1',
          namespace: 'cairn-system',
          labels,
          ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: 'w1', uid: 'node-uid-1', controller: true }],
        },
        spec: {
          nodeName: 'w1',
          tolerations: [{ operator: 'Exists' }],
          automountServiceAccountToken: false,
          terminationGracePeriodSeconds: 0,
          containers: [
            {
              name: 'guard',
              image: 'registry.example/pause:1',
              resources: { requests: { cpu: '1m', memory: '4Mi' }, limits: { memory: '16Mi' } },
              securityContext: {
                allowPrivilegeEscalation: false,
                readOnlyRootFilesystem: true,
                runAsNonRoot: true,
                runAsUser: 65535,
                capabilities: { drop: ['ALL'] },
                seccompProfile: { type: 'RuntimeDefault' },
              },
            },
          ],
        },
      },
      'a controller owner (the Node), so kubectl drain evicts it without --force, and its budget makes the eviction wait',
    );
  },
);

test('a guard half made (budget without pod) is completed when wanted; one half gone is removed when not', async () => {
  rec
    .route(
      on('GET', '/apis/policy/v1/namespaces/cairn-system/poddisruptionbudgets', () => ({
        status: 200,
        body: {
          metadata: {},
          items: [
            { metadata: { labels: { 'app.kubernetes.io/managed-by': 'cairn', 'node.cairn.io/id': 'a' } } },
            { metadata: { labels: { 'app.kubernetes.io/managed-by': 'cairn', 'node.cairn.io/id': 'b' } } },
          ],
        },
      })),
    )
    .route(
      on('GET', '/api/v1/namespaces/cairn-system/pods', () => ({ status: 200, body: { metadata: {}, items: [] } })),
    )
    .route(on('POST', /./, () => ({ status: 409, body: status(409, 'AlreadyExists', 'exists') })))
    .route(on('DELETE', /./, () => ({ status: 404, body: status(404, 'NotFound', 'gone') })));
  const r = new PdbReconciler(client, 'cairn-system');
  const current = await r.current();
  assert.equal([...current.complete], []);
  assert.equal(
    await r.apply(current, ['a'], () => 'uid'),
    { created: ['a'], deleted: ['b'] },
    '409 and 404 mean it is already so',
  );
});

test('a failed request in one line: HTTP status, Status reason and message; the same failure reads the same (no response headers)', async () => {
  const forbidden = status(
    403,
    'Forbidden',
    'pods "cairn-drain-n1" is forbidden: error looking up service account cairn-system/default: serviceaccount "default" not found',
  );
  rec.route(on('POST', '/api/v1/namespaces/cairn-system/pods', () => ({ status: 403, body: forbidden })));
  const err = await client.createPod({ metadata: { name: 'cairn-drain-n1', namespace: 'cairn-system' } }).then(
    () => null,
    (e: unknown) => e,
  );
  assert.ok(err instanceof ApiException, 'client-node failed the request');
  assert.match((err as Error).message, /Headers:/, 'its own message carries the response headers');
  assert.is(
    errorText(err),
    'HTTP 403 Forbidden: pods "cairn-drain-n1" is forbidden: error looking up service account cairn-system/default: serviceaccount "default" not found',
  );
  const at = (date: string, id: string) =>
    new ApiException(403, 'Unknown API Status Code!', JSON.stringify(forbidden), { date, 'audit-id': id });
  assert.is(errorText(at('Sat, 05 Dec 2026 21:40:14 GMT', 'a')), errorText(at('Sat, 05 Dec 2026 21:40:18 GMT', 'b')));
  assert.is(
    errorText(new ApiException(502, 'Bad Gateway', 'upstream down', {})),
    'HTTP 502: upstream down',
    'a body that is not a Status is shown as it is',
  );
  assert.is(errorText(new Error('connect ECONNREFUSED 127.0.0.1:26444')), 'connect ECONNREFUSED 127.0.0.1:26444');
});

test('the agent labels its own pod: a merge PATCH of metadata.labels on /api/v1/namespaces/NS/pods/NAME', async () => {
  rec.route(on('PATCH', '/api/v1/namespaces/cairn-system/pods/cairn-node-x7k2p', echo(200)));
  await client.patchPod('cairn-system', 'cairn-node-x7k2p', podLabelPatch('w1'));
  const [p] = rec.requests;
  assert.is(p!.contentType, 'application/merge-patch+json');
  assert.equal(p!.body, { metadata: { labels: { 'node.cairn.io/id': 'w1' } } });
});

test("Nodes: GET /api/v1/nodes/NAME; the informer lists /api/v1/nodes then watches from the list's resourceVersion", async () => {
  const node = (name: string, unschedulable: boolean, rv: string) => ({
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, resourceVersion: rv },
    spec: { unschedulable },
  });
  rec.route(on('GET', '/api/v1/nodes/w1', () => ({ status: 200, body: node('w1', false, '5') }))).route(
    on('GET', '/api/v1/nodes', (r) =>
      r.path.includes('watch=true')
        ? { watch: (res) => res.write(`${JSON.stringify({ type: 'MODIFIED', object: node('w1', true, '12') })}\n`) }
        : {
            status: 200,
            body: {
              apiVersion: 'v1',
              kind: 'NodeList',
              metadata: { resourceVersion: '10' },
              items: [node('w1', false, '5')],
            },
          },
    ),
  );
  assert.is((await client.readNode('w1')).metadata!.name, 'w1');
  const informer = client.nodeInformer();
  const cordoned = new Promise<void>((resolve) => informer.on('update', (n) => n.spec?.unschedulable && resolve()));
  await informer.start();
  await cordoned;
  assert.is(informer.get('w1')!.spec!.unschedulable, true);
  await informer.stop();
  const paths = rec.requests.map((r) => `${r.method} ${r.path}`);
  assert.equal(paths.slice(0, 2), ['GET /api/v1/nodes/w1', 'GET /api/v1/nodes']);
  const watch = new URL(rec.url + rec.requests[2]!.path);
  assert.is(watch.pathname, '/api/v1/nodes');
  assert.is(watch.searchParams.get('watch'), 'true');
  assert.is(watch.searchParams.get('resourceVersion'), '10');
});

test.run();
