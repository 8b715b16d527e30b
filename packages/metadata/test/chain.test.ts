// The log's hash chain against one real etcd member: appends chain, and a log changed behind
// cairn's back (an event rewritten with valid protobuf, an unhashed event slipped in, a snapshot
// that is not of this log) is refused by the projection and named by verifyLog, by seq.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  ChainBrokenError,
  decodeEvent,
  draft,
  encodeEvent,
  EventLog,
  followChain,
  LiveProjection,
  SCHEMA_VERSION,
  SnapshotStore,
  storedBytes,
  verifyLog,
  linkHash,
} from '../src/index.js';
import type { CairnEvent, ChainHash, EventDraft } from '../src/index.js';
import { freshPrefix, startEtcd } from './support.js';
import type { TestEtcd } from './support.js';

let etcd: TestEtcd;
const chain = suite('hash chain over the log');
chain.before(async () => {
  etcd = await startEtcd(1);
});
chain.after(async () => {
  await etcd.close();
});

const volume = (name: string, replicas = 3): EventDraft =>
  draft.volumeCreated(name, { size: 2 ** 30, numberOfReplicas: replicas });

/** A log of `n` volume creations (one per append, so they chain across Txns). */
async function logOf(n: number, prefix = freshPrefix()): Promise<EventLog> {
  const l = new EventLog(etcd.newClient(), { prefix, actor: 'test' });
  for (let i = 1; i <= n; i++) await l.append([volume(`vol-${i}`)]);
  return l;
}

/** Rewrites the stored event at `seq` as an attacker with etcd access would: decode, change, encode. */
async function rewrite(l: EventLog, seq: number, change: (ev: CairnEvent) => void): Promise<void> {
  const bytes = await l.client.get(l.keys.event(seq)).buffer();
  const ev = decodeEvent(bytes!, seq);
  change(ev);
  await l.client.put(l.keys.event(seq)).value(encodeEvent(ev)).exec();
}

async function brokenAt(p: Promise<unknown>): Promise<ChainBrokenError> {
  try {
    await p;
  } catch (e) {
    assert.instance(e, ChainBrokenError);
    return e as ChainBrokenError;
  }
  throw new Error('expected a ChainBrokenError');
}

chain('each event chains from the one before, across concurrent writers; the head holds the newest hash', async () => {
  const prefix = freshPrefix();
  const a = new EventLog(etcd.newClient(), { prefix });
  const b = new EventLog(etcd.newClient(), { prefix });
  // Two logs on one prefix: head conflicts make each build its batches again on the other's hash.
  await Promise.all(
    [a, b].map((l, w) => Promise.all(Array.from({ length: 40 }, (_, i) => l.append([volume(`w${w}-${i}`)])))),
  );
  const events = await a.read(1);
  assert.is(events.length, 80);
  let prev: ChainHash = null;
  for (const ev of events) {
    const bytes = storedBytes(ev)!;
    assert.is(ev.chainHash.length, 32, `seq ${ev.seq} carries a hash`);
    assert.ok(
      linkHash(prev, bytes.subarray(0, bytes.length - 35)).equals(ev.chainHash),
      `seq ${ev.seq} = SHA-256(seq ${ev.seq - 1}'s hash || its bytes)`,
    );
    prev = followChain(prev, ev, bytes);
  }
  const head = (await a.client.get(a.keys.head).string())!;
  assert.is(head, `80 ${prev!.toString('hex')}`);
  const r = await verifyLog(a, null, 80);
  assert.is(r.broken, null);
  assert.is(r.checked, 80);
  assert.is(r.chainFromSeq, 1);
});

chain(
  'an event rewritten with valid protobuf (another replica count): projection stops before it, verifyLog names its seq',
  async () => {
    const l = await logOf(12);
    await rewrite(l, 7, (ev) => void (ev.volumeCreated!.spec!.numberOfReplicas = 1));
    const [tampered] = await l.read(7, 7);
    assert.is(
      tampered!.volumeCreated!.spec!.numberOfReplicas,
      1,
      'the rewritten event decodes: only the chain can tell',
    );

    const e = await brokenAt(LiveProjection.open(l));
    assert.is(e.seq, 7);
    assert.match(e.message, /seq 7/);

    const p = await LiveProjection.open(l, { openDespiteError: true });
    assert.is(p.state.seq, 6, 'the state is the one before the rewritten event');
    assert.not.ok(p.state.volumes.has('vol-7'));
    assert.instance(p.error, ChainBrokenError);
    await brokenAt(p.waitFor(7));
    p.close();

    const r = await verifyLog(l, null);
    assert.equal(r.broken?.seq, 7);
    assert.is(r.checked, 6);
    assert.is(r.headSeq, 12);
  },
);

chain('a rewritten event whose own hash is recomputed is caught at the next seq, which names both', async () => {
  const l = await logOf(5);
  const bytes = (await l.client.get(l.keys.event(3)).buffer())!;
  const prev = decodeEvent((await l.client.get(l.keys.event(2)).buffer())!, 2).chainHash;
  const ev = decodeEvent(bytes, 3);
  ev.volumeCreated!.spec!.numberOfReplicas = 1;
  const body = encodeEvent({ ...ev, chainHash: undefined });
  const forged = Buffer.concat([body, Buffer.from([0xfa, 0x7f, 0x20]), linkHash(prev, body)]);
  await l.client.put(l.keys.event(3)).value(forged).exec();
  const r = await verifyLog(l, null);
  assert.equal(r.broken?.seq, 4);
  assert.match(r.broken!.detail, /seq 3 was rewritten/);
});

