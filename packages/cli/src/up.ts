// `cairn up`, `cairn down`, `cairn status`: a whole cluster on one machine. etcd as a child
// process (unless --etcd is given), one manager and N node agents, each with its own disk
// directory and zone, all under DIR (default ./.cairn). DIR/cluster.json records what runs where;
// the CLI's other commands read it to find the admin API and the token.
import { spawn } from 'node:child_process';
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { newToken } from '@cairn/api';
import { grpcAdminApi } from './client.js';
import { EtcdCluster } from '@cairn/metadata';
import { runDemo } from './up-demo.js';
import { clusterApi, clusterFilePath, readClusterFile } from './cluster-file.js';
import type { ClusterFile } from './cluster-file.js';

const ZONES = ['zone-a', 'zone-b', 'zone-c'];
const MAIN = fileURLToPath(new URL('./main.js', import.meta.url));

export function alive(pid: number): boolean {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function spawnCairn(args: string[], logFile: string, detached: boolean, env: NodeJS.ProcessEnv = {}): number {
  const fd = openSync(logFile, 'a');
  const child = spawn(process.execPath, [MAIN, ...args], { stdio: ['ignore', fd, fd], detached, env: { ...process.env, ...env } });
  closeSync(fd);
  if (detached) child.unref();
  if (!child.pid) throw new Error(`could not start cairn ${args[0]}`);
  return child.pid;
}

async function waitFor<T>(what: string, timeoutMs: number, probe: () => Promise<T | null> | T | null): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const v = await probe();
      if (v !== null) return v;
    } catch {
      /* not yet */
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await sleep(100);
  }
}


async function stopPids(pids: number[], timeoutMs = 5000): Promise<void> {
  for (const pid of pids) if (alive(pid)) process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + timeoutMs;
  while (pids.some(alive) && Date.now() < deadline) await sleep(50);
  for (const pid of pids) if (alive(pid)) process.kill(pid, 'SIGKILL');
  while (pids.some(alive)) await sleep(20);
}

