// Per-node identities and volume secrets, attacked the way issue 15's review describes, against a
// manager in-process on a real etcd with a node key (what `cairn up` and deploy/ run): a node's
// token acts for that node only (reports, registrations, heartbeats, its assignment stream), the
// admin token is no node credential and a node token no admin one, the event's actor is the
// credential's, and each volume's secret is random, kept in etcd outside the log, and sent only
// to the nodes that run that volume.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { status } from '@grpc/grpc-js';
import { adminClient, nodeAgentClient, nodeToken, silentLogger } from '@cairn/api';
import type { AdminClient, Assignments__Output, NodeAgentClient } from '@cairn/api';
import { draft, EtcdCluster, EventLog, Keys } from '@cairn/metadata';
import type { Etcd3 } from '@cairn/metadata';
import { startEtcd } from './etcd-fixture.js';
import type { EtcdFixture } from './etcd-fixture.js';
import { callUnary } from '@cairn/api';
import type { RequestOf, UnaryMethod } from '@cairn/api';
import { Manager, readVolumeSecret, volumeSecret } from '../src/index.js';

let fx: EtcdFixture;
let etcd: EtcdCluster;
let client: Etcd3;
let manager: Manager;
let admin: AdminClient;
const TOKEN = 'admin-token-0123456789';
const NODE_KEY = 'node-key-abcdefghijklmnop';
const nodes = new Map<string, NodeAgentClient>();
const keys = new Keys();

const call = <C extends object, M extends UnaryMethod<C>>(c: C, method: M, req: RequestOf<C, M>) =>
  callUnary(c, method, req, 5000);
const refusal = async (p: Promise<unknown>): Promise<{ code: number; details: string }> =>
  p.then(
    () => ({ code: -1, details: 'accepted' }),
    (e: { code: number; details: string }) => ({ code: e.code, details: e.details }),
  );
const addressOf = (nodeId: string): string => `127.0.0.1:${9000 + Number(nodeId.slice(-1))}`;
/** Node `id`'s agent client, with its own token. */
const as = (id: string): NodeAgentClient => nodes.get(id)!;

/** The first push of a WatchAssignments stream (the node's whole truth), or the stream's refusal. */
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

/** Waits on the projection (not a clock) until `ok` holds of the state. */
async function until<T>(what: string, ok: () => T | undefined): Promise<T> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const v = ok();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await manager.projection.waitFor(manager.projection.state.seq + 1).catch(() => undefined);
  }
}

const t = suite('manager: per-node identities and volume secrets');
t.before(async () => {
  fx = await startEtcd('identities');
  ({ etcd, client } = fx);
  manager = await Manager.start({
    etcd: etcd.endpoints,
    listen: '127.0.0.1:0',
    token: TOKEN,
    nodeKey: NODE_KEY,
    id: 'm1',
    logger: silentLogger(),
  });
  admin = adminClient(manager.address, { token: TOKEN });
  for (const id of ['node-1', 'node-2']) {
    nodes.set(id, nodeAgentClient(manager.address, { token: nodeToken(NODE_KEY, id) }));
    await call(as(id), 'Register', {
      nodeId: id,
      address: addressOf(id),
      zone: 'z',
      hostname: id,
      disks: [{ diskId: 'd1', path: `/tmp/${id}`, storageMaximum: 100 * 2 ** 30, storageAvailable: 100 * 2 ** 30 }],
    });
  }
});
t.after(async () => {
  admin?.close();
  for (const c of nodes.values()) c.close();
  await manager?.stop();
  await fx?.stop();
});

t('a node registers with its own token, and its events name it as their actor', async () => {
  const events = await manager.log.read(1, manager.projection.state.seq);
  const reg = events.filter((e) => e.nodeRegistered);
  assert.equal(
    reg.map((e) => [e.nodeRegistered!.nodeId, e.actor]),
    [
      ['node-1', 'node/node-1'],
      ['node-2', 'node/node-2'],
    ],
  );
});

