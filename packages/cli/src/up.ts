// `cairn up`, `cairn down`, `cairn status`: a whole cluster on one machine. etcd as a child
// process (unless --etcd is given), one manager and N node agents, each with its own disk
// directory and zone, all under DIR (default ./.cairn). DIR/cluster.json records what runs where;
// the CLI's other commands read it to find the admin API, the token and the CA. Every process
// talks TLS with certificates from DIR/pki (up-pki.ts) unless --no-tls.
import { spawn } from 'node:child_process';
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { commandHelp, flagTexts, LOG_FLAGS, newToken, parseCommandLine, parseLogLevel, UsageError } from '@cairn/api';
import type { CommandSpec } from '@cairn/api';
import { nodeKeyFile, nodeTokenFile } from './up-credentials.js';
import { grpcAdminApi } from './client.js';
import { freePort, readEtcdCredentials } from '@cairn/metadata';
import type { EtcdCluster, EtcdCredentialFiles } from '@cairn/metadata';
import { etcdCredentialFlags, issueEtcdPki, managerEtcdCredentials, startSecureEtcd } from './up-etcd.js';
import { runDemo } from './up-demo.js';
import { step } from './progress-view.js';
import { makeClusterPki, tlsFlags } from './up-pki.js';
import { clusterApi, clusterFilePath, readClusterFile, writeClusterFile } from './cluster-file.js';
import type { ClusterFile } from './cluster-file.js';

const ZONES = ['zone-a', 'zone-b', 'zone-c'];
/**
 * How long `up` waits for a manager to say it is ready, and for the nodes to register. A process
 * that exits is seen at once; these bound only a slow start (a loaded 2-core machine has taken
 * over 20 s to start a manager beside two test suites).
 */
const MANAGER_READY_MS = 60_000;
const NODES_REGISTERED_MS = 60_000;
const MAIN = fileURLToPath(new URL('./main.js', import.meta.url));

