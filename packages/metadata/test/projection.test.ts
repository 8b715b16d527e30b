// The pure core: reducer, canonical hash, codec errors, settings. No etcd here.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createHash } from 'node:crypto';
import protobuf from 'protobufjs';
import {
  applyEvent,
  canonicalJson,
  canonicalJsonParts,
  cloneState,
  CorruptError,
  decodeEvent,
  draft,
  emptyState,
  encodeEvent,
  fromCanonicalJson,
  InvalidSettingError,
  overlayState,
  parseSetting,
  PROTO_DIR,
  replay,
  SCHEMA_VERSION,
  stateHash,
  toCanonical,
  UnknownEventTypeError,
  volumeRobustness,
} from '../src/index.js';
import type { CairnEvent, ClusterState, DiskLoad, EventDraft } from '../src/index.js';

let seq = 0;
function ev(d: EventDraft, timeMs = 1000): CairnEvent {
  const s = ++seq;
  return decodeEvent(encodeEvent({ ...d, seq: s, timeMs, actor: 'test', cause: '', schemaVersion: SCHEMA_VERSION }), s);
}
function log(): CairnEvent[] {
  seq = 0;
  return [
    ev(draft.nodeRegistered('node-1', { zone: 'zone-a', tags: ['ssd'] })),
    ev(draft.nodeRegistered('node-2', { zone: 'zone-b' })),
    ev(draft.diskAdded('node-1', 'disk-1', { maximum: 100 << 20, tags: ['fast'] })),
    ev(draft.diskAdded('node-2', 'disk-1', { maximum: 100 << 20 })),
    ev(draft.volumeCreated('vol-a', { size: 10 << 20, numberOfReplicas: 2, dataLocality: 'best-effort' })),
    ev({
      replicaScheduled: { replicaId: 'vol-a-r1', volume: 'vol-a', nodeId: 'node-1', diskId: 'disk-1', trigger: 'new' },
    }),
    ev({
      replicaScheduled: { replicaId: 'vol-a-r2', volume: 'vol-a', nodeId: 'node-2', diskId: 'disk-1', trigger: 'new' },
    }),
    ev({ replicaRunning: { replicaId: 'vol-a-r1', address: '127.0.0.1:1' } }),
    ev({ replicaRunning: { replicaId: 'vol-a-r2', address: '127.0.0.1:2' } }),
    ev({ replicaFailed: { replicaId: 'vol-a-r2', reason: 'connection reset' } }, 5000),
    ev(draft.settingsChanged({ 'replica-replenishment-wait-interval': '60' })),
    ev({ snapshotCreated: { volume: 'vol-a', name: 'snap-1', size: 10 << 20 } }),
    ev({ volumeExpanded: { name: 'vol-a', size: 20 << 20 } }),
  ];
}

const reducer = suite('projection');

reducer('builds nodes, disks, volumes, replicas, settings and snapshots from events', () => {
  const s = replay(emptyState(), log());
  assert.is(s.seq, 13);
  assert.equal(s.nodes.get('node-1')!.tags, ['ssd']);
  assert.is(s.nodes.get('node-1')!.disks.get('disk-1')!.storageMaximum, 100 << 20);
  const v = s.volumes.get('vol-a')!;
  assert.is(v.spec.dataLocality, 'best-effort');
  assert.is(v.spec.size, 20 << 20);
  assert.is(s.replicas.get('vol-a-r1')!.size, 20 << 20, 'expansion resizes the replicas');
  assert.is(s.replicas.get('vol-a-r2')!.mode, 'failed');
  assert.is(s.replicas.get('vol-a-r2')!.failedAtMs, 5000, 'failure time is the event time, not a clock');
  assert.is(s.settings['replica-replenishment-wait-interval'], 60);
  assert.ok(v.snapshots.has('snap-1'));
  assert.is(volumeRobustness(s, v), 'degraded');
});

reducer('same events give the same hash; any difference changes it', () => {
  const a = stateHash(replay(emptyState(), log()));
  const b = stateHash(replay(emptyState(), log()));
  assert.is(a, b);
  const events = log();
  const s = replay(emptyState(), events.slice(0, -1));
  assert.is.not(stateHash(s), a);
});

