// npm run bench -- scheduler
// 1,000 nodes x 4 disks across 10 zones. (a) 10,000 volumes of 3 replicas are created and placed
// one at a time through the core: each volume is decided by a Planner kept across calls (it is
// fed every decision it returns; the API tests check it decides exactly as fresh passes do), and
// every decision is encoded, decoded and applied with the projection, so the state grows as it
// would from the log. Timed: the decide calls only. (b) One full pass over the final state, what
// the reconciler runs when nothing needs doing. (c) The plan to drain 10 nodes.
// Baseline for balance: the same volumes on 3 distinct nodes drawn at random (seeded).
// Targets: all placed in under 10 s; p99 under 5 ms per decision.
import { applyEvent, decodeEvent, draft, emptyState, encodeEvent, SCHEMA_VERSION } from '@cairn/metadata';
import type { ClusterState, EventDraft } from '@cairn/metadata';
import { Planner, planDrain, schedule, toDraft } from '@cairn/scheduler';
import { percentile, writeResult } from './results.js';

const NODES = 1000;
const DISKS = 4;
const ZONES = 10;
const VOLUMES = 10_000;
const REPLICAS = 3;
const DRAIN = 10;
const GiB = 2 ** 30;
const DISK_SIZE = 2048 * GiB;
const SIZES = [10, 20, 50, 100, 200].map((g) => g * GiB);

/** mulberry32: a small seeded PRNG, so every run places the same volumes. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const nodeId = (i: number): string => `node-${String(i).padStart(4, '0')}`;

/** (max - min) / mean of the bytes used per node. */
function spread(used: number[]): { min: number; max: number; mean: number; spread: number } {
  const min = Math.min(...used),
    max = Math.max(...used);
  const mean = used.reduce((a, b) => a + b, 0) / used.length;
  return { min, max, mean, spread: (max - min) / mean };
}

function usedPerNode(state: ClusterState): number[] {
  const used = new Map<string, number>();
  for (const id of state.nodes.keys()) used.set(id, 0);
  for (const r of state.replicas.values()) used.set(r.nodeId, used.get(r.nodeId)! + r.size);
  return [...used.values()];
}

