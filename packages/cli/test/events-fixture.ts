// A small but varied log, as the manager would store it: every event encoded and decoded by the
// event codec, so the objects have exactly the shape the projection and WatchEvents carry.
import { decodeEvent, draft, encodeEvent, SCHEMA_VERSION } from '@cairn/metadata';
import type { CairnEvent, EventDraft } from '@cairn/metadata';

const MiB = 2 ** 20;

export function sampleLog(): CairnEvent[] {
  const drafts: EventDraft[] = [
    draft.nodeRegistered('node-1', { zone: 'zone-a', address: '127.0.0.1:9501', tags: ['ssd'] }),
    draft.nodeRegistered('node-2', { zone: 'zone-b', address: '127.0.0.1:9502' }),
    draft.nodeRegistered('node-3', { zone: 'zone-c', address: '127.0.0.1:9503' }),
    draft.diskAdded('node-1', 'disk-1', { maximum: 100 * MiB, tags: ['fast'] }),
    draft.diskAdded('node-2', 'disk-1', { maximum: 100 * MiB }),
    draft.diskAdded('node-3', 'disk-1', { maximum: 50 * MiB, reserved: 5 * MiB }),
    draft.settingsChanged({
      'storage-over-provisioning-percentage': '200',
      'replica-replenishment-wait-interval': '60',
    }),
    draft.volumeCreated('vol-a', {
      size: 10 * MiB,
      numberOfReplicas: 3,
      dataLocality: 'best-effort',
      nodeSelector: [],
    }),
    ...['node-1', 'node-2', 'node-3'].map((n, i): EventDraft => ({
      replicaScheduled: {
        replicaId: `vol-a-r${i + 1}`,
        volume: 'vol-a',
        nodeId: n,
        diskId: 'disk-1',
        trigger: 'new',
        score: 0.25 * (i + 1),
        candidatesConsidered: 3,
        notes: ['Balanced'],
        figures: {
          storageMaximum: 100 * MiB,
          storageAvailable: 90 * MiB,
          storageScheduled: i * 10 * MiB,
          storageReserved: 0,
        },
        rejected:
          i === 2 ? [{ nodeId: 'node-1', diskId: '', reasons: ['ReplicaOnNode'], detail: 'vol-a-r1 is there' }] : [],
      },
    })),
    { replicaRunning: { replicaId: 'vol-a-r1', address: '127.0.0.1:10001' } },
    { replicaRunning: { replicaId: 'vol-a-r2', address: '127.0.0.1:10002' } },
    { volumeAttachRequested: { name: 'vol-a', nodeId: 'node-1' } },
    { volumeAttached: { name: 'vol-a', nodeId: 'node-1', endpoint: 'nbd://127.0.0.1:10809/vol-a' } },
    { replicaFailed: { replicaId: 'vol-a-r2', reason: 'connection reset' } },
    { snapshotCreated: { volume: 'vol-a', name: 'snap-1', size: 10 * MiB } },
    { volumeExpanded: { name: 'vol-a', size: 20 * MiB } },
    draft.volumeCreated('vol-b', { size: 500 * MiB, numberOfReplicas: 2, diskSelector: ['fast'] }),
    {
      volumeUnschedulable: {
        name: 'vol-b',
        missing: 2,
        summary: 'no disk fits',
        candidates: [
          { nodeId: 'node-2', diskId: 'disk-1', reasons: ['DiskTagsMismatch'], detail: 'wants fast' },
          {
            nodeId: 'node-1',
            diskId: 'disk-1',
            reasons: ['InsufficientSpace'],
            detail: 'available 90 MiB < required 500 MiB',
          },
        ],
      },
    },
    { nodeDown: { nodeId: 'node-3', reason: 'lease expired' } },
    {
      nodeUpdated: { nodeId: 'node-2', allowScheduling: false, evictionRequested: true, tags: ['x'], cordoned: false },
    },
    { volumeDeleted: { name: 'vol-b' } },
  ];
  return drafts.map((d, i) => {
    const seq = i + 1;
    return decodeEvent(
      encodeEvent({
        ...d,
        seq,
        timeMs: 1_700_000_000_000 + seq * 1000,
        actor: 'test',
        cause: '',
        schemaVersion: SCHEMA_VERSION,
      }),
      seq,
    );
  });
}
