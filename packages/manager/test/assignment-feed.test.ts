// The assignment feed (pure): whatever happens to the cluster, an agent that folds the pushes of
// its stream (mergeAssignments, and foldAssignments in place as the agent does) holds exactly what a whole recomputation from
// the state says, with deltas and without; a push goes out only when something the node runs
// changed; and a delta carries only what changed.
import { suite } from 'uvu';
import { createRequest } from './support.js';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { foldAssignments, mergeAssignments } from '@cairn/api';
import type { Assignments, Assignments__Output, ReplicaAssignment__Output } from '@cairn/api';
import { applyEvent, decodeEvent, draft, emptyState, encodeEvent, SCHEMA_VERSION } from '@cairn/metadata';
import type { ClusterState, EventDraft } from '@cairn/metadata';
import { schedule, toDraft } from '@cairn/scheduler';
import * as cmd from '../src/commands.js';
import { CommandError } from '../src/errors.js';
import { AssignmentFeed, assignmentsFor } from '../src/assignment-feed.js';

const MiB = 2 ** 20;
const secret = (v: string): string => `secret-of-${v}`;

const stepArb = fc.oneof(
  fc.record({ kind: fc.constant('create' as const), replicas: fc.integer({ min: 1, max: 3 }) }),
  fc.record({ kind: fc.constant('schedule' as const) }),
  fc.record({ kind: fc.constant('running' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('fail' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('attach' as const), pick: fc.nat(), node: fc.integer({ min: 1, max: 3 }) }),
  fc.record({ kind: fc.constant('attached' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('detach' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('snapshot' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('unsnapshot' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('expand' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('delete' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('nodeDown' as const), node: fc.integer({ min: 1, max: 3 }) }),
  fc.record({ kind: fc.constant('push' as const) }),
);
type Step = typeof stepArb extends fc.Arbitrary<infer S> ? S : never;

class Cluster {
  s: ClusterState = emptyState();
  feeds: AssignmentFeed[] = [];
  made = 0;
  apply(drafts: EventDraft[]): void {
    for (const d of drafts) {
      const seq = this.s.seq + 1;
      const ev = decodeEvent(
        encodeEvent({ ...d, seq, timeMs: 1000 + seq, actor: 't', cause: '', schemaVersion: SCHEMA_VERSION }),
        seq,
      );
      applyEvent(this.s, ev);
      for (const f of this.feeds) f.touch(this.s, ev);
    }
  }
  pick(n: number): string | undefined {
    const names = [...this.s.volumes.keys()].sort();
    return names.length ? names[n % names.length] : undefined;
  }
  /** A command refused by the command layer changes nothing, as in the manager. */
  try(fn: () => EventDraft[]): void {
    try {
      this.apply(fn());
    } catch (e) {
      if (!(e instanceof CommandError)) throw e;
    }
  }
  step(st: Step): void {
    const v = 'pick' in st ? this.pick(st.pick) : undefined;
    switch (st.kind) {
      case 'create':
        return this.try(() =>
          cmd.createVolume(
            this.s,
            createRequest({ name: `v${this.made++}`, size: 64 * MiB, numberOfReplicas: st.replicas }),
          ),
        );
      case 'schedule':
        return this.apply(schedule(this.s, this.s.settings, 1_000_000).decisions.map((d) => toDraft(d, this.s.seq)));
      case 'running': {
        const reps = [...this.s.replicas.values()].filter((r) => r.mode === 'scheduled');
        if (reps.length)
          this.apply([{ replicaRunning: { replicaId: reps[st.pick % reps.length]!.id, address: '127.0.0.1:9' } }]);
        return;
      }
      case 'fail': {
        const reps = [...this.s.replicas.values()].filter((r) => r.mode === 'running');
        if (reps.length) this.apply([{ replicaFailed: { replicaId: reps[st.pick % reps.length]!.id, reason: 'io' } }]);
        return;
      }
      case 'attach':
        return v ? this.try(() => cmd.attachVolume(this.s, v, `node-${st.node}`)) : undefined;
      case 'attached': {
        const x = v ? this.s.volumes.get(v) : undefined;
        if (x?.attachState === 'attaching')
          this.apply([{ volumeAttached: { name: x.name, nodeId: x.attachedTo, endpoint: 'nbd://h:1/x' } }]);
        return;
      }
      case 'detach':
        return v ? this.try(() => cmd.detachVolume(this.s, v)) : undefined;
      case 'snapshot':
        return v ? this.try(() => cmd.createSnapshot(this.s, v, `s${this.s.seq}`)) : undefined;
      case 'unsnapshot': {
        const snap = v ? [...this.s.volumes.get(v)!.snapshots.keys()][0] : undefined;
        return snap ? this.try(() => cmd.deleteSnapshot(this.s, v!, snap)) : undefined;
      }
      case 'expand':
        return v ? this.try(() => cmd.expandVolume(this.s, v, this.s.volumes.get(v)!.spec.size + MiB)) : undefined;
      case 'delete':
        return v ? this.try(() => cmd.deleteVolume(this.s, v)) : undefined;
      case 'nodeDown':
        return this.apply([{ nodeDown: { nodeId: `node-${st.node}`, reason: 'lease expired' } }]);
      case 'push':
        return;
    }
  }
}

const noSeq = (a: Assignments__Output): object => ({ ...a, seq: 0 });

const feed = suite('assignment feed');

feed('an agent folding the pushes holds what a whole recomputation says, after any events', () => {
  let deltas = 0;
  let nulls = 0;
  fc.assert(
    fc.property(fc.array(stepArb, { minLength: 20, maxLength: 60 }), (steps) => {
      const c = new Cluster();
      for (let i = 1; i <= 3; i++)
        c.apply([
          draft.nodeRegistered(`node-${i}`, { zone: `z${i}` }),
          draft.diskAdded(`node-${i}`, 'disk-1', { maximum: 2 ** 40 }),
        ]);
      // Streams opened at different moments: before anything, and half-way.
      const held = new Map<AssignmentFeed, Assignments__Output | null>();
      // And folded in place as the agent does (foldAssignments): the same replicas.
      const folds = new Map<AssignmentFeed, Map<string, ReplicaAssignment__Output> | null>();
      const open = (): void => {
        for (let i = 1; i <= 3; i++)
          for (const d of [true, false]) {
            const f = new AssignmentFeed(`node-${i}`, secret, d);
            c.feeds.push(f);
            held.set(f, null);
            folds.set(f, null);
          }
      };
      const pushAll = (): void => {
        for (const f of c.feeds) {
          const push = f.next(c.s) as Assignments__Output | null;
          const before = held.get(f)!;
          const whole = assignmentsFor(c.s, f.nodeId, secret) as Assignments__Output;
          if (push === null) {
            nulls++;
            assert.ok(before, 'the first push of a stream is never skipped');
            assert.equal(
              noSeq(before!),
              noSeq(whole),
              `${f.nodeId}: nothing pushed, yet the node's assignments changed`,
            );
            continue;
          }
          assert.is(push.delta, f.deltas && before !== null, 'deltas only where asked for, never first');
          if (push.delta) {
            deltas++;
            // A delta carries only what differs from what the agent holds.
            const had = new Map(before!.replicas.map((r) => [r.replicaId, JSON.stringify(r)]));
            for (const r of push.replicas)
              assert.is.not(had.get(r.replicaId), JSON.stringify(r), `${r.replicaId} sent unchanged`);
            for (const id of push.removedReplicas) assert.ok(had.has(id), `${id} removed but never sent`);
          }
          const now = mergeAssignments(before, push);
          assert.equal(noSeq(now), noSeq(whole), `${f.nodeId} (deltas ${f.deltas}) after seq ${c.s.seq}`);
          held.set(f, now);
          const { replicas, touched } = foldAssignments(folds.get(f)!, push);
          folds.set(f, replicas);
          assert.equal(
            [...replicas.values()].sort((x, y) => (x.replicaId < y.replicaId ? -1 : 1)),
            whole.replicas,
            'folded in place: the same replicas',
          );
          assert.is(touched === null, !push.delta, 'touched: null exactly after a whole push');
          if (touched) {
            // Every replica that is new, changed or gone since the push before is named as touched.
            const was = new Map(before!.replicas.map((r) => [r.replicaId, JSON.stringify(r)]));
            for (const r of whole.replicas)
              if (was.get(r.replicaId) !== JSON.stringify(r))
                assert.ok(touched.has(r.replicaId), `${r.replicaId} changed, not touched`);
            for (const id of was.keys()) if (!replicas.has(id)) assert.ok(touched.has(id), `${id} gone, not touched`);
          }
        }
      };
      open();
      pushAll();
      steps.forEach((st, i) => {
        c.step(st);
        if (i === Math.floor(steps.length / 2)) open();
        if (st.kind === 'push' || i % 3 === 0) pushAll();
      });
      pushAll();
    }),
    { numRuns: 300, seed: 7 },
  );
  assert.ok(deltas > 1000, `only ${deltas} deltas checked`);
  assert.ok(nulls > 100, `only ${nulls} quiet pushes checked`);
});

feed('a delta with no whole push before it is refused (the agent opens a new stream)', () => {
  const a = {
    seq: 5,
    replicas: [],
    engines: [],
    detaching: [],
    delta: true,
    removedReplicas: ['x'],
    backups: [],
    trims: [],
  } as Assignments__Output;
  assert.throws(() => mergeAssignments(null, a), /seq 5.*no whole push/);
  assert.throws(() => foldAssignments(null, a), /seq 5.*no whole push/);
  const whole: Assignments = {
    seq: 4,
    replicas: [{ replicaId: 'b' }, { replicaId: 'x' }],
    engines: [],
    detaching: [],
    delta: false,
    removedReplicas: [],
  };
  const merged = mergeAssignments(
    whole as Assignments__Output,
    { ...a, replicas: [{ replicaId: 'a' }] } as Assignments__Output,
  );
  assert.equal(
    merged.replicas.map((r) => r.replicaId),
    ['a', 'b'],
    'added, removed, sorted',
  );
  assert.is(merged.delta, false);
});

feed.run();
