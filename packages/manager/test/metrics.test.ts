// The manager's cluster gauges as a pure function of the state (src/metrics-state.ts): states built
// by applying events as the projection does, the samples compared whole. Also: the scheduler
// decision each event counts as, and the leader-only rule on a ManagerMetrics registry.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { applyEvent, decodeEvent, draft, emptyState, encodeEvent, SCHEMA_VERSION } from '@cairn/metadata';
import type { CairnEvent, ClusterState, EventDraft } from '@cairn/metadata';
import type { Sample } from '@cairn/api';
import { CLUSTER_GAUGES, clusterSamples, decisionOf } from '../src/metrics-state.js';
import type { LiveFigures } from '../src/metrics-state.js';
import { ManagerMetrics } from '../src/metrics.js';

const GiB = 2 ** 30;
const NONE: LiveFigures = { rebuildProgress: new Map(), restoreProgress: new Map() };
const t = suite('manager metrics: state -> samples');

function ev(d: EventDraft, seq: number): CairnEvent {
  return decodeEvent(
    encodeEvent({ cause: '', ...d, seq, timeMs: 1000, actor: 't', schemaVersion: SCHEMA_VERSION }),
    seq,
  );
}
function apply(s: ClusterState, drafts: EventDraft[]): ClusterState {
  for (const d of drafts) applyEvent(s, ev(d, s.seq + 1));
  return s;
}
const scheduled = (replicaId: string, nodeId: string): EventDraft => ({
  replicaScheduled: {
    replicaId,
    volume: 'v1',
    nodeId,
    diskId: 'disk-1',
    trigger: 'new',
    replaces: '',
    score: 0,
    candidatesConsidered: 3,
    notes: [],
    rejected: [],
  },
});

/** Three nodes with a disk each, and v1 (3 replicas, 1 GiB) with its replicas placed and running. */
function cluster(): ClusterState {
  const s = emptyState();
  for (const n of ['node-1', 'node-2', 'node-3']) {
    apply(s, [
      draft.nodeRegistered(n),
      draft.diskAdded(n, 'disk-1', { maximum: 100 * GiB, available: 60 * GiB, reserved: 10 * GiB }),
    ]);
  }
  apply(s, [draft.volumeCreated('v1', { size: GiB, numberOfReplicas: 3 })]);
  apply(
    s,
    ['node-1', 'node-2', 'node-3'].map((n, i) => scheduled(`r${i + 1}`, n)),
  );
  return s;
}

const values = (samples: Sample[]): Record<string, number> =>
  Object.fromEntries(samples.map((x) => [Object.values(x.labels).join('|'), x.value]));

t('every gauge of the table has its samples, with exactly its labels', () => {
  const s = cluster();
  apply(
    s,
    ['r1', 'r2', 'r3'].map((replicaId) => ({ replicaRunning: { replicaId, address: '127.0.0.1:1' } })),
  );
  const out = clusterSamples(s, NONE);
  assert.equal(Object.keys(out).sort(), Object.keys(CLUSTER_GAUGES).sort());
  for (const [name, samples] of Object.entries(out)) {
    for (const x of samples)
      assert.equal(
        Object.keys(x.labels).sort(),
        [...CLUSTER_GAUGES[name as keyof typeof CLUSTER_GAUGES].labels].sort(),
        name,
      );
  }
});

t(
  'a volume: creating until a replica runs, then detached and healthy; degraded with one failed; faulted with none',
  () => {
    const s = cluster();
    let out = clusterSamples(s, NONE);
    assert.equal(values(out.cairn_volume_state), { 'v1|||': 1 });
    assert.equal(values(out.cairn_volume_robustness), { 'v1|||': 0 });
    assert.equal(values(out.cairn_volume_capacity_bytes), { 'v1|||': GiB });
    apply(
      s,
      ['r1', 'r2', 'r3'].map((replicaId) => ({ replicaRunning: { replicaId, address: '127.0.0.1:1' } })),
    );
    out = clusterSamples(s, NONE);
    assert.equal(values(out.cairn_volume_state), { 'v1|||': 3 });
    assert.equal(values(out.cairn_volume_robustness), { 'v1|||': 1 });
    assert.equal(values(out.cairn_volume_replicas), {
      'v1|scheduled': 0,
      'v1|running': 3,
      'v1|rebuilding': 0,
      'v1|failed': 0,
    });
    apply(s, [{ replicaFailed: { replicaId: 'r3', reason: 'gone' } }]);
    out = clusterSamples(s, NONE);
    assert.equal(values(out.cairn_volume_robustness), { 'v1|||': 2 });
    apply(s, [
      { replicaFailed: { replicaId: 'r1', reason: 'gone' } },
      { replicaFailed: { replicaId: 'r2', reason: 'gone' } },
    ]);
    assert.equal(values(clusterSamples(s, NONE).cairn_volume_robustness), { 'v1|||': 3 });
  },
);