t(
  "node-2's token cannot act for node-1: Report, Register, Heartbeat and WatchAssignments are refused, naming both",
  async () => {
    await call(admin, 'CreateVolume', { name: 'v1', size: 2 ** 30, numberOfReplicas: 2 });
    const r1 = await until('a replica of v1 on node-1', () =>
      [...manager.projection.state.replicas.values()].find((r) => r.volume === 'v1' && r.nodeId === 'node-1'),
    );
    const before = manager.projection.state.seq;
    const failIt = {
      nodeId: 'node-1',
      replicas: [{ replicaId: r1.id, state: 'failed', address: '', reason: 'forged' }],
    };
    const checks: [string, Promise<unknown>][] = [
      ['Report', call(as('node-2'), 'Report', failIt)],
      [
        'Register',
        call(as('node-2'), 'Register', {
          nodeId: 'node-1',
          address: addressOf('node-2'),
          zone: 'z',
          hostname: 'x',
          disks: [],
        }),
      ],
      ['Heartbeat', call(as('node-2'), 'Heartbeat', { nodeId: 'node-1', disks: [] })],
      ['WatchAssignments', firstPush(as('node-2'), 'node-1')],
    ];
    for (const [what, p] of checks) {
      const r = await refusal(p);
      assert.is(r.code, status.PERMISSION_DENIED, what);
      assert.match(r.details, /credential of node "node-2" cannot act for node "node-1"/, what);
    }
    // As itself, node-2 may report only what it runs: node-1's replica stays as it was.
    const own = await refusal(call(as('node-2'), 'Report', { ...failIt, nodeId: 'node-2' }));
    assert.is(own.code, status.FAILED_PRECONDITION);
    assert.is(manager.projection.state.seq, before, 'nothing appended');
    assert.is(manager.projection.state.replicas.get(r1.id)!.mode, 'scheduled');
    // A token that is not made with the managers' key proves nothing.
    const forged = nodeAgentClient(manager.address, { token: nodeToken('another-key', 'node-1') });
    assert.is((await refusal(call(forged, 'Heartbeat', { nodeId: 'node-1', disks: [] }))).code, status.UNAUTHENTICATED);
    forged.close();
  },
);

