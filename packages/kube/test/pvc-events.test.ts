// Events on PVCs: one per transition of a volume's condition (unschedulable with cairn's reasons,
// degraded, faulted, healthy again, unsupported StorageClass parameters), never one per poll.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { pvcEvents, pvcViews } from '../src/index.js';
import type { PvcEvent } from '../src/index.js';
import { World } from './support.js';

const brief = (evs: PvcEvent[]) => evs.map((e) => `${e.volume} ${e.type} ${e.reason}`);

test('only volumes with a kubernetes ref are looked at', () => {
  const w = new World().node('a').volume('v1', { pvc: 'ns/claim' }).volume('plain');
  assert.equal([...pvcViews(w.state).keys()], ['v1']);
  assert.equal(pvcViews(w.state).get('v1')!.pvc, { pvcNamespace: 'ns', pvcName: 'claim', pvName: 'pvc-v1' });
});

test("unschedulable: a Warning naming cairn's reasons, once; again only when the reasons change", () => {
  const w = new World().node('a').node('b').volume('v', { pvc: 'ns/c', replicas: 3 });
  const v0 = pvcViews(w.state);
  w.unschedulable('v', 1, { a: ['AntiAffinityNode'], b: ['AntiAffinityNode', 'InsufficientSpace'] });
  const v1 = pvcViews(w.state);
  const evs = pvcEvents(v0, v1, w.state.seq);
  assert.equal(brief(evs), ['v Warning VolumeUnschedulable']);
  assert.match(evs[0]!.message, /1 replica\(s\) of volume v cannot be placed: AntiAffinityNode, InsufficientSpace/);
  assert.is(evs[0]!.suffix, `unschedulable-${w.state.seq}`, 'named by the seq of the record, which any leader sees');
  assert.equal(pvcEvents(v1, v1, w.state.seq), [], 'the next poll with nothing new says nothing');
  w.unschedulable('v', 1, { a: ['AntiAffinityNode'], b: ['InsufficientSpace', 'AntiAffinityNode'] });
  assert.equal(
    pvcEvents(v1, pvcViews(w.state), w.state.seq),
    [],
    'a new record with the same reasons is no transition',
  );
  const v2 = pvcViews(w.state);
  w.unschedulable('v', 1, { a: ['NodeCordoned'], b: ['NodeCordoned'] });
  assert.equal(brief(pvcEvents(v2, pvcViews(w.state), w.state.seq)), ['v Warning VolumeUnschedulable']);
});

test('degraded, faulted, healthy again: one event per transition', () => {
  const w = new World().node('a').node('b').volume('v', { pvc: 'ns/c', replicas: 2 });
  let prev = pvcViews(w.state);
  const step = (): string[] => {
    const next = pvcViews(w.state);
    const out = brief(pvcEvents(prev, next, w.state.seq));
    prev = next;
    return out;
  };
  w.replica('v', 'r1', 'a').replica('v', 'r2', 'b');
  assert.equal(step(), [], 'unknown -> healthy: a new volume coming up is not news');
  w.fail('r2');
  assert.equal(step(), ['v Warning VolumeDegraded']);
  assert.equal(step(), [], 'still degraded: nothing');
  w.fail('r1');
  assert.equal(step(), ['v Warning VolumeFaulted']);
  w.replica('v', 'r3', 'a');
  assert.equal(step(), ['v Warning VolumeDegraded'], 'faulted -> degraded is still a warning');
  w.replica('v', 'r4', 'b');
  assert.equal(step(), ['v Normal VolumeHealthy']);
  assert.equal(step(), []);
});

test('a new volume whose replicas report running in different polls says nothing (not degraded, then healthy)', () => {
  const w = new World().node('a').node('b');
  let prev = pvcViews(w.state);
  const step = (): string[] => {
    const next = pvcViews(w.state);
    const out = brief(pvcEvents(prev, next, w.state.seq));
    prev = next;
    return out;
  };
  w.volume('v', { pvc: 'ns/c', replicas: 2 }).replica('v', 'r1', 'a', false).replica('v', 'r2', 'b', false);
  assert.equal(step(), []);
  w.apply({ replicaRunning: { replicaId: 'r1', address: 'a:1' } });
  assert.is(prev.get('v')!.robustness, 'unknown', 'one runs, the other is still starting: coming up');
  assert.equal(step(), [], 'one of two running while the other starts is no Warning');
  w.apply({ replicaRunning: { replicaId: 'r2', address: 'b:1' } });
  assert.equal(step(), [], 'and healthy after it is no "healthy again"');
  w.fail('r2');
  assert.equal(step(), ['v Warning VolumeDegraded'], 'a loss after that is');
});

