// The agent keeps a detached volume's snapshots on its replicas' stores (real stores in a temp
// directory): a running replica takes a snapshot the volume gained while it was detached (nothing
// is written while detached, so its data is the snapshot's); a replica being rebuilt or failed
// never makes one from its current data (its rebuild copies the snapshot as it was).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lineLogger } from '@cairn/api';
import type { ReplicaAssignment__Output } from '@cairn/api';
import { ReplicaStore } from '@cairn/datapath';
import { Datapath } from '../src/datapath.js';
import type { NodeAssignments } from '../src/datapath.js';

const test = suite('agent datapath: snapshots of detached replicas');
let dir: string;
test.before.each(() => {
  dir = mkdtempSync(join(tmpdir(), 'cairn-agent-snap-'));
});
test.after.each(() => {
  rmSync(dir, { recursive: true, force: true });
});

const replica = (id: string, state: string, snapshots: string[]): ReplicaAssignment__Output => ({
  replicaId: id,
  volume: 'vol',
  diskId: 'disk-1',
  diskPath: dir,
  size: 1 << 20,
  state,
  rebuildFrom: '',
  secret: 'secret',
  snapshots,
  attached: false,
});
const node = (seq: number, replicas: ReplicaAssignment__Output[]): NodeAssignments => ({
  seq,
  replicas: new Map(replicas.map((r) => [r.replicaId, r])),
  engines: [],
  detaching: [],
});

async function snapshotsOf(id: string): Promise<string[]> {
  const store = await ReplicaStore.open(join(dir, 'replicas', id));
  try {
    return (await store.listSnapshots()).map((s) => s.name);
  } finally {
    await store.close();
  }
}

test('a running replica takes the snapshot the detached volume gained; a rebuilding or failed one does not', async () => {
  const logs: string[] = [];
  const dp = new Datapath({
    nodeId: 'node-1',
    host: '127.0.0.1',
    disks: [dir],
    logger: lineLogger((l) => logs.push(l)),
    report: async () => undefined,
  });
  await dp.start();
  try {
    await dp.apply(
      node(1, [replica('a', 'scheduled', []), replica('b', 'scheduled', []), replica('c', 'scheduled', [])]),
      null,
    );
    await dp.apply(
      node(2, [replica('a', 'running', []), replica('b', 'running', []), replica('c', 'running', [])]),
      null,
    );
    await dp.apply(
      node(3, [replica('a', 'running', ['s1']), replica('b', 'rebuilding', ['s1']), replica('c', 'failed', ['s1'])]),
      null,
    );
  } finally {
    await dp.stop();
  }
  assert.equal(await snapshotsOf('a'), ['s1']);
  assert.equal(await snapshotsOf('b'), [], "not made from a rebuilding replica's data");
  assert.equal(await snapshotsOf('c'), [], "not made from a failed replica's data");
  assert.ok(
    logs.some((l) => /replica b: lacks snapshot\(s\) s1/.test(l)),
    'and it says why',
  );
});

test.run();
