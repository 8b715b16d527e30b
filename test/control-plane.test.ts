// End to end on `cairn up --detach`: a real etcd, a real manager and real node agents as
// separate processes. Issue 4, section 5.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { status } from '@grpc/grpc-js';
import type { AdminClient } from '@cairn/api';
import type { EventEnvelope__Output } from '@cairn/schema/events';
import { CAIRN, etcdFlags, eventually, sleep, startCluster } from './support/cluster.js';
import type { TestCluster } from './support/cluster.js';
import type { AdminMethod } from './support/grpc-types.js';

let c: TestCluster;
let second: ChildProcess | null = null;
/** The address of the manager that leads after the failover test (manager-1 is dead from then on). */
let mainAddress = '';
const e2e = suite('control plane end to end');

e2e.before(async () => {
  c = await startCluster(3);
});
e2e.after(async () => {
  second?.kill('SIGKILL');
  await c?.down();
});

/** `cairn status -o json`: the fields read here. */
interface StatusJson {
  admin: string;
  token: string;
  etcd: string[];
  manager: { pid: number };
  nodes: { id: string; zone: string; state: string; dataAddress: string }[];
}

const head = async (): Promise<number> => (await c.call('GetClusterInfo', {})).seq;

const eventsAfter = (seq: number): Promise<EventEnvelope__Output[]> => c.eventsAfter(seq);

/**
 * Nothing a refused or repeated request could have appended: node agents and the leader keep
 * appending their own events (replicas reported running, and so on) meanwhile, so the check is
 * on who appended, not on the head.
 */
async function assertNoAdminEventsAfter(seq: number, why: string): Promise<void> {
  const admin = (await eventsAfter(seq)).filter((e) => e.actor === 'admin');
  assert.equal(
    admin.map((e) => `${e.seq} ${e.payload}`),
    [],
    why,
  );
}

e2e('the token file is private and status reports the cluster', async () => {
  assert.is(statSync(c.info.token).mode & 0o777, 0o600);
  const r = await c.cairn(['status', '--dir', c.dir, '-o', 'json']);
  assert.is(r.code, 0, r.stderr);
  const s = JSON.parse(r.stdout) as StatusJson;
  assert.is(s.admin, c.info.admin);
  assert.is(s.token, c.info.token);
  assert.equal(s.etcd, c.info.etcd);
  assert.ok(s.manager.pid > 0);
  assert.equal(
    s.nodes.map((n) => [n.id, n.zone, n.state]),
    [
      ['node-1', 'zone-a', 'up'],
      ['node-2', 'zone-b', 'up'],
      ['node-3', 'zone-c', 'up'],
    ],
  );
  for (const n of s.nodes) assert.match(n.dataAddress, /^127\.0\.0\.1:\d+$/, 'each node shows its data address');
});

e2e('50 volumes created concurrently are all placed, replicas on distinct nodes', async () => {
  await Promise.all(
    Array.from({ length: 50 }, (_, i) =>
      c.call('CreateVolume', { name: `vol-${i}`, size: 64 * 2 ** 20, numberOfReplicas: 3 }),
    ),
  );
  const vols = await eventually('every volume has 3 running replicas', 60_000, async () => {
    const { volumes } = await c.call('ListVolumes', {});
    return volumes.length === 50 && volumes.every((v) => v.replicas.filter((r) => r.state === 'running').length === 3)
      ? volumes
      : null;
  });
  for (const v of vols) {
    const nodes = new Set(v.replicas.map((r) => r.node));
    assert.is(nodes.size, 3, `${v.name} has its replicas on 3 distinct nodes`);
  }
});

e2e('a request without a valid token is refused and appends nothing', async () => {
  const before = await head();
  for (const token of ['', 'not-the-token']) {
    try {
      await c.call('CreateVolume', { name: 'sneaky', size: 4096 }, c.admin(c.info.admin, token));
      assert.unreachable('must be refused');
    } catch (e) {
      assert.is((e as { code: number }).code, status.UNAUTHENTICATED);
    }
  }
  await assertNoAdminEventsAfter(before, 'refused requests appended nothing');
});

