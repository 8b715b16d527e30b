// The attachment epoch an engine assignment carries (datapath fencing, issue 15 point 7): the seq
// of the event that attached the volume to the node, so that it grows with every new attachment
// (after a detach, after the old node went down, after an offline engine elsewhere stopped) and
// stays put for the engine already running (a repeat attach, a user taking over an offline
// engine on its own node, the node's attached report).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { draft, emptyState } from '@cairn/metadata';
import type { ClusterState } from '@cairn/metadata';
import * as cmd from '../src/commands.js';
import { assignmentsFor } from '../src/assignment-feed.js';
import { apply } from './support.js';

const t = suite('attachment epochs');

function cluster(): ClusterState {
  return apply(emptyState(), [
    draft.nodeRegistered('n1'),
    draft.nodeRegistered('n2'),
    draft.diskAdded('n1', 'd1', { maximum: 1e12 }),
    draft.volumeCreated('v', { size: 1 << 30, numberOfReplicas: 1 }),
    { replicaScheduled: { replicaId: 'r1', volume: 'v', nodeId: 'n1', diskId: 'd1', trigger: 'new' } },
    { replicaRunning: { replicaId: 'r1', address: 'n1:1' } },
  ]);
}

const epochOn = (s: ClusterState, node: string): number | undefined => {
  const e = assignmentsFor(s, node, () => 'k').engines![0];
  return e ? Number(e.epoch) : undefined;
};

t('each new attachment gets the seq of its event; the engine already there keeps its epoch', () => {
  const s = cluster();
  apply(s, cmd.attachVolume(s, 'v', 'n1'));
  const first = s.seq;
  assert.is(epochOn(s, 'n1'), first);
  apply(s, [{ volumeAttached: { name: 'v', nodeId: 'n1', endpoint: 'nbd://n1/v' } }]);
  assert.is(epochOn(s, 'n1'), first, 'the attached report does not change it');
  assert.equal(cmd.attachVolume(s, 'v', 'n1'), [], 'a repeat attach is no event');
  apply(s, cmd.detachVolume(s, 'v'));
  apply(s, [{ volumeDetached: { name: 'v', nodeId: 'n1' } }]);
  apply(s, cmd.attachVolume(s, 'v', 'n2'));
  const second = epochOn(s, 'n2')!;
  assert.ok(second > first, `${second} > ${first}`);
  apply(s, cmd.detachVolume(s, 'v'));
  apply(s, [{ volumeDetached: { name: 'v', nodeId: 'n2' } }]);
  apply(s, cmd.attachVolume(s, 'v', 'n2'));
  assert.ok(epochOn(s, 'n2')! > second, 'attached again to the same node: a new epoch');
});

t('the node went down: detached at once, attached elsewhere with a higher epoch', () => {
  const s = cluster();
  apply(s, cmd.attachVolume(s, 'v', 'n1'));
  apply(s, [{ volumeAttached: { name: 'v', nodeId: 'n1', endpoint: 'nbd://n1/v' } }]);
  const first = epochOn(s, 'n1')!;
  apply(s, [{ nodeDown: { nodeId: 'n1', reason: 'lease expired' } }]);
  assert.equal(cmd.detachVolume(s, 'v'), [{ volumeDetached: { name: 'v', nodeId: 'n1' } }]);
  apply(s, cmd.detachVolume(s, 'v'));
  apply(s, cmd.attachVolume(s, 'v', 'n2'));
  assert.ok(epochOn(s, 'n2')! > first);
});

t(
  'offline engines: a takeover on the same node keeps the epoch; one on another node gets a new one when the old engine stops',
  () => {
    const s = cluster();
    apply(s, [
      { volumeAutoAttached: { name: 'v', nodeId: 'n1', reason: 'eviction', replicaIds: [], rejected: [] } },
      { volumeAttached: { name: 'v', nodeId: 'n1', endpoint: '' } },
    ]);
    const offline = epochOn(s, 'n1')!;
    assert.is(offline, s.seq - 1, 'the auto-attach event');
    apply(s, cmd.attachVolume(s, 'v', 'n1'));
    assert.is(epochOn(s, 'n1'), offline, 'the same engine serves the user now');

    const t2 = cluster();
    apply(t2, [
      { volumeAutoAttached: { name: 'v', nodeId: 'n1', reason: 'eviction', replicaIds: [], rejected: [] } },
      { volumeAttached: { name: 'v', nodeId: 'n1', endpoint: '' } },
    ]);
    const before = epochOn(t2, 'n1')!;
    apply(t2, cmd.attachVolume(t2, 'v', 'n2'));
    apply(t2, [{ volumeDetached: { name: 'v', nodeId: 'n1' } }]);
    assert.is(epochOn(t2, 'n2'), t2.seq, 'the VolumeDetached that let the attach proceed');
    assert.ok(t2.seq > before);
  },
);

t.run();
