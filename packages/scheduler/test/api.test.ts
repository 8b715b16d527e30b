// The public API's contracts: decisions become events the log accepts, passes read the state
// without changing it, ids and results are deterministic, a long-lived Planner decides exactly
// as fresh passes do, and big clusters get bounded explanations.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { cloneState, decodeEvent, encodeEvent, SCHEMA_VERSION, stateHash } from '@cairn/metadata';
import type { EventDraft } from '@cairn/metadata';
import type { Decision } from '../src/index.js';
import {
  batches,
  decide,
  MAX_REJECTIONS,
  Note,
  planDrain,
  Planner,
  Reason,
  REBUILD_BACKOFF_FAILURES,
  RemoveReason,
  schedule,
  toDraft,
  Trigger,
} from '../src/index.js';
import { World } from './world.js';

function cluster(nodes: number, zones = 3): World {
  const w = new World();
  for (let i = 1; i <= nodes; i++) {
    w.line(`node n${i} zone=z${(i % zones) + 1}`);
    w.line(`disk n${i} d1 100G`);
  }
  return w;
}

const api = suite('api');

api('reason constants carry the names the issue lists', () => {
  for (const name of [
    'NodeDown',
    'NodeSchedulingDisabled',
    'NodeCordoned',
    'NodeTagsMismatch',
    'DiskSchedulingDisabled',
    'DiskEvicting',
    'DiskTagsMismatch',
    'InsufficientSpace',
    'OverProvisioned',
    'AntiAffinityZone',
    'AntiAffinityNode',
    'AntiAffinityDisk',
    'LocalityRequired',
  ])
    assert.is((Reason as Record<string, string>)[name], name);
  assert.equal(Object.values(Trigger).sort(), ['data-locality', 'eviction', 'new', 'rebalance', 'rebuild']);
  assert.ok(Object.values(RemoveReason).includes('FailedWaitExpired'));
  assert.is(Note.RebuildBackoff, 'RebuildBackoff');
  assert.is(REBUILD_BACKOFF_FAILURES, 3);
});

api('every kind of decision becomes an event the codec accepts, unchanged', () => {
  const ds: Decision[] = [
    {
      kind: 'place',
      volume: 'v',
      replicaId: 'v-r9-0',
      nodeId: 'n1',
      diskId: 'd1',
      trigger: 'eviction',
      replaces: 'v-r1-0',
      figures: {
        storageMaximum: 100 * 2 ** 30,
        storageAvailable: 90 * 2 ** 30,
        storageScheduled: 5 * 2 ** 30,
        storageReserved: 2 ** 30,
      },
      score: 0.125,
      candidatesConsidered: 7,
      notes: ['SoftAntiAffinityZoneRelaxed'],
      rejected: [
        { nodeId: 'n2', diskId: '', reasons: ['NodeDown', 'NodeTagsMismatch'], detail: 'down: lease expired' },
      ],
    },
    {
      kind: 'unschedulable',
      volume: 'v',
      missing: 2,
      summary: 's',
      candidates: [{ nodeId: 'n1', diskId: 'd1', reasons: ['OverProvisioned'], detail: 'x' }],
    },
    { kind: 'remove', volume: 'v', replicaId: 'v-r1-0', reason: 'Evicted' },
    { kind: 'rebuild', volume: 'v', replicaId: 'v-r9-0', fromReplicaId: 'v-r2-0' },
    { kind: 'schedulable', volume: 'v' },
  ];
  const back = ds.map((d, i) => {
    const draft: EventDraft = toDraft(d, 41);
    return decodeEvent(
      encodeEvent({ ...draft, seq: i + 1, timeMs: 5, actor: 'manager/a', schemaVersion: SCHEMA_VERSION }),
      i + 1,
    );
  });
  assert.is(back[0]!.cause, 'seq:41');
  const p = back[0]!.replicaScheduled!;
  assert.equal(
    [p.replicaId, p.volume, p.nodeId, p.diskId, p.trigger, p.replaces, p.score, p.candidatesConsidered, p.notes],
    ['v-r9-0', 'v', 'n1', 'd1', 'eviction', 'v-r1-0', 0.125, 7, ['SoftAntiAffinityZoneRelaxed']],
  );
  assert.equal(p.figures, {
    storageMaximum: 100 * 2 ** 30,
    storageAvailable: 90 * 2 ** 30,
    storageScheduled: 5 * 2 ** 30,
    storageReserved: 2 ** 30,
  });
  assert.equal(p.rejected, [
    { nodeId: 'n2', diskId: '', reasons: ['NodeDown', 'NodeTagsMismatch'], detail: 'down: lease expired' },
  ]);
  assert.equal(back[1]!.volumeUnschedulable, {
    name: 'v',
    missing: 2,
    summary: 's',
    candidates: [{ nodeId: 'n1', diskId: 'd1', reasons: ['OverProvisioned'], detail: 'x' }],
  });
  assert.equal(back[2]!.replicaRemoved, { replicaId: 'v-r1-0', reason: 'Evicted' });
  assert.equal(back[3]!.replicaRebuilding, { replicaId: 'v-r9-0', fromReplicaId: 'v-r2-0' });
  assert.equal(back[4]!.volumeSchedulable, { name: 'v' });
  assert.is(back[4]!.payload, 'volumeSchedulable');
});

