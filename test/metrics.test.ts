// Prometheus metrics end to end: a real Prometheus (Debian's `prometheus`, run here on a free
// loopback port with its own temp storage) scrapes a `cairn up --nodes 3` cluster every second, at
// the /metrics addresses cluster.json records (two managers: only the leader serves the cluster
// gauges), and every check reads Prometheus's query API
// (/api/v1/query), polling until the value is there: a 3-replica volume is healthy; a write
// workload through the volume's NBD export shows write IOPS and throughput; the event log's head
// seq rises and appends are timed; nodes and disks are there; a killed replica's node makes the
// volume degraded and that node not ready. Last, every query of deploy/monitoring/cairn-dashboard.json
// runs against that Prometheus without error and, where the cluster has the data, with a result.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { execFile, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { freePort } from '@cairn/metadata';
import { eventually, startCluster } from './support/cluster.js';
import type { TestCluster } from './support/cluster.js';

const execFileP = promisify(execFile);
const DASHBOARD = fileURLToPath(new URL('../../deploy/monitoring/cairn-dashboard.json', import.meta.url));
const MiB = 2 ** 20;
const SIZE = 64 * MiB;
/** Dashboard queries that may rightly be empty here: no rebuild, backup or restore runs in this cluster. */
const MAY_BE_EMPTY = ['cairn_replica_rebuild_progress', 'cairn_backup_progress', 'cairn_restore_progress'];

interface Sample {
  metric: Record<string, string>;
  value: [number, string];
}

let c: TestCluster;
let prom: ChildProcess | null = null;
let promDir = '';
let promUrl = '';
let headAtStart = 0;
const t = suite('Prometheus scrapes a cairn up cluster');

async function query(expr: string): Promise<Sample[]> {
  const res = await fetch(`${promUrl}/api/v1/query?query=${encodeURIComponent(expr)}`);
  const body = (await res.json()) as { status: string; error?: string; data: { resultType: string; result: Sample[] } };
  if (body.status !== 'success') throw new Error(`query ${expr}: ${body.error ?? res.status}`);
  return body.data.resultType === 'vector'
    ? body.data.result
    : [{ metric: {}, value: body.data.result as unknown as [number, string] }];
}

/** Polls `expr` until `ok` holds of its samples; returns them. */
function until(what: string, expr: string, ok: (s: Sample[]) => boolean, timeoutMs = 45_000): Promise<Sample[]> {
  return eventually(what, timeoutMs, async () => {
    const s = await query(expr);
    return ok(s) ? s : null;
  });
}

const num = (s: Sample): number => Number(s.value[1]);