e2e('bad input for every admin call gets the right code, names the field, and appends nothing', async () => {
  const before = await head();
  const bad: [AdminMethod, object, number, RegExp][] = [
    ['CreateVolume', { name: 'Bad_Name!', size: 2 ** 30 }, status.INVALID_ARGUMENT, /name/],
    ['CreateVolume', { name: 'ok-name', size: 1000 }, status.INVALID_ARGUMENT, /size/],
    [
      'CreateVolume',
      { name: 'ok-name', size: 2 ** 30, numberOfReplicas: 3, dataLocality: 'strict-local' },
      status.INVALID_ARGUMENT,
      /strict-local/,
    ],
    [
      'CreateVolume',
      { name: 'ok-name', size: 2 ** 30, dataLocality: 'nearby' },
      status.INVALID_ARGUMENT,
      /dataLocality/,
    ],
    ['CreateVolume', { name: 'vol-0', size: 2 ** 30, numberOfReplicas: 3 }, status.ALREADY_EXISTS, /size/],
    ['GetVolume', { name: 'nope' }, status.NOT_FOUND, /nope/],
    ['UpdateVolume', { name: 'vol-0', numberOfReplicas: 99 }, status.INVALID_ARGUMENT, /numberOfReplicas/],
    ['UpdateVolume', { name: 'nope', numberOfReplicas: 2 }, status.NOT_FOUND, /nope/],
    ['ExpandVolume', { name: 'vol-0', size: 4096 }, status.INVALID_ARGUMENT, /only grow/],
    ['AttachVolume', { name: 'vol-0', nodeId: 'node-99' }, status.NOT_FOUND, /node-99/],
    ['AttachVolume', { name: 'nope', nodeId: 'node-1' }, status.NOT_FOUND, /nope/],
    ['DetachVolume', { name: 'nope' }, status.NOT_FOUND, /nope/],
    ['UpdateNode', { nodeId: 'node-99', allowScheduling: false }, status.NOT_FOUND, /node-99/],
    ['UpdateNode', { nodeId: 'node-1', tags: { values: ['bad tag'] } }, status.INVALID_ARGUMENT, /tag/],
    ['AddDisk', { nodeId: 'node-1', path: 'relative/path' }, status.INVALID_ARGUMENT, /absolute/],
    ['AddDisk', { nodeId: 'node-99', path: '/x' }, status.NOT_FOUND, /node-99/],
    ['UpdateDisk', { nodeId: 'node-1', diskId: 'nope', allowScheduling: false }, status.NOT_FOUND, /nope/],
    [
      'UpdateDisk',
      { nodeId: 'node-1', diskId: 'disk-1', storageReserved: 2 ** 60 },
      status.INVALID_ARGUMENT,
      /storageReserved/,
    ],
    ['RemoveDisk', { nodeId: 'node-1', diskId: 'disk-1' }, status.FAILED_PRECONDITION, /replica/],
    ['GetSettings', { name: 'no-such-setting' }, status.NOT_FOUND, /no-such-setting/],
    [
      'UpdateSettings',
      { values: { 'storage-minimal-available-percentage': '250' } },
      status.INVALID_ARGUMENT,
      /0 to 100/,
    ],
    ['UpdateSettings', { values: { 'made-up': '1' } }, status.INVALID_ARGUMENT, /unknown setting/],
    ['CreateSnapshot', { volume: 'nope', name: 's1' }, status.NOT_FOUND, /nope/],
    ['CreateSnapshot', { volume: 'vol-0', name: 'Bad Name' }, status.INVALID_ARGUMENT, /name/],
    ['ListSnapshots', { name: 'nope' }, status.NOT_FOUND, /nope/],
    ['DeleteSnapshot', { volume: 'nope', name: 's1' }, status.NOT_FOUND, /nope/],
    ['AuditState', { atSeq: 10 ** 9 }, status.INVALID_ARGUMENT, /beyond/],
    ['ExplainVolume', { name: '' }, status.INVALID_ARGUMENT, /name/],
  ];
  for (const [method, req, code, msg] of bad) {
    try {
      await c.callUnchecked(method, req);
      assert.unreachable(`${method} ${JSON.stringify(req)} must be refused`);
    } catch (e) {
      const err = e as { code: number; details: string };
      assert.is(err.code, code, `${method} ${JSON.stringify(req)}: ${err.details}`);
      assert.match(err.details, msg, `${method}: the message names what is wrong`);
    }
  }
  await assertNoAdminEventsAfter(before, 'refused requests appended nothing');
});

e2e('mutating calls are idempotent: the same request twice appends once', async () => {
  const before = await head();
  await c.call('CreateVolume', { name: 'vol-0', size: 64 * 2 ** 20, numberOfReplicas: 3 });
  await c.call('UpdateSettings', { values: { 'storage-over-provisioning-percentage': '100' } });
  await c.call('DeleteVolume', { name: 'never-existed' });
  await assertNoAdminEventsAfter(before, 'repeating what is already so appends nothing');
  await c.call('AttachVolume', { name: 'vol-1', nodeId: 'node-1' });
  const after = await head();
  const v = await c.call('AttachVolume', { name: 'vol-1', nodeId: 'node-1' });
  assert.is(v.attachedTo, 'node-1');
  await assertNoAdminEventsAfter(after, 'a second attach to the same node appends nothing');
});