chain(
  'a log (and snapshot) from before the chain projects; the chain starts at the first hashed event; an unhashed event after it is a break',
  async () => {
    const l = new EventLog(etcd.newClient(), { prefix: freshPrefix(), actor: 'test' });
    // Three events as the previous cairn wrote them: no chain hash, the head a bare seq.
    const legacy = (seq: number, d: EventDraft): Buffer =>
      encodeEvent({ ...d, seq, timeMs: 1, actor: 'old', cause: '', schemaVersion: SCHEMA_VERSION });
    for (let seq = 1; seq <= 3; seq++)
      await l.client
        .put(l.keys.event(seq))
        .value(legacy(seq, volume(`old-${seq}`)))
        .exec();
    await l.client.put(l.keys.head).value('3').exec();
    // ... and a snapshot it took there (no chain hash in its manifest).
    const snaps = new SnapshotStore(l.client, { prefix: l.keys.prefix });
    const legacyProjection = await LiveProjection.open(l);
    legacyProjection.close();
    const m3 = await snaps.save(legacyProjection.state);
    assert.is(m3.chain, undefined);
    await l.append([volume('new-4')]);
    await l.append([volume('new-5')]);
    const r = await verifyLog(l, snaps);
    assert.is(r.broken, null);
    assert.is(r.chainFromSeq, 4, 'the chain starts at the first hashed event');
    assert.equal(r.snapshots, [{ seq: 3, ok: true, detail: '' }]);
    const p = await LiveProjection.open(l);
    assert.is(p.state.seq, 5);
    // An unhashed event slipped in after the chain began (the head moved with it): the live
    // projection stops before it.
    await l.client
      .put(l.keys.event(6))
      .value(legacy(6, volume('forged-6')))
      .exec();
    await l.client.put(l.keys.head).value('6').exec();
    const e = await brokenAt(p.waitFor(6));
    assert.is(e.seq, 6);
    assert.match(e.detail, /no chain hash/);
    assert.not.ok(p.state.volumes.has('forged-6'));
    p.close();
    assert.equal((await verifyLog(l, null)).broken?.seq, 6);
  },
);

chain(
  'snapshots record the chain hash at their seq; one that is not of this log is skipped; verifyLog checks them all',
  async () => {
    const prefix = freshPrefix();
    const l = await logOf(10, prefix);
    const snaps = new SnapshotStore(l.client, { prefix, keep: 5 });
    const p = await LiveProjection.open(l, { snapshots: snaps, snapshotEvery: 4 });
    await l.append([volume('vol-11')]);
    await l.append([volume('vol-12')]);
    await p.waitFor(12);
    p.close();
    let listed = await snaps.list();
    for (let i = 0; i < 100 && !listed.some((m) => m.seq === 12); i++) {
      await new Promise((r) => setTimeout(r, 20));
      listed = await snaps.list();
    }
    const m12 = listed.find((m) => m.seq === 12);
    assert.ok(m12, 'a snapshot at seq 12');
    const [ev12] = await l.read(12, 12);
    assert.is(m12!.chain, ev12!.chainHash.toString('hex'), "the manifest names the log's chain hash at its seq");

    let r = await verifyLog(l, snaps);
    assert.ok(r.snapshots.length >= 1);
    assert.equal(
      r.snapshots.filter((c) => !c.ok),
      [],
      'every snapshot checks out',
    );
    const at12 = (x: typeof r) => x.snapshots.find((c) => c.seq === 12)!;

    // A manifest whose chain hash is not the log's: a projection replays from seq 1 instead.
    await l.client
      .put(snaps.keys.snapshotManifest(12))
      .value(JSON.stringify({ ...m12, chain: '00'.repeat(32) }))
      .exec();
    const warnings: string[] = [];
    const q = await LiveProjection.open(l, { snapshots: snaps, onWarning: (w) => warnings.push(w) });
    assert.is(q.startedFromSeq, 0);
    assert.is(q.state.seq, 12);
    assert.match(warnings.join('\n'), /snapshot at seq 12 skipped, replaying from seq 1: its chain hash/);
    q.close();
    r = await verifyLog(l, snaps);
    assert.is(at12(r).ok, false);
    assert.match(at12(r).detail, /chain hash 0000/);

    // A snapshot whose state was rewritten along with its manifest's state hash.
    const state = await snaps.read(m12!);
    state.volumes.get('vol-3')!.spec.numberOfReplicas = 1;
    await snaps.save(state, Buffer.from(m12!.chain!, 'hex'));
    r = await verifyLog(l, snaps);
    assert.is(at12(r).ok, false);
    assert.match(at12(r).detail, /state hash .* is not the replay's/);
    assert.is(r.broken, null, 'the log itself is intact');
  },
);

chain.run();
