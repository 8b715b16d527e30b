// The agent's datapath on real replica stores (temp directories, real files): which replicas a
// pass looks at, and how "running" reports behave now that a pass does not wait for them. The
// manager is not here: `report` is the call the agent makes to it, recorded by the test.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '@cairn/api';
import type { ReplicaAssignment__Output, ReportRequest } from '@cairn/api';
import { Datapath } from '../src/datapath.js';
import type { NodeAssignments } from '../src/datapath.js';

const test = suite('agent datapath: replicas and reports');
let dir: string;
test.before.each(() => {
  dir = mkdtempSync(join(tmpdir(), 'cairn-agent-dp-'));
});
test.after.each(() => {
  rmSync(dir, { recursive: true, force: true });
});

const replica = (id: string, state = 'scheduled'): ReplicaAssignment__Output => ({
  replicaId: id,
  volume: `vol-${id}`,
  diskId: 'disk-1',
  diskPath: dir,
  size: 1 << 20,
  state,
  rebuildFrom: '',
  secret: 'secret',
  snapshots: [],
  attached: false,
});
const node = (seq: number, replicas: Map<string, ReplicaAssignment__Output>): NodeAssignments => ({
  seq,
  replicas,
  engines: [],
  detaching: [],
});
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A datapath whose reports are recorded; the first `failFirst` of them fail (the manager unreachable). */
function datapath(failFirst = 0): { dp: Datapath; running: string[][] } {
  const running: string[][] = [];
  let calls = 0;
  const dp = new Datapath({
    nodeId: 'node-1',
    host: '127.0.0.1',
    disks: [dir],
    logger: silentLogger(),
    report: async (r: Omit<ReportRequest, 'nodeId'>) => {
      const ids = (r.replicas ?? []).filter((x) => x.state === 'running').map((x) => x.replicaId!);
      if (ids.length) running.push(ids);
      if (++calls <= failFirst) throw new Error('manager unreachable');
    },
  });
  return { dp, running };
}

test('a replica is reported running once per assignment, and a pass looks only at what the push touched', async () => {
  const { dp, running } = datapath();
  await dp.start();
  try {
    const held = new Map([['a', replica('a')]]);
    await dp.apply(node(1, held), null);
    assert.ok(existsSync(join(dir, 'replicas', 'a', 'replica.json')), 'its store was made');
    await sleep(20);
    assert.equal(running, [['a']]);
    // A push that touches a with the very same assignment: nothing new to say.
    await dp.apply(node(2, held), new Set(['a']));
    await sleep(20);
    assert.equal(running, [['a']], 'a is not reported again for the same assignment');
    // A push that touches only b: a is not looked at (even with a new object in the map, which a
    // pass over everything would report again).
    held.set('a', replica('a'));
    held.set('b', replica('b'));
    await dp.apply(node(3, held), new Set(['b']));
    await sleep(20);
    assert.equal(running, [['a'], ['b']], 'only the touched replica is looked at');
    // A whole push (a new stream): new objects, still scheduled, so both are said again.
    await dp.apply(
      node(
        4,
        new Map([
          ['a', replica('a')],
          ['b', replica('b')],
        ]),
      ),
      null,
    );
    await sleep(20);
    assert.equal(running, [['a'], ['b'], ['a', 'b']]);
    // The manager recorded them: running now, and nothing more to say.
    await dp.apply(
      node(
        5,
        new Map([
          ['a', replica('a', 'running')],
          ['b', replica('b', 'running')],
        ]),
      ),
      null,
    );
    await sleep(20);
    assert.is(running.length, 3);
  } finally {
    await dp.stop();
  }
});

test('a failed running report is said again by a pass a second later, without a new push', async () => {
  const { dp, running } = datapath(1);
  await dp.start();
  try {
    const held = new Map([['a', replica('a')]]);
    const t0 = Date.now();
    await dp.apply(node(1, held), null);
    await sleep(20);
    assert.equal(running, [['a']], 'said once, and it failed');
    for (let i = 0; i < 60 && running.length < 2; i++) await sleep(50);
    assert.equal(running, [['a'], ['a']], 'said again after the failure');
    assert.ok(Date.now() - t0 >= 900, 'by the recheck a second later');
  } finally {
    await dp.stop();
  }
});

