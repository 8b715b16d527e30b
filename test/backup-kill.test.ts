// Backups interrupted, end to end on `cairn up --nodes 3 --managers 2` with a file:// target:
// kill -9 of the leading manager while a backup runs, kill -9 of the node agent running one, and
// kill -9 of one followed at once by its restart. Each backup ends failed (with the reason) or
// completed, exactly once in the log; a completed one is in the target and restores equal by
// sha256 to the data at its snapshot: never a "completed" backup that does not restore.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { getBackup, openStore, restoreBackup } from '@cairn/backup';
import type { AdminClient } from '@cairn/api';
import { eventually, startCluster } from './support/cluster.js';
import type { TestCluster } from './support/cluster.js';

const run = promisify(execFile);
const MiB = 2 ** 20;
const SIZE = 192 * MiB;
let c: TestCluster;
let target = '';
let data = Buffer.alloc(0);
const t = suite('backups interrupted by kill -9');

interface Managers { id: string; pid: number; address: string }
const managers = (): Managers[] => (JSON.parse(readFileSync(join(c.dir, 'cluster.json'), 'utf8')) as { managers: Managers[] }).managers;
const nodes = (): { id: string; pid: number }[] => (JSON.parse(readFileSync(join(c.dir, 'cluster.json'), 'utf8')) as { nodes: { id: string; pid: number }[] }).nodes;
const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
/** An admin client on a manager that is alive (the one not killed). */
let api: AdminClient;

t.before(async () => {
  target = mkdtempSync(join(tmpdir(), 'cairn-file-target-'));
  c = await startCluster(3, ['--managers', '2']);
  api = c.admin();
  await c.call('CreateVolume', { name: 'kv', size: SIZE, numberOfReplicas: 3 });
  await eventually('3 replicas running', 30_000, async () => (await c.call('GetVolume', { name: 'kv' })).replicas.filter((r: any) => r.state === 'running').length === 3);
  const att = await c.cairn(['volume', 'attach', 'kv', '--node', 'node-1', '-o', 'json', '--cluster', join(c.dir, 'cluster.json')]);
  assert.is(att.code, 0, att.stderr);
  uri = JSON.parse(att.stdout).nbd as string;
  await c.call('SetBackupTarget', { url: `file://${target}` });
});
t.after(async () => {
  await c?.down();
  if (target) rmSync(target, { recursive: true, force: true });
});

const get = (url: string): Promise<any> => c.call('GetBackup', { url }, api);

/** Every event up to the head, from the manager `client` talks to (the cluster's first may be dead). */
function eventsFrom(client: AdminClient): Promise<any[]> {
  return new Promise((resolve, reject) => {
    const out: any[] = [];
    const stream = client.WatchEvents({ fromSeq: 1, follow: false });
    stream.on('data', (e: unknown) => out.push(e));
    stream.on('end', () => resolve(out));
    stream.on('error', reject);
  });
}

let uri = '';
/** New data in every block, so that the backup after it reads and uploads the whole volume (it takes a while). */
async function rewrite(): Promise<void> {
  // The export is served again after its node restarted (the engine reopens on its replicas).
  await eventually('the export is served', 60_000, async () => run('nbdinfo', [uri]).then(() => true, () => false));
  data = randomBytes(SIZE);
  writeFileSync(join(c.dir, 'data.bin'), data);
  await run('nbdcopy', [join(c.dir, 'data.bin'), uri], { timeout: 120_000 });
}

/**
 * Requests a backup of fresh data and waits until its node has started it (and, with
 * `withProgress`, reported some progress); its state at that moment.
 */
async function startedBackup(requestId: string, withProgress = false): Promise<any> {
  await rewrite();
  const b = await c.call('CreateBackup', { volume: 'kv', requestId }, api);
  return eventually(`backup ${b.name} started`, 30_000, async () => {
    const x = await get(b.url);
    return (x.state === 'running' && (!withProgress || x.progress > 0)) || x.state === 'completed' || x.state === 'failed' ? x : null;
  });
}

