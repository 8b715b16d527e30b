// The projection of volumes made from a data source: VolumeCreated records it, VolumeDataSourceCopied
// marks it copied; both survive the canonical form; pendingCopiesFrom finds who still needs a source.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  canonicalJson,
  CANONICAL_VERSION,
  CorruptError,
  decodeEvent,
  draft,
  emptyState,
  encodeEvent,
  fromCanonicalJson,
  pendingCopiesFrom,
  replay,
  SCHEMA_VERSION,
  stateHash,
  volumeSpec,
  volumeSpecToProto,
} from '../src/index.js';
import type { CairnEvent, EventDraft } from '../src/index.js';

let seq = 0;
function ev(d: EventDraft): CairnEvent {
  const s = ++seq;
  return decodeEvent(
    encodeEvent({ ...d, seq: s, timeMs: 1000, actor: 'test', cause: '', schemaVersion: SCHEMA_VERSION }),
    s,
  );
}
const spec = volumeSpecToProto(volumeSpec({ size: 16 << 20 }));

function log(): CairnEvent[] {
  seq = 0;
  return [
    ev(draft.volumeCreated('src', { size: 16 << 20 })),
    ev({ snapshotCreated: { volume: 'src', name: 's1', size: 16 << 20 } }),
    ev({ volumeCreated: { name: 'a', spec, dataSource: 'snap://src/s1', sourceVolume: 'src', sourceSnapshot: 's1' } }),
    ev({ snapshotCreated: { volume: 'src', name: 'clone-b-4', size: 16 << 20 } }),
    ev({
      volumeCreated: { name: 'b', spec, dataSource: 'vol://src', sourceVolume: 'src', sourceSnapshot: 'clone-b-4' },
    }),
  ];
}

const t = suite('projection: data sources');

t('VolumeCreated records the data source, not yet copied; a volume made empty has none', () => {
  const s = replay(emptyState(), log());
  assert.is(s.volumes.get('src')!.dataSource, null);
  assert.equal(s.volumes.get('a')!.dataSource, { uri: 'snap://src/s1', volume: 'src', snapshot: 's1', copied: false });
  assert.equal(s.volumes.get('b')!.dataSource, {
    uri: 'vol://src',
    volume: 'src',
    snapshot: 'clone-b-4',
    copied: false,
  });
  assert.equal(pendingCopiesFrom(s, 'src'), ['a', 'b']);
  assert.equal(pendingCopiesFrom(s, 'src', 's1'), ['a']);
  assert.equal(pendingCopiesFrom(s, 'src', 'other'), []);
  assert.equal(pendingCopiesFrom(s, 'a'), []);
});

t(
  'VolumeDataSourceCopied marks the copy done; again, or for a volume without a source or gone, it changes nothing',
  () => {
    const events = log();
    events.push(ev({ volumeDataSourceCopied: { name: 'a', nodeId: 'node-1' } }));
    const s = replay(emptyState(), events);
    assert.is(s.volumes.get('a')!.dataSource!.copied, true);
    assert.equal(pendingCopiesFrom(s, 'src'), ['b']);
    const hash = stateHash(s);
    const more = [
      ev({ volumeDataSourceCopied: { name: 'a', nodeId: 'node-2' } }),
      ev({ volumeDataSourceCopied: { name: 'src', nodeId: 'node-1' } }),
      ev({ volumeDataSourceCopied: { name: 'nope', nodeId: 'node-1' } }),
    ];
    replay(s, more);
    assert.is(s.seq, events.length + 3);
    const same = replay(emptyState(), events);
    same.seq = s.seq;
    assert.is(stateHash(s), stateHash(same), 'stale or repeated reports change no state');
    assert.is.not(stateHash(replay(emptyState(), log())), hash, 'the copy being done is part of the state');
  },
);

t('the canonical form keeps data sources (its version says it does)', () => {
  const events = log();
  events.push(ev({ volumeDataSourceCopied: { name: 'b', nodeId: 'node-1' } }));
  const s = replay(emptyState(), events);
  const back = fromCanonicalJson(canonicalJson(s), s.seq);
  assert.is(stateHash(back), stateHash(s));
  assert.equal(back.volumes.get('b')!.dataSource, {
    uri: 'vol://src',
    volume: 'src',
    snapshot: 'clone-b-4',
    copied: true,
  });
  assert.is(back.volumes.get('src')!.dataSource, null);
  // A snapshot written before volumes had data sources is not read as one without them.
  const old = JSON.parse(canonicalJson(s)) as { version: number };
  old.version = CANONICAL_VERSION - 1;
  assert.throws(
    () => fromCanonicalJson(JSON.stringify(old), s.seq),
    (e: unknown) => e instanceof CorruptError,
  );
});

t.run();