export default async function run(): Promise<void> {
  const state = emptyState();
  let applyMs = 0;
  const apply = (d: EventDraft): void => {
    const t0 = performance.now();
    const seq = state.seq + 1;
    const bytes = encodeEvent({ ...d, seq, timeMs: 1_700_000_000_000, actor: 'bench', schemaVersion: SCHEMA_VERSION });
    applyEvent(state, decodeEvent(bytes, seq));
    applyMs += performance.now() - t0;
  };
  for (let i = 0; i < NODES; i++) {
    apply(draft.nodeRegistered(nodeId(i), { zone: `zone-${i % ZONES}` }));
    for (let d = 0; d < DISKS; d++) apply(draft.diskAdded(nodeId(i), `disk-${d}`, { maximum: DISK_SIZE }));
  }
  const rnd = prng(42);
  const sizes = Array.from({ length: VOLUMES }, () => SIZES[Math.floor(rnd() * SIZES.length)]!);

  // (a) place the volumes one at a time.
  const planner = new Planner(state, state.settings);
  const perDecision: number[] = [];
  let placed = 0,
    unschedulable = 0,
    decideMs = 0;
  const wall0 = performance.now();
  for (let v = 0; v < VOLUMES; v++) {
    const name = `pvc-${String(v).padStart(5, '0')}`;
    apply(draft.volumeCreated(name, { size: sizes[v]!, numberOfReplicas: REPLICAS }));
    const t0 = performance.now();
    const { decisions } = planner.decideVolume(name, 0);
    const ms = performance.now() - t0;
    perDecision.push(ms);
    decideMs += ms;
    const basedOn = state.seq;
    for (const d of decisions) {
      if (d.kind === 'place') placed++;
      if (d.kind === 'unschedulable') unschedulable++;
      apply(toDraft(d, basedOn));
    }
  }
  const wallMs = performance.now() - wall0;
  perDecision.sort((a, b) => a - b);
  let distinct = true;
  for (const ids of state.replicasByVolume.values()) {
    const nodes = new Set([...ids].map((id) => state.replicas.get(id)!.nodeId));
    if (nodes.size !== REPLICAS) distinct = false;
  }
  const balance = spread(usedPerNode(state));

  // Baseline: the same sizes on random distinct nodes.
  const base = new Array<number>(NODES).fill(0);
  const rb = prng(7);
  for (const size of sizes) {
    const chosen = new Set<number>();
    while (chosen.size < REPLICAS) chosen.add(Math.floor(rb() * NODES));
    for (const n of chosen) base[n]! += size;
  }
  const baseline = spread(base);

  // (b) a full pass over the final state: nothing to do, everything looked at.
  const p0 = performance.now();
  const full = schedule(state, state.settings, 0);
  const fullPassMs = performance.now() - p0;

  // (c) plan the drain of 10 nodes, one per zone.
  const drained = Array.from({ length: DRAIN }, (_, i) => nodeId(i * (NODES / DRAIN)));
  const d0 = performance.now();
  const plan = planDrain(state, state.settings, drained);
  const drainMs = performance.now() - d0;

  const p50 = percentile(perDecision, 50),
    p99 = percentile(perDecision, 99);
  const result = {
    machine: { cpus: (await import('node:os')).cpus().length, node: process.version },
    cluster: { nodes: NODES, disksPerNode: DISKS, zones: ZONES, diskGiB: DISK_SIZE / GiB },
    placement: {
      volumes: VOLUMES,
      replicasPlaced: placed,
      unschedulable,
      replicasOnDistinctNodes: distinct,
      decideTotalMs: Math.round(decideMs),
      wallWithEventsMs: Math.round(wallMs),
      applyEventsMs: Math.round(applyMs),
      perDecisionMs: {
        p50: +p50.toFixed(3),
        p99: +p99.toFixed(3),
        max: +perDecision[perDecision.length - 1]!.toFixed(3),
      },
      perReplicaMs: +(decideMs / placed).toFixed(3),
    },
    balance: {
      usedGiBPerNode: {
        min: +(balance.min / GiB).toFixed(1),
        max: +(balance.max / GiB).toFixed(1),
        mean: +(balance.mean / GiB).toFixed(1),
      },
      spread: +balance.spread.toFixed(4),
      baselineRandomSpread: +baseline.spread.toFixed(4),
    },
    fullPass: { ms: Math.round(fullPassMs), decisions: full.decisions.length },
    drain: {
      nodes: drained.length,
      planMs: Math.round(drainMs),
      replicasOnDrainedNodes: plan.replicas,
      replicasMoved: plan.moves.length,
      blocked: plan.blocked.length,
      movesLandingOnDrainedNodes: plan.moves.filter((m) => drained.includes(m.nodeId)).length,
    },
    targets: {
      allPlaced: {
        want: `${VOLUMES * REPLICAS} replicas in < 10 s`,
        ok: placed === VOLUMES * REPLICAS && decideMs < 10_000,
      },
      p99: { want: '< 5 ms per decision', ok: p99 < 5 },
    },
  };
  const file = writeResult('scheduler', result);
  console.log(`scheduler benchmark: ${NODES} nodes x ${DISKS} disks (${DISK_SIZE / GiB} GiB), ${ZONES} zones`);
  console.table({
    [`place ${VOLUMES} volumes x ${REPLICAS}`]: {
      'total ms': result.placement.decideTotalMs,
      'p50 ms': result.placement.perDecisionMs.p50,
      'p99 ms': result.placement.perDecisionMs.p99,
      result: `${placed} placed, ${unschedulable} unschedulable`,
    },
    'full pass, final state': {
      'total ms': result.fullPass.ms,
      'p50 ms': '',
      'p99 ms': '',
      result: `${full.decisions.length} decisions`,
    },
    [`plan drain of ${DRAIN} nodes`]: {
      'total ms': result.drain.planMs,
      'p50 ms': '',
      'p99 ms': '',
      result: `${plan.moves.length} of ${plan.replicas} replicas moved, ${plan.blocked.length} blocked`,
    },
  });
  console.log(
    `used space per node: spread (max-min)/mean ${result.balance.spread} (random distinct nodes: ${result.balance.baselineRandomSpread}), ` +
      `min ${result.balance.usedGiBPerNode.min} GiB, max ${result.balance.usedGiBPerNode.max} GiB`,
  );
  console.log(
    `(events encoded, decoded and applied outside the timings: ${Math.round(applyMs)} ms; wall time of the placement loop ${Math.round(wallMs)} ms)`,
  );
  console.log(
    `targets: all placed < 10 s ${result.targets.allPlaced.ok ? 'PASS' : 'FAIL'}; p99 < 5 ms ${result.targets.p99.ok ? 'PASS' : 'FAIL'}`,
  );
  console.log(`wrote ${file}`);
}