/** The TLS flags `cairn up` gave `name` (manager, node-N): a process started by hand joins the same TLS cluster. */
const tlsFlags = (name: string): string[] =>
  c.info.tlsCa
    ? [
        '--tls-ca',
        c.info.tlsCa,
        '--tls-cert',
        join(c.dir, 'pki', `${name}.crt`),
        '--tls-key',
        join(c.dir, 'pki', `${name}.key`),
      ]
    : [];

/** The events after `seq`, read through the manager at `admin` (manager-1 is dead after the failover). */
function eventsVia(admin: AdminClient, seq: number): Promise<EventEnvelope__Output[]> {
  return new Promise((resolve, reject) => {
    const out: EventEnvelope__Output[] = [];
    const stream = admin.WatchEvents({ fromSeq: seq + 1, follow: false });
    stream.on('data', (e: EventEnvelope__Output) => out.push(e));
    stream.on('end', () => resolve(out));
    stream.on('error', reject);
  });
}
let failoverSeq = 0;

e2e('kill -9 the leading manager: a second manager takes over and nothing is lost', async () => {
  const ready = join(c.dir, 'run', 'manager-2.json');
  second = spawn(
    process.execPath,
    [
      CAIRN,
      'manager',
      '--etcd',
      c.info.etcd.join(','),
      ...etcdFlags(c.info),
      '--listen',
      '127.0.0.1:0',
      '--token-file',
      c.info.token,
      '--node-key-file',
      join(c.dir, 'credentials', 'node.key'),
      '--id',
      'manager-2',
      '--ready-file',
      ready,
      ...tlsFlags('manager'),
    ],
    { stdio: 'ignore' },
  );
  const addr = await eventually(
    'manager-2 serves',
    20_000,
    async () => existsSync(ready) && (JSON.parse(readFileSync(ready, 'utf8')).address as string),
  );
  const m2 = c.admin(addr);
  assert.is((await c.call('GetClusterInfo', {}, m2)).leaderId, 'manager-1');
  const beforeSeq = await head();
  const { volumes: beforeVols } = await c.call('ListVolumes', {}, m2);
  // Node agents learn the live managers from their heartbeat answers (one a second): let them
  // hear of manager-2 before manager-1 dies, as agents of a long-running cluster would have.
  await sleep(2500);

  process.kill(c.info.manager.pid, 'SIGKILL');
  const t0 = Date.now();
  // Bounds generous for a busy machine; the figure is printed (about 3 s on a quiet one).
  await eventually(
    'manager-2 leads',
    30_000,
    async () => (await c.call('GetClusterInfo', {}, m2)).leaderId === 'manager-2',
  );
  failoverSeq = Number((await c.call('GetClusterInfo', {}, m2)).seq);
  // The new leader decides: a new volume gets placed through manager-2.
  await c.call('CreateVolume', { name: 'after-failover', size: 64 * 2 ** 20, numberOfReplicas: 3 }, m2);
  await eventually(
    'the new leader places replicas',
    30_000,
    async () => (await c.call('GetVolume', { name: 'after-failover' }, m2)).replicas.length === 3,
  );
  console.log(`    manager-2 took over and placed a new volume ${Date.now() - t0} ms after the kill`);

  const info = await c.call('GetClusterInfo', {}, m2);
  assert.ok(info.seq > beforeSeq);
  const { volumes } = await c.call('ListVolumes', {}, m2);
  for (const v of beforeVols) {
    const now = volumes.find((x) => x.name === v.name);
    assert.ok(now, `${v.name} still there`);
    assert.equal(
      now.replicas.map((r) => r.id),
      v.replicas.map((r) => r.id),
      `${v.name}'s replicas unchanged`,
    );
  }
  // That node agents move to manager-2 and keep their leases (no node goes down) is checked by the
  // next test, once manager-2 has shown that it declares a node down whose lease lapsed.
  mainAddress = addr;
});

