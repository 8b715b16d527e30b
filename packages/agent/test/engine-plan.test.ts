// engineReplicaPlan: what an open engine does about the replicas it is assigned (pure).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { engineReplicaPlan } from '../src/reconcile-plan.js';

const rep = (replicaId: string, state: string, address = '127.0.0.1:1') => ({ replicaId, state, address });

test('a replica running in the control plane but never opened by the engine is reported failed, once', () => {
  // The engine opened when only r2 ran; r0 and r1 became running after: they lack its writes.
  const replicas = [rep('r0', 'running'), rep('r1', 'running'), rep('r2', 'running')];
  assert.equal(engineReplicaPlan(replicas, { r2: 'healthy' }, new Set(), new Set()).outside, ['r0', 'r1']);
  assert.equal(
    engineReplicaPlan(replicas, { r2: 'healthy' }, new Set(['r0', 'r1']), new Set()).outside,
    [],
    'reported already',
  );
  assert.equal(
    engineReplicaPlan(replicas, { r0: 'failed', r1: 'healthy', r2: 'healthy' }, new Set(), new Set()).outside,
    [],
    'members are not outside',
  );
});

test('a stale "rebuilding" assignment does not start a rebuild of a replica the engine has rebuilt or is rebuilding', () => {
  const replicas = [
    rep('r0', 'rebuilding'),
    rep('r1', 'rebuilding'),
    rep('r2', 'rebuilding'),
    rep('r3', 'rebuilding', ''),
  ];
  const plan = engineReplicaPlan(replicas, { r0: 'healthy', r1: 'rebuilding', r2: 'failed' }, new Set(), new Set());
  assert.equal(plan.rebuild, ['r2'], 'only the failed one with an address');
  assert.equal(
    engineReplicaPlan(replicas, { r2: 'failed' }, new Set(), new Set(['r2'])).rebuild,
    ['r0', 'r1'],
    'not one already under way here',
  );
  assert.equal(plan.rebuilt, ['r0'], 'the one healthy here is reported rebuilt again (the first report may be lost)');
});

test.run();
