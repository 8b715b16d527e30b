// npm run screenshots: docs/ui/*.png, the web UI's main pages on a small `cairn up` cluster,
// taken in Debian's chromium (playwright-core) as a user would see them. The cluster gets a few
// volumes through the admin API: one attached with a snapshot, one asking for 4 replicas on 3
// nodes (so the volume page explains the replica that cannot be placed), one that no node's tags
// fit; a node gets tags. Then dashboard, volume list, volume page, node page and events.
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { CHROMIUM, unary, upCluster } from './ui.js';

const OUT = fileURLToPath(new URL('../../docs/ui/', import.meta.url));
const MiB = 2 ** 20;

async function until(what: string, probe: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const c = await upCluster(3);
const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
try {
  await unary(c.client, 'UpdateNode', { nodeId: 'node-2', tags: { values: ['fast', 'ssd'] } });
  await unary(c.client, 'CreateVolume', { name: 'db-data', size: 10 * 1024 * MiB, numberOfReplicas: 3 });
  await unary(c.client, 'CreateVolume', { name: 'web-cache', size: 2 * 1024 * MiB, numberOfReplicas: 2 });
  await unary(c.client, 'CreateVolume', { name: 'wide', size: 1024 * MiB, numberOfReplicas: 4 });
  await unary(c.client, 'CreateVolume', {
    name: 'archive',
    size: 50 * 1024 * MiB,
    numberOfReplicas: 2,
    nodeSelector: ['nvme'],
  });
  await until(
    'db-data healthy',
    async () =>
      (await unary<{ robustness: string }>(c.client, 'GetVolume', { name: 'db-data' })).robustness === 'healthy',
  );
  await unary(c.client, 'AttachVolume', { name: 'db-data', nodeId: 'node-1' });
  await until(
    'db-data attached',
    async () => (await unary<{ state: string }>(c.client, 'GetVolume', { name: 'db-data' })).state === 'attached',
  );
  await unary(c.client, 'CreateSnapshot', { volume: 'db-data', name: 'before-upgrade' });
  await until(
    'wide has its 3 replicas running',
    async () =>
      (await unary<{ replicas: { state: string }[] }>(c.client, 'GetVolume', { name: 'wide' })).replicas.filter(
        (r) => r.state === 'running',
      ).length === 3,
  );
  const context = await browser.newContext({
    ignoreHTTPSErrors: true,
    viewport: { width: 1280, height: 820 },
    deviceScaleFactor: 1,
  });
  const login = await context.request.post(`${c.ui}/login`, { data: { token: c.token } });
  if (!login.ok()) throw new Error(`login: HTTP ${login.status()}`);
  const page = await context.newPage();
  mkdirSync(OUT, { recursive: true });
  const shot = async (hash: string, wait: string, name: string, fullPage = true): Promise<void> => {
    await page.goto(`${c.ui}/${hash}`);
    await page.locator(wait).first().waitFor({ timeout: 30_000 });
    await page.locator('#live', { hasText: 'live' }).waitFor({ timeout: 30_000 });
    await page.waitForTimeout(500); // let the last event's refresh settle (a picture, not a check)
    await page.screenshot({ path: `${OUT}${name}.png`, fullPage });
    console.log(`docs/ui/${name}.png`);
  };
  await shot('#/', '[data-robustness=healthy]', 'dashboard');
  await shot('#/volumes', '#volumes td a', 'volumes');
  await shot('#/volumes/wide', '#explain td', 'volume');
  await shot('#/nodes/node-2', '#disks td', 'node');
  await shot('#/events', 'table.events td', 'events', false);
} finally {
  await browser.close();
  await c.down();
}
