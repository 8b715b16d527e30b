// The node agent's /metrics (docs/metrics.md): every metric it serves is defined here, on its own
// prom-client Registry, computed when Prometheus scrapes. What is measured where the engine runs:
// - per attached volume, from its NBD export's counters (@cairn/datapath IoStats): Longhorn's
//   cairn_volume_{read,write}_{iops,throughput,latency} gauges (rates over the last few seconds,
//   latency in ns as Longhorn's) and, for PromQL's rate(), the counters they come from
//   (cairn_volume_{read,write}_{ops,bytes,latency_seconds}_total);
// - per replica served here: cairn_volume_actual_size_bytes (its allocated blocks);
// - the process: CPU, memory and prom-client's defaults.
// The cluster's view (robustness, nodes, disks, scheduler) is the leading manager's.
import { Registry } from 'prom-client';
import type { MetricsListen, MetricsServer, Sample } from '@cairn/api';
import { processMetrics, SampledGauge, serveMetrics } from '@cairn/api';
import type { IoStats, IoStatsTable } from '@cairn/datapath';

/** The counters of one volume at one moment. */
export interface IoFigures {
  reads: number;
  readBytes: number;
  readMs: number;
  writes: number;
  writeBytes: number;
  writeMs: number;
}

/** Longhorn's per-volume gauges over a window: per second, and the mean latency in ns (0 without I/O). */
export interface IoRates {
  readIops: number;
  writeIops: number;
  readThroughput: number;
  writeThroughput: number;
  readLatencyNs: number;
  writeLatencyNs: number;
}

/** How far back the rate gauges look (Prometheus's rate() over the counters can look further). */
export const RATE_WINDOW_MS = 5000;
const SAMPLE_EVERY_MS = 1000;

/** The rates between two readings `ms` apart (pure). Counters that went back (a new export) count from 0. */
export function ioRates(before: IoFigures | undefined, now: IoFigures, ms: number): IoRates {
  const b = before && before.reads <= now.reads && before.writes <= now.writes ? before : ZERO;
  const s = Math.max(ms, 1) / 1000;
  const reads = now.reads - b.reads,
    writes = now.writes - b.writes;
  return {
    readIops: reads / s,
    writeIops: writes / s,
    readThroughput: (now.readBytes - b.readBytes) / s,
    writeThroughput: (now.writeBytes - b.writeBytes) / s,
    readLatencyNs: reads > 0 ? ((now.readMs - b.readMs) / reads) * 1e6 : 0,
    writeLatencyNs: writes > 0 ? ((now.writeMs - b.writeMs) / writes) * 1e6 : 0,
  };
}

const ZERO: IoFigures = { reads: 0, readBytes: 0, readMs: 0, writes: 0, writeBytes: 0, writeMs: 0 };
const figures = (s: IoStats): IoFigures => ({
  reads: s.reads,
  readBytes: s.readBytes,
  readMs: s.readMs,
  writes: s.writes,
  writeBytes: s.writeBytes,
  writeMs: s.writeMs,
});

/** What the agent's metrics are read from (its Datapath). */
export interface AgentMetricsSources {
  io: IoStatsTable;
  replicaSizes(): Promise<{ volume: string; replicaId: string; bytes: number }[]>;
}

export class AgentMetrics {
  readonly registry = new Registry();
  private server: MetricsServer | null = null;
  private timer: NodeJS.Timeout | null = null;
  /** Readings of every volume's counters, one a second, the oldest first, RATE_WINDOW_MS of them. */
  private readings: { at: number; volumes: Map<string, IoFigures> }[] = [];

  constructor(
    readonly nodeId: string,
    private readonly src: AgentMetricsSources,
  ) {
    processMetrics(this.registry, 'cairn_node_agent', { node: nodeId });
    const labels = ['volume', 'node'];
    const rate = (name: string, help: string, pick: (r: IoRates) => number): void => {
      new SampledGauge(this.registry, name, help, labels, () =>
        this.rates().map(([volume, r]) => ({ labels: { volume, node: nodeId }, value: pick(r) })),
      );
    };
    rate('cairn_volume_read_iops', 'Read IOPS of this volume (over the last 5 s)', (r) => r.readIops);
    rate('cairn_volume_write_iops', 'Write IOPS of this volume (over the last 5 s)', (r) => r.writeIops);
    rate(
      'cairn_volume_read_throughput',
      'Read throughput of this volume, bytes/s (over the last 5 s)',
      (r) => r.readThroughput,
    );
    rate(
      'cairn_volume_write_throughput',
      'Write throughput of this volume, bytes/s (over the last 5 s)',
      (r) => r.writeThroughput,
    );
    rate(
      'cairn_volume_read_latency',
      'Mean read latency of this volume, ns (over the last 5 s; 0 without reads)',
      (r) => r.readLatencyNs,
    );
    rate(
      'cairn_volume_write_latency',
      'Mean write latency of this volume, ns (over the last 5 s; 0 without writes)',
      (r) => r.writeLatencyNs,
    );
    const counter = (name: string, help: string, pick: (f: IoFigures) => number): void => {
      new SampledGauge(
        this.registry,
        name,
        help,
        labels,
        () =>
          [...src.io.entries()].map(([volume, s]) => ({ labels: { volume, node: nodeId }, value: pick(figures(s)) })),
        'counter',
      );
    };
    counter('cairn_volume_read_ops_total', 'READs of this volume served by its engine here', (f) => f.reads);
    counter('cairn_volume_read_bytes_total', 'Bytes read from this volume through its engine here', (f) => f.readBytes);
    counter(
      'cairn_volume_read_latency_seconds_total',
      "Sum of the READs' service times, seconds",
      (f) => f.readMs / 1000,
    );
    counter('cairn_volume_write_ops_total', 'WRITEs to this volume served by its engine here', (f) => f.writes);
    counter(
      'cairn_volume_write_bytes_total',
      'Bytes written to this volume through its engine here',
      (f) => f.writeBytes,
    );
    counter(
      'cairn_volume_write_latency_seconds_total',
      "Sum of the WRITEs' service times, seconds",
      (f) => f.writeMs / 1000,
    );
    new SampledGauge(
      this.registry,
      'cairn_volume_actual_size_bytes',
      'Space the replicas of this volume on this node hold (allocated blocks), bytes',
      labels,
      async () => {
        const by = new Map<string, number>();
        for (const r of await src.replicaSizes()) by.set(r.volume, (by.get(r.volume) ?? 0) + r.bytes);
        return [...by].map(([volume, value]): Sample => ({ labels: { volume, node: nodeId }, value }));
      },
    );
  }

  async serve(listen: MetricsListen): Promise<string> {
    this.server = await serveMetrics(this.registry, listen);
    this.read();
    this.timer = setInterval(() => this.read(), SAMPLE_EVERY_MS);
    this.timer.unref();
    return this.server.address;
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.server?.close();
  }

  /** Keeps a reading of the counters; those older than the window go. */
  private read(): void {
    const at = performance.now();
    this.readings.push({ at, volumes: new Map([...this.src.io.entries()].map(([v, s]) => [v, figures(s)])) });
    while (this.readings.length > 1 && at - this.readings[1]!.at >= RATE_WINDOW_MS) this.readings.shift();
  }

  /** Every volume's rates from the oldest reading in the window to now. */
  private rates(): [string, IoRates][] {
    const now = performance.now();
    const first = this.readings[0];
    return [...this.src.io.entries()].map(([volume, s]) => [
      volume,
      ioRates(first?.volumes.get(volume), figures(s), first ? now - first.at : 0),
    ]);
  }
}
