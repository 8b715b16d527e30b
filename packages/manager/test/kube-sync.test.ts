// The leader's Kubernetes loop, on a real etcd with an in-process manager. No API server can run in
// CI, so a local HTTP server plays it (it answers the Node list and watch, PVC reads, Event and
// PodDisruptionBudget writes, and records every request): a Node becoming unschedulable in the watch
// makes the node cordoned in cairn's log (actor "kubernetes"), a volume provisioned for a PVC that
// cannot be placed gets a Warning Event on that PVC naming cairn's reason, and a node holding a
// volume's only running replica gets a drain guard (pod + PodDisruptionBudget) until it does not.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createServer } from 'node:http';
import type { Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { adminClient, nodeAgentClient, silentLogger } from '@cairn/api';
import type { AdminClient, NodeAgentClient } from '@cairn/api';
import type { CairnEvent } from '@cairn/metadata';
import { EtcdCluster } from '@cairn/metadata';
import { KubeClient } from '@cairn/kube';
import { callUnary } from '@cairn/api';
import type { RequestOf, UnaryMethod } from '@cairn/api';
import { Manager } from '../src/index.js';

const TOKEN = 'test-token-0123456789';
let dir: string;
let etcd: EtcdCluster;
let manager: Manager;
let admin: AdminClient;
let agent: NodeAgentClient;
let heartbeats: NodeJS.Timeout | undefined;

// ---- the stand-in API server ------------------------------------------------------------------
interface Req {
  method: string;
  path: string;
  /** The parsed JSON of a POST (undefined without a body); read below as one of the types that follow. */
  body: unknown;
}
/** A posted object the stand-in keeps (a guard Pod or PodDisruptionBudget): by its name. */
interface Named {
  metadata: { name: string };
}
/** The fields of a posted Event the tests read. */
interface KubeEvent {
  reason: string;
  involvedObject: unknown;
  type: string;
  message: string;
  reportingComponent: string;
  source: unknown;
}
/** The fields of a posted drain-guard Pod the tests read. */
interface GuardPod {
  metadata: { name: string; ownerReferences: unknown };
  spec: { nodeName: string };
}
const eventReason = (r: Req): string | undefined => (r.body as KubeEvent | undefined)?.reason;
const requests: Req[] = [];
const waiting: { match: (r: Req) => boolean; resolve: (r: Req) => void }[] = [];
const watchers: ServerResponse[] = [];
let api: Server;
const node = (name: string, unschedulable: boolean, rv: number, labels: Record<string, string> = {}) => ({
  apiVersion: 'v1',
  kind: 'Node',
  metadata: { name, uid: `uid-${name}`, resourceVersion: String(rv), labels },
  spec: { unschedulable },
});
const modified = (n: object): void => {
  for (const w of watchers) w.write(`${JSON.stringify({ type: 'MODIFIED', object: n })}\n`);
};

/** The first request that matches (made already, or the next one); fails naming `what` after 30 s. */
function request(match: (r: Req) => boolean, what = 'the request'): Promise<Req> {
  const seen = requests.find(match);
  if (seen) return Promise.resolve(seen);
  return new Promise((resolve, reject) => {
    const w = {
      match,
      resolve: (r: Req) => {
        clearTimeout(timer);
        resolve(r);
      },
    };
    const timer = setTimeout(() => {
      waiting.splice(waiting.indexOf(w), 1);
      reject(
        new Error(
          `no ${what} in 30 s; requests: ${requests
            .slice(-8)
            .map((r) => `${r.method} ${r.path}`)
            .join(', ')}`,
        ),
      );
    }, 30_000);
    waiting.push(w);
  });
}

// The guards the stand-in holds, as an API server would: the reconciler re-lists them from time to
// time, and a list that forgot them would make it forget them too (and never delete them).
const pods = new Map<string, unknown>();
const budgets = new Map<string, unknown>();

async function startApi(): Promise<string> {
  api = createServer(async (req, res): Promise<void> => {
    let raw = '';
    for await (const c of req) raw += c;
    const r: Req = { method: req.method!, path: req.url!, body: raw ? JSON.parse(raw) : undefined };
    requests.push(r);
    for (const w of [...waiting])
      if (w.match(r)) {
        waiting.splice(waiting.indexOf(w), 1);
        w.resolve(r);
      }
    const path = r.path.split('?')[0];
    const json = (code: number, body: unknown): void =>
      void res.writeHead(code, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (r.method === 'GET' && path === '/api/v1/nodes' && r.path.includes('watch=true')) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.flushHeaders();
      watchers.push(res);
      return;
    }
    if (r.method === 'GET' && path === '/api/v1/nodes') {
      return json(200, {
        apiVersion: 'v1',
        kind: 'NodeList',
        metadata: { resourceVersion: '10' },
        items: [node('n1', false, 1), node('n2', false, 2)],
      });
    }
    if (r.method === 'GET' && path === '/api/v1/namespaces/apps/persistentvolumeclaims/data') {
      return json(200, {
        apiVersion: 'v1',
        kind: 'PersistentVolumeClaim',
        metadata: { name: 'data', namespace: 'apps', uid: 'pvc-uid-1' },
      });
    }
    if (r.method === 'POST' && path === '/api/v1/namespaces/apps/events') return json(201, r.body);
    const PDBS = '/apis/policy/v1/namespaces/cairn-system/poddisruptionbudgets';
    const PODS = '/api/v1/namespaces/cairn-system/pods';
    if (r.method === 'GET' && path === PDBS)
      return json(200, {
        apiVersion: 'policy/v1',
        kind: 'PodDisruptionBudgetList',
        metadata: {},
        items: [...budgets.values()],
      });
    if (r.method === 'GET' && path === PODS)
      return json(200, { apiVersion: 'v1', kind: 'PodList', metadata: {}, items: [...pods.values()] });
    if (r.method === 'POST' && path === PDBS)
      return (budgets.set((r.body as Named).metadata.name, r.body), json(201, r.body));
    if (r.method === 'POST' && path === PODS)
      return (pods.set((r.body as Named).metadata.name, r.body), json(201, r.body));
    if (r.method === 'DELETE' && path!.startsWith(`${PDBS}/`)) budgets.delete(path!.slice(PDBS.length + 1));
    if (r.method === 'DELETE' && path!.startsWith(`${PODS}/`)) pods.delete(path!.slice(PODS.length + 1));
    if (r.method === 'DELETE' && path!.startsWith('/api'))
      return json(200, { kind: 'Status', apiVersion: 'v1', status: 'Success' });
    json(404, {
      kind: 'Status',
      apiVersion: 'v1',
      status: 'Failure',
      code: 404,
      reason: 'NotFound',
      message: 'no route',
    });
  });
  await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
}

const call = <C extends object, M extends UnaryMethod<C>>(c: C, method: M, req: RequestOf<C, M>) =>
  callUnary(c, method, req, 5000);

/** Waits (on the projection's changes, not a clock) for the first event after `from` that matches. */
async function eventAfter(from: number, match: (e: CairnEvent) => boolean, what: string): Promise<CairnEvent> {
  const deadline = Date.now() + 15_000;
  for (let next = from + 1; Date.now() < deadline;) {
    const head = manager.projection.state.seq;
    if (next <= head) {
      for (const e of await manager.log.read(next, head)) if (match(e)) return e;
      next = head + 1;
    }
    await manager.projection.waitFor(next).catch(() => undefined);
  }
  throw new Error(`no ${what} after seq ${from}`);
}

/** Node nI's data address, as registered (a replica runs at its node's). */
const addressOf = (nodeId: string): string => `127.0.0.1:${9000 + Number(nodeId.slice(1))}`;

const t = suite("manager: the leader's Kubernetes loop");
t.before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cairn-kube-sync-'));
  etcd = await EtcdCluster.start({ dir: join(dir, 'etcd') });
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'c', server: await startApi(), skipTLSVerify: true }],
    users: [{ name: 'u', token: 't' }],
    contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
    currentContext: 'x',
  });
  manager = await Manager.start({
    etcd: etcd.endpoints,
    listen: '127.0.0.1:0',
    token: TOKEN,
    id: 'm1',
    logger: silentLogger(),
    // A 30 s node lease (1 s heartbeats below): this suite is not about liveness, and with the
    // default 5 s one a busy machine (another suite beside it) let the leases lapse, the nodes went
    // down and the drain test's volume could never be placed.
    nodeLeaseTtl: 30,
    // The guards are listed again on every poll, as they are every 30 s in production: the drain
    // test then also shows that what the reconciler re-reads (not what it remembers) decides.
    kube: { client: new KubeClient(kc), namespace: 'cairn-system', pdbRelistMs: 0 },
  });
  admin = adminClient(manager.address, { token: TOKEN });
  agent = nodeAgentClient(manager.address, { token: TOKEN });
  for (const id of ['n1', 'n2']) {
    // Each node its own data address (a node cannot register another's).
    await call(agent, 'Register', {
      nodeId: id,
      address: addressOf(id),
      zone: 'z',
      hostname: id,
      disks: [{ diskId: 'd1', path: `/tmp/${id}`, storageMaximum: 100 * 2 ** 30, storageAvailable: 100 * 2 ** 30 }],
    });
  }
  // The nodes stay up however long the suite takes (a node that stops heartbeating goes down after
  // its lease, and a replica on a down node runs nowhere: no guard, other Event reasons).
  heartbeats = setInterval(() => {
    for (const nodeId of ['n1', 'n2']) void call(agent, 'Heartbeat', { nodeId, disks: [] }).catch(() => undefined);
  }, 1000);
});
t.after(async () => {
  clearInterval(heartbeats);
  admin?.close();
  agent?.close();
  for (const w of watchers) w.end();
  await manager?.stop();
  api?.closeAllConnections();
  api?.close();
  await etcd?.stop();
  rmSync(dir, { recursive: true, force: true });
});

