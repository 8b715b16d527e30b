// Capacity and placement estimates from ListNodes + GetSettings: the scheduler's filters, the
// anti-affinity levels, and the figures GetCapacity reports.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Disk__Output, Node__Output, Setting__Output } from '@cairn/api';
import {
  antiAffinityLevel,
  availableCapacity,
  candidates,
  capacitySettings,
  checkPlacement,
  expansionProblems,
  maximumVolumeSize,
  replicasThatFit,
} from '../src/controller-capacity.js';
import type { CapacitySettings } from '../src/controller-capacity.js';

const GiB = 2 ** 30;

function disk(nodeId: string, o: Partial<Disk__Output> = {}): Disk__Output {
  return {
    nodeId,
    diskId: 'disk-1',
    path: `/d/${nodeId}`,
    tags: [],
    allowScheduling: true,
    evictionRequested: false,
    storageMaximum: 100 * GiB,
    storageAvailable: 100 * GiB,
    storageReserved: 0,
    storageScheduled: 0,
    replicas: 0,
    ...o,
  };
}

function node(
  id: string,
  zone: string,
  o: Partial<Node__Output> = {},
  disks: Partial<Disk__Output>[] = [{}],
): Node__Output {
  return {
    id,
    address: '127.0.0.1:1',
    zone,
    tags: [],
    allowScheduling: true,
    evictionRequested: false,
    cordoned: false,
    state: 'up',
    downReason: '',
    disks: disks.map((d, i) => disk(id, { diskId: `disk-${i + 1}`, ...d })),
    ...o,
  };
}

const defaults = capacitySettings([]);
const any = { nodeSelector: [], diskSelector: [], onlyNodes: null };

test('settings: Longhorn names read from GetSettings; absent ones keep the defaults', () => {
  const set = (name: string, value: string): Setting__Output => ({
    name,
    value,
    default: '',
    description: '',
    range: '',
  });
  const s = capacitySettings([
    set('storage-minimal-available-percentage', '10'),
    set('replica-soft-anti-affinity', 'true'),
    set('default-replica-count', '2'),
  ]);
  assert.is(s.minimalAvailablePct, 10);
  assert.is(s.softNode, true);
  assert.is(s.defaultReplicaCount, 2);
  assert.is(s.overProvisioningPct, 100);
  assert.is(defaults.softNode, false);
  assert.is(defaults.degradedCreation, true);
});

test('candidates: down, unschedulable, evicting, cordoned nodes and selector mismatches are left out with reasons', () => {
  const nodes = [
    node('node-1', 'a', { tags: ['gold'] }, [{ tags: ['ssd'] }, { tags: [] }]),
    node('node-2', 'b', { state: 'down', downReason: 'lease expired' }),
    node('node-3', 'c', { allowScheduling: false }),
    node('node-4', 'a', { cordoned: true }),
    node('node-5', 'b', { evictionRequested: true }),
    node('node-6', 'c', {}, [{ evictionRequested: true }]),
    node('node-7', 'c', {}, []),
  ];
  const c = candidates(nodes, defaults, { nodeSelector: ['gold'], diskSelector: ['ssd'], onlyNodes: null });
  assert.equal(
    c.disks.map((d) => `${d.node}/${d.disk}`),
    ['node-1/disk-1'],
  );
  const why = c.rejected.join('\n');
  assert.match(why, /node-1\/disk-2: disk tags lack diskSelector \[ssd\]/);
  assert.match(why, /node-2: down \(lease expired\)/);
  assert.match(why, /node-3: scheduling disabled/);
  assert.match(why, /node-4: cordoned/);
  assert.match(why, /node-5: evicting/);
  assert.match(why, /node-7: .*no disks/);
  // A cordoned node takes replicas when disable-scheduling-on-cordoned-node is off.
  const c2 = candidates([node('node-4', 'a', { cordoned: true })], { ...defaults, cordonedUnschedulable: false }, any);
  assert.is(c2.disks.length, 1);
  const c3 = candidates(nodes, defaults, { ...any, onlyNodes: new Set(['node-1']) });
  assert.equal([...new Set(c3.disks.map((d) => d.node))], ['node-1']);
});

test('disk bounds: room keeps the minimal available percentage, free is the over-provisioning cap minus what is scheduled', () => {
  const [d] = candidates(
    [
      node('n', 'a', {}, [
        {
          storageMaximum: 100 * GiB,
          storageAvailable: 60 * GiB,
          storageReserved: 20 * GiB,
          storageScheduled: 30 * GiB,
        },
      ]),
    ],
    { ...defaults, overProvisioningPct: 200 },
    any,
  ).disks;
  assert.is(d!.room, 60 * GiB - 25 * GiB);
  assert.is(d!.free, (100 - 20) * GiB * 2 - 30 * GiB);
});

test('anti-affinity levels: the strictest hard one decides how replicas may share', () => {
  assert.is(antiAffinityLevel(defaults), 'node');
  assert.is(antiAffinityLevel({ ...defaults, softZone: false }), 'zone');
  assert.is(antiAffinityLevel({ ...defaults, softNode: true, softDisk: false }), 'disk');
  assert.is(antiAffinityLevel({ ...defaults, softNode: true }), 'pool');
});