api('a pass reads the state without changing it, and the same state decides the same way', () => {
  const w = cluster(6);
  w.line('volume a 10G');
  w.line('volume b 10G replicas=2 locality=best-effort');
  w.line('attach b n4');
  const before = stateHash(w.state);
  const one = decide(w.state, w.state.settings, w.nowMs);
  assert.is(stateHash(w.state), before);
  const copy = cloneState(w.state);
  assert.equal(decide(copy, copy.settings, w.nowMs), one);
  assert.is(one.filter((d) => d.kind === 'place').length, 5);
});

api('replica ids derive from the volume and the seq decided on, never reusing one in the state', () => {
  const w = cluster(3);
  w.line('volume a 10G');
  const seq = w.state.seq;
  const ids = decide(w.state, w.state.settings, w.nowMs).flatMap((d) => (d.kind === 'place' ? [d.replicaId] : []));
  assert.equal(ids, [`a-r${seq}-0`, `a-r${seq}-1`, `a-r${seq}-2`]);
  // A replica that happens to carry the next id already: it is skipped.
  const w2 = cluster(3);
  w2.line('volume a 10G replicas=1');
  w2.apply({
    replicaScheduled: {
      replicaId: `a-r${w2.state.seq + 1}-0`,
      volume: 'a',
      nodeId: 'n1',
      diskId: 'd1',
      trigger: 'new',
    },
  });
  w2.line('volume-update a replicas=2');
  const next = decide(w2.state, w2.state.settings, w2.nowMs).flatMap((d) => (d.kind === 'place' ? [d.replicaId] : []));
  assert.equal(next, [`a-r${w2.state.seq}-0`]);
});

api('wakeAtMs is the earliest end of a replenishment wait, and null when nothing waits', () => {
  const w = cluster(5);
  w.line('volume a 10G');
  w.line('volume b 10G');
  w.applyDecisions(decide(w.state, w.state.settings, w.nowMs));
  w.settle();
  assert.is(schedule(w.state, w.state.settings, w.nowMs).wakeAtMs, null);
  // A node that holds a replica of a only, one that holds a replica of b only; both go down.
  const nodesOf = (v: string): string[] => w.refs(v).map((r) => r.nodeId);
  const na = nodesOf('a').find((n) => !nodesOf('b').includes(n))!;
  const nb = nodesOf('b').find((n) => !nodesOf('a').includes(n))!;
  const t0 = w.nowMs;
  w.line(`down ${na}`);
  w.line(`fail a@${na}`);
  w.line('tick 100s');
  w.line(`down ${nb}`);
  w.line(`fail b@${nb}`);
  const s = schedule(w.state, w.state.settings, w.nowMs);
  assert.equal(s.decisions, []);
  assert.is(s.wakeAtMs, t0 + 600_000);
  const later = schedule(w.state, w.state.settings, t0 + 600_000);
  assert.is(
    later.decisions.filter((d) => d.kind === 'place').length,
    1,
    'a is replaced at its deadline, b still waits',
  );
  assert.is(later.wakeAtMs, t0 + 700_000);
});

