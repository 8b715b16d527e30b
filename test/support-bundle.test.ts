// `cairn support-bundle` (issue 17 point 6) on a `cairn up` cluster: one .tar.gz with the cluster
// file and process status, what the admin API says (info, nodes, volumes, settings), the whole
// event log, the last lines of every process's log and host facts; and none of the cluster's
// secrets: not the token, the node key, a node token or a private key, even where a log quoted one.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { appendFileSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { extract } from 'tar';
import { startCluster } from './support/cluster.js';
import type { TestCluster } from './support/cluster.js';

let c: TestCluster;
let out: string;

test.before(async () => {
  c = await startCluster(2);
  out = mkdtempSync(join(tmpdir(), 'cairn-bundle-test-'));
});
test.after(async () => {
  await c?.down();
  if (out) rmSync(out, { recursive: true, force: true });
});

/** Every file of the archive: relative path -> content. */
async function unpack(archive: string): Promise<Map<string, string>> {
  const into = mkdtempSync(join(out, 'x-'));
  await extract({ file: archive, cwd: into });
  const files = new Map<string, string>();
  const walk = (d: string, rel: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(d, e.name), `${rel}${e.name}/`);
      else files.set(`${rel}${e.name}`, readFileSync(join(d, e.name), 'utf8'));
    }
  };
  walk(into, '');
  return files;
}

test("the bundle holds status, API answers, the event log, every process's log and host facts; no secret", async () => {
  await c.call('CreateVolume', { name: 'vb', size: 64 * 2 ** 20, numberOfReplicas: 2 });
  const credentials = join(c.dir, 'credentials');
  const nodeKey = readFileSync(join(credentials, 'node.key'), 'utf8').trim();
  const nodeToken = readFileSync(join(credentials, 'node-1.token'), 'utf8').trim();
  const caKey = readFileSync(join(c.dir, 'pki', 'ca.key'), 'utf8');
  // A log line that quotes secrets, as a careless one might: the bundle must not carry them on.
  appendFileSync(c.info.nodes[0]!.log, `debug: token ${c.token} node ${nodeToken} key ${nodeKey}\n${caKey}\n`);
  // And a JSON line (a process run with --log-format json) quoting one in a field nobody redacts.
  appendFileSync(
    c.info.nodes[1]!.log,
    `${JSON.stringify({ level: 'debug', time: new Date().toISOString(), msg: 'quoting', value: c.token })}\n`,
  );
  const archive = join(out, 'bundle.tar.gz');
  const r = await c.cairn(['support-bundle', '--dir', c.dir, '--output', archive]);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /support bundle: .*bundle\.tar\.gz/);
  assert.not.match(r.stdout, /incomplete/);
  const files = await unpack(archive);
  const [top] = [...files.keys()][0]!.split('/');
  assert.match(top!, /^cairn-support-bundle-/);
  const f = (rel: string): string => {
    const v = files.get(`${top}/${rel}`);
    assert.ok(v !== undefined, `the bundle has ${rel} (it has ${[...files.keys()].join(', ')})`);
    return v!;
  };
  const manifest = JSON.parse(f('manifest.json'));
  assert.is(manifest.cairn, '0.1.0');
  assert.equal(manifest.problems, []);
  assert.ok(manifest.leftOut.files.includes(c.info.token), 'the manifest says the token file was left out');
  assert.is(JSON.parse(f('cluster.json')).admin, c.info.admin);
  assert.ok(
    JSON.parse(f('processes.json')).filter((p: { running: boolean }) => p.running).length >= 3,
    'etcd, the manager, the nodes: running',
  );
  assert.ok(JSON.parse(f('api/volumes.json')).volumes.some((v: { name: string }) => v.name === 'vb'));
  assert.is(JSON.parse(f('api/nodes.json')).nodes.length, 2);
  assert.ok(JSON.parse(f('api/settings.json')).settings.length > 5);
  const events = f('api/events.jsonl')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  assert.is(events[0].seq, 1);
  assert.ok(
    events.some((e) => e.payload === 'volumeCreated' && e.volumeCreated!.name === 'vb'),
    "the log holds the volume's creation",
  );
  assert.ok(JSON.parse(f('api/cluster-info.json')).seq >= events.at(-1).seq, 'the log is whole up to the head it saw');
  for (const p of [c.info.manager.id, ...c.info.nodes.map((n) => n.id)])
    assert.ok(f(`logs/${p}.log`).length > 0, `${p}'s log`);
  assert.match(f('logs/node-1.log'), /debug: token \[redacted\] node \[redacted\] key \[redacted\]/);
  assert.not.match(f('logs/node-1.log'), /BEGIN [A-Z ]*PRIVATE KEY/, 'the CA key quoted in the log is gone');
  const jsonLine = f('logs/node-2.log')
    .split('\n')
    .find((l) => l.includes('"msg":"quoting"'))!;
  assert.is(JSON.parse(jsonLine).value, '[redacted]', 'a JSON line stays JSON, its secret redacted');
  const host = JSON.parse(f('host.json'));
  assert.ok(host.cpus >= 1 && host.kernel && host.node === process.version);
  // No secret value anywhere in the archive.
  const all = [...files.values()].join('\n');
  for (const [what, secret] of [
    ['admin token', c.token],
    ['node key', nodeKey],
    ['node token', nodeToken],
    ['CA key', caKey.split('\n')[1]!],
  ] as const) {
    assert.not.ok(all.includes(secret), `the ${what} is not in the bundle`);
  }
  assert.not.match(all, /PRIVATE KEY-----\n[A-Za-z0-9+/]/, 'no private key body');
});