t(
  'kubectl cordon (a Node turning unschedulable in the watch) cordons the cairn node, by actor kubernetes; uncordon undoes it',
  async () => {
    await request((r) => r.path.startsWith('/api/v1/nodes?') && r.path.includes('watch=true'), 'Node watch');
    assert.is(manager.projection.state.nodes.get('n1')!.cordoned, false, 'the list said schedulable: nothing appended');
    const from = manager.projection.state.seq;
    modified(node('n1', true, 11));
    const ev = await eventAfter(from, (e) => e.nodeUpdated?.nodeId === 'n1', 'node update of n1');
    assert.is(ev.actor, 'kubernetes');
    assert.is(ev.nodeUpdated!.cordoned, true);
    assert.is(manager.projection.state.nodes.get('n1')!.cordoned, true);
    assert.is(manager.projection.state.nodes.get('n2')!.cordoned, false);
    const from2 = manager.projection.state.seq;
    modified(node('n1', false, 12));
    const back = await eventAfter(from2, (e) => e.nodeUpdated?.nodeId === 'n1', 'uncordon of n1');
    assert.is(back.nodeUpdated!.cordoned, false);
    assert.is(back.actor, 'kubernetes');
  },
);

t('a volume of a PVC that cannot be placed: a Warning Event on the PVC naming AntiAffinityNode', async () => {
  // Three replicas, two nodes, node anti-affinity hard (replica-soft-anti-affinity is false by default).
  await call(admin, 'CreateVolume', {
    name: 'pvc-0a1b',
    size: 2 ** 30,
    numberOfReplicas: 3,
    csiName: 'pvc-0a1b',
    kubernetes: { pvcNamespace: 'apps', pvcName: 'data', pvName: 'pvc-0a1b' },
  });
  const post = await request(
    (r) =>
      r.method === 'POST' && r.path === '/api/v1/namespaces/apps/events' && eventReason(r) === 'VolumeUnschedulable',
    'VolumeUnschedulable Event',
  );
  const event = post.body as KubeEvent;
  assert.equal(event.involvedObject, {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    namespace: 'apps',
    name: 'data',
    uid: 'pvc-uid-1',
  });
  assert.is(event.type, 'Warning');
  assert.match(event.message, /AntiAffinityNode/);
  assert.match(event.message, /1 replica\(s\) of volume pvc-0a1b cannot be placed/);
  assert.is(event.reportingComponent, 'csi.cairn.io');
  assert.equal(event.source, { component: 'cairn-manager' });
  // Three tag-label changes of n2, each appended by a later poll than the one before: when the third
  // is in the log, at least two whole polls have run since the Event was written.
  let rv = 20;
  for (const [labels, tags] of [
    [{ 'tag.node.cairn.io/ssd': 'true' }, ['ssd']],
    [{ 'tag.node.cairn.io/ssd': 'true', 'tag.node.cairn.io/fast': 'true' }, ['fast', 'ssd']],
    [{ 'tag.node.cairn.io/ssd': 'false', 'tag.node.cairn.io/fast': 'false' }, []],
  ] as const) {
    const from = manager.projection.state.seq;
    modified(node('n2', false, rv++, labels));
    const ev = await eventAfter(from, (e) => e.nodeUpdated?.nodeId === 'n2', 'tags of n2');
    assert.equal(ev.nodeUpdated!.tags, tags, "the tag labels own n2's tags");
    assert.is(ev.actor, 'kubernetes');
  }
  assert.is(
    requests.filter((r) => eventReason(r) === 'VolumeUnschedulable').length,
    1,
    'one Event for the transition, not one per poll',
  );
  assert.is(requests.filter((r) => r.method === 'PATCH').length, 0);
});

