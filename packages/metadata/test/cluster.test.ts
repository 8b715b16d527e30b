// The event log on a 3-member etcd cluster, with members killed under it.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { EventLog } from '../src/index.js';
import type { CairnEvent } from '../src/index.js';
import { subscribeLog } from '../src/subscribe.js';
import { freshPrefix, startEtcd, until } from './support.js';
import type { TestEtcd } from './support.js';

let etcd: TestEtcd;
const cluster = suite('event log on a 3-member etcd');
// Every test starts with all three members up, whatever the one before it killed.
cluster.before.each(async () => {
  for (let i = 0; i < 3; i++) await etcd?.cluster.restart(i);
});
cluster.before(async () => {
  etcd = await startEtcd(3);
});
cluster.after(async () => {
  await etcd.close();
});

cluster('kill -9 the etcd leader during a stream of appends: every acknowledged event once, no gaps', async () => {
  const l = new EventLog(etcd.newClient(), { prefix: freshPrefix() });
  const acked = new Map<string, number>();
  let failures = 0;
  let stop = false;
  const writers = Array.from({ length: 8 }, (_, w) =>
    (async () => {
      for (let i = 0; !stop; i++) {
        const cause = `w${w}-${i}`;
        try {
          const r = await l.append([{ cause, nodeUp: { nodeId: cause } }]);
          acked.set(cause, r.firstSeq);
        } catch {
          failures++; // refused as Unavailable: the caller was told, so it may or may not be stored
        }
      }
    })(),
  );
  let beforeKill = 0;
  let leader: number;
  try {
    await until('100 appends acknowledged before the kill', () => acked.size >= 100);
    leader = await etcd.cluster.leaderIndex();
    beforeKill = acked.size;
    await etcd.cluster.kill(leader);
    // Appends go on once the two survivors elect a leader (and the client gives up the dead one).
    await until(
      `300 more appends acknowledged after the leader died (${beforeKill} before)`,
      () => acked.size >= beforeKill + 300,
      60_000,
    );
  } finally {
    stop = true;
    await Promise.all(writers);
  }

  const all = await l.read(1);
  all.forEach((e, i) => assert.is(e.seq, i + 1, 'no gap'));
  const count = new Map<string, number>();
  for (const e of all) count.set(e.cause, (count.get(e.cause) ?? 0) + 1);
  for (const [cause, seq] of acked) {
    assert.is(count.get(cause), 1, `acknowledged ${cause} stored exactly once`);
    assert.is(all[seq - 1]!.cause, cause, `${cause} at the seq it was acknowledged with`);
  }
  for (const [cause, n] of count) assert.is(n, 1, `${cause} never duplicated`);
  console.log(`    ${acked.size} acknowledged, ${failures} refused, leader ${leader} killed`);
});

cluster('kill -9 a member during a subscriber catch-up of 5,000 events: all 5,000 arrive once each', async () => {
  const l = new EventLog(etcd.newClient(), { prefix: freshPrefix() });
  for (let i = 0; i < 50; i++)
    await l.append(Array.from({ length: 100 }, (_, j) => ({ cause: `e${i * 100 + j}`, nodeUp: { nodeId: 'n' } })));
  const client = etcd.newClient();
  const seen: CairnEvent[] = [];
  let killed = -1;
  let seenAtKill = -1;
  await new Promise<void>((resolve, reject) => {
    const sub = subscribeLog(client, l.keys, 1, 50).subscribe({
      next: (e) => {
        seen.push(e);
        if (seen.length === 50) {
          // Kill the leader mid catch-up (after the first page): the range reads and the watch
          // must move to the others. How far the catch-up was when the member was dead is recorded.
          void etcd.cluster
            .leaderIndex()
            .then(async (i) => {
              killed = i;
              await etcd.cluster.kill(i);
              seenAtKill = seen.length;
            })
            .catch(reject);
        }
        if (seen.length === 5000) {
          sub.unsubscribe();
          resolve();
        }
      },
      error: reject,
    });
  });
  assert.ok(killed >= 0, 'a member was killed');
  await until('the kill to complete', () => seenAtKill >= 0, 10_000);
  assert.ok(
    seenAtKill > 0 && seenAtKill < 5000,
    `the kill landed mid catch-up: ${seenAtKill} of 5000 events delivered when the member was dead`,
  );
  assert.is(seen.length, 5000);
  console.log(`    member ${killed} dead with ${seenAtKill} of 5000 delivered`);
  seen.forEach((e, i) => {
    assert.is(e.seq, i + 1);
    assert.is(e.cause, `e${i}`);
  });
});

cluster.run();
