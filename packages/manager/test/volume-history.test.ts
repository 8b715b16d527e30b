// The per-volume event index (volume-history.ts), pure: on a log of every kind of event that
// explainEvents speaks of, for two volumes sharing nodes, explaining a volume from its indexed
// events says exactly what explaining it from the whole log says, while the index leaves out the
// other volume's events and the cluster-wide ones.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { decodeEvent, draft, encodeEvent, SCHEMA_VERSION } from '@cairn/metadata';
import type { CairnEvent, EventDraft } from '@cairn/metadata';
import { explainEvents } from '../src/audit.js';
import { readRanges, VolumeEventIndex } from '../src/volume-history.js';

const t = suite('volume-history');
const GiB = 2 ** 30;

function log(drafts: EventDraft[]): CairnEvent[] {
  return drafts.map((d, i) =>
    decodeEvent(
      encodeEvent({
        cause: '',
        ...d,
        seq: i + 1,
        timeMs: 1_000 * (i + 1),
        actor: 'admin',
        schemaVersion: SCHEMA_VERSION,
      }),
      i + 1,
    ),
  );
}

const placed = (volume: string, replicaId: string, nodeId: string): EventDraft => ({
  replicaScheduled: {
    volume,
    replicaId,
    nodeId,
    diskId: 'd1',
    trigger: 'new',
    replaces: '',
    score: 0.5,
    candidatesConsidered: 2,
    notes: [],
    rejected: [],
    figures: { storageMaximum: 10 * GiB, storageAvailable: 10 * GiB, storageScheduled: 0, storageReserved: 0 },
  },
});

/** Volumes a and b; a on n1 and n2, b on n2 and n3; every kind of event explain speaks of. */
const EVENTS = log([
  draft.nodeRegistered('n1'),
  draft.nodeRegistered('n2'),
  draft.nodeRegistered('n3'),
  draft.diskAdded('n1', 'd1', { maximum: 10 * GiB }),
  draft.volumeCreated('a', { size: GiB, numberOfReplicas: 2 }),
  draft.volumeCreated('b', { size: GiB, numberOfReplicas: 2 }),
  placed('a', 'a-r1', 'n1'),
  placed('a', 'a-r2', 'n2'),
  placed('b', 'b-r1', 'n2'),
  placed('b', 'b-r2', 'n3'),
  { replicaRunning: { replicaId: 'a-r1', address: '127.0.0.1:1' } },
  { replicaRunning: { replicaId: 'b-r1', address: '127.0.0.1:2' } },
  { volumeUnschedulable: { name: 'b', missing: 1, summary: 'no disk', candidates: [] } },
  { volumeSchedulable: { name: 'b' } },
  { volumeAttachRequested: { name: 'a', nodeId: 'n1' } },
  { volumeAttached: { name: 'a', nodeId: 'n1', endpoint: '/dev/nbd0' } },
  draft.settingsChanged({ 'backup-target': 's3://x@us-east-1/' }),
  { snapshotCreated: { volume: 'a', name: 's1' } },
  { snapshotCreated: { volume: 'b', name: 's1' } },
  { backupRequested: { volume: 'a', name: 'bk1', snapshot: 's1', url: 's3://x@us-east-1/?backup=bk1&volume=a' } },
  {
    backupCompleted: {
      volume: 'a',
      name: 'bk1',
      nodeId: 'n1',
      blocks: 4,
      uploadedBlocks: 4,
      uploadedBytes: 8,
      reusedBlocks: 0,
    },
  },
  { nodeDown: { nodeId: 'n3', reason: 'lease expired' } }, // b only
  { nodeDown: { nodeId: 'n2', reason: 'lease expired' } }, // both
  { replicaFailed: { replicaId: 'b-r2', reason: 'node down' } },
  { replicaRebuilding: { replicaId: 'a-r2', fromReplicaId: 'a-r1' } },
  { replicaRebuilt: { replicaId: 'a-r2' } },
  { nodeUp: { nodeId: 'n1' } }, // a only
  { recurringJobRunStarted: { job: 'snap', task: 'snapshot', fireMs: 1000, volumes: ['a', 'b'], missed: 0 } },
  {
    recurringJobVolumeDone: {
      job: 'snap',
      fireMs: 1000,
      volume: 'b',
      snapshotCreated: 's2',
      snapshotsDeleted: [],
      kept: [],
    },
  },
  { snapshotDeleted: { volume: 'a', name: 's1' }, cause: 'recurring-job:snap@retention' },
  { replicaRemoved: { replicaId: 'b-r2', reason: 'replaced' } },
  { volumeDetached: { name: 'a', nodeId: 'n1' } },
  { volumeDeleted: { name: 'a' } },
  draft.volumeCreated('a', { size: 2 * GiB, numberOfReplicas: 1 }), // the name again: its history goes on
  placed('a', 'a2-r1', 'n3'),
  { nodeUp: { nodeId: 'n3' } }, // b, and the new a
  { volumeExpanded: { name: 'b', size: 2 * GiB } },
]);