e2e(
  'kill -9 a node agent: its node is marked down when its lease expires; the others kept theirs through the failover',
  async () => {
    const m2 = c.admin(mainAddress);
    const victim = c.info.nodes[2]!;
    process.kill(victim.pid, 'SIGKILL');
    const t0 = Date.now();
    await eventually(
      'node-3 down',
      60_000,
      async () => (await c.call('ListNodes', {}, m2)).nodes.find((n) => n.id === 'node-3')!.state === 'down',
    );
    console.log(`    node-3 marked down ${Date.now() - t0} ms after the kill (lease TTL 5 s)`);
    // manager-2's liveness is past its startup grace and acts on lapsed leases (node-3's); in all
    // that time since the failover, node-1 and node-2 never went down: they moved to manager-2.
    const downs = (await eventsVia(m2, failoverSeq))
      .filter((e) => e.payload === 'nodeDown')
      .map((e) => e.nodeDown!.nodeId);
    assert.equal(downs, ['node-3'], 'since the failover only node-3 went down');
    assert.match(
      (await eventsVia(m2, failoverSeq)).find((e) => e.payload === 'nodeDown')!.nodeDown!.reason,
      /lease expired/,
    );
    const why = await c.call('ExplainVolume', { name: 'vol-0' }, m2);
    assert.ok(
      why.lines.some((l) => /node node-3 down \(lease expired/.test(l.text)),
      'the audit explains the degraded volume',
    );

    // The agent comes back: the node is up again, by an event.
    const back = spawn(
      process.execPath,
      [
        CAIRN,
        'node',
        '--manager',
        mainAddress,
        '--node-id',
        'node-3',
        '--disk',
        victim.disk,
        '--zone',
        victim.zone,
        '--node-token-file',
        join(c.dir, 'credentials', 'node-3.token'),
        ...tlsFlags('node-3'),
      ],
      { stdio: 'ignore' },
    );
    try {
      await eventually(
        'node-3 up again',
        15_000,
        async () => (await c.call('ListNodes', {}, m2)).nodes.find((n) => n.id === 'node-3')!.state === 'up',
      );
      const again = await c.call('ExplainVolume', { name: 'vol-0' }, m2);
      assert.ok(again.lines.some((l) => /node node-3 up again/.test(l.text)));
    } finally {
      back.kill('SIGKILL');
    }
  },
);

e2e('audit: verify passes, the state at a past seq shows the past, export + replay gives the live hash', async () => {
  const m2 = c.admin(mainAddress);
  const v = await c.call('Verify', {}, m2);
  assert.ok(v.ok, `replay ${v.replayHash} == live ${v.liveHash}`);
  assert.is(v.replayHash, v.liveHash);
  // The first volume was created a few events in; before it, the state had no volumes.
  const explain = await c.call('ExplainVolume', { name: 'vol-0' }, m2);
  const createdAt = explain.lines[0]!.seq;
  const past = await c.call('AuditState', { atSeq: createdAt - 1 }, m2);
  assert.is(past.seq, createdAt - 1);
  assert.equal(JSON.parse(past.stateJson).volumes, []);
  const then = await c.call('AuditState', { atSeq: createdAt }, m2);
  assert.equal(
    (JSON.parse(then.stateJson) as { volumes: { name: string }[] }).volumes.map((x) => x.name),
    ['vol-0'],
    'at its creation seq, only vol-0 exists',
  );

  // The CLI: audit state --at, audit verify, and an offline replay of an export giving the live hash.
  const conn = [
    '--endpoint',
    mainAddress,
    '--token-file',
    c.info.token,
    ...(c.info.tlsCa ? ['--tls-ca', c.info.tlsCa] : []),
  ];
  const at = await c.cairn(['audit', 'state', '--at', String(createdAt - 1), '-o', 'json', ...conn]);
  assert.is(at.code, 0, at.stderr);
  assert.equal(JSON.parse(at.stdout).state.volumes, []);
  const ver = await c.cairn(['audit', 'verify', ...conn]);
  assert.is(ver.code, 0, ver.stderr + ver.stdout);
  const file = join(c.dir, 'events.jsonl');
  const exp = await c.cairn(['audit', 'export', file, '-o', 'json', ...conn]);
  assert.is(exp.code, 0, exp.stderr);
  const exported = JSON.parse(exp.stdout);
  const live = await c.call('AuditState', { atSeq: exported.seq }, m2);
  assert.is(exported.hash, live.hash);
  // Offline: no endpoint, no token, no etcd.
  const rep = await c.cairn(['audit', 'replay', file, '-o', 'json', '--expect', live.hash], {
    CAIRN_ENDPOINT: '',
    CAIRN_TOKEN: '',
  });
  assert.is(rep.code, 0, rep.stderr);
  assert.is(JSON.parse(rep.stdout).hash, live.hash);
  assert.is(JSON.parse(rep.stdout).seq, exported.seq);
  const lines = readFileSync(file, 'utf8').trim().split('\n');
  assert.is(lines.length, exported.seq, 'one event a line');
});

e2e.run();
