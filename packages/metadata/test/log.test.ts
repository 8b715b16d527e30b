// EventLog, subscribe, snapshots and election against one real etcd member.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { firstValueFrom, take, toArray } from 'rxjs';
import {
  ConflictError,
  CorruptError,
  draft,
  emptyState,
  EventLog,
  FencedError,
  Keys,
  LeaderElection,
  LiveProjection,
  replay,
  SnapshotStore,
  stateHash,
  storedBytes,
  TooLargeError,
} from '../src/index.js';
import type { CairnEvent, EventDraft, Fence } from '../src/index.js';
import { subscribeLog } from '../src/subscribe.js';
import { freshPrefix, sleep, startEtcd, until } from './support.js';
import type { TestEtcd } from './support.js';

let etcd: TestEtcd;
const note = (cause: string): EventDraft => ({ cause, nodeUp: { nodeId: cause } });

const log = suite('event log on etcd');
log.before(async () => {
  etcd = await startEtcd(1);
});
log.after(async () => {
  await etcd.close();
});

function assertContiguous(events: CairnEvent[]): void {
  events.forEach((e, i) => assert.is(e.seq, i + 1, `seq ${i + 1} present once, in order`));
}

log('20 concurrent appenders: every event once, in order, without gaps, group-committed', async () => {
  const l = new EventLog(etcd.client, { prefix: freshPrefix(), actor: 'test' });
  const startRev = Number((await etcd.client.get('x').exec()).header.revision);
  const appenders = Array.from({ length: 20 }, (_, a) =>
    (async () => {
      const seqs: number[] = [];
      for (let i = 0; i < 25; i++) {
        const r = await l.append([note(`a${a}-${i}`)]);
        seqs.push(r.firstSeq);
      }
      return seqs;
    })(),
  );
  const acked = await Promise.all(appenders);
  const all = await l.read(1);
  assert.is(all.length, 500);
  assertContiguous(all);
  const causes = all.map((e) => e.cause);
  assert.is(new Set(causes).size, 500, 'no event twice');
  for (let a = 0; a < 20; a++) {
    const mine = all.filter((e) => e.cause.startsWith(`a${a}-`)).map((e) => Number(e.cause.split('-')[1]));
    assert.equal(mine, [...Array(25).keys()], `appender ${a}'s events in its own order`);
    assert.equal(
      acked[a],
      all.filter((e) => e.cause.startsWith(`a${a}-`)).map((e) => e.seq),
      'acknowledged seqs are the stored ones',
    );
  }
  const endRev = Number((await etcd.client.get('x').exec()).header.revision);
  assert.ok(endRev - startRev < 500, `group commit: ${endRev - startRev} Txns for 500 appends`);
  assert.is(await l.headSeq(), 500);
});

log('two writers on one log: head conflicts are retried; expectedSeq conflicts are refused', async () => {
  const prefix = freshPrefix();
  const a = new EventLog(etcd.newClient(), { prefix });
  const b = new EventLog(etcd.newClient(), { prefix });
  await Promise.all([
    ...Array.from({ length: 30 }, (_, i) => a.append([note(`a${i}`)])),
    ...Array.from({ length: 30 }, (_, i) => b.append([note(`b${i}`)])),
  ]);
  const all = await a.read(1);
  assert.is(all.length, 60);
  assertContiguous(all);
  assert.is(new Set(all.map((e) => e.cause)).size, 60);

  const ok = await a.append([note('expected-60')], { expectedSeq: 60 });
  assert.is(ok.firstSeq, 61);
  try {
    await b.append([note('stale')], { expectedSeq: 60 });
    assert.unreachable('a stale expectedSeq must conflict');
  } catch (e) {
    assert.instance(e, ConflictError);
    assert.is((e as ConflictError).actualSeq, 61);
  }
  const after = await a.read(1);
  assert.is(after.length, 61, 'a refused append stores nothing');
  assert.not.ok(after.some((e) => e.cause === 'stale'));
});

