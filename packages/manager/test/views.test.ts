// ListVolumes (pure): every volume by name, or one page of the matching ones, with the cluster's
// counts over every volume whatever the filters; only the page is turned into Volume messages.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { draft, emptyState } from '@cairn/metadata';
import type { ClusterState } from '@cairn/metadata';
import { volumeListing } from '../src/views.js';
import { apply } from './support.js';

const t = suite('views: volume listing');

/** 30 one-replica volumes v-00..v-29: every third one's replica runs (healthy), v-01 rebuilds, the rest have none. */
function cluster(): ClusterState {
  const events: Parameters<typeof apply>[1] = [
    draft.nodeRegistered('n1'),
    draft.diskAdded('n1', 'd1', { maximum: 1e12 }),
  ];
  for (let i = 29; i >= 0; i--) {
    const name = `v-${String(i).padStart(2, '0')}`;
    events.push(draft.volumeCreated(name, { size: 1 << 20, numberOfReplicas: 1 }));
    if (i % 3 === 0 || i === 1)
      events.push({
        replicaScheduled: { replicaId: `${name}-r`, volume: name, nodeId: 'n1', diskId: 'd1', trigger: 'new' },
      });
    if (i % 3 === 0) events.push({ replicaRunning: { replicaId: `${name}-r`, address: 'n1:1' } });
    if (i === 1) events.push({ replicaRebuilding: { replicaId: `${name}-r`, fromReplicaId: '' } });
  }
  return apply(emptyState(), events);
}

const all = { nameContains: '', robustness: '', offset: 0, limit: 0 };

t('with no filter and no limit: every volume by name, as before', () => {
  const r = volumeListing(cluster(), all);
  assert.is(r.volumes!.length, 30);
  assert.is(r.total, 30);
  assert.equal(
    r.volumes!.slice(0, 3).map((v) => v.name),
    ['v-00', 'v-01', 'v-02'],
  );
});

t('the counts are over every volume, whatever the filters and the page', () => {
  const s = cluster();
  const expected = {
    volumes: 30,
    byRobustness: { healthy: 10, degraded: 0, faulted: 1, unknown: 19 },
    byState: { detached: 30, attaching: 0, attached: 0, detaching: 0 },
    unschedulable: 0,
    rebuilding: 1,
  };
  assert.equal(volumeListing(s, all).counts, expected);
  assert.equal(
    volumeListing(s, { nameContains: 'nothing', robustness: 'degraded', offset: 5, limit: 1 }).counts,
    expected,
  );
});

t('a page: matching volumes by name, offset then limit; total counts every match', () => {
  const s = cluster();
  const healthy = volumeListing(s, { ...all, robustness: 'healthy', offset: 2, limit: 3 });
  assert.is(healthy.total, 10);
  assert.equal(
    healthy.volumes!.map((v) => v.name),
    ['v-06', 'v-09', 'v-12'],
  );
  assert.ok(healthy.volumes!.every((v) => v.robustness === 'healthy'));
  const named = volumeListing(s, { ...all, nameContains: 'V-2', limit: 4 });
  assert.is(named.total, 10);
  assert.equal(
    named.volumes!.map((v) => v.name),
    ['v-20', 'v-21', 'v-22', 'v-23'],
  );
  const past = volumeListing(s, { ...all, offset: 40, limit: 10 });
  assert.equal([past.total, past.volumes!.length], [30, 0]);
});

t.run();