/** Waits for the backup to end; checks it ended exactly once, and that a completed one restores. */
async function endsCleanly(url: string, name: string): Promise<any> {
  const end = await eventually(`backup ${name} ended`, 60_000, async () => {
    const x = await get(url);
    return x.state === 'completed' || x.state === 'failed' ? x : null;
  });
  const events = (await eventsFrom(api)).filter((e: any) => e.payload?.startsWith('backup') && e[e.payload].name === name);
  const ends = events.filter((e: any) => e.payload === 'backupCompleted' || e.payload === 'backupFailed');
  assert.is(ends.length, 1, `one end in the log: ${events.map((e: any) => e.payload).join(',')}`);
  assert.is(events.filter((e: any) => e.payload === 'backupRequested').length, 1, 'requested once');
  const store = openStore(`file://${target}`);
  try {
    if (end.state === 'completed') {
      assert.is(ends[0].payload, 'backupCompleted');
      await getBackup(store, url); // its cfg is in the target
      const buf = Buffer.alloc(SIZE);
      await restoreBackup(store, url, { size: SIZE, write: async (o: number, d: Buffer) => { d.copy(buf, o); }, flush: async () => undefined });
      assert.is(sha(buf), sha(data), 'the completed backup restores the data at its snapshot');
    } else {
      assert.ok(end.error, 'a failed backup says why');
    }
  } finally {
    store.close();
  }
  return end;
}

t('kill -9 of the leading manager mid-backup: the backup completes (or fails) once, and restores', async () => {
  const leaderId = (await c.call('GetClusterInfo', {})).leaderId as string;
  const leader = managers().find((m) => m.id === leaderId)!;
  const other = managers().find((m) => m.id !== leaderId)!;
  api = c.admin(other.address);
  const b = await startedBackup('leader-kill', true);
  // A whole 192 MiB read takes seconds: the node's progress reports are seen part way (any manager answers with them).
  assert.is(b.state, 'running');
  assert.ok(b.progress > 0 && b.progress < 100, `progress ${b.progress}%`);
  assert.is(b.size, SIZE, 'a running backup shows its snapshot\'s size');
  process.kill(leader.pid, 'SIGKILL');
  const end = await endsCleanly(b.url, b.name);
  console.log(`  (leader killed with the backup ${b.state}; it ended ${end.state}${end.error ? `: ${end.error}` : ''})`);
  await eventually('the other manager leads', 30_000, async () => (await c.call('GetClusterInfo', {}, api)).leaderId === other.id);
});

t('kill -9 of the node running a backup: it ends failed (node down) or completed, once', async () => {
  const b = await startedBackup('node-kill');
  const node = nodes().find((n) => n.id === b.nodeId)!;
  assert.ok(node, `the backup runs on a node of the cluster (${b.nodeId})`);
  process.kill(node.pid, 'SIGKILL');
  const end = await endsCleanly(b.url, b.name);
  if (end.state === 'failed') assert.match(end.error, new RegExp(`node "${node.id}" is down`));
  console.log(`  (node ${node.id} killed with the backup ${b.state}; it ended ${end.state}${end.error ? `: ${end.error}` : ''})`);
  const rs = await c.cairn(['restart', node.id, '--dir', c.dir]);
  assert.is(rs.code, 0, rs.stderr);
  await eventually(`${node.id} up again`, 30_000, async () => (await c.call('ListNodes', {}, api)).nodes.find((n: any) => n.id === node.id)?.state === 'up');
  // Its replica of kv comes back through a rebuild (the volume is attached): wait, so the next backup has 3 to choose from.
  await eventually('3 replicas running', 60_000, async () => (await c.call('GetVolume', { name: 'kv' }, api)).replicas.filter((r: any) => r.state === 'running').length === 3);
});

t('kill -9 of the node running a backup and its restart at once: it ends once (the restarted agent runs it again, or the node was down too long)', async () => {
  const b = await startedBackup('node-restart');
  const node = nodes().find((n) => n.id === b.nodeId)!;
  process.kill(node.pid, 'SIGKILL');
  const rs = await c.cairn(['restart', node.id, '--dir', c.dir]);
  assert.is(rs.code, 0, rs.stderr);
  const end = await endsCleanly(b.url, b.name);
  console.log(`  (node ${node.id} killed and restarted with the backup ${b.state}; it ended ${end.state}${end.error ? `: ${end.error}` : ''})`);
});

t.run();