reducer('canonical JSON round-trips to an equal state and hash', () => {
  const s = replay(emptyState(), log());
  const back = fromCanonicalJson(canonicalJson(s), s.seq);
  assert.is(stateHash(back), stateHash(s));
  assert.equal([...back.replicasByVolume.get('vol-a')!].sort(), ['vol-a-r1', 'vol-a-r2']);
  // Written in pieces (what a snapshot does, a slice at a time), the bytes are those of one stringify.
  const parts = [...canonicalJsonParts(s)];
  assert.ok(parts.length > 8, `${parts.length} pieces`);
  assert.is(parts.join(''), JSON.stringify(toCanonical(s)));
  assert.is([...canonicalJsonParts(emptyState())].join(''), canonicalJson(emptyState()), 'empty lists too');
  // And the hash, taken over the pieces, is the hash of the one string.
  assert.is(stateHash(s), createHash('sha256').update(canonicalJson(s)).digest('hex'));
  const copy = cloneState(s);
  applyEvent(copy, { ...ev({ volumeDeleted: { name: 'vol-a' } }), seq: 14 });
  assert.is(s.volumes.has('vol-a'), true, 'a clone is independent of the original');
  assert.is(copy.volumes.has('vol-a'), false);
  assert.is(copy.replicas.size, 0, 'deleting a volume removes its replicas');
});

reducer('a clone shares nothing the reducer changes in place', () => {
  const s = replay(emptyState(), log());
  s.volumes.get('vol-a')!.dataSource = { uri: 'snap://src/s1', volume: 'src', snapshot: 's1', copied: false };
  const before = canonicalJson(s);
  const copy = cloneState(s);
  assert.is(canonicalJson(copy), before, 'the copy is equal');
  // One event of every kind the reducer applies by mutating an existing object.
  seq = s.seq;
  for (const d of [
    draft.nodeRegistered('node-1', { zone: 'zone-z', address: '10.0.0.9:1' }),
    { nodeDown: { nodeId: 'node-2', reason: 'lease expired' } },
    {
      diskUpdated: {
        nodeId: 'node-1',
        diskId: 'disk-1',
        tags: ['slow'],
        allowScheduling: false,
        evictionRequested: true,
        storageMaximum: 1,
        storageAvailable: 1,
        storageReserved: 1,
      },
    },
    { volumeExpanded: { name: 'vol-a', size: 40 << 20 } },
    { volumeAttachRequested: { name: 'vol-a', nodeId: 'node-1' } },
    { snapshotCreated: { volume: 'vol-a', name: 'snap-2', size: 1 } },
    { snapshotDeleted: { volume: 'vol-a', name: 'snap-1' } },
    { volumeDataSourceCopied: { name: 'vol-a', nodeId: 'node-1' } },
    { replicaRebuilding: { replicaId: 'vol-a-r2', fromReplicaId: 'vol-a-r1' } },
    { replicaRunning: { replicaId: 'vol-a-r1', address: '127.0.0.1:9' } },
    draft.settingsChanged({ 'replica-replenishment-wait-interval': '5' }),
    { replicaRemoved: { replicaId: 'vol-a-r2', reason: 'OverCount' } },
  ] as EventDraft[])
    applyEvent(copy, ev(d));
  assert.is(copy.seq, s.seq + 12);
  assert.is(canonicalJson(s), before, 'the original is untouched');
  assert.is.not(canonicalJson(copy), before);
});

/** diskLoad as a plain object (sorted keys), and the same figures summed from the replicas. */
const loadOf = (s: ClusterState): Record<string, DiskLoad> =>
  Object.fromEntries(
    [...s.diskLoad]
      .flatMap(([node, disks]) => [...disks].map(([disk, l]): [string, DiskLoad] => [`${node}/${disk}`, { ...l }]))
      .sort(([a], [b]) => (a < b ? -1 : 1)),
  );
function recomputedLoad(s: ClusterState): Record<string, DiskLoad> {
  const m = new Map<string, DiskLoad>();
  for (const r of s.replicas.values()) {
    const k = `${r.nodeId}/${r.diskId}`;
    const l = m.get(k) ?? { bytes: 0, rebuilding: 0 };
    l.bytes += r.size;
    if (r.mode === 'rebuilding') l.rebuilding++;
    m.set(k, l);
  }
  return Object.fromEntries(
    [...m].filter(([, l]) => l.bytes !== 0 || l.rebuilding !== 0).sort(([a], [b]) => (a < b ? -1 : 1)),
  );
}

