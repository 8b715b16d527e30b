// The projection of offline rebuilding and salvage: VolumeAutoAttached/VolumeAutoDetached move a
// detached volume through an engine the scheduler runs, a user attach takes it over (same node: in
// place; another node: after the offline engine stops), VolumeSalvaged brings chosen failed
// replicas back. Each survives the canonical form and a replay gives the same hash.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  canonicalJson,
  decodeEvent,
  draft,
  emptyState,
  encodeEvent,
  fromCanonicalJson,
  replay,
  SCHEMA_VERSION,
  stateHash,
  volumesTouched,
} from '../src/index.js';
import type { CairnEvent, ClusterState, EventDraft } from '../src/index.js';

let seq = 0;
function ev(d: EventDraft): CairnEvent {
  const s = ++seq;
  return decodeEvent(
    encodeEvent({ ...d, seq: s, timeMs: 1000 * s, actor: 'test', cause: '', schemaVersion: SCHEMA_VERSION }),
    s,
  );
}

/** Two nodes, a volume with a running replica on each. */
function base(): CairnEvent[] {
  seq = 0;
  return [
    ev(draft.nodeRegistered('n1')),
    ev(draft.nodeRegistered('n2')),
    ev(draft.nodeRegistered('n3')),
    ev(draft.diskAdded('n1', 'd1', { maximum: 1e12 })),
    ev(draft.diskAdded('n2', 'd1', { maximum: 1e12 })),
    ev(draft.volumeCreated('v', { size: 1 << 20, numberOfReplicas: 2 })),
    ev({ replicaScheduled: { replicaId: 'r1', volume: 'v', nodeId: 'n1', diskId: 'd1', trigger: 'new' } }),
    ev({ replicaScheduled: { replicaId: 'r2', volume: 'v', nodeId: 'n2', diskId: 'd1', trigger: 'new' } }),
    ev({ replicaRunning: { replicaId: 'r1', address: 'n1:1' } }),
    ev({ replicaRunning: { replicaId: 'r2', address: 'n2:1' } }),
  ];
}

const autoAttached = (node = 'n1'): EventDraft => ({
  volumeAutoAttached: { name: 'v', nodeId: node, reason: 'eviction', replicaIds: ['r2'], rejected: [] },
});
const att = (s: ClusterState) => {
  const v = s.volumes.get('v')!;
  return {
    state: v.attachState,
    node: v.attachedTo,
    auto: v.autoAttach,
    pending: v.pendingAttach,
    endpoint: v.endpoint,
  };
};

/** The same state through the canonical form, and a replay of the same events from scratch. */
function roundTrips(events: CairnEvent[]): ClusterState {
  const s = replay(emptyState(), events);
  const back = fromCanonicalJson(canonicalJson(s), s.seq);
  assert.is(stateHash(back), stateHash(s));
  assert.is(stateHash(replay(emptyState(), events)), stateHash(s));
  return s;
}

const t = suite('projection: offline rebuilding and salvage');

t(
  'VolumeAutoAttached attaches a detached volume for the scheduler; VolumeAutoDetached and the engine report detach it',
  () => {
    const evs = [...base(), ev(autoAttached())];
    let s = roundTrips(evs);
    assert.equal(att(s), { state: 'attaching', node: 'n1', auto: 'eviction', pending: '', endpoint: '' });
    assert.equal(volumesTouched(s, evs.at(-1)!), ['v']);
    evs.push(ev({ volumeAttached: { name: 'v', nodeId: 'n1', endpoint: '' } }));
    s = roundTrips(evs);
    assert.equal(att(s), { state: 'attached', node: 'n1', auto: 'eviction', pending: '', endpoint: '' });
    evs.push(ev({ volumeAutoDetached: { name: 'v', nodeId: 'n1', reason: 'rebuilt' } }));
    s = roundTrips(evs);
    assert.equal(att(s), { state: 'detaching', node: 'n1', auto: 'eviction', pending: '', endpoint: '' });
    evs.push(ev({ volumeDetached: { name: 'v', nodeId: 'n1' } }));
    s = roundTrips(evs);
    assert.equal(att(s), { state: 'detached', node: '', auto: '', pending: '', endpoint: '' });
  },
);

t('VolumeAutoAttached of a volume a user attached meanwhile changes nothing (stale decision)', () => {
  const evs = [...base(), ev({ volumeAttachRequested: { name: 'v', nodeId: 'n2' } }), ev(autoAttached())];
  assert.equal(att(roundTrips(evs)), { state: 'attaching', node: 'n2', auto: '', pending: '', endpoint: '' });
});

t('VolumeAutoDetached of an offline engine on a node that is down detaches it at once', () => {
  const evs = [
    ...base(),
    ev(autoAttached()),
    ev({ nodeDown: { nodeId: 'n1', reason: 'lease expired' } }),
    ev({ volumeAutoDetached: { name: 'v', nodeId: 'n1', reason: 'node-down' } }),
  ];
  assert.equal(att(roundTrips(evs)), { state: 'detached', node: '', auto: '', pending: '', endpoint: '' });
});

