// npm run chaos: the long chaos run (issue 7, section 1). A `cairn up` cluster of 5 nodes, 2
// managers and a 3-member etcd; 3 volumes under fio verify; CAIRN_CHAOS_FAULTS faults (default 15:
// three of each kind, in a seeded random order) at seeded random moments. See test/support/chaos.ts
// for what is checked and what "no verify error" means. It stops by itself: after the last fault's
// checks, or at CAIRN_CHAOS_MAX_MINUTES (default 20) with a failure. Exit 0 when nothing was lost.
//   CAIRN_CHAOS_SEED=N     replay a run (the seed is printed first)
//   CAIRN_CHAOS_KEEP=1     keep the cluster's directory (logs) after the run
import { planFaults, rng } from './support/chaos-core.js';
import { runChaos } from './support/chaos.js';

const env = (name: string, dflt: number): number => {
  const v = process.env[name];
  if (v === undefined || v === '') return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a whole number, got "${v}"`);
  return n;
};

const seed = env('CAIRN_CHAOS_SEED', Math.floor(Math.random() * 2 ** 31));
const count = env('CAIRN_CHAOS_FAULTS', 15);
const maxMinutes = env('CAIRN_CHAOS_MAX_MINUTES', 20);
const limit = setTimeout(() => {
  console.error(`chaos: not finished after ${maxMinutes} minutes (seed ${seed}); giving up`);
  process.exit(2);
}, maxMinutes * 60_000);
limit.unref();

const result = await runChaos({
  seed,
  nodes: env('CAIRN_CHAOS_NODES', 5),
  volumes: env('CAIRN_CHAOS_VOLUMES', 3),
  faults: planFaults(rng(seed ^ 0x5eed), count),
  volumeMiB: 128,
  regionMiB: 8,
  recoveryBoundMs: env('CAIRN_CHAOS_RECOVERY_S', 60) * 1000,
  pauseMs: [2000, 8000],
  log: (l) => console.log(l),
});
if (result.problems.length) {
  console.log(`\nchaos: FAILED (seed ${seed}):\n${result.problems.map((p) => `  - ${p}`).join('\n')}`);
  process.exit(1);
}
console.log(`\nchaos: passed (seed ${seed}): ${result.faults.length} faults, nothing lost`);
process.exit(0);
