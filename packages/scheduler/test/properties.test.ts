// Property tests over random clusters, volumes and settings, with random events in between:
//   - no placement breaks a hard rule (checked by a reference written apart from the core),
//   - every pass is deterministic and a fixpoint,
//   - after a pass, no whole volume is still recorded unschedulable (VolumeSchedulable clears it),
//   - the rebuild backoff: a replica failed 3 times since its last rebuild is never rebuilt in
//     place, and is replaced only after the wait, the placement noted RebuildBackoff,
//   - no volume has fewer running replicas than its count while replicas are being evicted.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { diskScheduled, replicasOf, volumeSpecToProto } from '@cairn/metadata';
import type { AntiAffinityOverride, ClusterState, ReplicaState, VolumeSpec } from '@cairn/metadata';
import type { Decision, PlaceDecision } from '../src/index.js';
import { schedule } from '../src/index.js';
import { aa, act, build, clusterArb, failureStepArb, stepArb } from './random.js';
import { GiB, World } from './world.js';

// ---- the reference check of hard rules ------------------------------------------------------------

const softOf = (o: AntiAffinityOverride, setting: boolean): boolean => (o === 'default' ? setting : o === 'enabled');

/** Why a placement breaks a hard rule, checked against the state it is applied to; null if it does not. */
export function hardRuleBroken(state: ClusterState, d: PlaceDecision, rebuilds: boolean): string | null {
  const st = state.settings;
  const v = state.volumes.get(d.volume);
  const node = state.nodes.get(d.nodeId);
  const disk = node?.disks.get(d.diskId);
  if (!v || !node || !disk) return 'placed on something that does not exist';
  const spec = v.spec;
  if (node.down) return 'node down';
  if (!node.allowScheduling) return 'node scheduling disabled';
  if (node.evictionRequested) return 'node evicting';
  if (node.cordoned && st['disable-scheduling-on-cordoned-node']) return 'node cordoned';
  if (!spec.nodeSelector.every((t) => node.tags.includes(t))) return 'node tags';
  if (!disk.allowScheduling) return 'disk scheduling disabled';
  if (disk.evictionRequested) return 'disk evicting';
  if (!spec.diskSelector.every((t) => disk.tags.includes(t))) return 'disk tags';
  if (!(disk.storageAvailable - spec.size > (disk.storageMaximum * st['storage-minimal-available-percentage']) / 100))
    return 'minimal available';
  const scheduled = diskScheduled(state, d.nodeId, d.diskId);
  if (scheduled !== d.figures.storageScheduled)
    return `recorded scheduled ${d.figures.storageScheduled} != ${scheduled}`;
  if (
    spec.size + scheduled >
    ((disk.storageMaximum - disk.storageReserved) * st['storage-over-provisioning-percentage']) / 100
  )
    return 'over-provisioned';
  if (spec.dataLocality === 'strict-local' && d.nodeId !== v.attachedTo) return 'strict-local off the attached node';
  if (rebuilds) {
    const running = [...state.replicas.values()].filter((r) => r.nodeId === d.nodeId && r.mode === 'rebuilding').length;
    if (running >= st['concurrent-replica-rebuild-per-node-limit']) return 'rebuild limit';
  }
  // Anti-affinity against what stays: every replica of the volume but the replaced one and those
  // already on their way out (replaced by a replica that has not failed).
  const all = replicasOf(state, d.volume);
  const leaving = new Set(
    all.filter((r) => r.replaces && r.mode !== 'failed' && !state.nodes.get(r.nodeId)?.down).map((r) => r.replaces),
  );
  const others = all.filter((r) => r.id !== d.replaces && !leaving.has(r.id));
  const zoneOf = (r: ReplicaState): string | undefined => state.nodes.get(r.nodeId)?.zone;
  if (
    !softOf(spec.replicaZoneSoftAntiAffinity, st['replica-zone-soft-anti-affinity']) &&
    others.some((r) => zoneOf(r) === node.zone)
  )
    return 'hard zone anti-affinity';
  if (
    !softOf(spec.replicaSoftAntiAffinity, st['replica-soft-anti-affinity']) &&
    others.some((r) => r.nodeId === d.nodeId)
  )
    return 'hard node anti-affinity';
  if (
    !softOf(spec.replicaDiskSoftAntiAffinity, st['replica-disk-soft-anti-affinity']) &&
    others.some((r) => r.nodeId === d.nodeId && r.diskId === d.diskId)
  )
    return 'hard disk anti-affinity';
  return null;
}