log(
  'appends larger than one Txn are refused whole; many small ones are split into Txns within the limits',
  async () => {
    const l = new EventLog(etcd.client, { prefix: freshPrefix() });
    try {
      await l.append(Array.from({ length: 200 }, (_, i) => note(`big${i}`)));
      assert.unreachable();
    } catch (e) {
      assert.instance(e, TooLargeError);
      assert.match((e as Error).message, /200 events, at most 127/);
    }
    assert.is(await l.headSeq(), 0, 'nothing stored');

    await Promise.all(Array.from({ length: 300 }, (_, i) => l.append([note(`s${i}`)])));
    const res = await etcd.client.getAll().prefix(l.keys.log).exec();
    const perTxn = new Map<string, number>();
    for (const kv of res.kvs) perTxn.set(String(kv.mod_revision), (perTxn.get(String(kv.mod_revision)) ?? 0) + 1);
    assert.is(res.kvs.length, 300);
    assert.ok(Math.max(...perTxn.values()) <= 127, 'no Txn over 127 events + the head');
    assert.ok(perTxn.size < 300 && perTxn.size >= 3, `300 appends in ${perTxn.size} Txns`);

    // Byte limit: 24 events of 200 KiB cannot share one 1.5 MiB request.
    const big = 'x'.repeat(200 * 1024);
    await Promise.all(
      Array.from({ length: 24 }, (_, i) => l.append([{ cause: `b${i}`, nodeDown: { nodeId: 'n', reason: big } }])),
    );
    const bigRes = await etcd.client.kv.range({
      key: Buffer.from(l.keys.event(301)),
      range_end: Buffer.from(l.keys.event(1e15)),
      keys_only: true,
    });
    const bigPerTxn = new Map<string, number>();
    for (const kv of bigRes.kvs)
      bigPerTxn.set(String(kv.mod_revision), (bigPerTxn.get(String(kv.mod_revision)) ?? 0) + 1);
    assert.is(bigRes.kvs.length, 24);
    assert.ok(
      Math.max(...bigPerTxn.values()) * 200 * 1024 < 1.5 * 1024 * 1024,
      `every Txn under 1.5 MiB: ${[...bigPerTxn.values()]} events per Txn`,
    );
    assert.is(await l.headSeq(), 324);
  },
);

log('subscribe follows the log live, from any seq, once each', async () => {
  const l = new EventLog(etcd.client, { prefix: freshPrefix() });
  await l.append([note('e1'), note('e2'), note('e3')]);
  const got = firstValueFrom(l.subscribe(2).pipe(take(6), toArray()));
  for (let i = 4; i <= 7; i++) await l.append([note(`e${i}`)]);
  const events = await got;
  assert.equal(
    events.map((e) => e.seq),
    [2, 3, 4, 5, 6, 7],
  );
  assert.equal(
    events.map((e) => e.cause),
    ['e2', 'e3', 'e4', 'e5', 'e6', 'e7'],
  );
});

log('compaction while a subscriber catches up and follows: nothing lost, nothing twice', async () => {
  const l = new EventLog(etcd.client, { prefix: freshPrefix() });
  for (let i = 0; i < 20; i++) await l.append(Array.from({ length: 100 }, (_, j) => note(`c${i * 100 + j}`)));
  let compacting = true;
  let compactions = 0;
  const compactor = (async () => {
    while (compacting) {
      const rev = (await etcd.client.put(`${l.keys.prefix}bump`).value(String(compactions)).exec()).header.revision;
      await etcd.client.kv.compact({ revision: rev, physical: true }).catch(() => undefined);
      compactions++;
      await sleep(2);
    }
  })();
  // Small pages pinned to a revision: compaction lands between pages and forces resumes by seq.
  const seen: number[] = [];
  const done = new Promise<void>((resolve, reject) => {
    const sub = subscribeLog(etcd.client, l.keys, 1, 25).subscribe({
      next: (e) => {
        seen.push(e.seq);
        if (seen.length === 2100) {
          sub.unsubscribe();
          resolve();
        }
      },
      error: reject,
    });
  });
  // The catch-up is done (all 2,000 delivered): the next 100 are followed live.
  await until('the subscriber to catch up on the first 2,000 events', () => seen.length >= 2000);
  for (let i = 0; i < 100; i++) await l.append([note(`live${i}`)]);
  await done;
  compacting = false;
  await compactor;
  assert.ok(compactions > 5, `compacted ${compactions} times during the subscription`);
  assert.equal(
    seen,
    Array.from({ length: 2100 }, (_, i) => i + 1),
  );
});

