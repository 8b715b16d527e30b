// Random clusters and random events for the property tests (and for replaying a counterexample
// by hand: build(cluster), then act(world, step) for each step).
import fc from 'fast-check';
import { volumeSpecToProto } from '@cairn/metadata';
import type { AntiAffinityOverride, VolumeSpec } from '@cairn/metadata';
import { GiB, World } from './world.js';

const nodeArb = fc.record({
  zone: fc.constantFrom('z1', 'z2', 'z3', ''),
  tags: fc.subarray(['a', 'b']),
  down: fc.integer({ min: 0, max: 9 }).map((n) => n === 0),
  sched: fc.integer({ min: 0, max: 9 }).map((n) => n !== 0),
  evict: fc.integer({ min: 0, max: 9 }).map((n) => n === 0),
  cordon: fc.integer({ min: 0, max: 9 }).map((n) => n === 0),
  disks: fc.array(
    fc.record({
      max: fc.constantFrom(50, 100, 200),
      availPct: fc.constantFrom(100, 80, 40),
      reserved: fc.constantFrom(0, 10),
      tags: fc.subarray(['fast', 'ssd']),
      sched: fc.integer({ min: 0, max: 9 }).map((n) => n !== 0),
      evict: fc.integer({ min: 0, max: 9 }).map((n) => n === 0),
    }),
    { minLength: 0, maxLength: 3 },
  ),
});
export const aa = fc.constantFrom<AntiAffinityOverride>('default', 'default', 'enabled', 'disabled');
const volumeArb = fc.record({
  size: fc.constantFrom(1, 5, 10, 30),
  replicas: fc.integer({ min: 1, max: 4 }),
  locality: fc.constantFrom<VolumeSpec['dataLocality']>('disabled', 'disabled', 'best-effort', 'strict-local'),
  nodeSelector: fc.subarray(['a', 'b'], { maxLength: 1 }),
  diskSelector: fc.subarray(['fast', 'ssd'], { maxLength: 1 }),
  zoneSoft: aa,
  nodeSoft: aa,
  diskSoft: aa,
  balance: fc.constantFrom<VolumeSpec['replicaAutoBalance']>('ignored', 'disabled', 'least-effort', 'best-effort'),
  attachTo: fc.integer({ min: -3, max: 7 }),
});
const settingsArb = fc.record({
  'replica-soft-anti-affinity': fc.constantFrom('true', 'false'),
  'replica-zone-soft-anti-affinity': fc.constantFrom('true', 'false'),
  'replica-disk-soft-anti-affinity': fc.constantFrom('true', 'false'),
  'storage-over-provisioning-percentage': fc.constantFrom('100', '150', '300'),
  'storage-minimal-available-percentage': fc.constantFrom('0', '10', '25'),
  'concurrent-replica-rebuild-per-node-limit': fc.constantFrom('0', '1', '5'),
  'replica-replenishment-wait-interval': fc.constantFrom('0', '60', '600'),
  'allow-volume-creation-with-degraded-availability': fc.constantFrom('true', 'false'),
  'disable-scheduling-on-cordoned-node': fc.constantFrom('true', 'false'),
  'replica-auto-balance': fc.constantFrom('disabled', 'least-effort', 'best-effort'),
});
export const clusterArb = fc.record({
  nodes: fc.array(nodeArb, { minLength: 1, maxLength: 7 }),
  volumes: fc.array(volumeArb, { minLength: 1, maxLength: 6 }),
  settings: settingsArb,
});
export type Cluster = typeof clusterArb extends fc.Arbitrary<infer T> ? T : never;

/**
 * Random things that happen between passes: nodes report, replicas and rebuilds fail, nodes go
 * down and come back, time passes, volumes are attached and detached, their counts change.
 */
export const stepArb = fc.oneof(
  fc.record({ kind: fc.constant('settle' as const) }),
  fc.record({ kind: fc.constant('fail' as const), pick: fc.nat() }),
  // A rebuild that fails (how a replica gathers failures since its last rebuild; aimed at the
  // replicas that failed most), and a failed replica whose node agent says it runs again (which
  // does not make it healthy).
  fc.record({ kind: fc.constant('fail-rebuild' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('report-running' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('down' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('up' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('evict' as const), pick: fc.nat(), on: fc.boolean() }),
  fc.record({ kind: fc.constant('tick' as const), s: fc.constantFrom(30, 300, 900) }),
  fc.record({ kind: fc.constant('attach' as const), pick: fc.nat(), node: fc.nat() }),
  fc.record({ kind: fc.constant('detach' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('replicas' as const), pick: fc.nat(), n: fc.integer({ min: 1, max: 4 }) }),
);
export type Step = typeof stepArb extends fc.Arbitrary<infer T> ? T : never;

/** Steps for a cluster whose replicas keep failing: mostly failures, rebuilds failing, time. */
export const failureStepArb: fc.Arbitrary<Step> = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constant('fail-rebuild' as const), pick: fc.nat() }), weight: 5 },
  { arbitrary: fc.record({ kind: fc.constant('fail' as const), pick: fc.nat() }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant('settle' as const) }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('tick' as const), s: fc.constantFrom(30, 300, 900) }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant('report-running' as const), pick: fc.nat() }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('down' as const), pick: fc.nat() }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('up' as const), pick: fc.nat() }), weight: 1 },
);

