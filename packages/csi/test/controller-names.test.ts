// CO names -> cairn ids: any name the spec allows maps to a valid cairn name; names that already
// are cairn names (Kubernetes' pvc-<uuid>, the snapshotter's snapshot-<uuid>) stay themselves; the
// map is one-to-one even for names shaped like derived ones.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as grpc from '@grpc/grpc-js';
import { CsiError } from '../src/index.js';
import {
  checkCoName,
  derivedName,
  isCairnName,
  isNodeId,
  isSnapshotName,
  mapsToItself,
  MAX_CSI_STRING_BYTES,
  snapshotNameFor,
  volumeIdFor,
} from '../src/controller-names.js';

function refuses(fn: () => unknown, re: RegExp): void {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof CsiError, String(e));
    assert.is(grpc.status[(e as CsiError).code], 'INVALID_ARGUMENT');
    assert.match((e as Error).message, re);
    return;
  }
  assert.unreachable(`expected INVALID_ARGUMENT matching ${re}`);
}

const PV = 'pvc-0b7c2b0e-1f7a-4c53-9f0e-2a1c8f1a7d21';
const SNAP = 'snapshot-6d5d7a0e-3f2b-4a0c-9a8e-5f1b2c3d4e5f';

test("Kubernetes names are their own ids: PV names for volumes, the snapshotter's for snapshots", () => {
  assert.is(volumeIdFor(PV), PV);
  assert.is(snapshotNameFor(SNAP), SNAP);
  assert.is(volumeIdFor('data-1'), 'data-1');
  assert.ok(mapsToItself(PV));
});

test('any other name the spec allows gets a derived id that is a valid cairn name of at most 63 characters', () => {
  const names = [
    'PVC_1',
    'sanity-controller-create-maxlen-' + 'X'.repeat(96),
    'x'.repeat(64),
    'with space',
    'ümlaut-名前',
    '-leading',
    'trailing-',
    'a/b',
    'a@b',
    'A',
    '.',
    'é'.repeat(64),
  ];
  const ids = new Set<string>();
  for (const n of names) {
    checkCoName('name', n);
    const id = volumeIdFor(n);
    assert.ok(isCairnName(id), `${n} -> ${id}`);
    assert.ok(id.length <= 63, id);
    assert.match(id, /^csi-[a-z2-7]{52}$/);
    assert.is(volumeIdFor(n), id, 'the same name maps to the same id every time');
    assert.is(snapshotNameFor(n), id);
    ids.add(id);
  }
  assert.is(ids.size, names.length, 'distinct names, distinct ids');
});

test('a name of the derived form is hashed too, so it never takes the id of the name it was derived from', () => {
  const derived = derivedName('PVC_1');
  assert.is(volumeIdFor('PVC_1'), derived);
  assert.not.ok(mapsToItself(derived));
  const again = volumeIdFor(derived);
  assert.is.not(again, derived);
  assert.match(again, /^csi-[a-z2-7]{52}$/);
  // A name that only looks like one (wrong length, other letters) is an ordinary cairn name.
  assert.is(volumeIdFor('csi-abc'), 'csi-abc');
  assert.is(volumeIdFor(`csi-${'a'.repeat(51)}`), `csi-${'a'.repeat(51)}`);
  assert.is(volumeIdFor(`csi-${'a'.repeat(51)}1`), `csi-${'a'.repeat(51)}1`, '1 is not a base32 digit');
});

test('names: required, at most 128 bytes, no control characters; INVALID_ARGUMENT naming the field', () => {
  assert.is(checkCoName('name', 'x'.repeat(MAX_CSI_STRING_BYTES)), 'x'.repeat(128));
  refuses(() => checkCoName('name', ''), /^name is required$/);
  refuses(() => checkCoName('name', 'x'.repeat(129)), /^name is 129 bytes long: the CSI spec allows at most 128$/);
  refuses(() => checkCoName('name', 'é'.repeat(65)), /name is 130 bytes long/);
  refuses(() => checkCoName('name', 'a\nb'), /name "a\\nb" contains control characters/);
  refuses(() => checkCoName('name', 'a\u0085b'), /contains control characters/);
});

test("ids: the admin's rules for volume names, node ids and snapshot names", () => {
  assert.ok(isCairnName(PV));
  for (const bad of ['', 'fake-vol-id-UPPER', 'x'.repeat(64), 'a@b', '-a']) assert.not.ok(isCairnName(bad), bad);
  assert.ok(isNodeId('node-1'));
  assert.ok(isNodeId('ip-10-0-0-1.ec2.internal'));
  assert.not.ok(isNodeId('Node_1'));
  assert.ok(isSnapshotName(`clone-${'v'.repeat(63)}-12`), "the manager's clone snapshots may exceed 63 characters");
  assert.not.ok(isSnapshotName('a/b'));
});

test.run();
