// What the manager's and the node agent's /metrics share (docs/metrics.md): the --metrics-listen
// flag, the plain HTTP server that answers Prometheus's scrapes (unauthenticated, as Longhorn's
// are: the figures are no secret, and nothing but GET /metrics is served), the process's own CPU
// and memory, and a gauge whose samples a function computes at scrape time. Each process defines
// its metrics in one module (manager/src/metrics.ts, agent/src/metrics.ts) on its own Registry.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';

/**
 * Where managers serve /metrics unless told otherwise: Longhorn manager's port, on loopback. The
 * endpoint is unauthenticated, so it is opened to the network only when asked (deploy/ does:
 * `:9500` in the manager pod, the node's address for agents on the host network).
 */
export const DEFAULT_MANAGER_METRICS = '127.0.0.1:9500';
/** Where node agents serve /metrics unless told otherwise (loopback, as the manager's). */
export const DEFAULT_NODE_METRICS = '127.0.0.1:9501';

export interface MetricsListen {
  /** '' : every interface. */
  host: string;
  /** 0: any free port. */
  port: number;
}

/**
 * Parses --metrics-listen: `HOST:PORT`, `:PORT` (every interface), or `off` (no /metrics at all).
 * Port 0 takes any free port (what the server bound is in its address).
 */
export function parseMetricsListen(flag: string): MetricsListen | null {
  if (flag === 'off') return null;
  const i = flag.lastIndexOf(':');
  const port = Number(flag.slice(i + 1));
  if (i < 0 || flag.slice(i + 1) === '' || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`--metrics-listen must be HOST:PORT, :PORT or off, got "${flag}"`);
  }
  const host = flag.slice(0, i).replace(/^\[(.*)\]$/, '$1');
  return { host, port };
}

export interface MetricsServer {
  /** host:port as bound (the port chosen when 0 was asked for). */
  address: string;
  close(): Promise<void>;
}

/** Serves `registry` at GET /metrics on `listen`; anything else is 404. Rejects when it cannot listen. */
export function serveMetrics(registry: Registry, listen: MetricsListen): Promise<MetricsServer> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (req.method !== 'GET' || path !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: only GET /metrics is served here\n');
      return;
    }
    registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
      (e: unknown) =>
        res
          .writeHead(500, { 'content-type': 'text/plain' })
          .end(`collecting the metrics failed: ${(e as Error).message}\n`),
    );
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(listen.port, listen.host || undefined, () => {
      server.off('error', reject);
      const a = server.address() as AddressInfo;
      const host = listen.host || (a.family === 'IPv6' ? '[::]' : '0.0.0.0');
      resolve({
        address: `${host.includes(':') && !host.startsWith('[') ? `[${host}]` : host}:${a.port}`,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}

/** One sample of a gauge: its labels and value. */
export interface Sample {
  labels: Record<string, string>;
  value: number;
}

/**
 * A gauge (or counter) whose samples `source` computes when Prometheus scrapes (prom-client's
 * collect(), in one call): nothing is kept between scrapes, and an empty list is no sample at all
 * (a labelless prom-client Gauge would say 0, which for a follower's cluster gauges would be a
 * second, wrong, series).
 */
export class SampledGauge extends Gauge<string> {
  private readonly def: { name: string; help: string; type: 'gauge' | 'counter' };

  constructor(
    registry: Registry,
    name: string,
    help: string,
    labelNames: readonly string[],
    private readonly source: () => Sample[] | Promise<Sample[]>,
    type: 'gauge' | 'counter' = 'gauge',
  ) {
    super({ name, help, labelNames: [...labelNames], registers: [registry] });
    this.def = { name, help, type };
  }

  // What prom-client's Registry reads of a metric: name, help, type and the values.
  override async get(): Promise<Awaited<ReturnType<Gauge<string>['get']>>> {
    const values = await this.source();
    return { ...this.def, aggregator: 'sum', values } as unknown as Awaited<ReturnType<Gauge<string>['get']>>;
  }
}

/**
 * The process's own figures on `registry`: prom-client's default metrics (process_cpu_seconds_total,
 * process_resident_memory_bytes, the event loop's lag, the heap, ...) and, as Longhorn has them,
 * `<prefix>_cpu_usage_millicpu` (CPU used since the scrape before, at least a second back) and
 * `<prefix>_memory_usage_bytes` (resident memory), labelled `labels` (e.g. { manager: id }).
 */
export function processMetrics(registry: Registry, prefix: string, labels: Record<string, string>): void {
  collectDefaultMetrics({ register: registry });
  let last = { at: performance.now(), cpu: process.cpuUsage() };
  let millicpu = 0;
  new SampledGauge(
    registry,
    `${prefix}_cpu_usage_millicpu`,
    'CPU this process used since the scrape before (at least 1 s back), in thousandths of a CPU',
    Object.keys(labels),
    () => {
      const now = performance.now();
      if (now - last.at >= 1000) {
        const cpu = process.cpuUsage();
        const usedUs = cpu.user - last.cpu.user + cpu.system - last.cpu.system;
        millicpu = Math.round(usedUs / (now - last.at));
        last = { at: now, cpu };
      }
      return [{ labels, value: millicpu }];
    },
  );
  new SampledGauge(
    registry,
    `${prefix}_memory_usage_bytes`,
    'Resident memory of this process, bytes',
    Object.keys(labels),
    () => [{ labels, value: process.memoryUsage.rss() }],
  );
}
