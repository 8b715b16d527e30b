// npm run bench -- ui
// The web UI's first page on a 10,000-volume cluster, in Debian's chromium (playwright-core):
// a `cairn up --detach` cluster (3 nodes, in a temp dir) gets its volumes through the admin API,
// 32 creates in flight: the first CAIRN_BENCH_UI_PLACED (1,000) with 3 replicas placed and running
// on the nodes, then, with scheduling turned off on every node, the rest (unschedulable, so the
// bench does not run 30,000 replicas on this machine; they are volumes in the state like any other
// and the dashboard counts them). Then, each load in a fresh browser context with a session:
//   - the dashboard (#/): navigation -> DOMContentLoaded, and -> first render with data (the
//     volume total on screen); bytes transferred (every response of the load, compressed size);
//   - the volume list (#/volumes): -> the first page of 50 rows on screen;
//   - the JSON calls behind them, timed from Node: /api/dashboard and /api/volumes.
// Median and worst of LOADS loads, cold (the log moved since the last load) and warm (the log
// stood still). The UI server keeps no copy of the list: every load asks the manager for the
// counts and one page (ListVolumes with a limit), so the two should match; a gap would show a
// cost that grows with the log.
// Targets: dashboard with data < 2 s (cold, median), first page < 1 MiB transferred.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { chromium } from 'playwright-core';
import type { Browser } from 'playwright-core';
import { adminClient } from '@cairn/api';
import type { AdminClient } from '@cairn/api';
import { percentile, writeResult } from './results.js';

const execFileP = promisify(execFile);
export const CAIRN = fileURLToPath(new URL('../../packages/cli/dist/src/main.js', import.meta.url));
export const CHROMIUM = process.env.CAIRN_CHROMIUM ?? '/usr/bin/chromium';
const VOLUMES = Number(process.env.CAIRN_BENCH_UI_VOLUMES ?? 10_000);
const PLACED = Math.min(VOLUMES, Number(process.env.CAIRN_BENCH_UI_PLACED ?? 1000));
const CONCURRENCY = 32;
const LOADS = Number(process.env.CAIRN_BENCH_UI_LOADS ?? 5);
const MiB = 2 ** 20;

export interface UpCluster {
  dir: string;
  admin: string;
  token: string;
  tlsCa: string;
  ui: string;
  client: AdminClient;
  down(): Promise<void>;
}

/** `cairn up --detach` in a temp dir, with an admin client. */
export async function upCluster(nodes: number): Promise<UpCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'cairn-bench-ui-'));
  await execFileP(process.execPath, [CAIRN, 'up', '--dir', dir, '--detach', '--nodes', String(nodes)], {
    timeout: 120_000,
  });
  const c = JSON.parse(readFileSync(join(dir, 'cluster.json'), 'utf8')) as {
    admin: string;
    token: string;
    tlsCa: string;
    manager: { ui: string };
  };
  const token = readFileSync(c.token, 'utf8').trim();
  const client = adminClient(c.admin, { token, tlsCa: readFileSync(c.tlsCa) });
  return {
    dir,
    admin: c.admin,
    token,
    tlsCa: c.tlsCa,
    ui: c.manager.ui,
    client,
    async down() {
      client.close();
      await execFileP(process.execPath, [CAIRN, 'down', '--dir', dir], { timeout: 60_000 }).catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function unary<Res>(client: AdminClient, method: string, req: object): Promise<Res> {
  return new Promise((ok, fail) =>
    (client as unknown as Record<string, (r: object, o: object, cb: (e: Error | null, r?: Res) => void) => void>)[
      method
    ]!.call(client, req, { deadline: Date.now() + 60_000 }, (e, r) => (e ? fail(e) : ok(r as Res))),
  );
}

/** Creates volumes PREFIX-NNNNN from `from` to `to` (exclusive), CONCURRENCY at a time. */
export async function createVolumes(
  client: AdminClient,
  prefix: string,
  from: number,
  to: number,
  replicas: number,
): Promise<void> {
  let next = from;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      for (let i = next++; i < to; i = next++)
        await unary(client, 'CreateVolume', {
          name: `${prefix}-${String(i).padStart(5, '0')}`,
          size: 16 * MiB,
          numberOfReplicas: replicas,
        });
    }),
  );
}