t("a node cannot register another node's address, nor a manager's, nor run a replica at one", async () => {
  const taken = await refusal(
    call(as('node-2'), 'Register', {
      nodeId: 'node-2',
      address: addressOf('node-1'),
      zone: 'z',
      hostname: 'node-2',
      disks: [],
    }),
  );
  assert.is(taken.code, status.PERMISSION_DENIED);
  assert.match(taken.details, /is node "node-1"'s/);
  const mgr = await refusal(
    call(as('node-2'), 'Register', {
      nodeId: 'node-2',
      address: manager.address,
      zone: 'z',
      hostname: 'node-2',
      disks: [],
    }),
  );
  assert.is(mgr.code, status.PERMISSION_DENIED);
  assert.match(mgr.details, /is a manager's/);
  const r2 = await until('a replica of v1 on node-2', () =>
    [...manager.projection.state.replicas.values()].find((r) => r.volume === 'v1' && r.nodeId === 'node-2'),
  );
  const elsewhere = await refusal(
    call(as('node-2'), 'Report', {
      nodeId: 'node-2',
      replicas: [{ replicaId: r2.id, state: 'running', address: addressOf('node-1'), reason: '' }],
    }),
  );
  assert.is(elsewhere.code, status.PERMISSION_DENIED);
  assert.is(manager.projection.state.nodes.get('node-2')!.address, addressOf('node-2'));
  await call(as('node-2'), 'Report', {
    nodeId: 'node-2',
    replicas: [{ replicaId: r2.id, state: 'running', address: addressOf('node-2'), reason: '' }],
  });
  assert.is(manager.projection.state.replicas.get(r2.id)!.address, addressOf('node-2'));
});

t('the admin token is no node credential, and a node token no admin one', async () => {
  const adminAsNode = nodeAgentClient(manager.address, { token: TOKEN });
  const r = await refusal(call(adminAsNode, 'Heartbeat', { nodeId: 'node-1', disks: [] }));
  assert.is(r.code, status.PERMISSION_DENIED);
  assert.match(r.details, /admin token is not a node credential/);
  assert.is((await refusal(firstPush(adminAsNode, 'node-1'))).code, status.PERMISSION_DENIED);
  adminAsNode.close();
  const nodeAsAdmin = adminClient(manager.address, { token: nodeToken(NODE_KEY, 'node-1') });
  assert.is((await refusal(call(nodeAsAdmin, 'DeleteVolume', { name: 'v1' }))).code, status.UNAUTHENTICATED);
  assert.is((await refusal(call(nodeAsAdmin, 'ListVolumes', {}))).code, status.UNAUTHENTICATED);
  nodeAsAdmin.close();
  assert.ok(manager.projection.state.volumes.has('v1'), 'v1 is still there');
});

t(
  'volume secrets: random, in etcd outside the log, sent only to the nodes that run the volume, deleted with it',
  async () => {
    await call(admin, 'CreateVolume', { name: 'solo', size: 2 ** 30, numberOfReplicas: 1 });
    await call(admin, 'CreateVolume', { name: 'solo2', size: 2 ** 30, numberOfReplicas: 1 });
    const r = await until('solo placed', () =>
      [...manager.projection.state.replicas.values()].find((x) => x.volume === 'solo' && x.nodeId),
    );
    const placedAt = manager.projection.state.seq;
    const host = r.nodeId;
    const other = host === 'node-1' ? 'node-2' : 'node-1';
    const secret = (await readVolumeSecret(client, keys, 'solo'))!;
    const secret2 = (await readVolumeSecret(client, keys, 'solo2'))!;
    assert.match(secret, /^[0-9a-f]{64}$/);
    assert.is.not(secret, secret2, 'two volumes, two unrelated secrets');
    assert.is.not(secret, volumeSecret(TOKEN, 'solo'), 'not derived from the admin token');
    // The host gets it with its replica; the other node, which runs nothing of "solo", never sees it.
    const mine = await firstPush(as(host), host);
    assert.is(mine.replicas.find((x) => x.replicaId === r.id)?.secret, secret);
    const theirs = await firstPush(as(other), other);
    assert.ok(theirs.seq >= placedAt, 'the push is of a state where solo is placed');
    assert.not.ok(theirs.replicas.some((x) => x.volume === 'solo'));
    assert.not.ok(JSON.stringify(theirs).includes(secret), 'no push to the other node carries the secret');
    // The engine's node needs it too: attached there, the other node now gets it, with the engine.
    await call(admin, 'AttachVolume', { name: 'solo', nodeId: other });
    const engine = (await firstPush(as(other), other)).engines.find((e) => e.volume === 'solo');
    assert.is(engine?.secret, secret);
    // Never in the log: no stored event holds it.
    for (const ev of await manager.log.read(1, manager.projection.state.seq)) {
      assert.not.ok(JSON.stringify(ev).includes(secret), `event ${ev.seq} holds no secret`);
    }
    // Deleted with the volume.
    await call(admin, 'DeleteVolume', { name: 'solo2' });
    const deadline = Date.now() + 5000;
    while ((await readVolumeSecret(client, keys, 'solo2')) !== null && Date.now() < deadline)
      await new Promise((res) => setTimeout(res, 50));
    assert.is(await readVolumeSecret(client, keys, 'solo2'), null);
  },
);

t(
  'a volume from before random secrets keeps the derived one its replicas hold; one created after gets a random one',
  async () => {
    // An older cluster's log (its own prefix): a node and a volume, written before any manager kept secrets.
    const prefix = '/older/';
    const log = new EventLog(client, { prefix, actor: 'old-manager' });
    await log.append([
      draft.nodeRegistered('node-1', { address: addressOf('node-1') }),
      draft.diskAdded('node-1', 'd1', { maximum: 100 * 2 ** 30 }),
      draft.volumeCreated('old', { size: 2 ** 30, numberOfReplicas: 1 }),
    ]);
    log.close();
    const m = await Manager.start({
      etcd: etcd.endpoints,
      listen: '127.0.0.1:0',
      token: TOKEN,
      nodeKey: NODE_KEY,
      id: 'm-old',
      prefix,
      logger: silentLogger(),
    });
    const a = adminClient(m.address, { token: TOKEN });
    const n1 = nodeAgentClient(m.address, { token: nodeToken(NODE_KEY, 'node-1') });
    try {
      await call(a, 'CreateVolume', { name: 'new', size: 2 ** 30, numberOfReplicas: 1 });
      for (const name of ['old', 'new']) await call(a, 'AttachVolume', { name, nodeId: 'node-1' });
      const engines = (await firstPush(n1, 'node-1')).engines;
      assert.is(
        engines.find((e) => e.volume === 'old')?.secret,
        volumeSecret(TOKEN, 'old'),
        'the old volume keeps its derived secret',
      );
      const fresh = engines.find((e) => e.volume === 'new')?.secret;
      assert.is(fresh, (await readVolumeSecret(client, new Keys(prefix), 'new'))!);
      assert.is.not(fresh, volumeSecret(TOKEN, 'new'));
      assert.is(await readVolumeSecret(client, new Keys(prefix), 'old'), null, 'nothing is stored for the old one');
    } finally {
      a.close();
      n1.close();
      await m.stop();
    }
  },
);

t.run();
