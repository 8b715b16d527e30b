// The Controller's request parsing: names, capabilities, capacity ranges, content sources and
// topology (StorageClass parameters: storage-class.test.ts). Every refusal must carry the spec's
// code and name the field.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as grpc from '@grpc/grpc-js';
import { CsiError, TOPOLOGY_HOSTNAME_KEY, TOPOLOGY_ZONE_KEY } from '../src/index.js';
import {
  accessibility,
  checkCapabilities,
  chooseSize,
  contentSourceOf,
  dataSourceOf,
  DEFAULT_SIZE,
  expandSize,
  nodesInTopology,
  parseContentSource,
  rangeAdmits,
  resolveFsType,
} from '../src/controller-params.js';
import type { VolumeCapability__Output } from '../src/types.js';

const MiB = 2 ** 20;

/** Asserts fn throws a CsiError with `code` whose message matches `re`. */
function refuses(fn: () => unknown, code: grpc.status, re: RegExp): void {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof CsiError, `a CsiError, got ${String(e)}`);
    assert.is(grpc.status[(e as CsiError).code], grpc.status[code], (e as Error).message);
    assert.match((e as Error).message, re);
    return;
  }
  assert.unreachable(`expected ${grpc.status[code]} matching ${re}`);
}

const mount = (mode = 'SINGLE_NODE_WRITER', fsType = ''): VolumeCapability__Output =>
  ({
    mount: { fsType, mountFlags: [], volumeMountGroup: '' },
    accessMode: { mode },
    accessType: 'mount',
  }) as VolumeCapability__Output;
const block = (mode = 'SINGLE_NODE_WRITER'): VolumeCapability__Output =>
  ({ block: {}, accessMode: { mode }, accessType: 'block' }) as VolumeCapability__Output;

test('capabilities: single-node modes, mount or block; multi-node and malformed ones refused by index', () => {
  assert.equal(checkCapabilities([mount(), block('SINGLE_NODE_MULTI_WRITER')]), {
    block: true,
    mount: true,
    fsType: '',
  });
  assert.equal(checkCapabilities([mount('SINGLE_NODE_READER_ONLY', 'xfs')]), {
    block: false,
    mount: true,
    fsType: 'xfs',
  });
  const bad = grpc.status.INVALID_ARGUMENT;
  refuses(() => checkCapabilities([]), bad, /^volume_capabilities is required$/);
  refuses(
    () => checkCapabilities([mount(), mount('MULTI_NODE_MULTI_WRITER')]),
    bad,
    /volume_capabilities\[1\]\.access_mode MULTI_NODE_MULTI_WRITER is not supported/,
  );
  refuses(() => checkCapabilities([mount('MULTI_NODE_READER_ONLY')]), bad, /MULTI_NODE_READER_ONLY/);
  refuses(
    () => checkCapabilities([{ accessMode: { mode: 'SINGLE_NODE_WRITER' } } as VolumeCapability__Output]),
    bad,
    /access_type is required/,
  );
  refuses(
    () => checkCapabilities([{ mount: { fsType: '' }, accessMode: null } as unknown as VolumeCapability__Output]),
    bad,
    /access_mode is required/,
  );
  refuses(
    () => checkCapabilities([mount('SINGLE_NODE_WRITER', 'btrfs')]),
    bad,
    /mount\.fs_type "btrfs" is not supported/,
  );
  refuses(
    () => checkCapabilities([mount('SINGLE_NODE_WRITER', 'ext4'), mount('SINGLE_NODE_WRITER', 'xfs')]),
    bad,
    /two file systems/,
  );
});

test('fsType: the parameter and the capability must agree; ext4 by default', () => {
  assert.is(resolveFsType({}, { block: false, mount: true, fsType: '' }), 'ext4');
  assert.is(resolveFsType({ fsType: 'xfs' }, { block: false, mount: true, fsType: '' }), 'xfs');
  assert.is(resolveFsType({}, { block: false, mount: true, fsType: 'xfs' }), 'xfs');
  refuses(
    () => resolveFsType({ fsType: 'xfs' }, { block: false, mount: true, fsType: 'ext4' }),
    grpc.status.INVALID_ARGUMENT,
    /parameter fsType "xfs" contradicts.*"ext4"/,
  );
});

