// The reconciler on a real etcd: events about named volumes get partial passes (only those
// volumes decided again), a node event gets a full pass at once, and while partial passes run a
// full one follows within about a second (decisions that hang on other volumes wait no longer).
// The reconciler's clock is frozen here: its once-a-second rule (a pass is full when the last full
// one is a second old) then never makes a pass full, so a full pass can only come from what the
// test names (the timer armed by a partial pass, or a node event), whatever the machine's load.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { draft, EtcdCluster, EventLog, LeaderElection, LiveProjection, openEtcd } from '@cairn/metadata';
import type { Etcd3 } from '@cairn/metadata';
import { Reconciler } from '../src/reconciler.js';

const GiB = 2 ** 30;
let dir: string;
let etcd: EtcdCluster;
let client: Etcd3;

const t = suite('reconciler');
t.before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cairn-reconciler-'));
  etcd = await EtcdCluster.start({ dir: join(dir, 'etcd') });
  client = openEtcd(etcd.endpoints);
});
t.after(async () => {
  client?.close();
  await etcd?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function until(what: string, ok: () => boolean, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

t('partial passes for volume events, a full pass for a node event and after partial ones', async () => {
  const log = new EventLog(client, { prefix: '/rec/' });
  const projection = await LiveProjection.open(log);
  const election = new LeaderElection(client, { prefix: '/rec/', id: 'r1', ttlSeconds: 3 });
  const fence = await election.campaign();
  const errors: unknown[] = [];
  const frozen = Date.now();
  const rec = new Reconciler({
    projection,
    log,
    fence,
    actor: 'manager/r1',
    onError: (e) => errors.push(e),
    clock: () => frozen,
  });
  try {
    for (let i = 1; i <= 3; i++)
      await log.append([
        draft.nodeRegistered(`n${i}`, { zone: `z${i}` }),
        draft.diskAdded(`n${i}`, 'd1', { maximum: 100 * GiB }),
      ]);
    rec.start();
    await until('the first full pass', () => rec.passes.full >= 1);
    const before = { ...rec.passes };

    // Volumes created: each is placed by a pass over the touched volumes only.
    for (let i = 0; i < 5; i++) await log.append([draft.volumeCreated(`v${i}`, { size: GiB, numberOfReplicas: 3 })]);
    const placed = (): boolean =>
      [0, 1, 2, 3, 4].every((i) => projection.state.replicasByVolume.get(`v${i}`)?.size === 3);
    await until('every volume placed', placed);
    assert.ok(rec.passes.partial > before.partial, `partial passes ${before.partial} -> ${rec.passes.partial}`);
    const afterPlacing = rec.passes.full;
    // ... and a full pass follows (about a second later), without any other event.
    await until('the periodic full pass after the partial ones', () => rec.passes.full > afterPlacing);

    // A node event reaches beyond named volumes: the pass it causes is a full one, even right
    // after a full pass (when the once-a-second rule would not make it one: frozen, it never does).
    await log.append([draft.volumeCreated('v9', { size: GiB, numberOfReplicas: 1 })]);
    const periodic = rec.passes.full;
    await until('the periodic full pass after v9', () => rec.passes.full > periodic);
    const seen = { ...rec.passes };
    await log.append([
      { nodeUpdated: { nodeId: 'n3', allowScheduling: true, evictionRequested: false, tags: ['x'], cordoned: false } },
    ]);
    await until('a pass after the node event', () => rec.passes.full + rec.passes.partial > seen.full + seen.partial);
    assert.is(rec.passes.full, seen.full + 1, 'the pass after a node event is full');
    assert.equal(errors, []);
  } finally {
    rec.stop();
    await election.resign();
    projection.close();
  }
});

t.run();