reducer('an overlay changes like a clone and leaves its base as it was, whatever events it takes', () => {
  const base = replay(emptyState(), log());
  base.volumes.get('vol-a')!.dataSource = { uri: 'snap://src/s1', volume: 'src', snapshot: 's1', copied: false };
  const before = canonicalJson(base);
  const baseLoad = loadOf(base);
  assert.ok(Object.keys(baseLoad).length > 0, 'the base has replicas on disks');
  // Every kind of event, on things that exist, that are new, and that were just removed.
  const pool: EventDraft[] = [
    draft.nodeRegistered('node-1', { zone: 'zone-z', address: '10.0.0.9:1' }),
    draft.nodeRegistered('node-3', { zone: 'zone-c' }),
    { nodeDown: { nodeId: 'node-2', reason: 'lease expired' } },
    { nodeUp: { nodeId: 'node-2' } },
    { nodeUpdated: { nodeId: 'node-1', allowScheduling: false, evictionRequested: true, tags: ['x'], cordoned: true } },
    draft.diskAdded('node-1', 'disk-2', { maximum: 1 << 30 }),
    { diskRemoved: { nodeId: 'node-1', diskId: 'disk-1' } },
    {
      diskUpdated: {
        nodeId: 'node-2',
        diskId: 'disk-1',
        tags: ['slow'],
        allowScheduling: false,
        evictionRequested: true,
        storageMaximum: 1,
        storageAvailable: 1,
        storageReserved: 1,
      },
    },
    draft.volumeCreated('vol-b', { size: 1 << 20 }),
    { volumeDeleted: { name: 'vol-a' } },
    { volumeDeleted: { name: 'vol-b' } },
    { volumeExpanded: { name: 'vol-a', size: 40 << 20 } },
    { volumeAttachRequested: { name: 'vol-a', nodeId: 'node-1' } },
    { volumeAttached: { name: 'vol-a', nodeId: 'node-1', endpoint: 'nbd://x' } },
    { volumeDetachRequested: { name: 'vol-a' } },
    { snapshotCreated: { volume: 'vol-a', name: 'snap-2', size: 1 } },
    { snapshotDeleted: { volume: 'vol-a', name: 'snap-1' } },
    { volumeDataSourceCopied: { name: 'vol-a', nodeId: 'node-1' } },
    {
      replicaScheduled: { replicaId: 'vol-b-r1', volume: 'vol-b', nodeId: 'node-2', diskId: 'disk-1', trigger: 'new' },
    },
    {
      replicaScheduled: { replicaId: 'vol-a-r3', volume: 'vol-a', nodeId: 'node-2', diskId: 'disk-1', trigger: 'new' },
    },
    { replicaRunning: { replicaId: 'vol-a-r3', address: '127.0.0.1:3' } },
    { replicaFailed: { replicaId: 'vol-a-r1', reason: 'x' } },
    { replicaRebuilding: { replicaId: 'vol-a-r2', fromReplicaId: 'vol-a-r1' } },
    { replicaRebuilt: { replicaId: 'vol-a-r2' } },
    { replicaRemoved: { replicaId: 'vol-a-r1', reason: 'OverCount' } },
    { replicaRemoved: { replicaId: 'vol-b-r1', reason: 'OverCount' } },
    draft.settingsChanged({ 'replica-replenishment-wait-interval': '5' }),
  ];
  let rnd = 12345;
  const next = (n: number): number => (rnd = (rnd * 1103515245 + 12345) % 2 ** 31) % n;
  for (let run = 0; run < 300; run++) {
    const over = overlayState(base);
    const copy = cloneState(base);
    assert.is(canonicalJson(over), before);
    seq = base.seq;
    for (let i = 0, n = 1 + next(12); i < n; i++) {
      const e = ev(pool[next(pool.length)]!);
      applyEvent(over, e);
      applyEvent(copy, e);
      assert.is(canonicalJson(over), canonicalJson(copy), `run ${run}, event ${e.seq} (${e.payload})`);
      assert.is([...canonicalJsonParts(copy)].join(''), canonicalJson(copy), 'pieces join to one stringify');
      assert.is(over.volumes.size, copy.volumes.size);
      assert.is(over.replicas.size, copy.replicas.size);
      assert.equal([...over.replicasByVolume.keys()].sort(), [...copy.replicasByVolume.keys()].sort());
      for (const v of ['vol-a', 'vol-b']) assert.is(over.volumes.has(v), copy.volumes.has(v), `has ${v}`);
      for (const r of ['vol-a-r1', 'vol-a-r2', 'vol-a-r3', 'vol-b-r1'])
        assert.is(over.replicas.has(r), copy.replicas.has(r), `has ${r}`);
      assert.equal(new Map(over.nodes), new Map(copy.nodes), 'a map copied from the overlay');
      // The reducer's per-disk index says what summing the replicas says, in both.
      assert.equal(loadOf(over), recomputedLoad(over), `overlay's diskLoad after ${e.payload}`);
      assert.equal(loadOf(copy), recomputedLoad(copy), `clone's diskLoad after ${e.payload}`);
    }
    assert.is(canonicalJson(base), before, `run ${run}: the base is untouched`);
    assert.equal(loadOf(base), baseLoad, `run ${run}: the base's diskLoad is untouched`);
    assert.equal(loadOf(fromCanonicalJson(canonicalJson(copy), copy.seq)), loadOf(copy), 'diskLoad is rebuilt on load');
  }
});