const BACKOFF = 3;
const backedOff = (r: ReplicaState | undefined): boolean =>
  r !== undefined && r.mode === 'failed' && r.failures >= BACKOFF;
let backoffPlacements = 0;

/** Why a decision breaks the rebuild backoff, checked against the state it is applied to; null if it does not. */
function backoffBroken(w: World, d: Decision): string | null {
  if (d.kind === 'rebuild' && backedOff(w.state.replicas.get(d.replicaId)))
    return 'a backed-off replica rebuilt in place';
  if (d.kind !== 'place') return null;
  const old = w.state.replicas.get(d.replaces);
  const noted = d.notes.includes('RebuildBackoff');
  if (noted !== backedOff(old))
    return noted
      ? 'noted RebuildBackoff, replacing no backed-off replica'
      : 'a backed-off replica replaced without the note';
  if (noted && w.nowMs < old!.failedAtMs + w.state.settings['replica-replenishment-wait-interval'] * 1000)
    return 'a backed-off replica replaced before the wait ran out';
  if (noted) backoffPlacements++;
  return null;
}

/** Applies a pass's decisions one by one, checking each placement against the state it lands in. */
function applyChecked(w: World, ds: Decision[]): void {
  ds.forEach((d, i) => {
    if (d.kind === 'place') {
      const next = ds[i + 1];
      const rebuilds = next?.kind === 'rebuild' && next.replicaId === d.replicaId;
      const broken = hardRuleBroken(w.state, d, rebuilds);
      if (broken) throw new Error(`placement ${d.replicaId} on ${d.nodeId}/${d.diskId} breaks a hard rule: ${broken}`);
    }
    const backoff = backoffBroken(w, d);
    if (backoff) throw new Error(`${d.kind} of ${d.volume}: ${backoff}`);
    w.applyDecisions([d]);
  });
}

/**
 * Nothing can be blocked for a volume whose replicas all run where they may stay, as many as it
 * wants: every replica running on a node that is up, on a disk that exists, neither evicted, the
 * count met, and a strict-local one on its attached node.
 */
function whole(state: ClusterState, name: string): boolean {
  const v = state.volumes.get(name)!;
  const strict = v.spec.dataLocality === 'strict-local';
  const rs = replicasOf(state, name);
  if (rs.length !== (strict ? 1 : v.spec.numberOfReplicas)) return false;
  const attached = v.attachState === 'detaching' || v.attachState === 'detached' ? '' : v.attachedTo;
  if (strict && attached !== '' && rs[0]!.nodeId !== attached) return false;
  return rs.every((r) => {
    const n = state.nodes.get(r.nodeId);
    const d = n?.disks.get(r.diskId);
    return (
      r.mode === 'running' &&
      n !== undefined &&
      d !== undefined &&
      !n.down &&
      !n.evictionRequested &&
      !d.evictionRequested
    );
  });
}

function pass(w: World): Decision[] {
  const a = schedule(w.state, w.state.settings, w.nowMs);
  const b = schedule(w.state, w.state.settings, w.nowMs);
  assert.equal(a, b, 'the same state decides the same way');
  applyChecked(w, a.decisions);
  const again = schedule(w.state, w.state.settings, w.nowMs).decisions;
  assert.equal(again, [], 'deciding again after applying a pass yields nothing');
  for (const v of w.state.volumes.values()) {
    if (v.unschedulable && whole(w.state, v.name))
      throw new Error(`${v.name} is whole but still recorded unschedulable: ${v.unschedulable.summary}`);
  }
  return a.decisions;
}

const props = suite('properties');

props('no placement breaks a hard rule; every pass is deterministic and a fixpoint', () => {
  let placements = 0;
  fc.assert(
    fc.property(clusterArb, fc.array(stepArb, { maxLength: 12 }), (c, steps) => {
      const w = build(c);
      placements += pass(w).filter((d) => d.kind === 'place').length;
      for (const s of steps) {
        act(w, s);
        placements += pass(w).filter((d) => d.kind === 'place').length;
      }
    }),
    { numRuns: Number(process.env.RUNS ?? 300), seed: Number(process.env.SEED ?? 20260301) },
  );
  assert.ok(placements > 500, `the generators produce placements to check (${placements})`);
});