/** A GET of the UI's JSON API as the admin (bearer), checked against the cluster CA; its time and size. */
function timedGet(c: UpCluster, path: string): Promise<{ ms: number; bytes: number }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const req = request(
      `${c.ui}${path}`,
      { ca: readFileSync(c.tlsCa), headers: { authorization: `Bearer ${c.token}`, 'accept-encoding': 'gzip' } },
      (res) => {
        let bytes = 0;
        res.on('data', (d: Buffer) => (bytes += d.length));
        res.on('end', () =>
          res.statusCode === 200
            ? resolve({ ms: performance.now() - t0, bytes })
            : reject(new Error(`${path}: HTTP ${res.statusCode}`)),
        );
      },
    );
    req.on('error', reject);
    req.end();
  });
}

interface Load {
  domContentLoadedMs: number;
  dataMs: number;
  transferredBytes: number;
  requests: number;
}

/**
 * What the page functions below read of the browser's globals: the bench is compiled without the
 * DOM's types. (Each function casts globalThis itself: they run in the page, serialized, and can
 * call nothing of this module.)
 */
interface PageGlobals {
  document: {
    querySelector(selector: string): { textContent: string | null } | null;
    querySelectorAll(selector: string): { length: number };
  };
  performance: {
    now(): number;
    getEntriesByType(type: 'navigation' | 'resource'): { transferSize: number; domContentLoadedEventEnd: number }[];
  };
  /** When the page's data was first on screen (set by a Ready function). */
  readyAt?: number;
}
type Ready = (total: string) => boolean;
/** The volume total on the dashboard. */
const dashReady: Ready = (total) => {
  const g = globalThis as unknown as PageGlobals;
  if (g.document.querySelector('#robustness .n')?.textContent !== total) return false;
  g.readyAt ??= g.performance.now();
  return true;
};
/** The first page of 50 rows of the volume list. */
const listReady: Ready = (total) => {
  const g = globalThis as unknown as PageGlobals;
  const doc = g.document;
  if (
    !(doc.querySelector('#volume-count')?.textContent ?? '').endsWith(`of ${total}`) ||
    doc.querySelectorAll('#volumes tbody tr').length !== 50
  )
    return false;
  g.readyAt ??= g.performance.now();
  return true;
};
/** Times of this page's load: in the page, relative to its navigation's start. */
const timings = (): Load => {
  const g = globalThis as unknown as PageGlobals;
  const perf = g.performance;
  const nav = perf.getEntriesByType('navigation')[0]!;
  const resources = perf.getEntriesByType('resource');
  return {
    domContentLoadedMs: nav.domContentLoadedEventEnd,
    dataMs: g.readyAt!,
    transferredBytes: [nav, ...resources].reduce((a, r) => a + r.transferSize, 0),
    requests: 1 + resources.length,
  };
};

/**
 * One load of `hash` in a fresh context with a session; `ready` is true in the page once its data
 * is on screen (checked every animation frame; the time is taken in the page when it first is).
 * (Functions, not strings: the page's Content-Security-Policy refuses eval.)
 */
async function load(browser: Browser, c: UpCluster, hash: string, ready: Ready, total: string): Promise<Load> {
  const context = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1280, height: 900 } });
  try {
    const login = await context.request.post(`${c.ui}/login`, { data: { token: c.token } });
    if (!login.ok()) throw new Error(`login: HTTP ${login.status()}`);
    const page = await context.newPage();
    await page.goto(`${c.ui}/${hash}`);
    await page.waitForFunction(ready, total, { timeout: 60_000, polling: 'raf' });
    return await page.evaluate(timings);
  } finally {
    await context.close();
  }
}

function summarise(loads: Load[]): Record<string, unknown> {
  const pick = (k: keyof Load): { median: number; max: number } => {
    const v = loads.map((l) => l[k]).sort((a, b) => a - b);
    return { median: Math.round(percentile(v, 50)), max: Math.round(v[v.length - 1]!) };
  };
  return {
    loads: loads.length,
    domContentLoadedMs: pick('domContentLoadedMs'),
    dataMs: pick('dataMs'),
    transferredBytes: pick('transferredBytes'),
    requests: loads[0]?.requests,
  };
}