reducer('refuses events out of order, naming the seq', () => {
  const events = log();
  const s = emptyState();
  applyEvent(s, events[0]!);
  try {
    applyEvent(s, events[2]!);
    assert.unreachable('a gap must stop projection');
  } catch (e) {
    assert.instance(e, CorruptError);
    assert.is((e as CorruptError).seq, 3);
    assert.match((e as Error).message, /seq 3/);
  }
});

reducer('a rebuilding replica becomes healthy only when rebuilt', () => {
  const events = log();
  seq = events.length;
  const s = replay(emptyState(), events);
  applyEvent(s, ev({ replicaRebuilding: { replicaId: 'vol-a-r2', fromReplicaId: 'vol-a-r1' } }));
  applyEvent(s, ev({ replicaRunning: { replicaId: 'vol-a-r2', address: 'x' } }));
  assert.is(s.replicas.get('vol-a-r2')!.mode, 'rebuilding');
  applyEvent(s, ev({ replicaRebuilt: { replicaId: 'vol-a-r2' } }));
  assert.is(s.replicas.get('vol-a-r2')!.mode, 'running');
  assert.is(volumeRobustness(s, s.volumes.get('vol-a')!), 'healthy');
});

reducer('a failed replica does not come back by saying it runs: only a rebuild brings it back', () => {
  const events = log();
  seq = events.length;
  const s = replay(emptyState(), events);
  applyEvent(s, ev({ replicaRunning: { replicaId: 'vol-a-r2', address: '127.0.0.1:9' } }));
  assert.is(s.replicas.get('vol-a-r2')!.mode, 'failed', 'it may have missed writes while failed');
  assert.is(s.replicas.get('vol-a-r2')!.failures, 1);
  applyEvent(s, ev({ replicaRebuilding: { replicaId: 'vol-a-r2', fromReplicaId: 'vol-a-r1' } }));
  applyEvent(s, ev({ replicaRebuilt: { replicaId: 'vol-a-r2' } }));
  assert.is(s.replicas.get('vol-a-r2')!.mode, 'running');
  assert.is(s.replicas.get('vol-a-r2')!.failures, 0);
});

reducer('VolumeSchedulable clears the newest unschedulable record', () => {
  const events = log();
  seq = events.length;
  const s = replay(emptyState(), events);
  applyEvent(
    s,
    ev({
      volumeUnschedulable: {
        name: 'vol-a',
        missing: 1,
        summary: 'no disk',
        candidates: [{ nodeId: 'node-1', diskId: '', reasons: ['NodeDown'], detail: '' }],
      },
    }),
  );
  assert.is(s.volumes.get('vol-a')!.unschedulable!.candidates[0]!.reasons[0], 'NodeDown');
  applyEvent(s, ev({ volumeSchedulable: { name: 'vol-a' } }));
  assert.is(s.volumes.get('vol-a')!.unschedulable, null);
});