function indexOf(events: CairnEvent[]): VolumeEventIndex {
  const ix = new VolumeEventIndex();
  for (const ev of events) ix.add(ev);
  return ix;
}

t('explaining a volume from its indexed events says what explaining it from the whole log says', () => {
  const ix = indexOf(EVENTS);
  for (const volume of ['a', 'b', 'none']) {
    const seqs = new Set(ix.seqsOf(volume));
    const whole = explainEvents(volume, EVENTS);
    assert.equal(
      explainEvents(
        volume,
        EVENTS.filter((e) => seqs.has(e.seq)),
      ),
      whole,
      volume,
    );
    if (volume !== 'none') assert.ok(whole.length >= 12, `${volume}: a history worth checking (${whole.length} lines)`);
  }
  assert.equal(ix.seqsOf('none'), []);
});

t(
  "the index leaves out the other volume's events and the cluster-wide ones, and node events of nodes a volume never used",
  () => {
    const ix = indexOf(EVENTS);
    const a = new Set(ix.seqsOf('a'));
    const kinds = (pick: (e: CairnEvent) => boolean): string[] => EVENTS.filter(pick).map((e) => e.payload!);
    assert.equal(
      kinds((e) => !a.has(e.seq) && ['nodeRegistered', 'diskAdded', 'settingsChanged'].includes(e.payload!)),
      ['nodeRegistered', 'nodeRegistered', 'nodeRegistered', 'diskAdded', 'settingsChanged'],
      "cluster-wide events are not a's",
    );
    assert.not.ok(
      [...a].some((s) => {
        const e = EVENTS[s - 1]!;
        return e.volumeCreated?.name === 'b' || e.replicaRunning?.replicaId === 'b-r1';
      }),
      "none of b's",
    );
    const n3Down = EVENTS.find((e) => e.nodeDown?.nodeId === 'n3')!;
    assert.not.ok(a.has(n3Down.seq), "n3 going down is not a's: none of its replicas was ever there (before it)");
    assert.ok(new Set(ix.seqsOf('b')).has(n3Down.seq), "but b's");
    assert.ok(a.size < EVENTS.length - 10, `a: ${a.size} of ${EVENTS.length} events`);
  },
);

t('seqsOf stops at the seq asked for; events must come in seq order', () => {
  const ix = indexOf(EVENTS);
  const all = ix.seqsOf('a');
  assert.equal(
    ix.seqsOf('a', 20),
    all.filter((s) => s <= 20),
  );
  assert.throws(() => ix.add(EVENTS[3]!), /added after/);
});

t('seqs become ranges to read: near ones merged, far ones apart', () => {
  assert.equal(readRanges([]), []);
  assert.equal(readRanges([3, 4, 5, 9, 40, 41, 100]), [
    [3, 9],
    [40, 41],
    [100, 100],
  ]);
});

t.run();
