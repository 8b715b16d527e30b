// Issue 15, point 8, end to end on `cairn up --detach`: an attacker with write access to etcd
// rewrites a stored event with valid protobuf (a volume's replica count) while the manager is
// down. Restarted, the manager refuses to project that event or anything after it, `cairn audit
// verify` fails naming its seq, and commands fail instead of acting on a log that was changed.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { status } from '@grpc/grpc-js';
import { decodeEvent, encodeEvent, Keys, openEtcd } from '@cairn/metadata';
import { etcdCredentials, eventually, startCluster } from './support/cluster.js';
import type { TestCluster } from './support/cluster.js';

let c: TestCluster;
const t = suite('a rewritten event in etcd');

t.before(async () => {
  c = await startCluster(1);
});
t.after(async () => {
  await c?.down();
});

/** The end of the manager's log, for failure messages. */
const managerLog = (): string => `\n--- manager log:\n${readFileSync(c.info.manager.log, 'utf8').slice(-3000)}`;

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

t('the restarted manager stops before the rewritten event; audit verify names its seq', async () => {
  const conn = [
    '--endpoint',
    c.info.admin,
    '--token-file',
    c.info.token,
    ...(c.info.tlsCa ? ['--tls-ca', c.info.tlsCa] : []),
  ];
  await c.call('CreateVolume', { name: 'target', size: 64 * 2 ** 20, numberOfReplicas: 3 });
  await c.call('CreateVolume', { name: 'later', size: 64 * 2 ** 20, numberOfReplicas: 2 });
  const created = (await c.eventsAfter(0)).find(
    (e) => e.payload === 'volumeCreated' && e.volumeCreated!.name === 'target',
  );
  const seq = Number(created!.seq);
  const before = await c.cairn(['audit', 'verify', '-o', 'json', ...conn]);
  assert.is(before.code, 0, before.stderr + before.stdout);
  assert.is(JSON.parse(before.stdout).chainFromSeq, 1, 'a new cluster chains from seq 1');

  // The manager goes down; with it down, the event is rewritten as valid protobuf.
  const pid = c.info.manager.pid;
  process.kill(pid, 'SIGKILL');
  await eventually('the manager is gone', 10_000, async () => !alive(pid));
  // The attacker has etcd write access (the managers' etcd credential, or etcd's root).
  const etcd = openEtcd(c.info.etcd, etcdCredentials(c.info));
  try {
    const keys = new Keys();
    // No snapshot to start from: the restarted manager replays the whole log, this event included.
    assert.equal(await etcd.getAll().prefix(keys.snapshotManifests).keys(), []);
    const ev = decodeEvent((await etcd.get(keys.event(seq)).buffer())!, seq);
    assert.is(ev.volumeCreated!.spec!.numberOfReplicas, 3);
    ev.volumeCreated!.spec!.numberOfReplicas = 1;
    await etcd.put(keys.event(seq)).value(encodeEvent(ev)).exec();
    assert.is(
      decodeEvent((await etcd.get(keys.event(seq)).buffer())!, seq).volumeCreated!.spec!.numberOfReplicas,
      1,
      'the rewrite decodes',
    );
  } finally {
    etcd.close();
  }

  rmSync(join(c.dir, 'run', 'manager-1.json'), { force: true });
  const restarted = await c.cairn(['restart', 'manager-1', '--dir', c.dir]);
  assert.is(restarted.code, 0, restarted.stderr);
  await eventually(
    'manager-1 serves again',
    30_000,
    async () => existsSync(join(c.dir, 'run', 'manager-1.json')) && (await c.call('GetClusterInfo', {})),
  );

  // audit verify: exit 1, naming the seq.
  const v = await c.cairn(['audit', 'verify', ...conn]);
  assert.is(v.code, 1, v.stdout);
  assert.match(v.stderr, new RegExp(`the log is broken at seq ${seq}:`), v.stderr + v.stdout + managerLog());
  assert.match(v.stdout, new RegExp(`^hash chain:\\s+BROKEN at seq ${seq}`, 'm'));
  const json = await c.cairn(['audit', 'verify', '-o', 'json', ...conn]);
  assert.is(json.code, 1, json.stderr + managerLog());
  const report = JSON.parse(json.stdout);
  assert.is(report.brokenSeq, seq);
  assert.is(report.ok, false);
  assert.match(report.projectionError, new RegExp(`broken at seq ${seq}`));

  // The manager projected nothing from that seq on: not the rewritten volume, nor anything after.
  const info = await c.call('GetClusterInfo', {});
  assert.is(info.seq, seq - 1, 'the state is the one before the rewritten event');
  // The killed manager's election lease lapses after its TTL; the restarted one never campaigns.
  await eventually('no manager leads', 15_000, async () => (await c.call('GetClusterInfo', {})).leaderId === '');
  const { volumes } = await c.call('ListVolumes', {});
  assert.equal(
    volumes.map((x) => x.name),
    [],
  );
  // Commands refuse rather than act on the state before the break.
  try {
    await c.call('CreateVolume', { name: 'another', size: 64 * 2 ** 20, numberOfReplicas: 1 });
    assert.unreachable('a command on a broken log must fail');
  } catch (e) {
    const err = e as { code: number; message: string; details: string };
    assert.is(err.code, status.DATA_LOSS, err.message);
    assert.match(err.details, new RegExp(`seq ${seq}`));
  }
  assert.match(
    readFileSync(c.info.manager.log, 'utf8'),
    new RegExp(`projection stopped at seq ${seq - 1}: .*broken at seq ${seq}`),
  );
});

t.run();
