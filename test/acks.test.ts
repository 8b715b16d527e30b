// No acknowledged write lost, end to end (issue 13, point 3): whatever the order of failures
// (replica dropped, report lost, engine node dead, manager leader change), a replica that missed
// acknowledged writes is never chosen over one that has them, and a volume whose up-to-date
// replicas are all unreachable waits (and says why) instead of opening on stale data.
// Cluster: `cairn up --nodes 4 --managers 2`, every node's data network behind its own TCP proxy
// (test/support/data-proxy.ts: cut() destroys its connections and black-holes new ones). Each
// order uses its own 8 MiB volume with 2 replicas (r1 on H1, r2 on H2), attached on a node E that
// holds neither, written with qemu-io over NBD (A at 0, B at 1 MiB, each 1 MiB of one byte value);
// "acknowledged" is what qemu-io reported written. Then r2's data link is cut (it is dropped),
// the fault of the order happens, E is killed (SIGKILL), and the volume is attached on the fourth
// node D with r2 reachable again and r1 unreachable: the stale replica is the only one in reach.
// Every write qemu-io saw acknowledged must read back.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Volume__Output } from '@cairn/schema/types';
import { sleep } from './support/cluster.js';
import { Admin, cairn, clusterCa, kill9, proxyEveryNode, readCluster, until } from './support/chaos.js';
import type { DataProxy } from './support/data-proxy.js';

const execFileP = promisify(execFile);
const MiB = 2 ** 20;
const t = suite('no acknowledged write lost');
let dir = '';
let api: Admin;
let proxies = new Map<string, DataProxy>();

t.before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cairn-acks-'));
  const up = await cairn(['up', '--dir', dir, '--nodes', '4', '--managers', '2', '--detach'], 120_000);
  if (up.code !== 0) throw new Error(`cairn up: ${up.out}`);
  const token = readFileSync(readCluster(dir).token, 'utf8').trim();
  api = new Admin(() => readCluster(dir).managers.map((m) => m.address), token, clusterCa(readCluster(dir)));
  proxies = await proxyEveryNode(dir, api);
});

t.after(async () => {
  api?.close();
  for (const p of proxies.values()) await p.close();
  await cairn(['down', '--dir', dir]);
  if (!process.env.CAIRN_ACKS_KEEP) rmSync(dir, { recursive: true, force: true });
});

/** qemu-io commands on the NBD URI; resolves with its output and whether it exited 0. */
async function qemuIo(uri: string, cmds: string[], timeoutMs = 30_000): Promise<{ ok: boolean; out: string }> {
  try {
    const { stdout, stderr } = await execFileP('qemu-io', ['-f', 'raw', uri, ...cmds.flatMap((c) => ['-c', c])], {
      timeout: timeoutMs,
    });
    return { ok: true, out: stdout + stderr };
  } catch (e) {
    const x = e as { stdout?: string; stderr?: string; message: string };
    return { ok: false, out: `${x.stdout ?? ''}${x.stderr ?? x.message}` };
  }
}

const A = { pattern: '0x11', offset: 0 };
const B = { pattern: '0x22', offset: MiB };
const write = (uri: string, w: typeof A) => qemuIo(uri, [`write -P ${w.pattern} ${w.offset} ${MiB}`]);
const acked = (r: { ok: boolean; out: string }): boolean => r.ok && /wrote 1048576\/1048576 bytes/.test(r.out);

async function verify(uri: string, writes: (typeof A)[]): Promise<void> {
  const r = await qemuIo(
    uri,
    writes.map((w) => `read -P ${w.pattern} ${w.offset} ${MiB}`),
  );
  assert.ok(r.ok && !/Pattern verification failed/.test(r.out), `acknowledged writes read back on ${uri}: ${r.out}`);
}

const volume = (name: string) => api.call('GetVolume', { name });
const running = (v: Volume__Output): string[] => v.replicas.filter((r) => r.state === 'running').map((r) => r.id);

interface Setup {
  name: string;
  r1: string;
  r2: string;
  h1: string;
  h2: string;
  e: string;
  d: string;
  uri: string;
}