t(
  "a node with a volume's only running replica gets a drain guard (pod then budget), removed when the volume is gone",
  async () => {
    await call(admin, 'CreateVolume', { name: 'solo', size: 2 ** 30, numberOfReplicas: 1 });
    const deadline = Date.now() + 30_000;
    let v = await call(admin, 'GetVolume', { name: 'solo' });
    while (v.replicas.length === 0) {
      if (Date.now() > deadline) {
        const nodes = [...manager.projection.state.nodes.values()].map(
          (n) => `${n.id} ${n.down ? 'down' : 'up'}${n.cordoned ? ' cordoned' : ''}`,
        );
        throw new Error(
          'timed out after 30 s waiting for: volume solo to get its replica placed ' +
            `(unschedulable: ${v.unschedulable || 'none said'}; nodes: ${nodes.join(', ')})`,
        );
      }
      // The next event, or a second: whichever comes first (a placement is an event).
      const next = manager.projection.state.seq + 1;
      await Promise.race([
        manager.projection.waitFor(next).catch(() => undefined),
        new Promise((r) => setTimeout(r, 1000)),
      ]);
      v = await call(admin, 'GetVolume', { name: 'solo' });
    }
    const r = v.replicas[0]!;
    await call(agent, 'Report', {
      nodeId: r.node,
      replicas: [{ replicaId: r.id, state: 'running', address: addressOf(r.node) }],
    });
    const pod = await request(
      (q) => q.method === 'POST' && q.path === '/api/v1/namespaces/cairn-system/pods',
      'guard pod POST',
    );
    const guard = pod.body as GuardPod;
    assert.is(guard.metadata.name, `cairn-drain-${r.node}`);
    assert.is(guard.spec.nodeName, r.node);
    assert.equal(guard.metadata.ownerReferences, [
      { apiVersion: 'v1', kind: 'Node', name: r.node, uid: `uid-${r.node}`, controller: true },
    ]);
    const pdb = await request(
      (q) => q.method === 'POST' && q.path === '/apis/policy/v1/namespaces/cairn-system/poddisruptionbudgets',
      'guard budget POST',
    );
    assert.equal((pdb.body as { spec: unknown }).spec, {
      minAvailable: 1,
      selector: { matchLabels: { 'node.cairn.io/id': r.node, 'app.kubernetes.io/component': 'drain-guard' } },
    });
    assert.ok(requests.indexOf(pod) < requests.indexOf(pdb), 'the pod first');
    await call(admin, 'DeleteVolume', { name: 'solo' });
    const gone = await request(
      (q) => q.method === 'DELETE' && q.path === `/api/v1/namespaces/cairn-system/pods/cairn-drain-${r.node}`,
      'guard pod DELETE',
    );
    assert.ok(
      requests.some(
        (q, i) =>
          i < requests.indexOf(gone) &&
          q.method === 'DELETE' &&
          q.path === `/apis/policy/v1/namespaces/cairn-system/poddisruptionbudgets/cairn-drain-${r.node}`,
      ),
      'the budget first, the pod last',
    );
  },
);

t.run();