test('a new volume whose second replica fails to start is degraded', () => {
  const w = new World().node('a').node('b');
  let prev = pvcViews(w.state);
  w.volume('v', { pvc: 'ns/c', replicas: 2 }).replica('v', 'r1', 'a').replica('v', 'r2', 'b', false);
  let next = pvcViews(w.state);
  assert.equal(brief(pvcEvents(prev, next, w.state.seq)), []);
  prev = next;
  w.fail('r2');
  next = pvcViews(w.state);
  assert.equal(brief(pvcEvents(prev, next, w.state.seq)), ['v Warning VolumeDegraded']);
});

test('a replica on a node that is down does not run: degraded, faulted, healthy again when it is back', () => {
  const w = new World()
    .node('a')
    .node('b')
    .volume('v', { pvc: 'ns/c', replicas: 2 })
    .replica('v', 'r1', 'a')
    .replica('v', 'r2', 'b')
    .volume('one', { pvc: 'ns/d', replicas: 1 })
    .replica('one', 'o1', 'b');
  let prev = pvcViews(w.state);
  const step = (): string[] => {
    const next = pvcViews(w.state);
    const out = brief(pvcEvents(prev, next, w.state.seq));
    prev = next;
    return out;
  };
  assert.equal(step(), []);
  w.down('b');
  assert.equal(w.state.replicas.get('r2')!.mode, 'running', 'the state still says running (no engine failed it)');
  assert.equal(step(), ['one Warning VolumeFaulted', 'v Warning VolumeDegraded']);
  w.apply({ nodeUp: { nodeId: 'b' } });
  assert.equal(step(), ['one Normal VolumeHealthy', 'v Normal VolumeHealthy']);
});

test('unsupported StorageClass parameters: one Warning naming them all, when the volume is first seen', () => {
  const w = new World().node('a');
  const prev = pvcViews(w.state);
  w.volume('v', {
    pvc: 'ns/c',
    unsupported: [
      { key: 'recurringJobSelector', value: '[{"name":"snap"}]', reason: 'recurring jobs are not implemented' },
      { key: 'dataEngine', value: 'v2', reason: 'cairn has one data engine' },
    ],
  });
  const next = pvcViews(w.state);
  const evs = pvcEvents(prev, next, w.state.seq);
  assert.equal(brief(evs), ['v Warning UnsupportedParameters']);
  assert.match(
    evs[0]!.message,
    /recurringJobSelector="\[\{\\"name\\":\\"snap\\"\}\]" \(recurring jobs are not implemented\); dataEngine="v2"/,
  );
  assert.is(evs[0]!.suffix, `params-${w.state.volumes.get('v')!.createdSeq}`);
  assert.equal(pvcEvents(next, next, w.state.seq), [], 'said once');
});

test('a first look (new leader) says every current warning, with the same names where the state knows when it began', () => {
  const w = new World()
    .node('a')
    .node('b')
    .volume('v', { pvc: 'ns/c', unsupported: [{ key: 'k', value: 'x', reason: 'r' }] })
    .replica('v', 'r1', 'a')
    .replica('v', 'r2', 'b')
    .fail('r2')
    .volume('ok', { pvc: 'ns/d' })
    .replica('ok', 'o1', 'a')
    .replica('ok', 'o2', 'b');
  w.unschedulable('v', 1, { b: ['NodeDown'] });
  const evs = pvcEvents(null, pvcViews(w.state), w.state.seq);
  assert.equal(brief(evs), [
    'v Warning UnsupportedParameters',
    'v Warning VolumeUnschedulable',
    'v Warning VolumeDegraded',
  ]);
  assert.equal(
    pvcEvents(null, pvcViews(w.state), w.state.seq)
      .map((e) => e.suffix)
      .slice(0, 2),
    evs.map((e) => e.suffix).slice(0, 2),
  );
});

test.run();