/** A fresh volume with 2 running replicas, attached on a node holding neither, with A written. */
async function setup(name: string): Promise<Setup> {
  await api.call('CreateVolume', { name, size: 8 * MiB, numberOfReplicas: 2 });
  const v = await until(`${name}: 2 replicas running`, 30_000, async () => {
    const x = await volume(name);
    return running(x).length === 2 ? x : null;
  });
  const [r1, r2] = v.replicas.map((r) => r.id as string);
  const [h1, h2] = v.replicas.map((r) => r.node as string);
  const [e, d] = readCluster(dir)
    .nodes.map((n) => n.id)
    .filter((n) => n !== h1 && n !== h2);
  const uri = await attach(name, e!);
  assert.ok(acked(await write(uri, A)), 'A acknowledged');
  return { name, r1: r1!, r2: r2!, h1: h1!, h2: h2!, e: e!, d: d!, uri };
}

async function attach(name: string, node: string): Promise<string> {
  // A node a previous test killed and restarted may not be back up yet (its NodeUp comes with its
  // first heartbeat to the leader): an attach there would be refused, rightly.
  await until(`${node} up`, 40_000, async () => {
    const n = (await api.call('ListNodes', {})).nodes.find((x) => x.id === node);
    return n?.state === 'up' ? n : null;
  });
  await api.call('AttachVolume', { name, nodeId: node });
  return until(`${name} attached on ${node}`, 40_000, async () => {
    const x = await volume(name);
    return x.state === 'attached' && x.attachedTo === node && x.endpoint ? (x.endpoint as string) : null;
  });
}

/** Kills the engine's node, brings its agent back (it reports the dead engine detached), detaches. */
async function killEngineNode(s: Setup): Promise<void> {
  await kill9(readCluster(dir).nodes.find((n) => n.id === s.e)!.pid);
  const rs = await cairn(['restart', s.e, '--dir', dir]);
  if (rs.code !== 0) throw new Error(`cairn restart ${s.e}: ${rs.out}`);
  await api.call('DetachVolume', { name: s.name });
  await until(`${s.name} detached`, 30_000, async () => (await volume(s.name)).state === 'detached');
}

/** The agent's log line saying its engine dropped the replica (the drop happened, whatever was recorded). */
async function engineSawDrop(s: Setup): Promise<void> {
  const log = readCluster(dir).nodes.find((n) => n.id === s.e)!.log;
  await until(`the engine on ${s.e} dropped ${s.r2}`, 20_000, async () =>
    readFileSync(log, 'utf8').includes(`replica ${s.r2} failed`),
  );
}

/**
 * The end of the orders where r2's failure was recorded: with r1 (the only replica with every
 * acknowledged write) unreachable, the volume attached on D waits and says why; once r1 is back
 * it opens, and A and B read back.
 */
async function waitsThenOpens(s: Setup, writes: (typeof A)[]): Promise<void> {
  proxies.get(s.h2)!.heal();
  proxies.get(s.h1)!.cut({ refuse: true }); // (failing fast: no connect timeout per pass)
  await api.call('AttachVolume', { name: s.name, nodeId: s.d });
  const waiting = await until(`${s.name} waits on ${s.d} and says why`, 30_000, async () => {
    const x = await volume(s.name);
    return x.waiting ? x : null;
  });
  assert.match(waiting.waiting, new RegExp(`none of its running replicas is reachable \\(${s.r1}: `));
  assert.is(waiting.state, 'attaching', 'it does not open on the stale replica');
  assert.ok(!running(waiting).includes(s.r2), 'the stale replica is not running');
  assert.ok(running(waiting).includes(s.r1), 'the unreachable up-to-date replica is not reported failed');
  const out = await cairn(['volume', 'get', s.name, '--cluster', join(dir, 'cluster.json')]);
  assert.match(
    out.out,
    /waiting:\s+none of its running replicas is reachable/,
    `cairn volume get shows why: ${out.out}`,
  );
  proxies.get(s.h1)!.heal();
  const uri = await until(`${s.name} opens on ${s.d} once ${s.r1} is back`, 30_000, async () => {
    const x = await volume(s.name);
    return x.state === 'attached' && x.attachedTo === s.d && x.endpoint ? (x.endpoint as string) : null;
  });
  assert.is((await volume(s.name)).waiting, '');
  await verify(uri, writes);
}