log('a corrupt event stops subscribers and projection with an error naming its seq', async () => {
  const l = new EventLog(etcd.client, { prefix: freshPrefix() });
  await l.append([note('ok1'), note('ok2')]);
  await etcd.client
    .put(l.keys.event(3))
    .value(Buffer.from([0xde, 0xad, 0xbe, 0xef]))
    .exec();
  await etcd.client.put(l.keys.head).value('3').exec();
  const received: number[] = [];
  const err = await new Promise<unknown>((resolve) => {
    l.subscribe(1).subscribe({ next: (e) => received.push(e.seq), error: resolve });
  });
  assert.equal(received, [1, 2], 'events before the bad one are delivered');
  assert.instance(err, CorruptError);
  assert.is((err as CorruptError).seq, 3);
  try {
    await LiveProjection.open(l);
    assert.unreachable();
  } catch (e) {
    assert.instance(e, CorruptError);
    assert.match((e as Error).message, /seq 3/);
  }
});

log('snapshot + tail gives the same state as a full replay', async () => {
  const prefix = freshPrefix();
  const l = new EventLog(etcd.client, { prefix });
  const snapshots = new SnapshotStore(etcd.client, { prefix });
  const live = await LiveProjection.open(l, { snapshots, snapshotEvery: 100 });
  await l.append([
    draft.nodeRegistered('node-1', { zone: 'a' }),
    draft.diskAdded('node-1', 'd1', { maximum: 1 << 30 }),
  ]);
  for (let i = 0; i < 26; i++) {
    await l.append(
      Array.from({ length: 10 }, (_, j) => draft.volumeCreated(`v${i}-${j}`, { size: (i + j + 1) << 20 })),
    );
  }
  await live.waitFor(262);
  // The snapshot due at 200 is taken at 200, or (if the one at 100 was still being written) right
  // after, of the newer state.
  for (let i = 0; i < 200 && !(await snapshots.list()).some((m) => m.seq >= 200); i++) await sleep(50);
  const manifests = await snapshots.list();
  const newest = Math.max(...manifests.map((m) => m.seq));
  assert.ok(newest >= 200 && newest <= 262, `snapshots at ${manifests.map((m) => m.seq)}`);
  await l.append([{ volumeDeleted: { name: 'v3-3' } }, draft.settingsChanged({ 'default-replica-count': '2' })]);

  const restarted = await LiveProjection.open(l, { snapshots });
  assert.is(restarted.startedFromSeq, newest, 'started from the newest snapshot, not seq 0');
  assert.is(restarted.state.seq, 264);
  const full = replay(emptyState(), await l.read(1));
  assert.is(stateHash(restarted.state), stateHash(full));
  await live.waitFor(264);
  assert.is(stateHash(live.state), stateHash(full), 'the live projection agrees too');
  live.close();
  restarted.close();
});

log(
  'projection.events(): followers from any seq get every event once, in order, across the catch-up and live, with its stored bytes',
  async () => {
    const prefix = freshPrefix();
    const l = new EventLog(etcd.client, { prefix, actor: 'test' });
    for (let i = 0; i < 12; i++) await l.append(Array.from({ length: 100 }, (_, j) => note(`before-${i}-${j}`)));
    const live = await LiveProjection.open(l);
    // Followers subscribe while appends keep coming: one from the start (1,200 events to catch up
    // in pages), one from the middle, one from the head, one from a seq not yet written.
    const total = 2000;
    const froms = [1, 700, 1201, 1500];
    const got = froms.map((from) => firstValueFrom(live.events(from).pipe(take(total - from + 1), toArray())));
    const appending = (async () => {
      for (let i = 0; i < 40; i++) await l.append(Array.from({ length: 20 }, (_, j) => note(`after-${i}-${j}`)));
    })();
    // One more follower subscribes in the middle of the appends.
    await sleep(20);
    const midFrom = live.state.seq - 50;
    const mid = firstValueFrom(live.events(midFrom).pipe(take(total - midFrom + 1), toArray()));
    await appending;
    const lists = await Promise.all([...got, mid]);
    [...froms, midFrom].forEach((from, k) => {
      const seqs = lists[k]!.map((e) => e.seq);
      assert.is(seqs.length, total - from + 1, `follower from ${from}: count`);
      seqs.forEach((seq, i) => assert.is(seq, from + i, `follower from ${from}: seq ${from + i} once, in order`));
    });
    // Each event carries the bytes the log stores for it.
    const all = lists[0]!;
    const kvs = await etcd.client.getAll().prefix(new Keys(prefix).log).buffers();
    const byKey = new Map(Object.entries(kvs));
    for (const ev of [all[0]!, all[1199]!, all[1200]!, all[1999]!]) {
      const stored = byKey.get(new Keys(prefix).event(ev.seq));
      assert.ok(stored, `key of seq ${ev.seq}`);
      assert.ok(Buffer.from(storedBytes(ev)!).equals(stored), `stored bytes of seq ${ev.seq}`);
    }
    assert.is(storedBytes({ ...all[0]! }), undefined, 'an event not decoded from the log has none');
    live.close();
  },
);