export default async function main(): Promise<void> {
  const loadavgAtStart = loadavg().map((x) => +x.toFixed(2));
  const c = await upCluster(3);
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  try {
    const t0 = performance.now();
    await createVolumes(c.client, 'ui', 0, PLACED, 3);
    const placedSeconds = (performance.now() - t0) / 1000;
    const { nodes } = await unary<{ nodes: { id: string }[] }>(c.client, 'ListNodes', {});
    for (const n of nodes) await unary(c.client, 'UpdateNode', { nodeId: n.id, allowScheduling: false });
    const t1 = performance.now();
    await createVolumes(c.client, 'ui', PLACED, VOLUMES, 3);
    const unplacedSeconds = (performance.now() - t1) / 1000;
    const { volumes } = await unary<{
      volumes: { robustness: string; unschedulable: string; replicas: { state: string }[] }[];
    }>(c.client, 'ListVolumes', {});
    const held = {
      volumes: volumes.length,
      byRobustness: volumes.reduce<Record<string, number>>(
        (a, v) => ({ ...a, [v.robustness]: (a[v.robustness] ?? 0) + 1 }),
        {},
      ),
      unschedulable: volumes.filter((v) => v.unschedulable).length,
      replicasRunning: volumes.reduce((a, v) => a + v.replicas.filter((r) => r.state === 'running').length, 0),
      seq: Number((await unary<{ seq: number }>(c.client, 'GetClusterInfo', {})).seq),
    };
    console.log(
      `cluster holds ${held.volumes} volumes (${JSON.stringify(held.byRobustness)}), ${held.replicasRunning} replicas running, log at seq ${held.seq}`,
    );
    // A cold load is one after the log moved (a snapshot of one volume: one event); a warm one
    // reloads while the log stands still.
    const moveLog = (): Promise<unknown> =>
      unary(c.client, 'CreateSnapshot', { volume: `ui-${String(0).padStart(5, '0')}` });
    const median = (v: number[]): number =>
      Math.round(
        percentile(
          [...v].sort((a, b) => a - b),
          50,
        ),
      );
    const api: Record<string, { coldMedianMs: number; warmMedianMs: number; bytes: number }> = {};
    for (const path of ['/api/dashboard', '/api/volumes?offset=0&limit=50']) {
      const cold: number[] = [];
      const warm: number[] = [];
      let bytes = 0;
      for (let i = 0; i < LOADS; i++) {
        await moveLog();
        const r = await timedGet(c, path);
        cold.push(r.ms);
        bytes = r.bytes;
        warm.push((await timedGet(c, path)).ms);
      }
      api[path] = { coldMedianMs: median(cold), warmMedianMs: median(warm), bytes };
    }
    const total = String(VOLUMES);
    const dashCold: Load[] = [];
    const dashWarm: Load[] = [];
    const list: Load[] = [];
    for (let i = 0; i < LOADS; i++) {
      await moveLog();
      dashCold.push(await load(browser, c, '#/', dashReady, total));
      dashWarm.push(await load(browser, c, '#/', dashReady, total));
      await moveLog();
      list.push(await load(browser, c, '#/volumes', listReady, total));
    }
    const dashboard = summarise(dashCold);
    const dataMs = (dashboard.dataMs as { median: number }).median;
    const bytes = (dashboard.transferredBytes as { median: number }).median;
    const result = {
      machine: {
        cpus: 2,
        node: process.version,
        chromium: browser.version(),
        loadavgAtStart,
        loadavgAtEnd: loadavg().map((x) => +x.toFixed(2)),
      },
      cluster: {
        nodes: nodes.length,
        ...held,
        createSeconds: { placed: +placedSeconds.toFixed(1), unplaced: +unplacedSeconds.toFixed(1) },
      },
      api,
      dashboard: { cold: dashboard, warm: summarise(dashWarm) },
      volumeList: { cold: summarise(list) },
      targets: {
        dashboardDataMs: { target: 2000, measured: dataMs, pass: dataMs < 2000 },
        transferredBytes: { target: MiB, measured: bytes, pass: bytes < MiB },
      },
    };
    console.log(JSON.stringify(result, null, 2));
    console.log(`results in ${writeResult('ui', result)}`);
  } finally {
    await browser.close();
    await c.down();
  }
}
