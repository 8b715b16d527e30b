// reconcile-plan.ts: what one pass of the agent's datapath changes, decided from plain data (pure).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { EngineAssignment__Output, ReplicaAssignment__Output } from '@cairn/api';
import {
  announces,
  assignmentKey,
  CREATE_BATCH,
  ENGINE_WAIT_MS,
  engineOpenStep,
  planEngines,
  planReplicas,
  replicaStep,
  replicasToLook,
} from '../src/reconcile-plan.js';

const replica = (id: string, over: Partial<ReplicaAssignment__Output> = {}): ReplicaAssignment__Output => ({
  replicaId: id,
  volume: `vol-${id}`,
  diskId: 'disk-1',
  diskPath: '/d',
  size: 1 << 20,
  state: 'scheduled',
  rebuildFrom: '',
  secret: 's',
  snapshots: [],
  attached: false,
  ...over,
});
const ids = (rs: { replicaId: string }[]): string[] => rs.map((r) => r.replicaId);

test('a pass removes what is assigned no more, creates what is not open in groups of CREATE_BATCH, updates the rest', () => {
  const fresh = Array.from({ length: CREATE_BATCH * 2 + 1 }, (_, i) => `n${String(i).padStart(2, '0')}`);
  const look = [
    ['gone', undefined] as const,
    ['kept', replica('kept')] as const,
    ['never-opened', undefined] as const,
    ...fresh.map((id) => [id, replica(id)] as const),
  ];
  const plan = planReplicas(look, new Set(['gone', 'kept']));
  assert.equal(plan.remove, ['gone'], 'only a replica open here is removed');
  assert.equal(ids(plan.update), ['kept']);
  assert.equal(
    plan.create.map((g) => g.length),
    [CREATE_BATCH, CREATE_BATCH, 1],
  );
  assert.equal(
    plan.create.flat().map((r) => r.replicaId),
    fresh,
    'every new one once, in order',
  );
});

test('a whole push looks at every replica open or assigned; a partial one at those touched and those to retry', () => {
  const assigned = new Map([
    ['b', replica('b')],
    ['a', replica('a')],
  ]);
  assert.equal(
    replicasToLook(assigned, ['c'], null, []).map(([id]) => id),
    ['a', 'b', 'c'],
  );
  const partial = replicasToLook(assigned, ['c'], new Set(['b']), ['c']);
  assert.equal(
    partial.map(([id]) => id),
    ['b', 'c'],
  );
  assert.is(partial[1]![1], undefined, 'c is assigned no more');
  assert.is(partial[0]![1], assigned.get('b'), 'the assignment is taken as it is now');
});

test('an open replica needs nothing for the assignment it applied or reported, remembers an equal one, applies a changed one', () => {
  const r = replica('r', { state: 'running' });
  assert.is(replicaStep(r, { appliedFrom: r }), 'none');
  assert.is(replicaStep(r, { reportedFrom: r }), 'none');
  assert.is(replicaStep({ ...r }, { applied: assignmentKey(r), appliedFrom: r }), 'same');
  assert.is(replicaStep({ ...r, snapshots: ['s1'] }, { applied: assignmentKey(r), appliedFrom: r }), 'apply');
  assert.is(replicaStep({ ...r, size: 2 << 20 }, { applied: assignmentKey(r) }), 'apply');
  assert.is(replicaStep(r, {}), 'apply');
});

test('a new replica always says where it serves; one rebuilding or failed once per process; a running one never', () => {
  assert.ok(announces('scheduled', true));
  assert.ok(announces('rebuilding', false));
  assert.not.ok(announces('rebuilding', true));
  assert.ok(announces('failed', false));
  assert.not.ok(announces('failed', true));
  assert.not.ok(announces('running', false));
});

const engine = (
  volume: string,
  replicas: [string, string][],
  over: Partial<EngineAssignment__Output> = {},
): EngineAssignment__Output =>
  ({
    volume,
    size: 1 << 20,
    secret: 's',
    snapshots: [],
    epoch: 1,
    noFrontend: false,
    source: null,
    restore: null,
    replicas: replicas.map(([replicaId, state]) => ({
      replicaId,
      state,
      address: '127.0.0.1:1',
      nodeId: 'n1',
      rebuildFrom: '',
    })),
    ...over,
  }) as EngineAssignment__Output;

test('engines not wanted are stopped; a detaching volume with no engine here is reported detached at once', () => {
  const plan = planEngines([engine('keep', [])], ['keep', 'old'], ['old', 'never-ran']);
  assert.equal(plan.stop, ['old']);
  assert.equal(plan.detachedAlready, ['never-ran'], 'the stopped one reports its own detach');
});

test('an engine opens on running replicas, waits ENGINE_WAIT_MS for placed ones, and never copies before all serve', () => {
  const t0 = 1_000_000;
  assert.is(engineOpenStep(engine('v', [['r1', 'scheduled']]), t0, t0), 'no-running');
  assert.is(
    engineOpenStep(
      engine('v', [
        ['r1', 'running'],
        ['r2', 'failed'],
      ]),
      t0,
      t0,
    ),
    'open',
  );
  const mixed = engine('v', [
    ['r1', 'running'],
    ['r2', 'scheduled'],
  ]);
  assert.is(engineOpenStep(mixed, t0, t0), 'wait-placed');
  assert.is(engineOpenStep(mixed, t0, t0 + ENGINE_WAIT_MS - 1), 'wait-placed');
  assert.is(engineOpenStep(mixed, t0, t0 + ENGINE_WAIT_MS), 'open', 'after the wait it opens without them');
  const copy = {
    ...mixed,
    source: { volume: 'src', snapshot: 's', secret: '', replicas: [] },
  } as unknown as EngineAssignment__Output;
  assert.is(
    engineOpenStep(copy, t0, t0 + 10 * ENGINE_WAIT_MS),
    'wait-copy',
    'a copy waits for every replica, however long',
  );
});

test.run();