api('a long-lived Planner fed its own decisions decides exactly as fresh passes', () => {
  const fresh = cluster(12, 4);
  const kept = cluster(12, 4);
  const planner = new Planner(kept.state, kept.state.settings);
  for (let i = 0; i < 40; i++) {
    const line = `volume v${i} ${[1, 5, 20][i % 3]}G replicas=${(i % 3) + 1}`;
    fresh.line(line);
    kept.line(line);
    const a = schedule(fresh.state, fresh.state.settings, fresh.nowMs).decisions;
    const b = planner.decideVolume(`v${i}`, kept.nowMs).decisions;
    assert.equal(b, a, `volume v${i}`);
    fresh.applyDecisions(a);
    kept.applyDecisions(b);
  }
  assert.is(stateHash(kept.state), stateHash(fresh.state));
});

api('an unplaceable volume in a big cluster lists at most MAX_REJECTIONS candidates and counts all', () => {
  const w = cluster(MAX_REJECTIONS + 100);
  w.line('volume a 10G replicas=1 node-selector=gpu');
  const [d] = decide(w.state, w.state.settings, w.nowMs);
  assert.ok(d && d.kind === 'unschedulable');
  if (d.kind !== 'unschedulable') return;
  assert.is(d.candidates.length, MAX_REJECTIONS);
  assert.match(
    d.summary,
    `${MAX_REJECTIONS + 100} nodes, ${MAX_REJECTIONS + 100} disks: NodeTagsMismatch x${MAX_REJECTIONS + 100}`,
  );
});

api('a drain plan moves replicas off the drained nodes only, changes nothing, keeps replicas on distinct nodes', () => {
  const w = cluster(10, 5);
  for (let i = 0; i < 20; i++) w.line(`volume v${i} 5G replicas=3`);
  w.applyDecisions(decide(w.state, w.state.settings, w.nowMs));
  w.settle();
  const before = stateHash(w.state);
  const plan = planDrain(w.state, w.state.settings, ['n1', 'n2']);
  assert.is(stateHash(w.state), before);
  const onDrained = [...w.state.replicas.values()].filter((r) => r.nodeId === 'n1' || r.nodeId === 'n2');
  assert.is(plan.replicas, onDrained.length);
  assert.is(plan.moves.length + plan.blocked.length, onDrained.length);
  assert.equal(plan.blocked, []);
  for (const m of plan.moves) {
    assert.ok(m.nodeId !== 'n1' && m.nodeId !== 'n2', `${m.replicaId} lands on a drained node`);
    assert.is(m.trigger, 'eviction');
  }
  // After the plan every volume would still have its replicas on distinct nodes.
  const after = new Map<string, string[]>();
  for (const r of w.state.replicas.values()) after.set(r.id, [r.volume, r.nodeId]);
  for (const m of plan.moves) {
    after.delete(m.replaces);
    after.set(m.replicaId, [m.volume, m.nodeId]);
  }
  const seen = new Set<string>();
  for (const [vol, node] of after.values()) {
    assert.not.ok(seen.has(`${vol}@${node}`), `${vol} twice on ${node}`);
    seen.add(`${vol}@${node}`);
  }
});

api('batches keep order, respect the size, and never part a placement from its rebuild', () => {
  const w = cluster(6);
  for (let i = 0; i < 5; i++) w.line(`volume v${i} 1G replicas=2`);
  w.applyDecisions(decide(w.state, w.state.settings, w.nowMs));
  w.settle();
  for (let i = 0; i < 5; i++) w.line(`volume-update v${i} replicas=3`);
  const ds = decide(w.state, w.state.settings, w.nowMs);
  assert.is(ds.length, 10, 'five placements, each with its rebuild');
  const bs = batches(ds, 3);
  assert.equal(bs.flat(), ds);
  for (const b of bs) {
    assert.ok(b.length <= 3);
    assert.is(b.length % 2, 0, 'a place and its rebuild travel together');
  }
  assert.equal(batches([], 127), []);
});

api.run();