test('capacity range: default 1 GiB, required rounded up to 4 KiB, limits honoured, impossible ranges OUT_OF_RANGE', () => {
  assert.is(chooseSize(null), DEFAULT_SIZE);
  assert.is(chooseSize({ requiredBytes: 0, limitBytes: 0 }), DEFAULT_SIZE);
  assert.is(chooseSize({ requiredBytes: 10 * MiB, limitBytes: 0 }), 10 * MiB);
  assert.is(chooseSize({ requiredBytes: 10 * MiB + 1, limitBytes: 0 }), 10 * MiB + 4096);
  assert.is(
    chooseSize({ requiredBytes: 0, limitBytes: 100 * MiB + 5 }),
    100 * MiB,
    'no required: the default, at most the limit (whole blocks)',
  );
  assert.is(chooseSize({ requiredBytes: 0, limitBytes: 4 * DEFAULT_SIZE }), DEFAULT_SIZE);
  assert.is(chooseSize({ requiredBytes: 8192, limitBytes: 8192 }), 8192);
  refuses(
    () => chooseSize({ requiredBytes: 10, limitBytes: 5 }),
    grpc.status.OUT_OF_RANGE,
    /required_bytes 10 is more than limit_bytes 5/,
  );
  refuses(
    () => chooseSize({ requiredBytes: 4097, limitBytes: 5000 }),
    grpc.status.OUT_OF_RANGE,
    /rounded up .* is 8192, more than limit_bytes 5000/,
  );
  refuses(
    () => chooseSize({ requiredBytes: 0, limitBytes: 100 }),
    grpc.status.OUT_OF_RANGE,
    /less than one 4 KiB block/,
  );
  refuses(
    () => chooseSize({ requiredBytes: -1, limitBytes: 0 }),
    grpc.status.INVALID_ARGUMENT,
    /required_bytes must not be negative/,
  );
  refuses(
    () => chooseSize({ requiredBytes: 2 ** 60, limitBytes: 0 }),
    grpc.status.OUT_OF_RANGE,
    /more than a volume can have/,
  );
});

test('capacity range from a source: the source size, which the range must admit', () => {
  const src = { what: 'snapshot v@s', size: 64 * MiB };
  assert.is(chooseSize(null, src), 64 * MiB);
  assert.is(chooseSize({ requiredBytes: 10 * MiB, limitBytes: 0 }, src), 64 * MiB);
  assert.is(chooseSize({ requiredBytes: 64 * MiB, limitBytes: 64 * MiB }, src), 64 * MiB);
  refuses(
    () => chooseSize({ requiredBytes: 65 * MiB, limitBytes: 0 }, src),
    grpc.status.OUT_OF_RANGE,
    /more than the 67108864 bytes of snapshot v@s/,
  );
  refuses(
    () => chooseSize({ requiredBytes: 0, limitBytes: 32 * MiB }, src),
    grpc.status.OUT_OF_RANGE,
    /limit_bytes 33554432 is less than the 67108864 bytes/,
  );
});

test('rangeAdmits: what an existing volume must satisfy to answer a repeated CreateVolume', () => {
  assert.ok(rangeAdmits(null, 5));
  assert.ok(rangeAdmits({ requiredBytes: 4096, limitBytes: 0 }, 8192), 'grown since: still at least the required');
  assert.not.ok(rangeAdmits({ requiredBytes: 16384, limitBytes: 0 }, 8192));
  assert.not.ok(rangeAdmits({ requiredBytes: 0, limitBytes: 4096 }, 8192));
});

test('expand: grows to required (rounded), is a no-op when already big enough, refuses to shrink', () => {
  assert.is(expandSize({ requiredBytes: 20 * MiB + 1, limitBytes: 0 }, 10 * MiB), 20 * MiB + 4096);
  assert.is(expandSize({ requiredBytes: 5 * MiB, limitBytes: 0 }, 10 * MiB), 10 * MiB, 'already larger: OK, unchanged');
  assert.is(expandSize({ requiredBytes: 10 * MiB, limitBytes: 10 * MiB }, 10 * MiB), 10 * MiB);
  refuses(
    () => expandSize({ requiredBytes: 0, limitBytes: 5 * MiB }, 10 * MiB),
    grpc.status.OUT_OF_RANGE,
    /less than the volume's 10485760 bytes: volumes only grow/,
  );
  refuses(() => expandSize(null, 10 * MiB), grpc.status.INVALID_ARGUMENT, /capacity_range is required/);
  refuses(
    () => expandSize({ requiredBytes: 0, limitBytes: 0 }, 10 * MiB),
    grpc.status.INVALID_ARGUMENT,
    /give required_bytes/,
  );
});

