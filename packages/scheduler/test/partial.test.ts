// Partial passes: the reconciler asks scheduleVolumes() for just the volumes that events touched
// since its last pass, and a full schedule() only when an event reached beyond named volumes. That
// is sound exactly when a full pass, on a state at its fixpoint plus volume-scoped events, decides
// nothing for the volumes no event touched and the same for those that were. Random clusters with
// room to spare (capacity and auto-balance are what tie volumes together; those wait for the
// reconciler's periodic full pass), random volume-scoped steps, every pass compared.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { replicasOf, volumesTouched } from '@cairn/metadata';
import { schedule, scheduleVolumes } from '../src/index.js';
import { World } from './world.js';

const stepArb = fc.oneof(
  fc.record({
    kind: fc.constant('create' as const),
    size: fc.constantFrom('1G', '5G', '10G'),
    replicas: fc.integer({ min: 1, max: 3 }),
    locality: fc.constantFrom('disabled', 'disabled', 'best-effort'),
  }),
  fc.record({ kind: fc.constant('fail' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('attach' as const), pick: fc.nat(), node: fc.integer({ min: 1, max: 5 }) }),
  fc.record({ kind: fc.constant('detach' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('grow' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('settle' as const) }),
);
type Step = typeof stepArb extends fc.Arbitrary<infer S> ? S : never;

const partial = suite('partial passes');

partial('a partial pass over the touched volumes decides what a full pass decides', () => {
  let compared = 0;
  let decided = 0;
  fc.assert(
    fc.property(fc.integer({ min: 3, max: 5 }), fc.array(stepArb, { minLength: 5, maxLength: 40 }), (nodes, steps) => {
      const w = new World();
      for (let i = 1; i <= nodes; i++) {
        w.line(`node n${i} zone=z${(i % 3) + 1}`);
        w.line(`disk n${i} d1 10T`);
      }
      let touched = new Set<string>();
      let all: boolean;
      w.onEvent = (ev) => {
        const t = volumesTouched(w.state, ev);
        if (t === null || ev.payload === 'volumeDeleted') all = true;
        else for (const v of t) touched.add(v);
      };
      w.applyDecisions(schedule(w.state, w.state.settings, w.nowMs).decisions);
      let made = 0;
      const names = (): string[] => [...w.state.volumes.keys()].sort();
      for (const s of steps) {
        all = false;
        touched = new Set();
        act(w, s, names(), () => `v${made++}`);
        // The reconciler's loop: pass, apply, pass again on what that touched, until nothing is decided.
        for (let round = 0; round < 10; round++) {
          const full = schedule(w.state, w.state.settings, w.nowMs);
          if (!all) {
            const part = scheduleVolumes(w.state, w.state.settings, w.nowMs, touched);
            assert.equal(
              part.decisions,
              full.decisions,
              `partial pass over [${[...touched]}] after ${JSON.stringify(s)}`,
            );
            compared++;
          }
          if (full.decisions.length === 0) break;
          decided += full.decisions.length;
          all = false;
          touched = new Set();
          w.applyDecisions(full.decisions);
        }
      }
    }),
    { numRuns: 150, seed: 20261123 },
  );
  assert.ok(compared > 1000, `only ${compared} passes compared`);
  assert.ok(decided > 500, `only ${decided} decisions made`);
});

function act(w: World, s: Step, names: string[], fresh: () => string): void {
  const pick = (n: number): string | undefined => (names.length ? names[n % names.length] : undefined);
  switch (s.kind) {
    case 'create':
      return w.line(`volume ${fresh()} ${s.size} replicas=${s.replicas} locality=${s.locality}`);
    case 'fail': {
      const v = pick(s.pick);
      const reps = v ? replicasOf(w.state, v).filter((r) => r.mode === 'running') : [];
      if (reps.length) w.line(`fail ${reps[s.pick % reps.length]!.id}`);
      return;
    }
    case 'attach': {
      const v = pick(s.pick);
      if (v && w.state.volumes.get(v)!.attachState === 'detached') w.line(`attach ${v} n${s.node}`);
      return;
    }
    case 'detach': {
      const v = pick(s.pick);
      if (v && w.state.volumes.get(v)!.attachState === 'attached') w.line(`detach ${v}`);
      return;
    }
    case 'grow': {
      const v = pick(s.pick);
      if (v && w.state.volumes.get(v)!.spec.numberOfReplicas < 3) w.line(`volume-update ${v} replicas=3`);
      return;
    }
    case 'settle':
      return w.settle();
  }
}

partial.run();
