// The UI's pure parts: the dashboard aggregate, the volume list's pages, events as JSON, sessions
// and their cookie. (The server and the pages in a browser: test/ui.test.ts.)
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { ListNodesResponse__Output, ListVolumesResponse__Output, Volume__Output } from '@cairn/api';
import { dashboard, eventJson, MAX_PAGE, pageQuery, pageRequest, volumePage } from '../src/views.js';
import { COOKIE, sessionCookie, sessionOf, Sessions } from '../src/sessions.js';
import { httpStatus } from '../src/admin.js';

const t = suite('ui views and sessions');

const vol = (
  name: string,
  robustness: string,
  replicas: string[],
  extra: Partial<Volume__Output> = {},
): Volume__Output =>
  ({
    name,
    robustness,
    state: 'detached',
    size: 1024,
    numberOfReplicas: 3,
    attachedTo: '',
    unschedulable: '',
    replicas: replicas.map((state, i) => ({ id: `${name}-r${i}`, state })),
    ...extra,
  }) as unknown as Volume__Output;

const nodes = {
  nodes: [
    {
      id: 'n1',
      zone: 'a',
      state: 'up',
      allowScheduling: true,
      cordoned: false,
      evictionRequested: false,
      disks: [
        { storageMaximum: 100, storageAvailable: 60, storageReserved: 10, storageScheduled: 30, replicas: 2 },
        { storageMaximum: 50, storageAvailable: 50, storageReserved: 0, storageScheduled: 0, replicas: 0 },
      ],
    },
    {
      id: 'n2',
      zone: 'b',
      state: 'down',
      allowScheduling: true,
      cordoned: true,
      evictionRequested: true,
      disks: [{ storageMaximum: 100, storageAvailable: 10, storageReserved: 5, storageScheduled: 80, replicas: 3 }],
    },
  ],
} as unknown as ListNodesResponse__Output;

t('the dashboard shows the volume counts and sums space per node and in all', () => {
  const counts = {
    volumes: 4,
    byRobustness: { healthy: 2, degraded: 1, faulted: 1, unknown: 0 },
    byState: { detached: 4 },
    unschedulable: 1,
    rebuilding: 1,
  };
  const d = dashboard(counts, nodes, 42);
  assert.equal(d.volumes.total, 4);
  assert.equal(d.volumes.byRobustness, { healthy: 2, degraded: 1, faulted: 1, unknown: 0 });
  assert.equal(d.volumes.byState, { detached: 4 });
  assert.equal(d.volumes.unschedulable, 1);
  assert.equal(d.volumes.rebuilding, 1);
  assert.equal(d.nodes.up, 1);
  assert.equal(d.nodes.list[0]!.space, { maximum: 150, available: 110, reserved: 10, scheduled: 30 });
  assert.equal(d.nodes.list[0]!.replicas, 2);
  assert.equal(d.nodes.list[1]!.schedulable, false, 'a cordoned node takes no replicas');
  assert.equal(d.nodes.list[1]!.evicting, true);
  assert.equal(d.space, { maximum: 250, available: 120, reserved: 15, scheduled: 110 });
  assert.equal(d.seq, 42);
  assert.equal(dashboard(null, { nodes: [] }, 0).volumes.total, 0);
});

t('a page of the volume list is one bounded ListVolumes request, and its rows', () => {
  const q = pageQuery(new URLSearchParams('offset=990&limit=50&q=V-09&robustness=degraded'));
  assert.equal(pageRequest(q), { nameContains: 'v-09', robustness: 'degraded', offset: 990, limit: 50 });
  assert.equal(pageQuery(new URLSearchParams('limit=100000')).limit, MAX_PAGE);
  assert.equal(pageQuery(new URLSearchParams('offset=-3&limit=x')), { offset: 0, limit: 50, q: '', robustness: '' });
  const answer = {
    volumes: [vol('v-0990', 'degraded', ['running', 'rebuilding'])],
    total: 10,
    counts: null,
  } as unknown as ListVolumesResponse__Output;
  const page = volumePage(answer, q);
  assert.equal(page.total, 10);
  assert.equal(page.offset, 990);
  assert.equal(page.items, [
    {
      name: 'v-0990',
      size: 1024,
      state: 'detached',
      robustness: 'degraded',
      replicas: '1/3',
      attachedTo: '',
      unschedulable: '',
    },
  ]);
});

t('an event becomes JSON with its type, what it is about, and no bytes', () => {
  const j = eventJson({
    seq: 7,
    timeMs: 1000,
    actor: 'admin',
    cause: '',
    payload: 'replicaScheduled',
    chainHash: Buffer.from('x'),
    replicaScheduled: { replicaId: 'r1', volume: 'vol1', nodeId: 'n1', figures: { raw: Buffer.alloc(3), free: 5 } },
  });
  assert.equal(j.type, 'ReplicaScheduled');
  assert.equal(j.volume, 'vol1');
  assert.equal(j.node, 'n1');
  assert.equal(j.payload, { replicaId: 'r1', volume: 'vol1', nodeId: 'n1', figures: { free: 5 } });
  assert.equal(
    eventJson({ seq: 8, timeMs: 1, actor: 'a', cause: '', payload: 'volumeCreated', volumeCreated: { name: 'v2' } })
      .volume,
    'v2',
  );
  assert.equal(
    eventJson({ seq: 9, timeMs: 1, actor: 'a', cause: '', payload: 'nodeUp', nodeUp: { nodeId: 'n3' } }).volume,
    '',
  );
});

t('sessions hold the token behind a random id, refresh on use and end when idle or closed', () => {
  let now = 0;
  const s = new Sessions(() => now, 1000);
  const id = s.open('secret');
  assert.not.match(id, /secret/);
  assert.equal(s.token(id), 'secret');
  now = 900;
  assert.equal(s.token(id), 'secret', 'use refreshes it');
  now = 1800;
  assert.equal(s.token(id), 'secret');
  now = 2900;
  assert.equal(s.token(id), null, 'idle past the TTL');
  const other = s.open('secret');
  s.close(other);
  assert.equal(s.token(other), null);
  assert.equal(s.token('made-up'), null);
  assert.equal(s.token(null), null);
});

t('the session cookie is HttpOnly, SameSite=Strict, Secure over HTTPS, and is read back', () => {
  assert.equal(sessionCookie('abc', true), `${COOKIE}=abc; Path=/; HttpOnly; SameSite=Strict; Secure`);
  assert.not.match(sessionCookie('abc', false), /Secure/);
  assert.match(sessionCookie(null, true), /Max-Age=0/);
  assert.equal(sessionOf(`a=1; ${COOKIE}=xyz; b=2`), 'xyz');
  assert.equal(sessionOf('a=1'), null);
  assert.equal(sessionOf(undefined), null);
});

t('admin error codes map to HTTP statuses', () => {
  assert.equal(
    [
      'UNAUTHENTICATED',
      'PERMISSION_DENIED',
      'NOT_FOUND',
      'INVALID_ARGUMENT',
      'ALREADY_EXISTS',
      'FAILED_PRECONDITION',
      'UNAVAILABLE',
      'INTERNAL',
    ].map(httpStatus),
    [401, 403, 404, 400, 409, 409, 503, 500],
  );
});

t.run();
