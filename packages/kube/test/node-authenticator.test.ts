// Node credentials checked by the API server (node-authenticator.ts over decisions/node-identity.ts).
// No API server can run in CI, so the recorder plays it: the TokenReview request must be the
// documented one (POST /apis/authentication.k8s.io/v1/tokenreviews with the token and cairn's
// audience), and each way a token can fail to prove a node is refused with its reason. This was
// also checked against a real kube-apiserver with real projected tokens (see the package README).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { KubeClient, NodeAuthenticator, NODE_NAME_EXTRA, POD_NAME_EXTRA, POD_UID_EXTRA } from '../src/index.js';
import { on, Recorder, status } from './recorder.js';
import type { Recorded } from './recorder.js';

let rec: Recorder;
let clock = 1_000_000_000_000;
const ACCOUNT = { namespace: 'cairn-system', name: 'cairn-node' };
const SA_USER = 'system:serviceaccount:cairn-system:cairn-node';

/** A JWT-shaped token (the API server, played here, is what checks it) expiring at `expSec`. */
const jwt = (sub: string, expSec = clock / 1000 + 3600): string =>
  [{ alg: 'RS256' }, { sub, exp: expSec }, 'sig']
    .map((p) => Buffer.from(typeof p === 'string' ? p : JSON.stringify(p)).toString('base64url'))
    .join('.');

/** What the played API server says of each token. */
const reviews = new Map<string, object>();
const bound = (pod: string, uid: string, extra: Record<string, string[]> = {}) => ({
  authenticated: true,
  user: {
    username: SA_USER,
    uid: 'sa-uid',
    groups: ['system:serviceaccounts'],
    extra: { [POD_NAME_EXTRA]: [pod], [POD_UID_EXTRA]: [uid], ...extra },
  },
});
const pods = new Map<string, object>();
const pod = (name: string, uid: string, nodeName: string) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'cairn-system', uid },
  spec: { nodeName, containers: [] },
});

const authn = (o: { cacheMs?: number } = {}) =>
  new NodeAuthenticator(new KubeClient(rec.kubeConfig()), {
    audience: 'cairn',
    account: ACCOUNT,
    now: () => clock,
    ...o,
  });
const reviewsMade = (): Recorded[] =>
  rec.requests.filter((r) => r.path.startsWith('/apis/authentication.k8s.io/v1/tokenreviews'));

test.before.each(async () => {
  reviews.clear();
  pods.clear();
  rec = await new Recorder().start();
  rec.route(
    on('POST', '/apis/authentication.k8s.io/v1/tokenreviews', (r) => {
      const spec = (r.body as { spec: { token: string } }).spec;
      return {
        status: 201,
        body: {
          apiVersion: 'authentication.k8s.io/v1',
          kind: 'TokenReview',
          spec,
          status: reviews.get(spec.token) ?? { authenticated: false, error: 'invalid bearer token' },
        },
      };
    }),
  );
  rec.route(
    on('GET', /^\/api\/v1\/namespaces\/cairn-system\/pods\/[^/]+$/, (r) => {
      const p = pods.get(r.path.split('/').pop()!);
      return p ? { status: 200, body: p } : { status: 404, body: status(404, 'NotFound', 'pods not found') };
    }),
  );
});
test.after.each(async () => {
  await rec.stop();
});

test("a pod-bound token of the agents' account proves the node its pod runs on; the review asks for cairn's audience", async () => {
  const t = jwt('node-a');
  reviews.set(t, bound('cairn-node-x1', 'uid-1'));
  pods.set('cairn-node-x1', pod('cairn-node-x1', 'uid-1', 'node-a'));
  assert.equal(await authn().nodeOf(t), { nodeId: 'node-a' });
  const [review] = reviewsMade();
  assert.equal(review!.body, {
    apiVersion: 'authentication.k8s.io/v1',
    kind: 'TokenReview',
    spec: { token: t, audiences: ['cairn'] },
  });
  assert.ok(
    rec.requests.some((r) => r.method === 'GET' && r.path === '/api/v1/namespaces/cairn-system/pods/cairn-node-x1'),
  );
});

