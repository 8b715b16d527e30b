// The manager's /metrics (docs/metrics.md): every metric it serves is defined here, on its own
// prom-client Registry, and computed when Prometheus scrapes (collect time), not on every event.
// - Every manager: its process (CPU, memory, prom-client's defaults), cairn_manager_leader, the
//   event log's head seq, its projection's lag behind it, and the append latency of its own appends
//   (EventLog's onAppended seam).
// - The leader only: the cluster gauges (metrics-state.ts, from the projected state) and the
//   scheduler's decisions by reason, so that a Prometheus scraping every manager sees each of
//   those series once. A follower answers them with no sample.
// The HTTP server is @cairn/api's serveMetrics (GET /metrics, plain, unauthenticated).
import { Histogram, Registry } from 'prom-client';
import type { MetricsListen, MetricsServer, Sample } from '@cairn/api';
import { processMetrics, SampledGauge, serveMetrics } from '@cairn/api';
import type { EventLog, LiveProjection } from '@cairn/metadata';
import type { Subscription } from 'rxjs';
import { CLUSTER_GAUGES, clusterSamples, decisionOf } from './metrics-state.js';
import type { ClusterGauge, LiveFigures } from './metrics-state.js';

/** Seconds: an append is a Txn on etcd, a few ms on a quiet cluster, seconds when etcd struggles. */
const APPEND_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** What the metrics are read from, once the manager has them. */
export interface ManagerMetricsSources {
  log: EventLog;
  projection: LiveProjection;
  isLeader(): boolean;
  live: LiveFigures;
}

export class ManagerMetrics {
  readonly registry = new Registry();
  private readonly appendSeconds: Histogram;
  private sources: ManagerMetricsSources | null = null;
  private server: MetricsServer | null = null;
  private sub: Subscription | null = null;
  /** Scheduler decisions this manager has seen in the log since it started, by "kind\0reason". */
  private readonly decisions = new Map<string, number>();
  /** One scrape's cluster samples, shared by the gauges of that scrape (a scrape is well under a second). */
  private memo: { at: number; seq: number; samples: Record<ClusterGauge, Sample[]> } | null = null;
  /** One scrape's head seq read (the head and lag gauges read it once). */
  private head: { at: number; seq: Promise<number | null> } | null = null;

  constructor(readonly id: string) {
    processMetrics(this.registry, 'cairn_manager', { manager: id });
    new SampledGauge(
      this.registry,
      'cairn_manager_leader',
      'Whether this manager is the leader (1) or a follower (0); only the leader serves the cluster gauges',
      ['manager'],
      () => [{ labels: { manager: id }, value: this.sources?.isLeader() ? 1 : 0 }],
    );
    this.appendSeconds = new Histogram({
      name: 'cairn_eventlog_append_duration_seconds',
      help: 'Appends of this manager to the event log: from the call to the acknowledgement (queueing, the etcd Txn, retries), seconds',
      buckets: APPEND_BUCKETS,
      registers: [this.registry],
    });
    new SampledGauge(
      this.registry,
      'cairn_eventlog_head_seq',
      'Seq of the newest event in the log (read from etcd at scrape time)',
      [],
      async () => {
        const head = await this.headSeq();
        return head === null ? [] : [{ labels: {}, value: head }];
      },
    );
    new SampledGauge(
      this.registry,
      'cairn_projection_seq',
      "Seq of the last event this manager's projection applied",
      [],
      () => (this.sources ? [{ labels: {}, value: this.sources.projection.state.seq }] : []),
    );
    new SampledGauge(
      this.registry,
      'cairn_projection_lag_events',
      "Events in the log this manager's projection has not applied yet (head seq less projected seq)",
      [],
      async () => {
        const head = await this.headSeq();
        return head === null ? [] : [{ labels: {}, value: Math.max(0, head - this.sources!.projection.state.seq) }];
      },
    );
    for (const [name, def] of Object.entries(CLUSTER_GAUGES)) {
      new SampledGauge(
        this.registry,
        name,
        `${def.help} (served by the leader only)`,
        def.labels,
        () => this.cluster()?.[name as ClusterGauge] ?? [],
      );
    }
    new SampledGauge(
      this.registry,
      'cairn_scheduler_decisions_total',
      'Scheduler decisions recorded in the log since this manager started, by kind and reason (served by the leader only)',
      ['kind', 'reason'],
      () =>
        this.sources?.isLeader()
          ? [...this.decisions].map(([k, value]) => {
              const [kind, reason] = k.split('\0') as [string, string];
              return { labels: { kind, reason }, value };
            })
          : [],
      'counter',
    );
  }

  /** EventLogOptions.onAppended. */
  readonly appended = (seconds: number): void => this.appendSeconds.observe(seconds);

  /** Starts reading from `sources` and serving on `listen`; resolves with the address bound. */
  async serve(sources: ManagerMetricsSources, listen: MetricsListen): Promise<string> {
    this.sources = sources;
    this.sub = sources.projection.changes$.subscribe(({ event }) => {
      const d = decisionOf(event);
      if (!d) return;
      const k = `${d.kind}\0${d.reason}`;
      this.decisions.set(k, (this.decisions.get(k) ?? 0) + 1);
    });
    this.server = await serveMetrics(this.registry, listen);
    return this.server.address;
  }

  async stop(): Promise<void> {
    this.sub?.unsubscribe();
    await this.server?.close();
  }

  private cluster(): Record<ClusterGauge, Sample[]> | null {
    const s = this.sources;
    if (!s?.isLeader()) return null;
    const now = performance.now();
    if (!this.memo || this.memo.seq !== s.projection.state.seq || now - this.memo.at > 500) {
      this.memo = { at: now, seq: s.projection.state.seq, samples: clusterSamples(s.projection.state, s.live) };
    }
    return this.memo.samples;
  }

  /** The log's head seq, read once per scrape; null before serve() or while etcd does not answer. */
  private headSeq(): Promise<number | null> {
    if (!this.sources) return Promise.resolve(null);
    const now = performance.now();
    if (!this.head || now - this.head.at > 500)
      this.head = { at: now, seq: this.sources.log.headSeq().catch(() => null) };
    return this.head.seq;
  }
}
