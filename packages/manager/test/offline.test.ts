// Offline rebuilding and salvage through a manager in-process on a real etcd. What the nodes would
// report is sent the way agents send it (the node-facing Report RPC, or events a node's report
// becomes); the leader decides: a detached volume whose replica is evicted is attached without a
// frontend and detached again once the replacement runs, the admin API shows it detached with the
// reason; a faulted volume comes back by `SalvageVolume` (typed refusals) and by auto-salvage, from
// the figures the nodes reported, recorded in the event.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { EventEmitter } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { status } from '@grpc/grpc-js';
import { adminClient, lineLogger, nodeAgentClient } from '@cairn/api';
import type { AdminClient, NodeAgentClient } from '@cairn/api';
import type { CairnEvent } from '@cairn/metadata';
import { EtcdCluster } from '@cairn/metadata';
import { callUnary } from '@cairn/api';
import type { RequestOf, UnaryMethod } from '@cairn/api';
import { Manager } from '../src/index.js';

let dir: string;
let etcd: EtcdCluster;
let manager: Manager;
let admin: AdminClient;
let agent: NodeAgentClient;
const TOKEN = 'test-token-0123456789';

const call = <C extends object, M extends UnaryMethod<C>>(c: C, method: M, req: RequestOf<C, M>) =>
  callUnary(c, method, req, 5000);
const codeOf = async (p: Promise<unknown>): Promise<number> =>
  p.then(
    () => -1,
    (e: { code: number }) => e.code,
  );