t("an attached volume carries its node; a PVC's volume its pvc labels", () => {
  const s = cluster();
  apply(
    s,
    ['r1', 'r2', 'r3'].map((replicaId) => ({ replicaRunning: { replicaId, address: '127.0.0.1:1' } })),
  );
  apply(s, [
    { volumeAttachRequested: { name: 'v1', nodeId: 'node-2' } },
    { volumeAttached: { name: 'v1', nodeId: 'node-2', endpoint: 'nbd://x' } },
  ]);
  s.volumes.get('v1')!.kubernetes = { pvcNamespace: 'apps', pvcName: 'data', pvName: 'pvc-1' };
  const out = clusterSamples(s, NONE);
  assert.equal(out.cairn_volume_state, [
    { labels: { volume: 'v1', node: 'node-2', pvc: 'data', pvc_namespace: 'apps' }, value: 2 },
  ]);
});

t('nodes: ready and schedulable with their reasons, the count; disks: capacity, usage, reservation, scheduled', () => {
  const s = cluster();
  apply(s, [
    { nodeDown: { nodeId: 'node-3', reason: 'LeaseExpired' } },
    { nodeUpdated: { nodeId: 'node-2', allowScheduling: false, evictionRequested: false, tags: [], cordoned: false } },
  ]);
  const out = clusterSamples(s, NONE);
  assert.equal(values(out.cairn_node_count_total), { '': 3 });
  assert.equal(values(out.cairn_node_status), {
    'node-1|ready|': 1,
    'node-1|schedulable|': 1,
    'node-2|ready|': 1,
    'node-2|schedulable|SchedulingDisabled': 0,
    'node-3|ready|LeaseExpired': 0,
    'node-3|schedulable|': 1,
  });
  assert.equal(values(out.cairn_disk_capacity_bytes)['node-1|disk-1'], 100 * GiB);
  assert.equal(values(out.cairn_disk_usage_bytes)['node-1|disk-1'], 40 * GiB);
  assert.equal(values(out.cairn_disk_reservation_bytes)['node-1|disk-1'], 10 * GiB);
  assert.equal(values(out.cairn_disk_scheduled_bytes), {
    'node-1|disk-1': GiB,
    'node-2|disk-1': GiB,
    'node-3|disk-1': GiB,
  });
});

t(
  'unschedulable volumes by reason (once per reason per volume); rebuild and restore progress from the live figures',
  () => {
    const s = cluster();
    apply(s, [
      { replicaRunning: { replicaId: 'r1', address: 'a' } },
      { replicaRunning: { replicaId: 'r2', address: 'a' } },
    ]);
    apply(s, [
      { replicaFailed: { replicaId: 'r3', reason: 'gone' } },
      { replicaRebuilding: { replicaId: 'r3', fromReplicaId: 'r1' } },
    ]);
    apply(s, [
      draft.volumeCreated('v2', { size: GiB, numberOfReplicas: 2 }),
      {
        volumeUnschedulable: {
          name: 'v2',
          missing: 2,
          summary: 'no',
          candidates: [
            { nodeId: 'node-1', diskId: '', reasons: ['NodeDown', 'InsufficientStorage'], detail: '' },
            { nodeId: 'node-2', diskId: '', reasons: ['NodeDown'], detail: '' },
          ],
        },
      },
    ]);
    const out = clusterSamples(s, { rebuildProgress: new Map([['r3', 40]]), restoreProgress: new Map() });
    assert.equal(values(out.cairn_unschedulable_volumes), { InsufficientStorage: 1, NodeDown: 1 });
    assert.equal(out.cairn_replica_rebuild_progress, [
      { labels: { volume: 'v1', replica: 'r3', node: 'node-3' }, value: 0.4 },
    ]);
    assert.equal(out.cairn_restore_progress, []);
    assert.equal(out.cairn_backup_progress, []);
  },
);

t('decisionOf: the kind and reason of scheduler events; null for the rest', () => {
  assert.equal(decisionOf(ev(scheduled('r1', 'node-1'), 1)), { kind: 'place', reason: 'new' });
  assert.equal(decisionOf(ev({ replicaRemoved: { replicaId: 'r1', reason: 'Evicted' } }, 1)), {
    kind: 'remove',
    reason: 'Evicted',
  });
  assert.equal(
    decisionOf(
      ev(
        {
          volumeUnschedulable: {
            name: 'v',
            missing: 1,
            summary: '',
            candidates: [
              { nodeId: 'a', diskId: '', reasons: ['NodeDown'], detail: '' },
              { nodeId: 'b', diskId: '', reasons: ['TagMismatch', 'NodeDown'], detail: '' },
            ],
          },
        },
        1,
      ),
    ),
    { kind: 'unschedulable', reason: 'NodeDown' },
  );
  assert.is(decisionOf(ev(draft.nodeRegistered('n'), 1)), null);
});

t('a ManagerMetrics before it serves: process metrics, leader 0, no cluster sample', async () => {
  const m = new ManagerMetrics('m-1');
  const text = await m.registry.metrics();
  assert.match(text, /cairn_manager_leader\{manager="m-1"\} 0/);
  assert.match(text, /process_resident_memory_bytes \d+/);
  assert.match(text, /cairn_manager_memory_usage_bytes\{manager="m-1"\} \d+/);
  assert.match(text, /# TYPE cairn_node_count_total gauge/);
  assert.not.match(text, /^cairn_node_count_total/m); // a follower (or a manager not serving) says nothing of the cluster
  m.appended(0.003);
  assert.match(await m.registry.metrics(), /cairn_eventlog_append_duration_seconds_bucket\{le="0.005"\} 1/);
});

t.run();