t.before(async () => {
  c = await startCluster(3, ['--managers', '2']);
  const info = JSON.parse(readFileSync(join(c.dir, 'cluster.json'), 'utf8')) as {
    managers: { metrics: string }[];
    nodes: { metrics: string }[];
  };
  promDir = mkdtempSync(join(tmpdir(), 'cairn-prometheus-'));
  const config = [
    'global: { scrape_interval: 1s, evaluation_interval: 1s }',
    'scrape_configs:',
    `  - job_name: cairn-manager\n    static_configs: [{ targets: [${info.managers.map((m) => `'${m.metrics}'`).join(', ')}] }]`,
    `  - job_name: cairn-node\n    static_configs: [{ targets: [${info.nodes.map((n) => `'${n.metrics}'`).join(', ')}] }]`,
  ].join('\n');
  writeFileSync(join(promDir, 'prometheus.yml'), `${config}\n`);
  const port = await freePort();
  promUrl = `http://127.0.0.1:${port}`;
  prom = spawn(
    'prometheus',
    [
      `--config.file=${join(promDir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(promDir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  prom.stderr!.on('data', (d) => (stderr += d));
  prom.on('exit', (code) => {
    if (code) stderr += `\n(exited ${code})`;
  });
  await eventually(`Prometheus ready at ${promUrl}`, 30_000, async () => (await fetch(`${promUrl}/-/ready`)).ok).catch(
    (e: Error) => {
      throw new Error(`${e.message}\n${stderr}`);
    },
  );
  const [h] = await until('the head seq is scraped', 'max(cairn_eventlog_head_seq)', (s) => s.length === 1);
  headAtStart = num(h!);
});

t.after(async () => {
  prom?.kill('SIGKILL');
  await c?.down();
  if (promDir) rmSync(promDir, { recursive: true, force: true });
});

t('every manager and node agent is scraped (up == 1), at the addresses cairn status -o json shows', async () => {
  const up = await until('5 targets up', 'up', (s) => s.length === 5 && s.every((x) => num(x) === 1));
  assert.equal(up.map((x) => x.metric.job).sort(), [
    'cairn-manager',
    'cairn-manager',
    'cairn-node',
    'cairn-node',
    'cairn-node',
  ]);
  const st = await c.cairn(['status', '--dir', c.dir, '-o', 'json']);
  assert.is(st.code, 0, st.stderr);
  const status = JSON.parse(st.stdout) as { managers: { metrics: string }[]; nodes: { metrics: string }[] };
  const shown = [...status.managers, ...status.nodes].map((x) => x.metrics).sort();
  assert.equal(shown, up.map((x) => x.metric.instance).sort());
  assert.ok(
    shown.every((a) => /^127\.0\.0\.1:\d+$/.test(a)),
    shown.join(' '),
  );
});

t('two managers: one says it leads, and only it serves the cluster gauges; both serve their log view', async () => {
  const leaders = await until(
    'both managers say 0 or 1, one says 1',
    'cairn_manager_leader',
    (s) => s.length === 2 && s.reduce((a, x) => a + num(x), 0) === 1,
  );
  const leader = leaders.find((x) => num(x) === 1)!.metric.instance;
  const counts = await until('one node count series', 'cairn_node_count_total', (s) => s.length === 1);
  assert.is(counts[0]!.metric.instance, leader);
  await until(
    'disk capacity from the leader only',
    'count by (instance) (cairn_disk_capacity_bytes)',
    (s) => s.length === 1 && s[0]!.metric.instance === leader,
  );
  await until('head seq from both', 'cairn_eventlog_head_seq', (s) => s.length === 2);
  await until('memory of both', 'cairn_manager_memory_usage_bytes', (s) => s.length === 2);
});

t('nodes: status ready and schedulable, the count; disks: capacity, usage, reservation', async () => {
  await until('3 nodes', 'cairn_node_count_total', (s) => s.length === 1 && num(s[0]!) === 3);
  const ready = await until(
    '3 nodes ready',
    'cairn_node_status{condition="ready"}',
    (s) => s.length === 3 && s.every((x) => num(x) === 1),
  );
  assert.equal(ready.map((x) => x.metric.node).sort(), ['node-1', 'node-2', 'node-3']);
  await until('3 nodes schedulable', 'cairn_node_status{condition="schedulable"} == 1', (s) => s.length === 3);
  const cap = await until(
    '3 disks with capacity',
    'cairn_disk_capacity_bytes',
    (s) => s.length === 3 && s.every((x) => num(x) > 0),
  );
  assert.ok(cap.every((x) => x.metric.disk && x.metric.node));
  await until(
    'disk usage within capacity',
    'cairn_disk_usage_bytes <= on(node, disk) cairn_disk_capacity_bytes',
    (s) => s.length === 3,
  );
  await until('3 disk reservations', 'cairn_disk_reservation_bytes', (s) => s.length === 3);
});

t('a 3-replica volume is healthy, with its capacity', async () => {
  await c.call('CreateVolume', { name: 'mv', size: SIZE, numberOfReplicas: 3 });
  await until('mv healthy (1)', 'cairn_volume_robustness{volume="mv"}', (s) => s.length === 1 && num(s[0]!) === 1);
  const [cap] = await until('mv capacity', 'cairn_volume_capacity_bytes{volume="mv"}', (s) => s.length === 1);
  assert.is(num(cap!), SIZE);
  await until(
    '3 running replicas',
    'cairn_volume_replicas{volume="mv",mode="running"}',
    (s) => s.length === 1 && num(s[0]!) === 3,
  );
  await until(
    'placements counted by reason',
    'cairn_scheduler_decisions_total{kind="place",reason="new"}',
    (s) => s.length === 1 && num(s[0]!) >= 3,
  );
});

t('a write workload through the NBD export shows write IOPS, throughput and the bytes', async () => {
  const attach = await c.cairn([
    '--cluster',
    join(c.dir, 'cluster.json'),
    'volume',
    'attach',
    'mv',
    '--node',
    'node-1',
    '-o',
    'json',
  ]);
  assert.is(attach.code, 0, attach.stderr);
  const uri = JSON.parse(attach.stdout).nbd as string;
  const file = join(c.dir, 'data.bin');
  writeFileSync(file, randomBytes(16 * MiB));
  await execFileP('nbdcopy', [file, uri], { timeout: 60_000 });
  await until(
    'mv attached (2) on node-1',
    'cairn_volume_state{volume="mv"}',
    (s) => s.length === 1 && num(s[0]!) === 2 && s[0]!.metric.node === 'node-1',
  );
  const [bytes] = await until(
    '16 MiB written',
    'cairn_volume_write_bytes_total{volume="mv"}',
    (s) => s.length === 1 && num(s[0]!) >= 16 * MiB,
  );
  assert.is(bytes!.metric.node, 'node-1');
  // The gauges look back 5 s, and Prometheus keeps every scrape: the workload shows in the last minute.
  const [iops] = await until(
    'write IOPS > 0',
    'max_over_time(cairn_volume_write_iops{volume="mv"}[1m])',
    (s) => s.length === 1 && num(s[0]!) > 0,
  );
  assert.ok(num(iops!) > 0);
  await until(
    'write throughput > 0',
    'max_over_time(cairn_volume_write_throughput{volume="mv"}[1m])',
    (s) => s.length === 1 && num(s[0]!) > 0,
  );
  await until(
    'write latency > 0',
    'max_over_time(cairn_volume_write_latency{volume="mv"}[1m])',
    (s) => s.length === 1 && num(s[0]!) > 0,
  );
  await until(
    'the replicas hold the data',
    'sum(cairn_volume_actual_size_bytes{volume="mv"})',
    (s) => s.length === 1 && num(s[0]!) >= 3 * 16 * MiB,
  );
});

t('the event log: head seq rises, appends are timed, the projection keeps up', async () => {
  await until(
    'head seq above the start',
    'max(cairn_eventlog_head_seq)',
    (s) => s.length === 1 && num(s[0]!) > headAtStart,
  );
  await until(
    'appends in the histogram',
    'sum(cairn_eventlog_append_duration_seconds_count)',
    (s) => s.length === 1 && num(s[0]!) > 0,
  );
  await until(
    'a bucket up to 10 s holds them all',
    'sum(cairn_eventlog_append_duration_seconds_bucket{le="10"}) == sum(cairn_eventlog_append_duration_seconds_count)',
    (s) => s.length === 1,
  );
  await until(
    'projection lag is measured on both managers',
    'cairn_projection_lag_events',
    (s) => s.length === 2 && s.every((x) => num(x) >= 0),
  );
  await until(
    'process CPU and memory',
    'cairn_manager_memory_usage_bytes > 0 and on(instance) process_resident_memory_bytes{job="cairn-manager"} > 0',
    (s) => s.length === 2,
  );
  await until("agents' CPU", 'cairn_node_agent_cpu_usage_millicpu >= 0', (s) => s.length === 3);
});

t('a killed replica node (kill -9) makes the volume degraded and the node not ready', async () => {
  const node3 = c.info.nodes.find((n) => n.id === 'node-3')!;
  process.kill(node3.pid, 'SIGKILL');
  await until(
    'mv degraded (2)',
    'cairn_volume_robustness{volume="mv"}',
    (s) => s.length === 1 && num(s[0]!) === 2,
    60_000,
  );
  await until(
    'node-3 not ready',
    'cairn_node_status{node="node-3",condition="ready"}',
    (s) => s.length === 1 && num(s[0]!) === 0,
    60_000,
  );
  await until("node-3's target down", 'up{job="cairn-node"} == 0', (s) => s.length === 1);
});

t('every query of the Grafana dashboard runs, and has a result where the cluster has the data', async () => {
  const dash = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as {
    panels: { title: string; targets?: { expr: string }[] }[];
  };
  const exprs = dash.panels.flatMap((p) => (p.targets ?? []).map((x) => ({ panel: p.title, expr: x.expr })));
  assert.ok(exprs.length >= 20, `${exprs.length} queries`);
  for (const { panel, expr } of exprs) {
    const result = await query(expr); // throws on a query Prometheus refuses
    if (MAY_BE_EMPTY.some((m) => expr.includes(m))) continue;
    if (result.length === 0) {
      // Rates need two scrapes in their window: give the data a moment before calling it missing.
      await until(`"${panel}": ${expr} has a result`, expr, (s) => s.length > 0, 15_000);
    }
  }
  const [degraded] = await query('count(cairn_volume_robustness == 2) or vector(0)');
  assert.is(num(degraded!), 1);
});

t.run();