export function build(c: Cluster): World {
  const w = new World();
  w.apply({ settingsChanged: { values: c.settings } });
  c.nodes.forEach((n, i) => {
    const id = `n${i + 1}`;
    w.apply({ nodeRegistered: { nodeId: id, zone: n.zone, tags: n.tags, address: '', hostname: id } });
    n.disks.forEach((d, j) =>
      w.apply({
        diskAdded: {
          nodeId: id,
          diskId: `d${j + 1}`,
          path: '/x',
          tags: d.tags,
          allowScheduling: d.sched,
          storageMaximum: d.max * GiB,
          storageAvailable: (d.max * GiB * d.availPct) / 100,
          storageReserved: d.reserved * GiB,
        },
      }),
    );
    for (const [j, d] of n.disks.entries()) {
      if (d.evict)
        w.apply({
          diskUpdated: {
            nodeId: id,
            diskId: `d${j + 1}`,
            tags: d.tags,
            allowScheduling: d.sched,
            evictionRequested: true,
            storageReserved: d.reserved * GiB,
            storageMaximum: d.max * GiB,
            storageAvailable: (d.max * GiB * d.availPct) / 100,
          },
        });
    }
    if (!n.sched || n.evict || n.cordon) {
      w.apply({
        nodeUpdated: {
          nodeId: id,
          allowScheduling: n.sched,
          evictionRequested: n.evict,
          tags: n.tags,
          cordoned: n.cordon,
        },
      });
    }
    if (n.down) w.apply({ nodeDown: { nodeId: id, reason: 'test' } });
  });
  c.volumes.forEach((v, i) => {
    const spec: VolumeSpec = {
      size: v.size * GiB,
      numberOfReplicas: v.replicas,
      dataLocality: v.locality,
      diskSelector: v.diskSelector,
      nodeSelector: v.nodeSelector,
      replicaAutoBalance: v.balance,
      staleReplicaTimeout: 2880,
      replicaSoftAntiAffinity: v.nodeSoft,
      replicaZoneSoftAntiAffinity: v.zoneSoft,
      replicaDiskSoftAntiAffinity: v.diskSoft,
      accessMode: 'rwo',
      fsType: 'ext4',
      mkfsParams: '',
    };
    w.apply({ volumeCreated: { name: `v${i + 1}`, spec: volumeSpecToProto(spec) } });
    if (v.attachTo >= 0 && v.attachTo < c.nodes.length) {
      w.apply({ volumeAttached: { name: `v${i + 1}`, nodeId: `n${v.attachTo + 1}`, endpoint: 'x' } });
    }
  });
  return w;
}

function pick<T>(xs: T[], n: number): T | undefined {
  return xs.length ? xs[n % xs.length] : undefined;
}

export function act(w: World, s: Step): void {
  const s0 = w.state;
  const nodes = [...s0.nodes.keys()].sort();
  const replicas = [...s0.replicas.values()].sort((a, b) => (a.id < b.id ? -1 : 1));
  switch (s.kind) {
    case 'settle':
      return w.settle();
    case 'fail': {
      const r = pick(
        replicas.filter((x) => x.mode !== 'failed'),
        s.pick,
      );
      if (r) w.apply({ replicaFailed: { replicaId: r.id, reason: 'test' } });
      return;
    }
    case 'fail-rebuild': {
      const rebuilding = replicas.filter((x) => x.mode === 'rebuilding');
      const most = Math.max(0, ...rebuilding.map((x) => x.failures));
      const r = pick(
        rebuilding.filter((x) => x.failures === most),
        s.pick,
      );
      if (r) w.apply({ replicaFailed: { replicaId: r.id, reason: 'rebuild failed' } });
      return;
    }
    case 'report-running': {
      const r = pick(
        replicas.filter((x) => x.mode === 'failed'),
        s.pick,
      );
      if (r) w.apply({ replicaRunning: { replicaId: r.id, address: `${r.nodeId}:9500` } });
      return;
    }
    case 'down': {
      const n = pick(nodes, s.pick)!;
      w.apply({ nodeDown: { nodeId: n, reason: 'test' } });
      for (const r of replicas)
        if (r.nodeId === n && r.mode !== 'failed') w.apply({ replicaFailed: { replicaId: r.id, reason: 'node down' } });
      return;
    }
    case 'up':
      return w.apply({ nodeUp: { nodeId: pick(nodes, s.pick)! } });
    case 'evict': {
      const n = s0.nodes.get(pick(nodes, s.pick)!)!;
      return w.apply({
        nodeUpdated: {
          nodeId: n.id,
          allowScheduling: n.allowScheduling,
          evictionRequested: s.on,
          tags: n.tags,
          cordoned: n.cordoned,
        },
      });
    }
    case 'tick':
      w.nowMs += s.s * 1000;
      return;
    case 'attach': {
      const v = pick([...s0.volumes.keys()].sort(), s.pick)!;
      return w.apply({ volumeAttached: { name: v, nodeId: pick(nodes, s.node)!, endpoint: 'x' } });
    }
    case 'detach': {
      const v = pick([...s0.volumes.keys()].sort(), s.pick)!;
      return w.apply({ volumeDetached: { name: v, nodeId: s0.volumes.get(v)!.attachedTo } });
    }
    case 'replicas': {
      const v = s0.volumes.get(pick([...s0.volumes.keys()].sort(), s.pick)!)!;
      return w.apply({
        volumeUpdated: { name: v.name, spec: volumeSpecToProto({ ...v.spec, numberOfReplicas: s.n }) },
      });
    }
  }
}
