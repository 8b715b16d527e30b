// Where the agent may keep replica data (disk-paths.ts): under its own disks only. The pure check
// on paths, then the host check on real directories and symlinks (temp directories).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { confineReplicaDir, isInside, PlaceRefused, replicaPlace } from '../src/disk-paths.js';

const test = suite('agent disk paths');
let dir: string;
test.before.each(() => {
  dir = mkdtempSync(join(tmpdir(), 'cairn-disk-paths-'));
});
test.after.each(() => {
  rmSync(dir, { recursive: true, force: true });
});

const refusal = (p: ReturnType<typeof replicaPlace>): string => ('refused' in p ? p.refused : `accepted ${p.dir}`);

test('isInside: the root and below it, not a sibling sharing its prefix, not through ..', () => {
  assert.ok(isInside('/disk-1', '/disk-1'));
  assert.ok(isInside('/disk-1', '/disk-1/replicas/a'));
  assert.ok(isInside('/disk-1/', '/disk-1/replicas'));
  assert.not.ok(isInside('/disk-1', '/disk-1evil'), 'prefix trick');
  assert.not.ok(isInside('/disk-1', '/disk-1evil/replicas/a'));
  assert.not.ok(isInside('/disk-1', '/disk-1/../etc'), '..');
  assert.not.ok(isInside('/disk-1', '/'));
});

test("replicaPlace: only DISK/replicas/ID for one of the node's disks and a plain id", () => {
  const disks = ['/var/lib/cairn/disk-1', '/mnt/d2/'];
  assert.equal(replicaPlace(disks, '/var/lib/cairn/disk-1', 'v1-r-0a1b'), {
    dir: '/var/lib/cairn/disk-1/replicas/v1-r-0a1b',
    disk: '/var/lib/cairn/disk-1',
  });
  assert.equal(replicaPlace(disks, '/mnt/d2', 'r1'), { dir: '/mnt/d2/replicas/r1', disk: '/mnt/d2' });
  assert.match(refusal(replicaPlace(disks, '/var/lib/kubelet', 'r1')), /not one of this node's disks/);
  assert.match(
    refusal(replicaPlace(disks, '/var/lib/cairn/disk-1evil', 'r1')),
    /not one of this node's disks/,
    'prefix trick',
  );
  assert.match(refusal(replicaPlace(disks, '/var/lib/cairn/disk-1/..', 'r1')), /not one of this node's disks/);
  assert.match(
    refusal(replicaPlace(disks, '/var/lib/cairn/disk-1/../../kubelet', 'r1')),
    /not one of this node's disks/,
  );
  assert.match(refusal(replicaPlace(disks, 'var/lib/cairn/disk-1', 'r1')), /not absolute/);
  assert.match(refusal(replicaPlace(disks, '', 'r1')), /not absolute/);
  for (const id of ['..', '.', '../../../etc', 'a/b', '/etc', '', '-rf', 'a\u0000b']) {
    assert.match(refusal(replicaPlace(disks, '/mnt/d2', id)), /not a plain name/, JSON.stringify(id));
  }
});

test('confineReplicaDir: a symlink out of the disk is refused, one inside a symlinked disk is not', async () => {
  const disk = join(dir, 'disk-1');
  const outside = join(dir, 'kubelet');
  mkdirSync(disk);
  mkdirSync(outside);
  assert.is(await confineReplicaDir([disk], disk, 'r1'), join(disk, 'replicas', 'r1'), 'nothing there yet');
  // DISK/replicas/ID a symlink to somewhere else.
  mkdirSync(join(disk, 'replicas'));
  symlinkSync(outside, join(disk, 'replicas', 'r2'));
  await refused(confineReplicaDir([disk], disk, 'r2'), /leads to .*kubelet, outside the disk/);
  // DISK/replicas itself a symlink.
  const disk2 = join(dir, 'disk-2');
  mkdirSync(disk2);
  symlinkSync(outside, join(disk2, 'replicas'));
  await refused(confineReplicaDir([disk2], disk2, 'r1'), /replicas leads to .*kubelet/);
  // The disk given at start may itself be a symlink (the operator's choice): fine.
  const link = join(dir, 'disk-link');
  symlinkSync(disk, link);
  mkdirSync(join(disk, 'replicas', 'r3'));
  assert.is(await confineReplicaDir([link], link, 'r3'), join(link, 'replicas', 'r3'));
  await refused(confineReplicaDir([disk], outside, 'r1'), /not one of this node's disks/);
});

async function refused(p: Promise<unknown>, why: RegExp): Promise<void> {
  try {
    await p;
  } catch (e) {
    assert.instance(e, PlaceRefused);
    assert.match((e as Error).message, why);
    return;
  }
  assert.unreachable('accepted');
}

test.run();