log(
  'projection.events(): completes when the projection is closed, errors when it stops on a corrupt event',
  async () => {
    const prefix = freshPrefix();
    const l = new EventLog(etcd.client, { prefix });
    await l.append([note('one')]);
    const closing = await LiveProjection.open(l);
    const seen = firstValueFrom(closing.events(1).pipe(toArray()));
    await sleep(50);
    closing.close();
    assert.equal(
      (await seen).map((e) => e.seq),
      [1],
      'the follower got the event, then completed',
    );

    const live = await LiveProjection.open(l);
    const before = firstValueFrom(live.events(1).pipe(toArray())).then(
      () => null,
      (e: unknown) => e,
    );
    await etcd.client.put(new Keys(prefix).event(2)).value(Buffer.from('not an event'));
    const e1 = await before;
    assert.instance(e1, CorruptError, 'a follower sees the error that stopped the projection');
    assert.match((e1 as Error).message, /seq 2/);
    const e2 = await firstValueFrom(live.events(1).pipe(toArray())).then(
      () => null,
      (e: unknown) => e,
    );
    assert.instance(e2, CorruptError, 'and so does one that comes later');
    live.close();
  },
);

log('a deposed leader cannot append; the new leader can', async () => {
  const prefix = freshPrefix();
  const l = new EventLog(etcd.client, { prefix });
  const a = new LeaderElection(etcd.newClient(), { prefix, id: 'manager-a', ttlSeconds: 2 });
  const b = new LeaderElection(etcd.newClient(), { prefix, id: 'manager-b', ttlSeconds: 2 });
  const fenceA = await a.campaign();
  await l.append([note('decided-by-a')], { fence: fenceA });
  const bElected = b.campaign();
  assert.is((await b.leader())!.id, 'manager-a');

  // A's lease expires (revoked from outside, as if A had frozen): A learns it, B takes over.
  const lostA = new Promise<Fence | null>((resolve) => a.fence$.subscribe((f) => f === null && resolve(f)));
  const kv = (await etcd.client.get(fenceA.key).exec()).kvs[0]!;
  await etcd.client.leaseClient.leaseRevoke({ ID: kv.lease });
  const fenceB = await bElected;
  assert.is((await b.leader())!.id, 'manager-b');
  assert.is(await lostA, null);
  assert.is(a.fence(), null);

  try {
    await l.append([note('decided-by-deposed-a')], { fence: fenceA });
    assert.unreachable('a deposed leader must be fenced');
  } catch (e) {
    assert.instance(e, FencedError);
  }
  await l.append([note('decided-by-b')], { fence: fenceB });
  assert.equal(
    (await l.read(1)).map((e) => e.cause),
    ['decided-by-a', 'decided-by-b'],
  );
  await b.resign();
  assert.is(await b.leader(), null);
});

log('a leader stops deciding once its lease cannot be renewed', async () => {
  const prefix = freshPrefix();
  let now = Date.now();
  const e = new LeaderElection(etcd.newClient(), { prefix, id: 'm', ttlSeconds: 2, clock: () => now });
  await e.campaign();
  assert.ok(e.fence());
  // Keepalives stop succeeding (the clock runs past 80% of the TTL without one).
  now += 1700;
  await until(
    'the leader to drop its fence once the clock is past 80% of the TTL with no keepalive',
    () => e.fence() === null,
  );
  assert.is(e.fence(), null);
});

log.run();
