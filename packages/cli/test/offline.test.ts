// The CLI's side of offline rebuilding and salvage: `volume get` and `volume ls` show a volume the
// scheduler attached for a rebuild as detached with the reason; `volume salvage NAME [--replica]`
// sends the request and says which replicas run; the new events read as text.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { decodeEvent, encodeEvent, SCHEMA_VERSION } from '@cairn/metadata';
import type { EventDraft } from '@cairn/metadata';
import { volumeDetail, volumesTable } from '../src/commands/volume.js';
import { eventSummary } from '../src/event-text.js';
import { cairn, volume as volumeOf } from './support.js';

const ev = (d: EventDraft) =>
  decodeEvent(
    encodeEvent({ ...d, seq: 1, timeMs: 0, actor: 'manager/m1', cause: '', schemaVersion: SCHEMA_VERSION }),
    1,
  );
const t = suite('offline rebuilding and salvage in the CLI');

t('volume get and ls show an auto-attached volume as detached, with the node and the reason', () => {
  const v = volumeOf({
    state: 'detached',
    attachedTo: '',
    endpoint: '',
    autoAttachReason: 'eviction',
    autoAttachedNode: 'node-2',
  });
  assert.match(volumeDetail(v), /^state:\s+detached$/m);
  assert.match(volumeDetail(v), /^auto-attached:\s+on node-2 for eviction \(an engine without a frontend/m);
  assert.match(volumesTable([v]), /\(auto: node-2, eviction\)/);
  assert.not.match(volumeDetail(volumeOf()), /auto-attached/);
});

t('volume salvage sends the name and the replica, and says which replicas run', async () => {
  const salvaged = volumeOf({ robustness: 'degraded' });
  salvaged.replicas = salvaged.replicas.map((r, i) => ({ ...r, state: i === 1 ? 'running' : 'failed' }));
  let r = await cairn(['volume', 'salvage', 'vol-a'], { salvageVolume: async () => salvaged });
  assert.is(r.code, 0, r.err);
  assert.equal(r.calls, [{ method: 'salvageVolume', request: { name: 'vol-a', replicaId: '' } }]);
  assert.is(r.out, 'volume "vol-a" salvaged: vol-a-r2 running, degraded\n');
  r = await cairn(['volume', 'salvage', 'vol-a', '--replica', 'vol-a-r2'], { salvageVolume: async () => salvaged });
  assert.equal(r.calls[0]!.request, { name: 'vol-a', replicaId: 'vol-a-r2' });
  r = await cairn(['volume', 'salvage'], {});
  assert.is(r.code, 2, 'the name is required');
});

t('the new events read as one line each, with the reason and the figures', () => {
  assert.is(
    eventSummary(
      ev({ volumeAutoAttached: { name: 'v', nodeId: 'n2', reason: 'eviction', replicaIds: ['v-r9-0'], rejected: [] } }),
    ),
    'v on n2 for eviction (no frontend; rebuilds v-r9-0)',
  );
  assert.is(
    eventSummary(ev({ volumeAutoDetached: { name: 'v', nodeId: 'n2', reason: 'rebuilt' } })),
    'v from n2: rebuilt',
  );
  assert.is(
    eventSummary(
      ev({
        volumeSalvaged: {
          name: 'v',
          replicaIds: ['r2'],
          reason: 'auto-salvage',
          figures: [
            { replicaId: 'r1', nodeId: 'n1', revision: 4, reported: true },
            { replicaId: 'r2', nodeId: 'n2', revision: 9, reported: true },
            { replicaId: 'r3', nodeId: 'n3', reported: false },
          ],
        },
      }),
    ),
    'v from r2 (auto-salvage) r1=rev 4 r2=rev 9 r3=unreported',
  );
});

t.run();