test('an API server that names the node in the review is taken at its word, without reading the pod', async () => {
  const t = jwt('node-b');
  reviews.set(t, bound('cairn-node-x2', 'uid-2', { [NODE_NAME_EXTRA]: ['node-b'] }));
  assert.equal(await authn().nodeOf(t), { nodeId: 'node-b' });
  assert.not.ok(
    rec.requests.some((r) => r.method === 'GET'),
    'no pod read',
  );
});

test('refused, each with its reason: not authenticated, another account, not bound to a pod, a replaced pod, an unscheduled pod, not a JWT', async () => {
  const cases: [string, object | undefined, object | undefined, RegExp][] = [
    ['expired', undefined, undefined, /did not authenticate the token \(invalid bearer token\)/],
    [
      'other-sa',
      {
        authenticated: true,
        user: {
          username: 'system:serviceaccount:apps:default',
          extra: { [POD_NAME_EXTRA]: ['p'], [POD_UID_EXTRA]: ['u'] },
        },
      },
      undefined,
      /apps:default's, not system:serviceaccount:cairn-system:cairn-node's/,
    ],
    ['unbound', { authenticated: true, user: { username: SA_USER, extra: {} } }, undefined, /not bound to a pod/],
    ['replaced', bound('p3', 'old-uid'), pod('p3', 'new-uid', 'node-c'), /not the pod the token was bound to/],
    ['pending', bound('p4', 'u4'), pod('p4', 'u4', ''), /not scheduled to a node/],
  ];
  for (const [what, review, p, why] of cases) {
    const t = jwt(what);
    if (review) reviews.set(t, review);
    if (p) pods.set((p as { metadata: { name: string } }).metadata.name, p);
    const r = await authn().nodeOf(t);
    assert.ok('refused' in r, what);
    assert.match((r as { refused: string }).refused, why, what);
  }
  const before = reviewsMade().length;
  const r = await authn().nodeOf('cairn-node.node-a.forged');
  assert.match((r as { refused: string }).refused, /not a Kubernetes service-account token/);
  assert.is(reviewsMade().length, before, 'a token that is no JWT is not sent to the API server');
});

test("a verdict is kept for cacheMs but never past the token's expiry; refusals are not kept", async () => {
  const a = authn({ cacheMs: 60_000 });
  const long = jwt('long', clock / 1000 + 3600);
  const short = jwt('short', clock / 1000 + 10);
  reviews.set(long, bound('p1', 'u1', { [NODE_NAME_EXTRA]: ['node-a'] }));
  reviews.set(short, bound('p2', 'u2', { [NODE_NAME_EXTRA]: ['node-b'] }));
  await a.nodeOf(long);
  await a.nodeOf(short);
  assert.is(reviewsMade().length, 2);
  clock += 5_000;
  await a.nodeOf(long);
  await a.nodeOf(short);
  assert.is(reviewsMade().length, 2, 'both kept 5 s on');
  clock += 10_000; // 15 s: past the short token's expiry, within cacheMs
  reviews.delete(short); // the API server no longer accepts it
  assert.ok('refused' in (await a.nodeOf(short)), 'an expired token is reviewed again, and refused');
  assert.equal(await a.nodeOf(long), { nodeId: 'node-a' });
  assert.is(reviewsMade().length, 3, 'only the expired one was reviewed again');
  clock += 60_000;
  await a.nodeOf(long);
  assert.is(reviewsMade().length, 4, 'after cacheMs the long one is reviewed again');
  // A refusal is not kept: once the API server accepts the token, it proves its node.
  const late = jwt('late');
  assert.ok('refused' in (await a.nodeOf(late)));
  reviews.set(late, bound('p5', 'u5', { [NODE_NAME_EXTRA]: ['node-c'] }));
  assert.equal(await a.nodeOf(late), { nodeId: 'node-c' });
});

test('an API server that cannot be asked refuses the token, saying so', async () => {
  const a = new NodeAuthenticator(new KubeClient(rec.kubeConfig()), { audience: 'cairn', account: ACCOUNT });
  await rec.stop();
  const r = await a.nodeOf(jwt('x'));
  assert.match((r as { refused: string }).refused, /could not be checked with the Kubernetes API server/);
});

test.run();