reducer('an invalid setting in the log stops projection with the seq and the range', () => {
  seq = 0;
  const bad = ev(draft.settingsChanged({ 'storage-minimal-available-percentage': '250' }));
  try {
    applyEvent(emptyState(), bad);
    assert.unreachable();
  } catch (e) {
    assert.instance(e, CorruptError);
    assert.match((e as Error).message, /seq 1.*storage-minimal-available-percentage.*0 to 100/);
  }
});

reducer.run();

const codec = suite('codec');

codec('garbage bytes give CorruptError naming the seq', () => {
  try {
    decodeEvent(Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f]), 42);
    assert.unreachable();
  } catch (e) {
    assert.instance(e, CorruptError);
    assert.is((e as CorruptError).seq, 42);
  }
});

codec('an event type this build does not know is refused by seq, not skipped', () => {
  // A newer writer's envelope: same fields plus a payload at a field number we do not have.
  const root = protobuf.parse(`syntax = "proto3"; package x;
    message Future { string name = 1; }
    message Envelope { uint64 seq = 1; int64 time_ms = 2; string actor = 3; string cause = 4; uint32 schema_version = 5;
      oneof payload { Future volume_teleported = 99; } }`).root;
  const T = root.lookupType('x.Envelope');
  const bytes = T.encode(
    T.fromObject({ seq: 7, timeMs: 1, actor: 'new', schemaVersion: 1, volumeTeleported: { name: 'v' } }),
  ).finish();
  try {
    decodeEvent(bytes, 7);
    assert.unreachable();
  } catch (e) {
    assert.instance(e, UnknownEventTypeError);
    assert.is((e as UnknownEventTypeError).seq, 7);
    assert.match((e as Error).message, /seq 7/);
  }
});

codec('an unknown schema version is refused', () => {
  const bytes = encodeEvent({ ...draft.nodeRegistered('n'), seq: 3, timeMs: 1, actor: 'a', schemaVersion: 2 });
  try {
    decodeEvent(bytes, 3);
    assert.unreachable();
  } catch (e) {
    assert.instance(e, UnknownEventTypeError);
    assert.match((e as Error).message, /schema version 2/);
  }
});

codec('round trip keeps every field', () => {
  const bytes = encodeEvent({
    ...draft.volumeCreated('v', { size: 5 * 2 ** 40, dataLocality: 'strict-local', diskSelector: ['fast'] }),
    seq: 9,
    timeMs: 1700000000000,
    actor: 'admin',
    cause: 'req-1',
    schemaVersion: 1,
  });
  const e = decodeEvent(bytes, 9);
  assert.is(e.payload, 'volumeCreated');
  assert.is(e.volumeCreated!.spec!.size, 5 * 2 ** 40, 'sizes above 4 GiB survive (int64 as number)');
  assert.is(e.volumeCreated!.spec!.dataLocality, 'DATA_LOCALITY_STRICT_LOCAL');
  assert.equal(e.volumeCreated!.spec!.diskSelector, ['fast']);
  assert.is(e.cause, 'req-1');
  assert.ok(PROTO_DIR.endsWith('/proto/'));
});

codec.run();

const settings = suite('settings');

settings('values are parsed with their type and range', () => {
  assert.is(parseSetting('storage-over-provisioning-percentage', '200'), 200);
  assert.is(parseSetting('replica-soft-anti-affinity', 'true'), true);
  assert.is(parseSetting('replica-auto-balance', 'best-effort'), 'best-effort');
});

settings('bad values name the setting and the valid range', () => {
  assert.throws(
    () => parseSetting('storage-over-provisioning-percentage', '50'),
    (e: Error) => e instanceof InvalidSettingError && /from 100 to 1000/.test(e.message),
  );
  assert.throws(() => parseSetting('replica-soft-anti-affinity', 'yes'), /true or false/);
  assert.throws(() => parseSetting('replica-auto-balance', 'always'), /one of disabled, least-effort, best-effort/);
  assert.throws(() => parseSetting('no-such-setting', '1'), /unknown setting/);
  assert.throws(() => parseSetting('default-replica-count', '2.5'), /integer/);
});

settings.run();