export function alive(pid: number): boolean {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // A killed process stays a zombie until its parent reaps it; `cairn up --detach` leaves its
  // processes to init, which here reaps them a second or two late. A zombie is dead: `cairn
  // restart` right after a kill must restart it, not find it "running".
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch (e) {
    // Gone between the two looks; or no /proc here, where the signal test is all there is.
    return (e as NodeJS.ErrnoException).code !== 'ENOENT' || existsSync('/proc/self/stat') === false;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Where `cairn up` says each start-up step's outcome (progress-view.ts's step()). */
const say = (line: string): void => console.log(line);

/** The argv that runs `cairn ARGS` (what cluster.json records, so `cairn restart` can run it again). */
const cairnCommand = (args: string[]): string[] => [process.execPath, MAIN, ...args];

function spawnCommand(command: string[], logFile: string, detached: boolean): number {
  const [bin, ...args] = command as [string, ...string[]];
  const fd = openSync(logFile, 'a');
  const child = spawn(bin, args, { stdio: ['ignore', fd, fd], detached, env: process.env });
  closeSync(fd);
  if (detached) child.unref();
  if (!child.pid) throw new Error(`could not start ${command.slice(0, 3).join(' ')}`);
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

const HELP = { type: 'boolean', short: 'h', help: 'print this help' } as const;
const DIR = { type: 'string', value: 'DIR', default: '.cairn', help: "the local cluster's directory" } as const;

/** Parses a process command's argv; `undefined` when --help was given (and printed). */
function parsed<S extends CommandSpec>(
  spec: S,
  args: string[],
):
  | {
      flags: { [K in keyof S['flags']]?: string };
      bools: Record<string, boolean>;
      args: Record<string, string | undefined>;
    }
  | undefined {
  const p = parseCommandLine(spec, args);
  if (p.flags['help']) {
    process.stdout.write(commandHelp(spec));
    return undefined;
  }
  return {
    flags: flagTexts(spec, p),
    bools: Object.fromEntries(Object.entries(p.flags).map(([k, v]) => [k, v === true])),
    args: p.args,
  };
}

export const UP_COMMAND = {
  path: 'up',
  args: [],
  summary: 'Start a local cluster: etcd, the managers, N node agents (TLS with DIR/pki), and write DIR/cluster.json.',
  flags: {
    dir: DIR,
    nodes: { type: 'string', value: 'N', default: '3', help: 'node agents, from 1 to 50' },
    managers: { type: 'string', value: 'N', default: '1', help: 'managers: 1, 2 or 3' },
    'etcd-members': { type: 'string', value: '1|3|5', default: '1', help: 'etcd members to start here' },
    etcd: { type: 'string', value: 'URL[,URL]', help: 'use an etcd you run instead of starting one' },
    'etcd-ca': { type: 'string', value: 'FILE', help: 'with --etcd: https, verified against this CA' },
    'etcd-cert': { type: 'string', value: 'FILE', help: 'with --etcd: a client certificate' },
    'etcd-key': { type: 'string', value: 'FILE', help: 'its key' },
    'etcd-user': { type: 'string', value: 'USER', help: 'with --etcd: an etcd user' },
    'etcd-password-file': { type: 'string', value: 'FILE', help: 'its password' },
    detach: { type: 'boolean', help: 'return once the cluster runs (cairn down stops it)' },
    demo: { type: 'boolean', help: 'create a demo volume once ready' },
    'no-tls': { type: 'boolean', help: 'plain gRPC between the processes' },
    'log-level': LOG_FLAGS['log-level'],
    help: HELP,
  },
} satisfies CommandSpec;

export async function up(args: string[]): Promise<number> {
  const p = parsed(UP_COMMAND, args);
  if (!p) return 0;
  const values = { ...p.flags, detach: p.bools['detach'], demo: p.bools['demo'], 'no-tls': p.bools['no-tls'] };
  // The processes log readable lines into DIR/logs/*.log, at this level (default info).
  const logFlags = ['--log-format', 'pretty', '--log-level', parseLogLevel(values['log-level'])];
  const dir = resolve(values.dir!);
  const n = Number(values.nodes);
  if (!Number.isInteger(n) || n < 1 || n > 50)
    throw new UsageError(`--nodes must be from 1 to 50, got "${values.nodes}"`, UP_COMMAND.path);
  const members = Number(values['etcd-members']);
  if (![1, 3, 5].includes(members))
    throw new UsageError(`--etcd-members must be 1, 3 or 5, got "${values['etcd-members']}"`, UP_COMMAND.path);
  const managerCount = Number(values.managers);
  if (![1, 2, 3].includes(managerCount))
    throw new UsageError(`--managers must be 1, 2 or 3, got "${values.managers}"`, UP_COMMAND.path);
  if (values.etcd && values['etcd-members'] !== '1')
    throw new Error('--etcd-members starts etcd here; it cannot go with --etcd (an etcd you run)');
  const given: EtcdCredentialFiles = {
    ca: values['etcd-ca'],
    cert: values['etcd-cert'],
    key: values['etcd-key'],
    user: values['etcd-user'],
    passwordFile: values['etcd-password-file'],
  };
  if (!values.etcd && Object.values(given).some(Boolean))
    throw new Error(
      '--etcd-ca/--etcd-cert/--etcd-key/--etcd-user/--etcd-password-file are for --etcd (an etcd you run); up makes its own',
    );
  if (values.etcd) readEtcdCredentials(given); // checks the files are there and go together, before anything starts
  const running = readClusterFile(dir);
  if (
    running &&
    (alive(running.manager.pid) || (running.managers ?? []).some((m) => alive(m.pid)) || running.etcdPids.some(alive))
  ) {
    throw new Error(
      `a cluster is already running in ${dir} (manager pid ${running.manager.pid}); run "cairn down --dir ${values.dir}" first`,
    );
  }
  // A stopped cluster's leftovers: start fresh (logs are kept, data is not).
  for (const sub of ['etcd', 'nodes', 'run', 'cluster.json']) rmSync(join(dir, sub), { recursive: true, force: true });
  mkdirSync(join(dir, 'logs'), { recursive: true });
  mkdirSync(join(dir, 'run'), { recursive: true });
  const tokenPath = join(dir, 'token');
  if (!existsSync(tokenPath)) writeFileSync(tokenPath, newToken() + '\n', { mode: 0o600 });
  chmodSync(tokenPath, 0o600);
  const nodeKeyPath = nodeKeyFile(dir);
  const detached = values.detach!;
  const started: number[] = [];
  let etcd: EtcdCluster | null = null;
  try {
    let endpoints: string[];
    let etcdCredentials: EtcdCredentialFiles = given;
    if (values.etcd) {
      endpoints = values.etcd.split(',');
    } else {
      mkdirSync(join(dir, 'etcd'), { recursive: true });
      const pki = await step(say, 'issuing etcd certificates', () => issueEtcdPki(dir));
      etcd = await step(say, `starting etcd (${members} member${members > 1 ? 's' : ''}, TLS)`, () =>
        startSecureEtcd(dir, members, pki),
      );
      etcdCredentials = managerEtcdCredentials(pki);
      endpoints = etcd.endpoints;
      started.push(...etcd.pids);
    }
    const pki = values['no-tls']
      ? null
      : await step(say, `issuing the cluster PKI (CA, manager and ${n} node certificate${n > 1 ? 's' : ''})`, () =>
          makeClusterPki(
            dir,
            ['127.0.0.1'],
            Array.from({ length: n }, (_, i) => ({ id: `node-${i + 1}`, host: '127.0.0.1' })),
          ),
        );
    // CSI sockets live under DIR/run/csi (a unix socket path must stay under 108 bytes).
    const csiDir = join(dir, 'run', 'csi');
    mkdirSync(csiDir, { recursive: true });
    // Each manager listens on a port chosen now, so one restarted after a crash comes back at the
    // address agents and cluster.json know.
    const managers: NonNullable<ClusterFile['managers']> = [];
    for (let i = 1; i <= managerCount; i++) {
      const id = `manager-${i}`;
      const log = join(dir, 'logs', i === 1 ? 'manager.log' : `${id}.log`);
      const csi = join(csiDir, i === 1 ? 'controller.sock' : `controller-${i}.sock`);
      const address = `127.0.0.1:${await freePort()}`;
      // The web UI, on a free port too (several clusters may run here); HTTPS with the manager's certificate.
      const uiPort = await freePort();
      const metrics = `127.0.0.1:${await freePort()}`;
      const command = cairnCommand([
        'manager',
        '--etcd',
        endpoints.join(','),
        ...etcdCredentialFlags(etcdCredentials),
        '--listen',
        address,
        '--metrics-listen',
        metrics,
        '--token-file',
        tokenPath,
        '--node-key-file',
        nodeKeyPath,
        '--id',
        id,
        '--ready-file',
        join(dir, 'run', `${id}.json`),
        '--csi-socket',
        csi,
        '--ui-listen',
        `127.0.0.1:${uiPort}`,
        ...logFlags,
        ...(pki ? tlsFlags(pki.ca, pki.manager) : []),
      ]);
      const pid = spawnCommand(command, log, true);
      started.push(pid);
      managers.push({
        id,
        pid,
        log,
        address,
        csiEndpoint: `unix://${csi}`,
        ui: `${pki ? 'https' : 'http'}://127.0.0.1:${uiPort}`,
        command,
        metrics,
      });
    }
    await step(say, `starting ${managers.map((m) => m.id).join(', ')}`, async () => {
      for (const m of managers) {
        const readyFile = join(dir, 'run', `${m.id}.json`);
        await waitFor(m.id, MANAGER_READY_MS, () => {
          if (!alive(m.pid)) throw new Error(`${m.id} exited; see ${m.log}`);
          return existsSync(readyFile) ? true : null;
        }).catch((e: Error) => {
          throw new Error(`${e.message}; see ${m.log}`);
        });
      }
    });
    const ready = { address: managers[0]!.address };
    const managerList = managers.map((m) => m.address).join(',');
    const nodes: ClusterFile['nodes'] = [];
    for (let i = 1; i <= n; i++) {
      const id = `node-${i}`;
      const zone = ZONES[(i - 1) % ZONES.length]!;
      const disk = join(dir, 'nodes', id, 'disk-1');
      mkdirSync(disk, { recursive: true });
      const log = join(dir, 'logs', `${id}.log`);
      const csiSocket = join(csiDir, `${id}.sock`);
      const metrics = `127.0.0.1:${await freePort()}`;
      const command = cairnCommand([
        'node',
        '--manager',
        managerList,
        '--metrics-listen',
        metrics,
        '--node-id',
        id,
        '--disk',
        disk,
        '--zone',
        zone,
        '--node-token-file',
        nodeTokenFile(dir, nodeKeyPath, id),
        '--csi-socket',
        csiSocket,
        '--csi-state-dir',
        join(dir, 'nodes', id, 'csi'),
        // Each node's NBD exports on its own unix socket (0600 in a 0700 dir), never on TCP.
        '--nbd-socket',
        join(dir, 'nodes', id, 'run', 'nbd.sock'),
        ...logFlags,
        ...(pki ? tlsFlags(pki.ca, pki.nodes.get(id)!) : []),
      ]);
      const pid = spawnCommand(command, log, true);
      started.push(pid);
      nodes.push({ id, pid, zone, disk, log, csiEndpoint: `unix://${csiSocket}`, command, metrics });
    }
    const api = grpcAdminApi({
      endpoint: ready.address,
      token: readFileSync(tokenPath, 'utf8').trim(),
      tokenSource: tokenPath,
      timeoutMs: 3000,
      ...(pki ? { tlsCa: readFileSync(pki.ca) } : {}),
    });
    try {
      await step(say, `starting ${n} node${n > 1 ? 's' : ''} (registered with their disks)`, () =>
        waitFor(`${n} node(s) to register`, NODES_REGISTERED_MS, async () => {
          const { nodes: ns } = await api.listNodes();
          return ns.filter((x) => x.state === 'up' && x.disks.length > 0).length >= n ? ns : null;
        }),
      );
    } finally {
      api.close();
    }
    const first = managers[0]!;
    const etcdMembers = etcd
      ? etcd.members.map((m, i) => ({
          name: m.name,
          pid: m.process?.pid ?? 0,
          clientUrl: m.clientUrl,
          log: etcd!.memberLog(i),
          command: etcd!.memberCommand(i, 'existing'),
        }))
      : undefined;
    const info: ClusterFile = {
      dir,
      admin: ready.address,
      token: tokenPath,
      ...(pki ? { tlsCa: pki.ca } : {}),
      etcd: endpoints,
      etcdCredentials,
      etcdPids: etcd?.pids ?? [],
      manager: { id: first.id, pid: first.pid, log: first.log, csiEndpoint: first.csiEndpoint, ui: first.ui },
      managers,
      etcdMembers,
      nodes,
      startedAt: new Date().toISOString(),
    };
    writeClusterFile(info);
    printReady(info, values.dir!);
    if (values.demo) await step(say, 'demo', () => runDemo(info));
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
  admin API   ${c.admin}   token in ${c.token} (mode 0600)   ${c.tlsCa ? `TLS, CA ${c.tlsCa}` : 'NO TLS (--no-tls)'}
  cluster     ${clusterFilePath(c.dir)}   logs in ${join(c.dir, 'logs')}
  web UI      ${c.manager.ui ?? '-'}   log in with the admin token (docs/ui.md)
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
  await stopPids(c.managers?.map((m) => m.pid) ?? [c.manager.pid]);
  await stopPids(c.etcdMembers?.map((m) => m.pid) ?? c.etcdPids);
  for (const sub of ['etcd', 'nodes', 'run', 'cluster.json'])
    rmSync(join(c.dir, sub), { recursive: true, force: true });
}

export const DOWN_COMMAND = {
  path: 'down',
  args: [],
  summary: 'Stop what cairn up started (the logs are kept).',
  flags: { dir: DIR, help: HELP },
} satisfies CommandSpec;

export async function down(args: string[]): Promise<number> {
  const p = parsed(DOWN_COMMAND, args);
  if (!p) return 0;
  const values = p.flags;
  const c = readClusterFile(values.dir!);
  if (!c) {
    console.log(`no cluster in ${resolve(values.dir!)}`);
    return 0;
  }
  await stopCluster(c);
  console.log(`stopped the cluster in ${c.dir} (logs kept in ${join(c.dir, 'logs')})`);
  return 0;
}

export const STATUS_COMMAND = {
  path: 'status',
  args: [],
  summary: "The local cluster's processes and nodes.",
  flags: {
    dir: DIR,
    output: { type: 'string', short: 'o', value: 'table|json', default: 'table', help: 'output format' },
    help: HELP,
  },
} satisfies CommandSpec;

export async function status(args: string[]): Promise<number> {
  const p = parsed(STATUS_COMMAND, args);
  if (!p) return 0;
  const values = p.flags;
  const c = readClusterFile(values.dir!);
  if (!c) throw new Error(`no cluster in ${resolve(values.dir!)} (start one with "cairn up")`);
  const anyManager = [c.manager.pid, ...(c.managers ?? []).map((m) => m.pid)].some(alive);
  let states = new Map<string, string>();
  let addresses = new Map<string, string>();
  let backupTarget: { url: string; reachable: boolean; error: string; checkedMs: number } | null = null;
  if (anyManager) {
    const live = c.managers?.find((m) => alive(m.pid));
    const api = clusterApi(live ? { ...c, admin: live.address } : c);
    try {
      const { nodes } = await api.listNodes();
      states = new Map(nodes.map((x) => [x.id, x.state]));
      addresses = new Map(nodes.map((x) => [x.id, x.address]));
      const bt = await api.getBackupTarget();
      backupTarget = { url: bt.url, reachable: bt.reachable, error: bt.error, checkedMs: Number(bt.checkedMs) };
    } catch {
      /* manager not answering: states unknown */
    } finally {
      api.close();
    }
  }
  const out = {
    admin: c.admin,
    token: c.token,
    tls: c.tlsCa ? { ca: c.tlsCa } : null,
    etcd: c.etcd,
    dir: c.dir,
    manager: {
      id: c.manager.id,
      pid: c.manager.pid,
      running: alive(c.manager.pid),
      csiEndpoint: c.manager.csiEndpoint,
      ui: c.manager.ui ?? '',
    },
    managers: (c.managers ?? []).map((m) => ({
      id: m.id,
      pid: m.pid,
      address: m.address,
      running: alive(m.pid),
      csiEndpoint: m.csiEndpoint,
      ui: m.ui ?? '',
      metrics: m.metrics ?? '',
    })),
    etcdPids: c.etcdPids,
    etcdMembers: (c.etcdMembers ?? []).map((m) => ({
      name: m.name,
      pid: m.pid,
      clientUrl: m.clientUrl,
      running: alive(m.pid),
    })),
    nodes: c.nodes.map((x) => ({
      id: x.id,
      pid: x.pid,
      zone: x.zone,
      disk: x.disk,
      running: alive(x.pid),
      state: states.get(x.id) ?? 'unknown',
      dataAddress: addresses.get(x.id) ?? '',
      csiEndpoint: x.csiEndpoint,
      metrics: x.metrics ?? '',
    })),
    backupTarget,
  };
  if (values.output === 'json') {
    console.log(JSON.stringify(out, null, 2));
    return 0;
  }
  if (values.output !== 'table') throw new Error(`-o ${values.output}: use json or table`);
  console.log(
    `admin ${out.admin}  token ${out.token}  tls ${out.tls ? `on (CA ${out.tls.ca})` : 'OFF'}  etcd ${out.etcd.join(',')}`,
  );
  if (out.managers.length === 0)
    console.log(
      `manager ${out.manager.id} pid ${out.manager.pid} ${out.manager.running ? 'running' : 'STOPPED'}  csi ${out.manager.csiEndpoint}`,
    );
  for (const m of out.managers)
    console.log(
      `manager ${m.id} ${m.address} pid ${m.pid} ${m.running ? 'running' : 'STOPPED'}  csi ${m.csiEndpoint}${m.ui ? `  ui ${m.ui}` : ''}`,
    );
  for (const m of out.etcdMembers)
    console.log(`etcd ${m.name} ${m.clientUrl} pid ${m.pid} ${m.running ? 'running' : 'STOPPED'}`);
  // The leader probes the target (a figure, not an event): reachable, or why not.
  const bt = out.backupTarget;
  if (bt)
    console.log(
      `backup target ${bt.url || 'none'}${!bt.url ? '' : !bt.checkedMs ? '  not probed yet' : bt.reachable ? '  reachable' : `  UNREACHABLE: ${bt.error}`}`,
    );
  const w = [10, 8, 8, 18, 8];
  console.log(['NODE', 'ZONE', 'STATE', 'DATA', 'PID'].map((h, i) => h.padEnd(w[i]!)).join(''));
  for (const x of out.nodes)
    console.log(
      [x.id, x.zone, x.state, x.dataAddress || '-', String(x.pid) + (x.running ? '' : ' (exited)')]
        .map((v, i) => v.padEnd(w[i]!))
        .join(''),
    );
  return 0;
}

/**
 * `cairn restart NAME [--dir DIR]`: starts again, with the command line cluster.json recorded, a
 * process of the local cluster that is not running (node-N, manager-N, etcd-N), as Kubernetes
 * restarts a crashed pod; records its new pid. A running one is left alone (exit 0, says so).
 */
export const RESTART_COMMAND = {
  path: 'restart',
  args: ['NAME'],
  summary: 'Start a stopped process of the local cluster again.',
  notes: 'NAME: node-N, manager-N or etcd-N (see cairn status).',
  flags: { dir: DIR, help: HELP },
} satisfies CommandSpec;

export async function restart(args: string[]): Promise<number> {
  const p = parsed(RESTART_COMMAND, args);
  if (!p) return 0;
  const values = p.flags;
  const c = readClusterFile(values.dir!);
  if (!c) throw new Error(`no cluster in ${resolve(values.dir!)} (start one with "cairn up")`);
  const name = p.args['NAME']!;
  const target =
    c.nodes.find((x) => x.id === name) ??
    c.managers?.find((x) => x.id === name) ??
    c.etcdMembers?.find((x) => x.name === name);
  if (!target) {
    const names = [
      ...c.nodes.map((x) => x.id),
      ...(c.managers ?? []).map((x) => x.id),
      ...(c.etcdMembers ?? []).map((x) => x.name),
    ];
    throw new Error(`NAME "${name}" is not a process of this cluster; one of: ${names.join(', ')}`);
  }
  if (!target.command?.length)
    throw new Error(`cluster.json has no command line for ${name} (started by an older cairn up)`);
  if (alive(target.pid)) {
    console.log(`${name} is running (pid ${target.pid}); nothing to do`);
    return 0;
  }
  const before = target.pid;
  target.pid = spawnCommand(target.command, target.log, true);
  if (c.manager.pid === before && c.managers?.[0] === target) c.manager.pid = target.pid;
  c.etcdPids = c.etcdPids.map((p) => (p === before && c.etcdMembers?.includes(target as never) ? target.pid : p));
  writeClusterFile(c);
  console.log(`${name} restarted (pid ${target.pid}, was ${before})`);
  return 0;
}
