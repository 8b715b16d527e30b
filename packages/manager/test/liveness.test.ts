// Node liveness's rule (liveness.ts decideLiveness), pure, on a fake clock: polls are simulated
// by calling the rule with the time and the memory the previous call left, as the shell does.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { EventDraft } from '@cairn/metadata';
import { decideLiveness, LEASE_EXPIRED } from '../src/liveness.js';
import type { LivenessInput } from '../src/liveness.js';

const t = suite('liveness');

const GRACE = 1000;
const STARTUP = 7000;

/** A leader that began at `leadingSinceMs`, polled by `poll(nowMs, alive)` with its memory kept between polls. */
function leader(nodes: { id: string; down: boolean }[], leadingSinceMs = 0, startupGraceMs = 0) {
  let missingSince: LivenessInput['missingSince'] = new Map();
  return {
    nodes,
    poll(nowMs: number, alive: string[]): EventDraft[] {
      const d = decideLiveness({
        nodes,
        alive: new Set(alive),
        missingSince,
        nowMs,
        leadingSinceMs,
        graceMs: GRACE,
        startupGraceMs,
      });
      missingSince = d.missingSince;
      // The projection applies what was appended: the next poll sees it.
      for (const e of d.events) {
        const n = nodes.find((x) => x.id === (e.nodeDown?.nodeId ?? e.nodeUp?.nodeId))!;
        n.down = Boolean(e.nodeDown);
      }
      return d.events;
    },
    get remembered(): string[] {
      return [...missingSince.keys()];
    },
  };
}

const down = (nodeId: string): EventDraft => ({ nodeDown: { nodeId, reason: LEASE_EXPIRED } });
const up = (nodeId: string): EventDraft => ({ nodeUp: { nodeId } });

t('a node whose key is missing is declared down once it has been missing for the grace, not before', () => {
  const l = leader([
    { id: 'n1', down: false },
    { id: 'n2', down: false },
  ]);
  assert.equal(l.poll(10_000, ['n1', 'n2']), []);
  assert.equal(l.poll(10_500, ['n1']), [], 'first seen missing: remembered, not down');
  assert.equal(l.remembered, ['n2']);
  assert.equal(l.poll(11_499, ['n1']), [], '999 ms missing: still within the grace');
  assert.equal(l.poll(11_500, ['n1']), [down('n2')], 'missing for the whole grace: down');
  assert.equal(l.remembered, [], 'a node declared down is not remembered as missing');
  assert.equal(l.poll(12_000, ['n1']), [], 'already down: nothing more');
});

t('a key that comes back within the grace forgets the absence; a later absence starts the grace again', () => {
  const l = leader([{ id: 'n1', down: false }]);
  assert.equal(l.poll(1000, []), []);
  assert.equal(l.poll(1800, ['n1']), [], 'back in time: no event');
  assert.equal(l.remembered, []);
  assert.equal(l.poll(2500, []), [], 'missing again: the grace starts now, not at 1000');
  assert.equal(l.poll(3400, []), []);
  assert.equal(l.poll(3500, []), [down('n1')]);
});

t('a node recorded down whose key is back is declared up, at once', () => {
  const l = leader([
    { id: 'n1', down: true },
    { id: 'n2', down: true },
  ]);
  assert.equal(l.poll(5000, ['n2']), [up('n2')]);
  assert.equal(
    l.nodes.map((n) => n.down),
    [true, false],
  );
  assert.equal(l.poll(5500, ['n2']), [], 'up once');
});

t(
  'for startupGraceMs after winning, nobody is declared down or even counted missing; after it, the grace runs from then',
  () => {
    const l = leader(
      [
        { id: 'n1', down: false },
        { id: 'n2', down: true },
      ],
      100_000,
      STARTUP,
    );
    assert.equal(l.poll(100_000, ['n2']), [up('n2')], 'a node coming back is declared up even while starting');
    assert.equal(l.poll(106_999, []), [], 'within the start-up grace: no one down');
    assert.equal(l.remembered, [], 'and no absence counted yet');
    assert.equal(l.poll(107_000, []), [], 'start-up grace over: both first seen missing now');
    assert.equal(l.remembered, ['n1', 'n2']);
    assert.equal(l.poll(107_999, []), []);
    assert.equal(l.poll(108_000, []), [down('n1'), down('n2')], 'the grace counted from the end of the start-up grace');
  },
);

t('nodes the state no longer knows are forgotten', () => {
  const l = leader([{ id: 'n1', down: false }]);
  l.poll(0, []);
  assert.equal(l.remembered, ['n1']);
  l.nodes.splice(0);
  assert.equal(l.poll(500, []), []);
  assert.equal(l.remembered, []);
});

t.run();
