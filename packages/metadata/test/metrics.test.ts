// EventLog's observer seam for the manager's metrics (onAppended), against a real etcd member:
// each acknowledged append is told once, with its event count and its duration on the injected
// monotonic clock (from the call to the acknowledgement, queueing included); a refused append is
// not told; an observer that throws costs the append nothing.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ConflictError, EventLog } from '../src/index.js';
import type { EventDraft } from '../src/index.js';
import { freshPrefix, startEtcd } from './support.js';
import type { TestEtcd } from './support.js';

let etcd: TestEtcd;
const note = (cause: string): EventDraft => ({ cause, nodeUp: { nodeId: cause } });
const t = suite('event log: onAppended');
t.before(async () => {
  etcd = await startEtcd(1);
});
t.after(async () => {
  await etcd.close();
});

t('every acknowledged append is told once: its events and its duration on the injected clock', async () => {
  const told: [number, number][] = [];
  let now = 1000;
  const l = new EventLog(etcd.client, {
    prefix: freshPrefix(),
    onAppended: (s, n) => told.push([s, n]),
    monotonic: () => (now += 250),
  });
  await l.append([note('a')]);
  await Promise.all([l.append([note('b'), note('c')]), l.append([note('d')]), l.append([note('e')])]);
  assert.is(told.length, 4);
  assert.equal(told.map(([, n]) => n).sort(), [1, 1, 1, 2]);
  // The first: one clock read at the call, one at the acknowledgement.
  assert.equal(told[0], [0.25, 1]);
  assert.ok(
    told.every(([s]) => s > 0),
    told.join(' '),
  );
  await l.append([note('f')], { expectedSeq: 0 }).then(
    () => assert.unreachable('a stale expectedSeq is refused'),
    (e: unknown) => assert.instance(e, ConflictError),
  );
  assert.is(told.length, 4, 'a refused append is not told');
  l.close();
});

t('an observer that throws costs the append nothing', async () => {
  const l = new EventLog(etcd.client, {
    prefix: freshPrefix(),
    onAppended: () => {
      throw new Error('observer broke');
    },
  });
  const r = await l.append([note('a')]);
  assert.is(r.lastSeq, 1);
  assert.is((await l.append([note('b')])).lastSeq, 2);
  l.close();
});

t.run();