test('content source: snapshot ids VOLUME@SNAPSHOT and volume ids, to admin data sources and back', () => {
  const s = parseContentSource({ snapshot: { snapshotId: 'pvc-1@snap-1' }, type: 'snapshot' });
  assert.equal(s, { kind: 'snapshot', volume: 'pvc-1', snapshot: 'snap-1' });
  assert.is(dataSourceOf(s!), 'snap://pvc-1/snap-1');
  const v = parseContentSource({ volume: { volumeId: 'pvc-2' }, type: 'volume' });
  assert.is(dataSourceOf(v!), 'vol://pvc-2');
  assert.equal(contentSourceOf('snap://pvc-1/snap-1'), { snapshot: { snapshotId: 'pvc-1@snap-1' } });
  assert.equal(contentSourceOf('vol://pvc-2'), { volume: { volumeId: 'pvc-2' } });
  assert.is(contentSourceOf(''), null);
  assert.is(parseContentSource(null), null);
  refuses(
    () => parseContentSource({ snapshot: { snapshotId: 'nope' }, type: 'snapshot' }),
    grpc.status.NOT_FOUND,
    /snapshot "nope" does not exist/,
  );
  refuses(
    () => parseContentSource({ snapshot: { snapshotId: '' }, type: 'snapshot' }),
    grpc.status.INVALID_ARGUMENT,
    /snapshot_id is required/,
  );
  refuses(
    () => parseContentSource({ volume: { volumeId: '' }, type: 'volume' }),
    grpc.status.INVALID_ARGUMENT,
    /volume_id is required/,
  );
});

const nodes = [
  { id: 'node-1', zone: 'zone-a' },
  { id: 'node-2', zone: 'zone-b' },
  { id: 'node-3', zone: 'zone-b' },
];
const zone = (z: string) => ({ segments: { [TOPOLOGY_ZONE_KEY]: z } });

test('accessibility: requisite zones with nodes, preferred first; none -> RESOURCE_EXHAUSTED; unknown keys refused', () => {
  assert.equal(accessibility(null, nodes), { topology: null, nodes });
  const a = accessibility(
    { requisite: [zone('zone-a'), zone('zone-b'), zone('zone-x')], preferred: [zone('zone-b')] },
    nodes,
  );
  assert.equal(a.topology, [zone('zone-b'), zone('zone-a')]);
  assert.equal(
    a.nodes.map((n) => n.id),
    ['node-1', 'node-2', 'node-3'],
  );
  const h = accessibility(
    { requisite: [{ segments: { [TOPOLOGY_ZONE_KEY]: 'zone-b', [TOPOLOGY_HOSTNAME_KEY]: 'node-3' } }], preferred: [] },
    nodes,
  );
  assert.equal(
    h.nodes.map((n) => n.id),
    ['node-3'],
  );
  assert.equal(h.topology, [zone('zone-b')]);
  refuses(
    () => accessibility({ requisite: [zone('zone-x')], preferred: [] }, nodes),
    grpc.status.RESOURCE_EXHAUSTED,
    /no cairn node lies in the requisite topologies.*zone-x.*zones with nodes: zone-a, zone-b/,
  );
  refuses(
    () => accessibility({ requisite: [{ segments: { region: 'r1' } }], preferred: [] }, nodes),
    grpc.status.INVALID_ARGUMENT,
    /requisite\[0\]: topology key "region"/,
  );
  assert.equal(
    nodesInTopology(zone('zone-b'), nodes).map((n) => n.id),
    ['node-2', 'node-3'],
  );
  assert.equal(nodesInTopology(null, nodes).length, 3);
  assert.equal(nodesInTopology(zone('zone-x'), nodes), []);
});

test.run();