// ---- the rebuild backoff -------------------------------------------------------------------------------

props('replicas that keep failing: backed off after 3 failures, replaced only after the wait, noted', () => {
  backoffPlacements = 0;
  let inPlace = 0;
  const arb = fc.record({
    nodes: fc.integer({ min: 2, max: 6 }),
    zones: fc.integer({ min: 1, max: 3 }),
    volumes: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 4 }),
    wait: fc.constantFrom('0', '60', '600'),
    limit: fc.constantFrom('1', '5'),
    steps: fc.array(failureStepArb, { minLength: 10, maxLength: 40 }),
  });
  fc.assert(
    fc.property(arb, (a) => {
      const w = new World();
      w.apply({
        settingsChanged: {
          values: {
            'replica-replenishment-wait-interval': a.wait,
            'concurrent-replica-rebuild-per-node-limit': a.limit,
          },
        },
      });
      for (let i = 1; i <= a.nodes; i++) {
        w.line(`node n${i} zone=z${(i % a.zones) + 1}`);
        w.line(`disk n${i} d1 100G`);
      }
      a.volumes.forEach((n, i) => w.line(`volume v${i + 1} 5G replicas=${n}`));
      pass(w);
      w.settle();
      pass(w);
      for (const s of a.steps) {
        act(w, s);
        const failed = new Set([...w.state.replicas.values()].filter((r) => r.mode === 'failed').map((r) => r.id));
        inPlace += pass(w).filter((d) => d.kind === 'rebuild' && failed.has(d.replicaId)).length;
      }
    }),
    { numRuns: Number(process.env.RUNS ?? 200), seed: Number(process.env.SEED ?? 11) },
  );
  assert.ok(inPlace > 200, `failed replicas were rebuilt in place (${inPlace})`);
  assert.ok(backoffPlacements > 20, `backed-off replicas were replaced (${backoffPlacements})`);
});

// ---- eviction never drops a volume below its count ---------------------------------------------------

function runningCount(state: ClusterState, volume: string): number {
  return replicasOf(state, volume).filter((r) => r.mode === 'running' && !state.nodes.get(r.nodeId)!.down).length;
}