test("cairn up's manager log: readable levelled lines, the volume's events with their volume, replica, node and seq", async () => {
  // vb was created by the test above; its replicas were placed by the leader.
  const log = readFileSync(c.info.manager.log, 'utf8').split('\n');
  const fields = (l: string): Record<string, unknown> => JSON.parse(l.slice(l.indexOf(' {"')));
  const created = log.find(
    (l) => / INFO: \[manager-1\] event-log: appended VolumeCreated \{/.test(l) && fields(l).volume === 'vb',
  );
  assert.ok(created, `a VolumeCreated line of vb in:\n${log.slice(-20).join('\n')}`);
  assert.match(created!, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} INFO: /);
  assert.type(fields(created!).seq, 'number');
  const placed = log.filter(
    (l) => / INFO: \[manager-1\] event-log: appended ReplicaScheduled \{/.test(l) && fields(l).volume === 'vb',
  );
  assert.is(placed.length, 2, 'one line per replica placed');
  for (const l of placed) {
    const f = fields(l);
    assert.match(String(f.replica), /^vb-/);
    assert.match(String(f.node), /^node-[12]$/);
    assert.is(f.actor, 'manager/manager-1');
  }
  assert.ok(
    log.some((l) => / INFO: \[manager-1\] election: manager manager-1 is the leader$/.test(l)),
    'the leadership is logged',
  );
  // The agents' lines say which volume and replica they concern too.
  const node = readFileSync(c.info.nodes[0]!.log, 'utf8');
  assert.match(node, / INFO: \[node-1\] datapath: replica vb-\S+ of vb serving from .* \{"volume":"vb","replica":"vb-/);
});

test('refused, naming what is wrong: no cluster in --dir, a bad --log-lines', async () => {
  const none = await c.cairn(['support-bundle', '--dir', join(out, 'nowhere')]);
  assert.is.not(none.code, 0);
  assert.match(none.stderr, /no cluster in .*nowhere/);
  const bad = await c.cairn(['support-bundle', '--dir', c.dir, '--log-lines', '0']);
  assert.is.not(bad.code, 0);
  assert.match(bad.stderr, /--log-lines must be a whole number of at least 1, got "0"/);
});

test.run();
