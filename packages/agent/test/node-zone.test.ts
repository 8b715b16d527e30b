// `cairn node --zone-from-node NAME`: the pure decisions (which label, which error), and the
// command line refusing what it cannot do before any network call.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { inClusterProblem } from '@cairn/kube';
import {
  apiErrorText,
  LEGACY_ZONE_LABEL,
  readNodeZone,
  SERVICE_ACCOUNT_DIR,
  ZONE_LABEL,
  zoneOfNodeOrThrow,
} from '../src/node-zone.js';
import { runAgent } from '../src/run.js';

/** A Node object as the API server returns it (trimmed to what matters here). */
const node = (labels?: Record<string, string>) => ({
  apiVersion: 'v1',
  kind: 'Node',
  metadata: { name: 'worker-1', labels },
  spec: { podCIDR: '10.244.1.0/24', unschedulable: false },
  status: { addresses: [{ type: 'InternalIP', address: '192.0.2.10' }] },
});

test('the zone is the topology.kubernetes.io/zone label', async () => {
  assert.is(
    await zoneOfNodeOrThrow(node({ 'kubernetes.io/hostname': 'worker-1', [ZONE_LABEL]: 'eu-west-1a' }), 'worker-1'),
    'eu-west-1a',
  );
});

test('the well-known label wins over the legacy beta label; the legacy one is used alone', async () => {
  assert.is(await zoneOfNodeOrThrow(node({ [ZONE_LABEL]: 'new', [LEGACY_ZONE_LABEL]: 'old' }), 'worker-1'), 'new');
  assert.is(await zoneOfNodeOrThrow(node({ [LEGACY_ZONE_LABEL]: 'old' }), 'worker-1'), 'old');
  assert.is(
    await zoneOfNodeOrThrow(node({ [ZONE_LABEL]: '  ', [LEGACY_ZONE_LABEL]: 'old' }), 'worker-1'),
    'old',
    'an empty value counts as missing',
  );
});

test('a node without the label is an error naming the node, the label and the way out', async () => {
  for (const n of [node({ 'kubernetes.io/hostname': 'worker-1' }), node(undefined), node({ [ZONE_LABEL]: '' }), {}]) {
    try {
      await zoneOfNodeOrThrow(n, 'worker-1');
      assert.unreachable('should have thrown');
    } catch (e) {
      const m = (e as Error).message;
      assert.ok(
        m.includes('node "worker-1"') &&
          m.includes(`no ${ZONE_LABEL} label`) &&
          m.includes(`kubectl label node worker-1 ${ZONE_LABEL}=ZONE`) &&
          m.includes('--zone'),
        m,
      );
    }
  }
});

test('in-cluster credentials: the service env vars and the token file', () => {
  const token = `${SERVICE_ACCOUNT_DIR}/token`;
  const inPod = { KUBERNETES_SERVICE_HOST: '10.96.0.1', KUBERNETES_SERVICE_PORT: '443' };
  assert.is(
    inClusterProblem(inPod, (p) => p === token),
    null,
  );
  assert.match(
    inClusterProblem({}, () => true)!,
    /KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT not set/,
  );
  assert.match(
    inClusterProblem({ KUBERNETES_SERVICE_HOST: '10.96.0.1' }, () => true)!,
    /\(KUBERNETES_SERVICE_PORT not set\)/,
  );
  assert.match(
    inClusterProblem(inPod, () => false)!,
    new RegExp(`no service account token at ${token}`),
  );
});

test('API errors by status: 404 names the node, 403 names the permission', () => {
  assert.match(apiErrorText('w1', 404, 'x'), /there is no node "w1"/);
  assert.match(apiErrorText('w1', 403, 'x'), /may not read node "w1" \(403\).*"get" on nodes/);
  assert.match(apiErrorText('w1', 401, 'x'), /refused the service account token/);
  assert.is(apiErrorText('w1', 500, 'boom'), '--zone-from-node: cannot read node "w1" (HTTP 500): boom');
  assert.is(apiErrorText('w1', undefined, 'ECONNREFUSED'), '--zone-from-node: cannot read node "w1": ECONNREFUSED');
});

test('outside a pod, reading the zone fails at once with the reason', async () => {
  try {
    await readNodeZone('worker-1', { env: {} });
    assert.unreachable('should have thrown');
  } catch (e) {
    assert.match((e as Error).message, /^--zone-from-node: not running in a Kubernetes pod/);
  }
  try {
    await readNodeZone('', { env: {} });
    assert.unreachable('should have thrown');
  } catch (e) {
    assert.match((e as Error).message, /needs the node's name/);
  }
});

test('cairn node refuses --zone together with --zone-from-node, and a bad port before asking Kubernetes', async () => {
  const base = ['--manager', '127.0.0.1:1', '--node-id', 'n1', '--token', 't', '--disk', '/tmp/cairn-zone-test'];
  try {
    await runAgent([...base, '--zone', 'a', '--zone-from-node', 'n1']);
    assert.unreachable('should have thrown');
  } catch (e) {
    assert.match((e as Error).message, /give --zone or --zone-from-node, not both/);
  }
  try {
    await runAgent([...base, '--zone-from-node', 'n1', '--data-port', '70000']);
    assert.unreachable('should have thrown');
  } catch (e) {
    assert.match((e as Error).message, /--data-port must be a port number/);
  }
  try {
    await runAgent([...base, '--zone-from-node', 'n1', '--nbd-listen', '0.0.0.0:10809']);
    assert.unreachable('should have thrown');
  } catch (e) {
    assert.match((e as Error).message, /only with TLS/);
  }
  const saved = { h: process.env.KUBERNETES_SERVICE_HOST, p: process.env.KUBERNETES_SERVICE_PORT };
  delete process.env.KUBERNETES_SERVICE_HOST;
  delete process.env.KUBERNETES_SERVICE_PORT;
  try {
    await runAgent([...base, '--zone-from-node', 'n1']);
    assert.unreachable('should have thrown');
  } catch (e) {
    assert.match((e as Error).message, /--zone-from-node: not running in a Kubernetes pod/);
  } finally {
    if (saved.h !== undefined) process.env.KUBERNETES_SERVICE_HOST = saved.h;
    if (saved.p !== undefined) process.env.KUBERNETES_SERVICE_PORT = saved.p;
  }
});

test.run();