export async function up(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      dir: { type: 'string', default: '.cairn' }, nodes: { type: 'string', default: '3' },
      etcd: { type: 'string' }, 'etcd-members': { type: 'string', default: '1' },
      detach: { type: 'boolean', default: false }, demo: { type: 'boolean', default: false },
    },
  });
  const dir = resolve(values.dir!);
  const n = Number(values.nodes);
  if (!Number.isInteger(n) || n < 1 || n > 50) throw new Error(`--nodes must be from 1 to 50, got "${values.nodes}"`);
  const members = Number(values['etcd-members']);
  if (![1, 3, 5].includes(members)) throw new Error(`--etcd-members must be 1, 3 or 5, got "${values['etcd-members']}"`);
  if (values.etcd && values['etcd-members'] !== '1') throw new Error('--etcd-members starts etcd here; it cannot go with --etcd (an etcd you run)');
  const running = readClusterFile(dir);
  if (running && (alive(running.manager.pid) || running.etcdPids.some(alive))) {
    throw new Error(`a cluster is already running in ${dir} (manager pid ${running.manager.pid}); run "cairn down --dir ${values.dir}" first`);
  }
  // A stopped cluster's leftovers: start fresh (logs are kept, data is not).
  for (const sub of ['etcd', 'nodes', 'run', 'cluster.json']) rmSync(join(dir, sub), { recursive: true, force: true });
  mkdirSync(join(dir, 'logs'), { recursive: true });
  mkdirSync(join(dir, 'run'), { recursive: true });
  const tokenPath = join(dir, 'token');
  if (!existsSync(tokenPath)) writeFileSync(tokenPath, newToken() + '\n', { mode: 0o600 });
  chmodSync(tokenPath, 0o600);
  const detached = values.detach!;
  const started: number[] = [];
  let etcd: EtcdCluster | null = null;
  try {
    let endpoints: string[];
    if (values.etcd) {
      endpoints = values.etcd.split(',');
    } else {
      mkdirSync(join(dir, 'etcd'), { recursive: true });
      etcd = await EtcdCluster.start({ dir: join(dir, 'etcd'), members, detached: true });
      endpoints = etcd.endpoints;
      started.push(...etcd.pids);
    }
    const readyFile = join(dir, 'run', 'manager.json');
    const managerLog = join(dir, 'logs', 'manager.log');
    // CSI sockets live under DIR/run/csi (a unix socket path must stay under 108 bytes).
    const csiDir = join(dir, 'run', 'csi');
    mkdirSync(csiDir, { recursive: true });
    const managerCsi = join(csiDir, 'controller.sock');
    const managerPid = spawnCairn(['manager', '--etcd', endpoints.join(','), '--listen', '127.0.0.1:0', '--token-file', tokenPath,
      '--id', 'manager-1', '--ready-file', readyFile, '--csi-socket', managerCsi], managerLog, true);
    started.push(managerPid);
    const ready = await waitFor('the manager', 20_000, () => {
      if (!alive(managerPid)) throw new Error(`the manager exited; see ${managerLog}`);
      return existsSync(readyFile) ? (JSON.parse(readFileSync(readyFile, 'utf8')) as { address: string }) : null;
    }).catch((e: Error) => {
      throw new Error(`${e.message}; see ${managerLog}`);
    });
    const nodes: ClusterFile['nodes'] = [];
    for (let i = 1; i <= n; i++) {
      const id = `node-${i}`;
      const zone = ZONES[(i - 1) % ZONES.length]!;
      const disk = join(dir, 'nodes', id, 'disk-1');
      mkdirSync(disk, { recursive: true });
      const log = join(dir, 'logs', `${id}.log`);
      const csiSocket = join(csiDir, `${id}.sock`);
      const pid = spawnCairn(['node', '--manager', ready.address, '--node-id', id, '--disk', disk, '--zone', zone, '--token-file', tokenPath,
        '--csi-socket', csiSocket, '--csi-state-dir', join(dir, 'nodes', id, 'csi')], log, true);
      started.push(pid);
      nodes.push({ id, pid, zone, disk, log, csiEndpoint: `unix://${csiSocket}` });
    }
    const api = grpcAdminApi({ endpoint: ready.address, token: readFileSync(tokenPath, 'utf8').trim(), tokenSource: tokenPath, timeoutMs: 3000 });
    try {
      await waitFor(`${n} node(s) to register`, 30_000, async () => {
        const { nodes: ns } = await api.listNodes();
        return ns.filter((x) => x.state === 'up' && x.disks.length > 0).length >= n ? ns : null;
      });
    } finally {
      api.close();
    }
    const info: ClusterFile = {
      dir, admin: ready.address, token: tokenPath, etcd: endpoints, etcdPids: etcd?.pids ?? [],
      manager: { id: 'manager-1', pid: managerPid, log: managerLog, csiEndpoint: `unix://${managerCsi}` }, nodes, startedAt: new Date().toISOString(),
    };
    writeFileSync(clusterFilePath(dir), JSON.stringify(info, null, 2) + '\n');
    printReady(info, values.dir!);
    if (values.demo) await runDemo(info);
    if (detached) return 0;
    return await foreground(info);
  } catch (e) {
    await stopPids(started);
    throw e;
  }
}

function printReady(c: ClusterFile, dirArg: string): void {
  const dirFlag = resolve(dirArg) === resolve('.cairn') ? '' : ` --dir ${dirArg}`;
  console.log(`cairn is up: etcd ${c.etcd.join(',')}, manager ${c.admin}, ${c.nodes.length} node(s) (${c.nodes.map((x) => `${x.id}/${x.zone}`).join(', ')})
  admin API   ${c.admin}   token in ${c.token} (mode 0600)
  cluster     ${clusterFilePath(c.dir)}   logs in ${join(c.dir, 'logs')}
try:
  npx cairn volume create vol1 --size 1Gi --replicas 3
  npx cairn volume get vol1
  npx cairn audit explain vol1
  npx cairn events
stop with: npx cairn down${dirFlag}`);
}