/** Waits (on the projection's changes, not a clock) for the first event after `from` that matches. */
async function eventAfter(from: number, match: (e: CairnEvent) => boolean, what: string): Promise<CairnEvent> {
  const deadline = Date.now() + 10_000;
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

/** The manager's log lines, as they come. */
const logged = new EventEmitter();
const logLine = (re: RegExp): Promise<string> =>
  new Promise((resolve) => {
    const on = (l: string): void => {
      if (!re.test(l)) return;
      logged.off('line', on);
      resolve(l);
    };
    logged.on('line', on);
  });

const t = suite('manager: offline rebuilding and salvage');
t.before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cairn-offline-'));
  etcd = await EtcdCluster.start({ dir: join(dir, 'etcd') });
  manager = await Manager.start({
    etcd: etcd.endpoints,
    listen: '127.0.0.1:0',
    token: TOKEN,
    id: 'm1',
    logger: lineLogger((l) => logged.emit('line', l)),
  });
  admin = adminClient(manager.address, { token: TOKEN });
  agent = nodeAgentClient(manager.address, { token: TOKEN });
  for (let i = 1; i <= 3; i++) {
    await call(agent, 'Register', {
      nodeId: `n${i}`,
      address: `127.0.0.1:${9000 + i}`,
      zone: `z${i}`,
      hostname: `n${i}`,
      disks: [{ diskId: 'd1', path: `/tmp/n${i}`, storageMaximum: 100 * 2 ** 30, storageAvailable: 100 * 2 ** 30 }],
    });
  }
});
t.after(async () => {
  admin?.close();
  agent?.close();
  await manager?.stop();
  await etcd?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Node nI's data address, as registered (a replica runs at its node's). */
const addressOf = (nodeId: string): string => `127.0.0.1:${9000 + Number(nodeId.slice(1))}`;

/** Creates a volume and reports its replicas running, as their nodes would. */
async function volumeRunning(name: string, replicas: number): Promise<string[]> {
  const from = manager.projection.state.seq;
  await call(admin, 'CreateVolume', { name, size: 2 ** 30, numberOfReplicas: replicas });
  for (let i = 0; i < replicas; i++)
    await eventAfter(
      from,
      (e) => e.replicaScheduled?.volume === name && e.replicaScheduled.replicaId.endsWith(`-${i}`),
      'placement',
    );
  const v = await call(admin, 'GetVolume', { name });
  for (const r of v.replicas)
    await call(agent, 'Report', {
      nodeId: r.node,
      replicas: [{ replicaId: r.id, state: 'running', address: addressOf(r.node) }],
    });
  return v.replicas.map((r: { id: string }) => r.id);
}

/**
 * Every replica of a volume fails at once, as the report of an engine that lost them all becomes
 * (one at a time, the scheduler would start rebuilding the first from the second).
 */
async function allFail(ids: string[]): Promise<void> {
  const r = await manager.log.append(
    ids.map((replicaId) => ({ replicaFailed: { replicaId, reason: 'connection lost' } })),
    { actor: 'node/n3' },
  );
  await manager.projection.waitFor(r.lastSeq);
}

t(
  'eviction of a detached volume: an engine without a frontend runs the rebuild, then the volume is detached again',
  async () => {
    const ids = await volumeRunning('ev', 2);
    const state = manager.projection.state;
    const onN1 = ids.find((id) => state.replicas.get(id)!.nodeId === 'n1')!;
    const from = manager.projection.state.seq;
    await call(admin, 'UpdateNode', { nodeId: 'n1', evictionRequested: true, allowScheduling: false });
    const att = await eventAfter(from, (e) => e.payload === 'volumeAutoAttached', 'VolumeAutoAttached');
    const p = att.volumeAutoAttached!;
    assert.is(p.name, 'ev');
    assert.is(p.reason, 'eviction');
    assert.ok(p.nodeId !== 'n1', 'not on the evicting node while another holds a running replica');
    const placed = manager.projection.state.replicas.get(p.replicaIds[0]!)!;
    assert.is(placed.mode, 'rebuilding');
    assert.is(placed.replaces, onN1);
    // Users see it detached, with the reason; a user detach is a no-op success.
    let v = await call(admin, 'GetVolume', { name: 'ev' });
    assert.equal(
      [v.state, v.attachedTo, v.autoAttachReason, v.autoAttachedNode],
      ['detached', '', 'eviction', p.nodeId],
    );
    const before = manager.projection.state.seq;
    v = await call(admin, 'DetachVolume', { name: 'ev' });
    assert.is(manager.projection.state.seq, before, 'nothing appended');
    assert.is(v.autoAttachReason, 'eviction');
    // The engine node reports the engine attached (no endpoint) and the rebuild done.
    await call(agent, 'Report', {
      nodeId: p.nodeId,
      engines: [{ volume: 'ev', state: 'attached', endpoint: '' }],
      replicas: [],
    });
    await call(agent, 'Report', {
      nodeId: placed.nodeId,
      replicas: [{ replicaId: placed.id, state: 'running', address: addressOf(placed.nodeId) }],
    });
    const from2 = manager.projection.state.seq;
    await call(agent, 'Report', {
      nodeId: p.nodeId,
      replicas: [{ replicaId: placed.id, state: 'rebuilt', address: '' }],
    });
    const det = await eventAfter(from2, (e) => e.payload === 'volumeAutoDetached', 'VolumeAutoDetached');
    assert.equal(
      [det.volumeAutoDetached!.name, det.volumeAutoDetached!.reason, det.volumeAutoDetached!.nodeId],
      ['ev', 'rebuilt', p.nodeId],
    );
    assert.ok(!manager.projection.state.replicas.has(onN1), 'the evicted replica is gone');
    await call(agent, 'Report', {
      nodeId: p.nodeId,
      engines: [{ volume: 'ev', state: 'detached', endpoint: '' }],
      replicas: [],
    });
    v = await call(admin, 'GetVolume', { name: 'ev' });
    assert.equal(
      [v.state, v.autoAttachReason, manager.projection.state.volumes.get('ev')!.attachState],
      ['detached', '', 'detached'],
    );
    const why = (await call(admin, 'ExplainVolume', { name: 'ev' })).lines.map((l) => l.text);
    assert.ok(
      why.some((l) => l.startsWith(`attached by the scheduler on ${p.nodeId} without a frontend, for eviction`)),
      'the audit explains the offline attach',
    );
    assert.ok(why.some((l) => l === `the scheduler's engine on ${p.nodeId} is stopped: rebuilt`));
    await call(admin, 'UpdateNode', { nodeId: 'n1', evictionRequested: false, allowScheduling: true });
  },
);

t(
  'salvage by hand: typed refusals, then the replica with the newest figures comes back, the figures in the event',
  async () => {
    await call(admin, 'UpdateSettings', { values: { 'auto-salvage': 'false' } });
    const ids = await volumeRunning('sv', 2);
    const other = await volumeRunning('other', 1);
    assert.is(await codeOf(call(admin, 'SalvageVolume', { name: 'nope' })), status.NOT_FOUND);
    assert.is(await codeOf(call(admin, 'SalvageVolume', { name: 'sv' })), status.FAILED_PRECONDITION, 'not faulted');
    const nodeOf = (id: string): string => manager.projection.state.replicas.get(id)!.nodeId;
    await allFail(ids);
    assert.is(
      await codeOf(call(admin, 'SalvageVolume', { name: 'sv', replicaId: other[0] })),
      status.INVALID_ARGUMENT,
      'a replica of another volume',
    );
    assert.is(
      await codeOf(call(admin, 'SalvageVolume', { name: 'sv' })),
      status.FAILED_PRECONDITION,
      'no figures reported yet',
    );
    // A node reporting figures of a replica it does not hold is refused.
    assert.is(
      await codeOf(call(agent, 'Report', { nodeId: nodeOf(ids[1]!), figures: [{ replicaId: ids[0], revision: 1 }] })),
      status.FAILED_PRECONDITION,
    );
    await call(agent, 'Report', {
      nodeId: nodeOf(ids[0]!),
      figures: [{ replicaId: ids[0], revision: 7, cleanShutdown: false, rebuilding: false }],
    });
    await call(agent, 'Report', {
      nodeId: nodeOf(ids[1]!),
      figures: [{ replicaId: ids[1], revision: 9, cleanShutdown: true, rebuilding: false }],
    });
    const from = manager.projection.state.seq;
    const v = await call(admin, 'SalvageVolume', { name: 'sv' });
    const ev = await eventAfter(from, (e) => e.payload === 'volumeSalvaged', 'VolumeSalvaged');
    assert.equal(ev.volumeSalvaged!.replicaIds, [ids[1]]);
    assert.is(ev.volumeSalvaged!.reason, 'requested');
    assert.equal(
      ev.volumeSalvaged!.figures.map((f) => [f.replicaId, f.revision, f.reported]),
      [
        [ids[0], 7, true],
        [ids[1], 9, true],
      ],
    );
    assert.is(ev.actor, 'admin');
    const why = (await call(admin, 'ExplainVolume', { name: 'sv' })).lines.map((l) => l.text);
    assert.ok(
      why.some(
        (l) =>
          l.startsWith(`salvaged (requested, by admin): ${ids[1]} running again; figures ${ids[0]} on `) &&
          l.includes('revision 9, clean'),
      ),
      why.join('\n'),
    );
    assert.equal(
      v.replicas.map((r: { id: string; state: string }) => [r.id, r.state]).sort(),
      [
        [ids[0], 'failed'],
        [ids[1], 'running'],
      ].sort(),
    );
    // The other replica is rebuilt from it as usual.
    await eventAfter(
      from,
      (e) => e.replicaRebuilding?.replicaId === ids[0] && e.replicaRebuilding?.fromReplicaId === ids[1],
      'the rebuild of the stale replica',
    );
  },
);

t('auto-salvage brings a faulted volume back once every failed replica reported its figures', async () => {
  await call(admin, 'UpdateSettings', { values: { 'auto-salvage': 'true' } });
  const ids = await volumeRunning('au', 2);
  const nodeOf = (id: string): string => manager.projection.state.replicas.get(id)!.nodeId;
  await allFail(ids);
  const from = manager.projection.state.seq;
  // One figure missing: auto-salvage says it waits for it, and does nothing.
  const waiting = logLine(new RegExp(`auto-salvage of au: waiting for the figures of ${ids[1]} \\(node `));
  await call(agent, 'Report', { nodeId: nodeOf(ids[0]!), figures: [{ replicaId: ids[0], revision: 12 }] });
  await waiting;
  assert.is(manager.projection.state.replicas.get(ids[0]!)!.mode, 'failed');
  await call(agent, 'Report', {
    nodeId: nodeOf(ids[1]!),
    figures: [{ replicaId: ids[1], revision: 12, cleanShutdown: true }],
  });
  const ev = await eventAfter(from, (e) => e.payload === 'volumeSalvaged', 'VolumeSalvaged');
  assert.equal([ev.volumeSalvaged!.name, ev.volumeSalvaged!.reason], ['au', 'auto-salvage']);
  assert.equal(ev.volumeSalvaged!.replicaIds, [...ids].sort(), 'both hold the newest data');
  assert.is(ev.actor, 'manager/m1');
  const v = await call(admin, 'GetVolume', { name: 'au' });
  assert.is(v.robustness, 'healthy');
});

t.run();
