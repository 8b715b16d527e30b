// The commands and assignments around an engine the scheduler started for an offline rebuild (pure):
// user detach is a no-op, delete is allowed, a user attach takes over (same node in place, another
// node after the engine stops), and the engine assignment says "no frontend" until a user attaches.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { draft, emptyState } from '@cairn/metadata';
import type { ClusterState } from '@cairn/metadata';
import * as cmd from '../src/commands.js';
import { assignmentsFor } from '../src/assignment-feed.js';
import { volumeView } from '../src/views.js';
import { apply } from './support.js';

function offline(): ClusterState {
  const s = apply(emptyState(), [
    draft.nodeRegistered('n1'),
    draft.nodeRegistered('n2'),
    draft.diskAdded('n1', 'd1', { maximum: 1e12 }),
    draft.volumeCreated('v', { size: 1 << 30, numberOfReplicas: 1 }),
    { replicaScheduled: { replicaId: 'r1', volume: 'v', nodeId: 'n1', diskId: 'd1', trigger: 'new' } },
    { replicaRunning: { replicaId: 'r1', address: 'n1:1' } },
    { volumeAutoAttached: { name: 'v', nodeId: 'n1', reason: 'eviction', replicaIds: ['r2'], rejected: [] } },
    { volumeAttached: { name: 'v', nodeId: 'n1', endpoint: '' } },
  ]);
  return s;
}

const t = suite('commands over offline engines');

t('the engine assignment says no frontend; users see the volume detached, with the reason', () => {
  const s = offline();
  const e = assignmentsFor(s, 'n1', () => 'k').engines![0]!;
  assert.equal([e.volume, e.noFrontend], ['v', true]);
  const v = volumeView(s, s.volumes.get('v')!);
  assert.equal(
    [v.state, v.attachedTo, v.endpoint, v.autoAttachReason, v.autoAttachedNode],
    ['detached', '', '', 'eviction', 'n1'],
  );
});

t('a user detach is a no-op; delete is allowed', () => {
  const s = offline();
  assert.equal(cmd.detachVolume(s, 'v'), []);
  assert.equal(cmd.deleteVolume(s, 'v'), [{ volumeDeleted: { name: 'v' } }]);
});

t('a user attach on the same node: the engine gets its frontend in place', () => {
  const s = offline();
  apply(s, cmd.attachVolume(s, 'v', 'n1'));
  assert.equal(
    assignmentsFor(s, 'n1', () => 'k').engines!.map((e) => [e.volume, e.noFrontend]),
    [['v', false]],
  );
  assert.equal(cmd.attachVolume(s, 'v', 'n1'), [], 'the same attach again is idempotent');
  const v = volumeView(s, s.volumes.get('v')!);
  assert.equal([v.state, v.attachedTo, v.autoAttachReason], ['attaching', 'n1', '']);
});

t('a user attach on another node: the engine is detached first, then the attach proceeds there', () => {
  const s = offline();
  apply(s, cmd.attachVolume(s, 'v', 'n2'));
  let a = assignmentsFor(s, 'n1', () => 'k');
  assert.equal([a.engines, a.detaching], [[], ['v']]);
  assert.equal(cmd.attachVolume(s, 'v', 'n2'), [], 'idempotent while it waits');
  assert.throws(() => cmd.attachVolume(s, 'v', 'n1'), /detach it first/);
  assert.equal(
    [volumeView(s, s.volumes.get('v')!).state, volumeView(s, s.volumes.get('v')!).attachedTo],
    ['attaching', 'n2'],
  );
  apply(s, [{ volumeDetached: { name: 'v', nodeId: 'n1' } }]);
  a = assignmentsFor(s, 'n2', () => 'k');
  assert.equal(
    a.engines!.map((e) => [e.volume, e.noFrontend]),
    [['v', false]],
  );
});

t.run();