async function finish(s: Setup): Promise<void> {
  for (const p of proxies.values()) p.heal();
  await api.call('DetachVolume', { name: s.name }).catch(() => undefined);
}

t(
  'replica dropped (its failure recorded) then engine node killed: the stale replica is never opened; waits for the good one',
  async () => {
    const s = await setup('order-1');
    proxies.get(s.h2)!.cut();
    // B is acknowledged only once r2's failure is on record.
    const b = await write(s.uri, B);
    assert.ok(acked(b), `B acknowledged: ${b.out}`);
    await until(
      'r2 recorded failed (a follower manager may lag the log by a moment)',
      5000,
      async () => !running(await volume(s.name)).includes(s.r2),
    );
    await killEngineNode(s);
    await waitsThenOpens(s, [A, B]);
    await finish(s);
  },
);

t(
  'report lost (no manager) then engine node killed: nothing was acknowledged after the drop, the stale replica opens safely',
  async () => {
    const s = await setup('order-2');
    const managers = readCluster(dir).managers;
    await Promise.all(managers.map((m) => kill9(m.pid)));
    proxies.get(s.h2)!.cut();
    const pendingB = write(s.uri, B);
    await engineSawDrop(s);
    // The old engine acknowledged B within milliseconds of the drop; give it ample time to.
    const early = await Promise.race([pendingB.then(() => true), sleep(2000).then(() => false)]);
    await kill9(readCluster(dir).nodes.find((n) => n.id === s.e)!.pid);
    const b = await pendingB;
    const bAcked = acked(b);
    assert.not.ok(
      bAcked,
      `B must not be acknowledged while r2's failure is not recorded (finished early: ${early}): ${b.out}`,
    );
    for (const m of managers) {
      const rs = await cairn(['restart', m.id, '--dir', dir]);
      if (rs.code !== 0) throw new Error(`cairn restart ${m.id}: ${rs.out}`);
    }
    await until('a manager leads again', 30_000, async () => Boolean((await api.call('GetClusterInfo', {})).leaderId));
    // The report died with the engine's node: the control plane still counts r2 running.
    assert.ok(running(await volume(s.name)).includes(s.r2), 'the report was lost');
    await killEngineNode(s); // (already dead: brings the agent back and detaches)
    proxies.get(s.h2)!.heal();
    proxies.get(s.h1)!.cut({ refuse: true });
    const uri = await attach(s.name, s.d); // on r2 alone: r1 is unreachable and recorded failed first
    const v = await volume(s.name);
    assert.not.ok(running(v).includes(s.r1), 'the unreachable replica was recorded failed before the engine served');
    await verify(uri, bAcked ? [A, B] : [A]);
    await finish(s);
  },
);

t('manager leader change during the drop: the report reaches the new leader before B is acknowledged', async () => {
  const s = await setup('order-3');
  const leaderId = (await api.call('GetClusterInfo', {})).leaderId as string;
  const leader = readCluster(dir).managers.find((m) => m.id === leaderId)!;
  await kill9(leader.pid);
  proxies.get(s.h2)!.cut();
  const b = await write(s.uri, B);
  assert.ok(acked(b), `B acknowledged once a leader recorded r2's failure: ${b.out}`);
  const rs = await cairn(['restart', leader.id, '--dir', dir]);
  if (rs.code !== 0) throw new Error(`cairn restart ${leader.id}: ${rs.out}`);
  await until('r2 recorded failed', 5000, async () => !running(await volume(s.name)).includes(s.r2));
  await killEngineNode(s);
  await waitsThenOpens(s, [A, B]);
  await finish(s);
});

t.run();
