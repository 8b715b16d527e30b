// `cairn restart NAME`: starts a stopped process of a local cluster again from the command line
// cluster.json records, and records its new pid. Real processes (node sleeping), no cluster.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readClusterFile } from '../src/cluster-file.js';
import type { ClusterFile } from '../src/cluster-file.js';
import { alive, restart, up } from '../src/up.js';

const t = suite('cairn restart');
const dir = mkdtempSync(join(tmpdir(), 'cairn-restart-'));
const sleeper = [process.execPath, '-e', 'setTimeout(() => {}, 60000)'];
const started: number[] = [];

t.after(() => {
  for (const pid of started) if (alive(pid)) process.kill(pid, 'SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

function cluster(): ClusterFile {
  const gone = 2 ** 22 + 12345; // beyond pid_max on most systems: not running
  return {
    dir,
    admin: '127.0.0.1:1',
    token: join(dir, 'token'),
    etcd: ['http://127.0.0.1:2'],
    etcdPids: [gone + 2],
    manager: { id: 'manager-1', pid: gone, log: join(dir, 'm.log'), csiEndpoint: '' },
    managers: [
      {
        id: 'manager-1',
        pid: gone,
        log: join(dir, 'm.log'),
        address: '127.0.0.1:1',
        csiEndpoint: '',
        command: sleeper,
      },
    ],
    etcdMembers: [
      { name: 'etcd-0', pid: gone + 2, clientUrl: 'http://127.0.0.1:2', log: join(dir, 'e.log'), command: sleeper },
    ],
    nodes: [
      { id: 'node-1', pid: gone + 1, zone: 'a', disk: dir, log: join(dir, 'n.log'), csiEndpoint: '', command: sleeper },
    ],
    startedAt: '',
  };
}

t(
  'a stopped node, manager or etcd member starts again with its recorded command; its new pid is recorded',
  async () => {
    writeFileSync(join(dir, 'cluster.json'), JSON.stringify(cluster()));
    for (const name of ['node-1', 'manager-1', 'etcd-0']) assert.is(await restart([name, '--dir', dir]), 0);
    const c = readClusterFile(dir)!;
    const pids = [c.nodes[0]!.pid, c.managers![0]!.pid, c.etcdMembers![0]!.pid];
    started.push(...pids);
    for (const pid of pids) assert.ok(alive(pid), `pid ${pid} runs`);
    assert.is(c.manager.pid, c.managers![0]!.pid, "the first manager is also cluster.json's manager");
    assert.equal(c.etcdPids, [c.etcdMembers![0]!.pid]);
    // Running: left alone.
    assert.is(await restart(['node-1', '--dir', dir]), 0);
    assert.is(readClusterFile(dir)!.nodes[0]!.pid, pids[0]);
  },
);

t('an unknown NAME is refused naming the processes there are; nothing changes', async () => {
  const before = readFileSync(join(dir, 'cluster.json'), 'utf8');
  try {
    await restart(['node-9', '--dir', dir]);
    assert.unreachable('refused');
  } catch (e) {
    assert.match(
      (e as Error).message,
      /NAME "node-9" is not a process of this cluster; one of: node-1, manager-1, etcd-0/,
    );
  }
  try {
    await restart(['--dir', dir]);
    assert.unreachable('refused');
  } catch (e) {
    assert.match((e as Error).message, /usage: cairn restart NAME/);
  }
  assert.is(readFileSync(join(dir, 'cluster.json'), 'utf8'), before);
});

t('cairn up --managers takes 1, 2 or 3 and says so before it touches anything', async () => {
  const before = readFileSync(join(dir, 'cluster.json'), 'utf8');
  for (const bad of ['0', '4', 'two']) {
    try {
      await up(['--dir', dir, '--managers', bad]);
      assert.unreachable('refused');
    } catch (e) {
      assert.match((e as Error).message, new RegExp(`--managers must be 1, 2 or 3, got "${bad}"`));
    }
  }
  assert.is(readFileSync(join(dir, 'cluster.json'), 'utf8'), before);
});

t.run();