test('the figures of a failed replica are said once by the pass, then again while it stays failed, without a new push', async () => {
  const figures: string[][] = [];
  const dp = new Datapath({
    nodeId: 'node-1',
    host: '127.0.0.1',
    disks: [dir],
    logger: silentLogger(),
    report: async (r: Omit<ReportRequest, 'nodeId'>) => {
      if (r.figures?.length) figures.push(r.figures.map((f) => `${f.replicaId}@${f.revision}`));
    },
  });
  await dp.start();
  try {
    await dp.apply(node(1, new Map([['a', replica('a', 'running')]])), null);
    await dp.apply(node(2, new Map([['a', replica('a', 'failed')]])), null);
    assert.equal(figures, [['a@0']], 'the pass says them once');
    // The event: the repeat, not a clock bound on it (a salvage waits for figures newer than the
    // replica's newest recorded failure, which may come after the pass's).
    const deadline = Date.now() + 30_000; // generous: the repeat comes every 5 s
    while (figures.length < 2) {
      if (Date.now() > deadline)
        assert.unreachable(
          "timed out after 30 s waiting for: the failed replica's figures said again with no new push",
        );
      await sleep(100);
    }
    assert.equal(figures[1], ['a@0'], 'said again with no new push');
  } finally {
    await dp.stop();
  }
});

test("an assignment outside the node's disks is reported failed (refused) and nothing outside is made, opened or removed", async () => {
  // The review's attack: a manager that names a disk path it was not given (or a replica id with
  // '..') would have had the agent make a store there and later `rm -rf` it.
  const disk = join(dir, 'disk-1');
  const outside = join(dir, 'disk-1evil');
  mkdirSync(join(outside, 'replicas', 'x'), { recursive: true });
  writeFileSync(join(outside, 'replicas', 'x', 'keep'), 'tenant data of someone else');
  mkdirSync(join(disk, 'replicas'), { recursive: true });
  const before = readdirSync(dir, { recursive: true }).map(String).sort();
  const reports: { replicaId: string; state: string; reason: string }[] = [];
  let heard = (): void => undefined;
  const dp = new Datapath({
    nodeId: 'node-1',
    host: '127.0.0.1',
    disks: [disk],
    logger: silentLogger(),
    report: async (r: Omit<ReportRequest, 'nodeId'>) => {
      for (const x of r.replicas ?? [])
        reports.push({ replicaId: x.replicaId!, state: x.state!, reason: x.reason ?? '' });
      heard();
    },
  });
  await dp.start();
  try {
    const at = (id: string, diskPath: string): ReplicaAssignment__Output => ({ ...replica(id), diskPath });
    const held = new Map([
      ['x', at('x', outside)],
      ['../../disk-1evil/replicas/x', at('../../disk-1evil/replicas/x', disk)],
      ['y', at('y', join(disk, '..', 'disk-1evil'))],
    ]);
    const failed = new Promise<void>((r) => {
      heard = () => {
        if (reports.filter((x) => x.state === 'failed').length >= 3) r();
      };
    });
    await dp.apply(node(1, held), null);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      failed,
      new Promise((_, no) => {
        timer = setTimeout(
          () =>
            no(
              new Error(`no failed report for the 3 refused replicas after 10 s; reports: ${JSON.stringify(reports)}`),
            ),
          10_000,
        );
      }),
    ]).finally(() => clearTimeout(timer));
    assert.equal(reports.map((x) => `${x.replicaId} ${x.state}`).sort(), [
      '../../disk-1evil/replicas/x failed',
      'x failed',
      'y failed',
    ]);
    for (const x of reports)
      assert.match(x.reason, /^refused: .*(not one of this node's disks|not a plain name)/, x.replicaId);
    // Withdrawn: nothing to remove (none ran), and what is outside is as it was.
    await dp.apply(node(2, new Map()), null);
    assert.equal(readdirSync(dir, { recursive: true }).map(String).sort(), before, 'nothing made or removed');
    assert.is(readFileSync(join(outside, 'replicas', 'x', 'keep'), 'utf8'), 'tenant data of someone else');
  } finally {
    await dp.stop();
  }
});

test.run();