test('replicas that fit: one per node with hard node anti-affinity; several per disk when soft; size must be below room', () => {
  const nodes = [node('n1', 'a', {}, [{}, {}]), node('n2', 'a'), node('n3', 'b')];
  const { disks } = candidates(nodes, defaults, any);
  assert.is(replicasThatFit(disks, 'node', GiB), 3);
  assert.is(replicasThatFit(disks, 'zone', GiB), 2);
  assert.is(replicasThatFit(disks, 'disk', GiB), 4);
  assert.is(replicasThatFit(disks, 'pool', 50 * GiB), 8, '4 disks x 100 GiB cap / 50 GiB');
  assert.is(replicasThatFit(disks, 'node', 75 * GiB), 0, '100 GiB available - 25% leaves room below 75 GiB');
  assert.is(replicasThatFit(disks, 'node', 75 * GiB - 4096), 3);
});

test('maximum volume size: the largest whole-block size of which N replicas fit', () => {
  const nodes = [
    node('n1', 'a', {}, [{ storageAvailable: 90 * GiB }]),
    node('n2', 'b', {}, [{ storageAvailable: 50 * GiB }]),
    node('n3', 'c', {}, [{ storageAvailable: 40 * GiB, storageScheduled: 90 * GiB }]),
  ];
  const { disks } = candidates(nodes, defaults, any);
  // Rooms: 65, 25, 15 GiB (size must be strictly below); free: 100, 100, 10 GiB.
  assert.is(maximumVolumeSize(disks, 'node', 1), 65 * GiB - 4096);
  assert.is(maximumVolumeSize(disks, 'node', 2), 25 * GiB - 4096);
  assert.is(maximumVolumeSize(disks, 'node', 3), 10 * GiB, 'n3 is limited by over-provisioning to 10 GiB');
  assert.is(maximumVolumeSize(disks, 'node', 4), 0, 'four replicas need four nodes');
  assert.is(maximumVolumeSize([], 'node', 1), 0);
});

test('available capacity: what N-replica volumes can still take, one replica per unit', () => {
  const three = candidates([node('n1', 'a'), node('n2', 'b'), node('n3', 'c')], defaults, any).disks;
  assert.is(availableCapacity(three, 'node', 3), 100 * GiB);
  assert.is(availableCapacity(three, 'node', 1), 300 * GiB);
  // Frees 100, 100, 10: every 3-replica volume needs n3, so 10 GiB in all (2T + 10 >= 3T).
  const skewed = candidates(
    [node('n1', 'a'), node('n2', 'b'), node('n3', 'c', {}, [{ storageScheduled: 90 * GiB }])],
    defaults,
    any,
  ).disks;
  assert.is(availableCapacity(skewed, 'node', 3), 10 * GiB);
  assert.is(availableCapacity(skewed, 'node', 2), 105 * GiB);
  assert.is(availableCapacity(skewed, 'pool', 3), 70 * GiB);
  // Two replicas on two nodes' worth of units when zones are hard and two nodes share a zone.
  assert.is(
    availableCapacity(candidates([node('n1', 'a'), node('n2', 'a'), node('n3', 'b')], defaults, any).disks, 'zone', 2),
    100 * GiB,
  );
  assert.is(availableCapacity([], 'node', 3), 0);
});

test('placement check: degraded creation needs one replica, otherwise all; the reason names nodes and bounds', () => {
  const nodes = [node('n1', 'a'), node('n2', 'b')];
  const ok = checkPlacement(nodes, defaults, any, GiB, 3);
  assert.equal({ ok: ok.ok, fit: ok.fit, needed: ok.needed }, { ok: true, fit: 2, needed: 1 });
  const strict: CapacitySettings = { ...defaults, degradedCreation: false };
  const no = checkPlacement(nodes, strict, any, GiB, 3);
  assert.is(no.ok, false);
  assert.match(
    no.reason,
    /cannot place the 3 replica\(s\) of 1Gi \(one per node: replica anti-affinity is hard\): 2 fit/,
  );
  const big = checkPlacement(nodes, defaults, any, 80 * GiB, 3);
  assert.is(big.ok, false);
  assert.match(big.reason, /even 1 of 3/);
  assert.match(big.reason, /n1\/disk-1: a replica must stay below 75Gi \(storage-minimal-available-percentage 25\)/);
  const tagged = checkPlacement(nodes, defaults, { ...any, nodeSelector: ['gold'] }, GiB, 1);
  assert.is(tagged.ok, false);
  assert.match(tagged.reason, /n1: node tags lack nodeSelector \[gold\]/);
});

test("expansion: every replica's disk must keep the grown replica below its room and the growth under its cap", () => {
  const nodes = [
    node('n1', 'a', {}, [{ storageAvailable: 60 * GiB, storageScheduled: 10 * GiB }]),
    node('n2', 'b', {}, [{ storageScheduled: 95 * GiB }]),
  ];
  const replicas = [
    { node: 'n1', disk: 'disk-1' },
    { node: 'n2', disk: 'disk-1' },
    { node: 'gone', disk: 'disk-1' },
  ];
  assert.equal(
    expansionProblems(nodes, defaults, replicas, GiB, 6 * GiB),
    [],
    'n2 has exactly the 5 GiB the growth needs',
  );
  assert.equal(expansionProblems(nodes, defaults, replicas, GiB, 7 * GiB), [
    'n2/disk-1: over-provisioning leaves 5Gi, the growth needs 6Gi',
  ]);
  const p = expansionProblems(nodes, defaults, replicas, GiB, 36 * GiB);
  assert.equal(p, [
    'n1/disk-1: a replica must stay below 35Gi (storage-minimal-available-percentage 25)',
    'n2/disk-1: over-provisioning leaves 5Gi, the growth needs 35Gi',
  ]);
});

test.run();
