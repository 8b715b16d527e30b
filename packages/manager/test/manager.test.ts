// A manager in-process on a real etcd: TLS when a cert and key are given, the token on every call,
// and the leader's reconciler placing replicas.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as http2 from 'node:http2';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { status } from '@grpc/grpc-js';
import { adminApi, GRPC_MAX_CONCURRENT_STREAMS, lineLogger, silentLogger } from '@cairn/api';
import type { AdminApi } from '@cairn/api';
import type { Volume__Output } from '@cairn/schema/types';
import { draft, EtcdCluster, openEtcd, SnapshotStore } from '@cairn/metadata';
import { explainEvents, Manager } from '../src/index.js';
import { waitFor } from './support.js';

let dir: string;
let etcd: EtcdCluster;
let manager: Manager;
let ca: Buffer;
const TOKEN = 'test-token-0123456789';

/** The admin API of the manager under test, each call with a 5 s deadline. */
const admin = (token: string, tlsCa?: Buffer): AdminApi =>
  adminApi(manager.address, { token, ...(tlsCa ? { tlsCa } : {}), timeoutMs: 5000 });

const m = suite('manager');
m.before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cairn-manager-'));
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      join(dir, 'key.pem'),
      '-out',
      join(dir, 'cert.pem'),
      '-days',
      '1',
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=IP:127.0.0.1,DNS:localhost',
    ],
    { stdio: 'ignore' },
  );
  ca = readFileSync(join(dir, 'cert.pem'));
  etcd = await EtcdCluster.start({ dir: join(dir, 'etcd') });
  manager = await Manager.start({
    etcd: etcd.endpoints,
    listen: '127.0.0.1:0',
    token: TOKEN,
    id: 'm1',
    logger: silentLogger(),
    tls: { cert: ca, key: readFileSync(join(dir, 'key.pem')) },
  });
});
m.after(async () => {
  await manager?.stop();
  await etcd?.stop();
  rmSync(dir, { recursive: true, force: true });
});

m('serves TLS with a valid token; plaintext and bad tokens are refused', async () => {
  const good = admin(TOKEN, ca);
  const info = await good.getClusterInfo();
  assert.is(info.managerId, 'm1');
  const wrong = admin('nope', ca);
  try {
    await wrong.listVolumes();
    assert.unreachable();
  } catch (e) {
    assert.is((e as { code: number }).code, status.UNAUTHENTICATED);
  }
  const plain = admin(TOKEN);
  try {
    await plain.listVolumes();
    assert.unreachable('a plaintext client cannot talk to a TLS manager');
  } catch (e) {
    assert.is((e as { code: number }).code, status.UNAVAILABLE);
  }
  for (const c of [good, wrong, plain]) c.close();
});

m('the gRPC server caps concurrent streams per connection (HTTP/2 SETTINGS)', async () => {
  const session = http2.connect(`https://${manager.address}`, { ca });
  session.on('error', () => undefined);
  try {
    const settings = await new Promise<http2.Settings>((resolve) => session.once('remoteSettings', resolve));
    assert.is(settings.maxConcurrentStreams, GRPC_MAX_CONCURRENT_STREAMS);
  } finally {
    session.destroy();
  }
});

m('the leader places replicas, records why, and unplaceable replicas become an explained decision', async () => {
  const c = admin(TOKEN, ca);
  for (let i = 1; i <= 2; i++) {
    await manager.log.append([
      draft.nodeRegistered(`n${i}`, { zone: `z${i}` }),
      draft.diskAdded(`n${i}`, 'd1', { maximum: 10 * 2 ** 30 }),
    ]);
  }
  await c.createVolume({ name: 'v', size: 2 ** 30, numberOfReplicas: 3 });
  let v: Volume__Output | undefined;
  await waitFor(
    'v with 2 replicas placed and the third explained as unschedulable',
    async () => {
      v = await c.getVolume({ name: 'v' });
      return v.replicas.length === 2 && !!v.unschedulable;
    },
    30_000,
  );
  assert.equal(v!.replicas.map((r) => r.node).sort(), ['n1', 'n2']);
  assert.match(v!.unschedulable, /AntiAffinityNode|1 replica/i);
  const why = await c.explainVolume({ name: 'v' });
  assert.ok(
    why.lines.some((l) => /could not be placed/.test(l.text) && /AntiAffinityNode/.test(l.text)),
    'the missing replica is explained by named reasons',
  );
  const verify = await c.verify();
  assert.ok(verify.ok);
  c.close();
});

m('concurrent commands share appends, each validated as if run one by one', async () => {
  const c = admin(TOKEN, ca);
  const before = (await c.getClusterInfo()).seq as number;
  // 30 distinct volumes, each asked for twice with the same parameters (idempotent: created
  // once), and once more with another size (ALREADY_EXISTS), all at the same moment.
  const names = Array.from({ length: 30 }, (_, i) => `batch-${i}`);
  const asks = names.flatMap((name) => [
    c.createVolume({ name, size: 2 ** 24 }).then(
      () => 'ok',
      (e: { code: number }) => status[e.code],
    ),
    c.createVolume({ name, size: 2 ** 24 }).then(
      () => 'ok',
      (e: { code: number }) => status[e.code],
    ),
    c.createVolume({ name, size: 2 ** 25 }).then(
      () => 'ok',
      (e: { code: number }) => status[e.code],
    ),
  ]);
  const answers = await Promise.all(asks);
  for (let i = 0; i < names.length; i++) {
    assert.equal(answers.slice(3 * i, 3 * i + 3), ['ok', 'ok', 'ALREADY_EXISTS'], names[i]);
  }
  // Each volume was created exactly once, and fewer etcd transactions than creates were used.
  const log = manager.log;
  const events: { seq: number; name: string }[] = [];
  const revisions = new Set<string>();
  const after = (await c.getClusterInfo()).seq as number;
  for (let seq = before + 1; seq <= after; seq++) {
    const res = await (log as unknown as { client: import('etcd3').Etcd3 }).client.get(log.keys.event(seq)).exec();
    const kv = res.kvs[0]!;
    const ev = (await import('@cairn/metadata')).decodeEvent(kv.value, seq);
    if (ev.volumeCreated) {
      events.push({ seq, name: ev.volumeCreated.name });
      revisions.add(String(kv.mod_revision));
    }
  }
  assert.equal(events.map((e) => e.name).sort(), [...names].sort(), 'one VolumeCreated per name');
  assert.ok(revisions.size < names.length, `30 creates in ${revisions.size} transactions`);
  c.close();
});