/** Stays in the foreground with a live view; Ctrl-C stops everything. */
async function foreground(c: ClusterFile): Promise<number> {
  const api = clusterApi(c);
  let stop = false;
  const onSignal = (): void => {
    stop = true;
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  console.log('\nlive view (Ctrl-C stops the cluster):');
  let last = '';
  while (!stop) {
    try {
      const { nodes } = await api.listNodes();
      const line = nodes.map((x) => `${x.id}:${x.state}`).join('  ');
      if (line !== last) console.log(`  ${new Date().toLocaleTimeString()}  ${line}`);
      last = line;
    } catch (e) {
      console.log(`  manager unreachable: ${(e as Error).message}`);
    }
    for (let i = 0; i < 10 && !stop; i++) await sleep(100);
  }
  api.close();
  console.log('stopping ...');
  await stopCluster(c);
  return 0;
}

async function stopCluster(c: ClusterFile): Promise<void> {
  await stopPids(c.nodes.map((x) => x.pid));
  await stopPids([c.manager.pid]);
  await stopPids(c.etcdPids);
  for (const sub of ['etcd', 'nodes', 'run', 'cluster.json']) rmSync(join(c.dir, sub), { recursive: true, force: true });
}

export async function down(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { dir: { type: 'string', default: '.cairn' } } });
  const c = readClusterFile(values.dir!);
  if (!c) {
    console.log(`no cluster in ${resolve(values.dir!)}`);
    return 0;
  }
  await stopCluster(c);
  console.log(`stopped the cluster in ${c.dir} (logs kept in ${join(c.dir, 'logs')})`);
  return 0;
}

export async function status(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { dir: { type: 'string', default: '.cairn' }, output: { type: 'string', short: 'o', default: 'table' } } });
  const c = readClusterFile(values.dir!);
  if (!c) throw new Error(`no cluster in ${resolve(values.dir!)} (start one with "cairn up")`);
  let states = new Map<string, string>();
  let addresses = new Map<string, string>();
  if (alive(c.manager.pid)) {
    const api = clusterApi(c);
    try {
      const { nodes } = await api.listNodes();
      states = new Map(nodes.map((x) => [x.id, x.state]));
      addresses = new Map(nodes.map((x) => [x.id, x.address]));
    } catch {
      /* manager not answering: states unknown */
    } finally {
      api.close();
    }
  }
  const out = {
    admin: c.admin, token: c.token, etcd: c.etcd, dir: c.dir,
    manager: { id: c.manager.id, pid: c.manager.pid, running: alive(c.manager.pid), csiEndpoint: c.manager.csiEndpoint },
    etcdPids: c.etcdPids,
    nodes: c.nodes.map((x) => ({ id: x.id, pid: x.pid, zone: x.zone, disk: x.disk, running: alive(x.pid), state: states.get(x.id) ?? 'unknown',
      dataAddress: addresses.get(x.id) ?? '', csiEndpoint: x.csiEndpoint })),
  };
  if (values.output === 'json') {
    console.log(JSON.stringify(out, null, 2));
    return 0;
  }
  if (values.output !== 'table') throw new Error(`-o ${values.output}: use json or table`);
  console.log(`admin ${out.admin}  token ${out.token}  etcd ${out.etcd.join(',')}`);
  console.log(`manager ${out.manager.id} pid ${out.manager.pid} ${out.manager.running ? 'running' : 'STOPPED'}  csi ${out.manager.csiEndpoint}`);
  const w = [10, 8, 8, 18, 8];
  console.log(['NODE', 'ZONE', 'STATE', 'DATA', 'PID'].map((h, i) => h.padEnd(w[i]!)).join(''));
  for (const x of out.nodes) console.log([x.id, x.zone, x.state, x.dataAddress || '-', String(x.pid) + (x.running ? '' : ' (exited)')].map((v, i) => v.padEnd(w[i]!)).join(''));
  return 0;
}