props('no volume falls below its replica count during an eviction', () => {
  let evictedMoves = 0;
  const healthyArb = fc.record({
    nodes: fc.array(
      fc.record({
        zone: fc.constantFrom('z1', 'z2', 'z3'),
        disks: fc.array(fc.constantFrom(100, 200), { minLength: 1, maxLength: 3 }),
      }),
      { minLength: 2, maxLength: 8 },
    ),
    volumes: fc.array(
      fc.record({
        size: fc.constantFrom(5, 10, 20),
        replicas: fc.integer({ min: 1, max: 3 }),
        locality: fc.constantFrom<VolumeSpec['dataLocality']>('disabled', 'best-effort'),
        attachTo: fc.integer({ min: -2, max: 7 }),
        nodeSoft: aa,
        balance: fc.constantFrom<VolumeSpec['replicaAutoBalance']>('ignored', 'best-effort'),
      }),
      { minLength: 1, maxLength: 8 },
    ),
    evictNodes: fc.array(fc.nat(), { minLength: 1, maxLength: 3 }),
    evictDisk: fc.option(fc.nat()),
    limit: fc.constantFrom('1', '2', '5'),
    progress: fc.array(fc.boolean(), { minLength: 64, maxLength: 64 }),
  });
  fc.assert(
    fc.property(healthyArb, (h) => {
      const w = new World();
      w.apply({ settingsChanged: { values: { 'concurrent-replica-rebuild-per-node-limit': h.limit } } });
      h.nodes.forEach((n, i) => {
        w.apply({ nodeRegistered: { nodeId: `n${i + 1}`, zone: n.zone, tags: [], address: '', hostname: '' } });
        n.disks.forEach((gib, j) =>
          w.apply({
            diskAdded: {
              nodeId: `n${i + 1}`,
              diskId: `d${j + 1}`,
              path: '/x',
              tags: [],
              allowScheduling: true,
              storageMaximum: gib * GiB,
              storageAvailable: gib * GiB,
              storageReserved: 0,
            },
          }),
        );
      });
      h.volumes.forEach((v, i) => {
        const spec: VolumeSpec = {
          size: v.size * GiB,
          numberOfReplicas: v.replicas,
          dataLocality: v.locality,
          diskSelector: [],
          nodeSelector: [],
          replicaAutoBalance: v.balance,
          staleReplicaTimeout: 0,
          replicaSoftAntiAffinity: v.nodeSoft,
          replicaZoneSoftAntiAffinity: 'default',
          replicaDiskSoftAntiAffinity: 'default',
          accessMode: 'rwo',
          fsType: 'ext4',
          mkfsParams: '',
        };
        w.apply({ volumeCreated: { name: `v${i + 1}`, spec: volumeSpecToProto(spec) } });
        if (v.attachTo >= 0 && v.attachTo < h.nodes.length)
          w.apply({ volumeAttached: { name: `v${i + 1}`, nodeId: `n${v.attachTo + 1}`, endpoint: 'x' } });
      });
      // Converge to a steady cluster first.
      for (let i = 0; i < 20; i++) {
        if (pass(w).length === 0 && [...w.state.replicas.values()].every((r) => r.mode === 'running')) break;
        w.settle();
      }
      const whole = [...w.state.volumes.values()]
        .filter((v) => runningCount(w.state, v.name) >= v.spec.numberOfReplicas)
        .map((v) => v.name);
      // Evict some nodes (and maybe a disk), then let the cluster progress unevenly.
      const nodes = [...w.state.nodes.values()];
      for (const k of h.evictNodes) {
        const n = nodes[k % nodes.length]!;
        w.apply({
          nodeUpdated: { nodeId: n.id, allowScheduling: true, evictionRequested: true, tags: [], cordoned: false },
        });
      }
      if (h.evictDisk !== null) {
        const disks = nodes.flatMap((n) => [...n.disks.values()]);
        const d = disks[h.evictDisk % disks.length]!;
        w.apply({
          diskUpdated: {
            nodeId: d.nodeId,
            diskId: d.id,
            tags: [],
            allowScheduling: true,
            evictionRequested: true,
            storageReserved: 0,
            storageMaximum: d.storageMaximum,
            storageAvailable: d.storageAvailable,
          },
        });
      }
      const check = (): void => {
        for (const name of whole) {
          const v = w.state.volumes.get(name)!;
          const n = runningCount(w.state, name);
          if (n < v.spec.numberOfReplicas)
            throw new Error(`${name} has ${n} running replicas, wants ${v.spec.numberOfReplicas}`);
        }
      };
      let p = 0;
      for (let round = 0; round < 60; round++) {
        const ds = pass(w);
        evictedMoves += ds.filter((d) => d.kind === 'place' && d.trigger === 'eviction').length;
        check();
        // Some replicas report running or finish rebuilding, others lag.
        const moving = [...w.state.replicas.values()]
          .filter((r) => r.mode === 'scheduled' || r.mode === 'rebuilding')
          .sort((a, b) => (a.id < b.id ? -1 : 1));
        for (const r of moving) {
          if (!h.progress[p++ % h.progress.length] && round < 40) continue;
          w.apply(
            r.mode === 'scheduled'
              ? { replicaRunning: { replicaId: r.id, address: 'x' } }
              : { replicaRebuilt: { replicaId: r.id } },
          );
          check();
        }
        if (ds.length === 0 && moving.length === 0) break;
      }
      // In the end every whole volume is off the evicted nodes and disks, or says why it cannot be.
      for (const name of whole) {
        const v = w.state.volumes.get(name)!;
        const stuck = replicasOf(w.state, name).filter((r) => {
          const n = w.state.nodes.get(r.nodeId)!;
          return n.evictionRequested || n.disks.get(r.diskId)!.evictionRequested;
        });
        if (stuck.length > 0 && !v.unschedulable)
          throw new Error(`${name} still has ${stuck.map((r) => r.id)} on evicted places, unexplained`);
      }
    }),
    { numRuns: Number(process.env.RUNS ?? 200), seed: Number(process.env.SEED ?? 7) },
  );
  assert.ok(evictedMoves > 100, `evictions happened (${evictedMoves})`);
});

props.run();
