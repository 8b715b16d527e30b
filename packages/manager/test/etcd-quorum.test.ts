// etcd losing quorum under a manager: a 3-member etcd, two members killed. A command must fail with
// an error that says etcd is unavailable (gRPC UNAVAILABLE, once the event log's retries run out:
// 30 s by default, 5 s here), not hang. UNAVAILABLE is an unknown outcome, not a refusal: the surviving member may hold the
// append and commit it when the others return (seen here). What must hold is that the log stays
// whole: seqs 1..N, the hash chain verifies, each create recorded at most once, and a retry of the
// same create (idempotent) leaves it there exactly once. When the members return, the manager
// leads again and commands go through.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { status } from '@grpc/grpc-js';
import { adminClient, silentLogger } from '@cairn/api';
import type { AdminClient } from '@cairn/api';
import { EtcdCluster } from '@cairn/metadata';
import { Manager } from '../src/index.js';
import { callUnary } from '@cairn/api';
import type { RequestOf, UnaryMethod } from '@cairn/api';
import { waitFor } from './support.js';

const TOKEN = 'test-token-0123456789';
let dir: string;
let etcd: EtcdCluster;
let manager: Manager;
let admin: AdminClient;

/** An admin call with a 120 s deadline: a hang shows as DEADLINE_EXCEEDED, never as a stuck suite. */
const call = <M extends UnaryMethod<AdminClient>>(method: M, req: RequestOf<AdminClient, M>) =>
  callUnary(admin, method, req, 120_000);
const outcome = <M extends UnaryMethod<AdminClient>>(
  method: M,
  req: RequestOf<AdminClient, M>,
): Promise<{ ok: true } | { ok: false; code: number; details: string }> =>
  call(method, req).then(
    () => ({ ok: true as const }),
    (e: { code: number; details: string }) => ({ ok: false as const, code: e.code, details: e.details }),
  );

const t = suite('manager: etcd losing quorum');
t.before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cairn-quorum-'));
  etcd = await EtcdCluster.start({ dir: join(dir, 'etcd'), members: 3 });
  manager = await Manager.start({
    etcd: etcd.endpoints,
    listen: '127.0.0.1:0',
    token: TOKEN,
    id: 'm1',
    logRetryForMs: 5_000,
    logger: silentLogger(),
  });
  admin = adminClient(manager.address, { token: TOKEN });
});
t.after(async () => {
  admin?.close();
  await manager?.stop().catch(() => undefined);
  await etcd?.stop();
  rmSync(dir, { recursive: true, force: true });
});

t(
  'two of three etcd members down: commands fail UNAVAILABLE, the log stays whole; back up: commands go on',
  async () => {
    await waitFor('m1 to lead', async () => (await call('GetClusterInfo', {})).leaderId === 'm1', 60_000);
    await call('CreateVolume', { name: 'before', size: 2 ** 30 });

    const down = [1, 2]; // any two: quorum is 2 of 3
    for (const i of down) await etcd.kill(i);
    const refused = await outcome('CreateVolume', { name: 'during', size: 2 ** 30 });
    assert.not.ok(refused.ok, 'a create without quorum is not acknowledged');
    if (!refused.ok) {
      assert.is(
        status[refused.code],
        'UNAVAILABLE',
        `refused as UNAVAILABLE: ${status[refused.code]} ${refused.details}`,
      );
      assert.match(refused.details, /etcd|leader|unavailable/i, `the message says why: ${refused.details}`);
      console.log(`    without quorum: ${status[refused.code]}: ${refused.details}`);
    }

    for (const i of down) await etcd.restart(i);
    await waitFor(
      'm1 to lead again after the members returned',
      async () => (await call('GetClusterInfo', {}).catch(() => ({ leaderId: '' }))).leaderId === 'm1',
      90_000,
    );
    let after: { ok: boolean } = { ok: false };
    await waitFor(
      'a create to go through once quorum is back',
      async () => (after = await outcome('CreateVolume', { name: 'after', size: 2 ** 30 })).ok,
      90_000,
    );
    assert.ok(after.ok);

    const createdIn = async () =>
      (await manager.log.read(1)).filter((e) => e.volumeCreated).map((e) => e.volumeCreated!.name);
    const early = await createdIn();
    assert.ok(early.filter((n) => n === 'during').length <= 1, 'the unacknowledged create is in the log at most once');
    console.log(
      `    the unacknowledged create ${early.includes('during') ? 'was committed when quorum returned' : 'left nothing'}`,
    );
    await call('CreateVolume', { name: 'during', size: 2 ** 30 }); // the client's retry
    const log = await manager.log.read(1);
    log.forEach((e, i) => assert.is(e.seq, i + 1, 'seqs 1..N, no gap'));
    const created = await createdIn();
    for (const name of ['before', 'during', 'after'])
      assert.equal(
        created.filter((n) => n === name),
        [name],
        `${name} created exactly once`,
      );
    const verify = await call('Verify', {});
    assert.ok(verify.ok, 'audit verify passes');
  },
);

t.run();