m(
  "ExplainVolume reads only the volume's events (once indexed) and says what a read of the whole log says",
  async () => {
    const c = admin(TOKEN, ca);
    // Counts the events the manager reads from its log (the projection's own watch is not a read).
    const log = manager.log as unknown as {
      read: (from: number, to?: number) => Promise<import('@cairn/metadata').CairnEvent[]>;
    };
    const read = log.read.bind(log);
    let readEvents = 0;
    log.read = async (from, to) => {
      const r = await read(from, to);
      readEvents += r.length;
      return r;
    };
    try {
      await c.explainVolume({ name: 'v' }); // the first builds the index: one read of the log
      await c.createSnapshot({ volume: 'v', name: 'after-the-index' }); // an event the index follows live
      const seq = (await c.getClusterInfo()).seq as number;
      readEvents = 0;
      const why = await c.explainVolume({ name: 'v' });
      const byExplain = readEvents;
      const lines = (xs: { seq?: unknown; replicaId?: string; text?: string }[]) =>
        xs.map((l) => `${Number(l.seq)} ${l.replicaId} ${l.text}`);
      const whole = explainEvents('v', await read(1, seq));
      assert.equal(
        lines(why.lines).slice(0, whole.length),
        lines(whole),
        'the lines of a read of the whole log, in order',
      );
      assert.ok(
        why.lines.some((l: { text: string }) => l.text === 'snapshot after-the-index created by admin'),
        'an event after the index was built is explained',
      );
      console.log(`    ExplainVolume read ${byExplain} events of a ${seq}-event log (${why.lines.length} lines)`);
      assert.ok(byExplain > 0 && byExplain < seq / 2, `explain read ${byExplain} events of a ${seq}-event log`);
    } finally {
      log.read = read;
      c.close();
    }
  },
);

m('a new leader declares no node down during its startup grace (agents are finding it), then does', async () => {
  // Its own manager and key prefix on the same etcd, with a 1 s node lease and 250 ms heartbeats:
  // a startup grace of 1 s + 2 heartbeats = 1.5 s, then a status key must stay missing 1 s.
  // Measured on the manager's own record, not the test's clock: from the moment it says it leads
  // to the NodeDown event's time in the log (a busy machine can only make that longer).
  let leaderAt = 0;
  const other = await Manager.start({
    etcd: etcd.endpoints,
    listen: '127.0.0.1:0',
    token: TOKEN,
    id: 'm-grace',
    prefix: '/grace/',
    nodeLeaseTtl: 1,
    heartbeatMs: 250,
    logger: lineLogger((line: string) => {
      if (leaderAt === 0 && /is the leader/.test(line)) leaderAt = Date.now();
    }),
  });
  try {
    // A node the log knows but that never heartbeats to this manager (as after a restart).
    await other.log.append([draft.nodeRegistered('quiet', { zone: 'z1' })]);
    await waitFor(
      'm-grace to declare the silent node "quiet" down',
      () => other.projection.state.nodes.get('quiet')?.down === true,
      30_000,
    );
    assert.ok(leaderAt > 0, 'the manager said it leads');
    const down = (await other.log.read(1)).find((e) => e.nodeDown?.nodeId === 'quiet');
    assert.ok(down, 'NodeDown is in the log');
    const after = Number(down.timeMs) - leaderAt;
    // Without the grace it would be down 1-1.5 s after leading.
    assert.ok(
      after >= 1500 + 1000,
      `declared down ${after} ms after leading: inside the startup grace (1.5 s) plus the 1 s a key must stay missing`,
    );
  } finally {
    await other.stop();
  }
});

m('the leader writes a snapshot every --snapshot-every events, through its projection', async () => {
  const other = await Manager.start({
    etcd: etcd.endpoints,
    listen: '127.0.0.1:0',
    token: TOKEN,
    id: 'm-snap',
    prefix: '/snap/',
    logger: silentLogger(),
    snapshotEvery: 10,
  });
  const client = openEtcd(etcd.endpoints);
  const snapshots = new SnapshotStore(client, { prefix: '/snap/' });
  try {
    for (let i = 0; i < 25; i++) await other.log.append([draft.nodeRegistered(`n${i}`, { zone: 'z1' })]);
    await other.projection.waitFor(25);
    let seqs: number[] = [];
    await waitFor(
      'a snapshot at seq 20',
      async () => (seqs = (await snapshots.list()).map((x) => x.seq)).includes(20),
      30_000,
    );
    assert.ok(seqs.includes(20), `snapshots at ${seqs}: one at seq 20`);
    assert.ok(
      seqs.every((seq) => seq % 10 === 0),
      `snapshots at ${seqs}: only at multiples of 10`,
    );
    const loaded = await snapshots.loadLatest();
    assert.is(loaded?.seq, 20);
    assert.is(loaded?.nodes.size, 20, 'the state at seq 20');
  } finally {
    await other.stop();
    client.close();
  }
});

m.run();