t("a user attach on the offline engine's node takes it over in place", () => {
  const evs = [
    ...base(),
    ev(autoAttached()),
    ev({ volumeAttached: { name: 'v', nodeId: 'n1', endpoint: '' } }),
    ev({ volumeAttachRequested: { name: 'v', nodeId: 'n1' } }),
  ];
  assert.equal(att(roundTrips(evs)), { state: 'attaching', node: 'n1', auto: '', pending: '', endpoint: '' });
  evs.push(ev({ volumeAttached: { name: 'v', nodeId: 'n1', endpoint: 'nbd://n1:1/v' } }));
  assert.equal(att(roundTrips(evs)), {
    state: 'attached',
    node: 'n1',
    auto: '',
    pending: '',
    endpoint: 'nbd://n1:1/v',
  });
});

t('a user attach on another node waits for the offline engine to stop, then proceeds there', () => {
  const evs = [
    ...base(),
    ev(autoAttached()),
    ev({ volumeAttached: { name: 'v', nodeId: 'n1', endpoint: '' } }),
    ev({ volumeAttachRequested: { name: 'v', nodeId: 'n3' } }),
  ];
  assert.equal(att(roundTrips(evs)), { state: 'detaching', node: 'n1', auto: '', pending: 'n3', endpoint: '' });
  evs.push(ev({ volumeDetached: { name: 'v', nodeId: 'n1' } }));
  assert.equal(att(roundTrips(evs)), { state: 'attaching', node: 'n3', auto: '', pending: '', endpoint: '' });
});

t('a user attach over an offline engine whose node is down attaches at once (no engine to stop)', () => {
  const evs = [
    ...base(),
    ev(autoAttached()),
    ev({ nodeDown: { nodeId: 'n1', reason: 'lease expired' } }),
    ev({ volumeAttachRequested: { name: 'v', nodeId: 'n3' } }),
  ];
  assert.equal(att(roundTrips(evs)), { state: 'attaching', node: 'n3', auto: '', pending: '', endpoint: '' });
});

t('a user detach while the attach waits calls the attach off', () => {
  const evs = [
    ...base(),
    ev(autoAttached()),
    ev({ volumeAttachRequested: { name: 'v', nodeId: 'n3' } }),
    ev({ volumeDetachRequested: { name: 'v' } }),
    ev({ volumeDetached: { name: 'v', nodeId: 'n1' } }),
  ];
  assert.equal(att(roundTrips(evs)), { state: 'detached', node: '', auto: '', pending: '', endpoint: '' });
});

t(
  "VolumeSalvaged makes the named failed replicas of the volume running; others, and other volumes' replicas, stay",
  () => {
    const evs = [
      ...base(),
      ev(draft.volumeCreated('w', { size: 1 << 20, numberOfReplicas: 1 })),
      ev({ replicaScheduled: { replicaId: 'w1', volume: 'w', nodeId: 'n1', diskId: 'd1', trigger: 'new' } }),
      ev({ replicaRunning: { replicaId: 'w1', address: 'n1:1' } }),
      ev({ replicaFailed: { replicaId: 'r1', reason: 'io' } }),
      ev({ replicaFailed: { replicaId: 'r2', reason: 'io' } }),
      ev({ replicaFailed: { replicaId: 'w1', reason: 'io' } }),
    ];
    evs.push(
      ev({
        volumeSalvaged: {
          name: 'v',
          replicaIds: ['r2', 'w1'],
          reason: 'auto-salvage',
          figures: [
            { replicaId: 'r1', nodeId: 'n1', revision: 4, reported: true },
            { replicaId: 'r2', nodeId: 'n2', revision: 9, reported: true },
          ],
        },
      }),
    );
    const s = roundTrips(evs);
    assert.is(s.replicas.get('r2')!.mode, 'running');
    assert.is(s.replicas.get('r2')!.failedReason, '');
    assert.is(s.replicas.get('r1')!.mode, 'failed');
    assert.is(s.replicas.get('w1')!.mode, 'failed', 'a replica of another volume is not salvaged by this event');
    assert.equal(volumesTouched(s, evs.at(-1)!), ['v']);
    const e = evs.at(-1)!;
    assert.is(e.payload, 'volumeSalvaged');
    assert.is(e.volumeSalvaged!.figures[1]!.revision, 9, 'the figures the choice used are in the event');
  },
);

t('a snapshot written before these fields existed loads with them empty', () => {
  const s = replay(emptyState(), base());
  const json = canonicalJson(s)
    .replace(/,"autoAttach":""/g, '')
    .replace(/,"pendingAttach":""/g, '');
  assert.not.match(json, /autoAttach/);
  const back = fromCanonicalJson(json, s.seq);
  assert.is(back.volumes.get('v')!.autoAttach, '');
  assert.is(stateHash(back), stateHash(s));
});

t.run();
