// npm run bench -- eventlog
// In one run against one local etcd member: (a) raw etcd puts from 64 concurrent writers, the
// baseline; (b) cairn appends from 64 concurrent appenders of one event each, with p50/p99
// latency; (c) projection replay over 1M synthetic events, decoded from bytes and applied.
// Targets: appends/s >= 1.5x raw puts/s; replay >= 200,000 events/s.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  applyEvent,
  decodeEvent,
  draft,
  emptyState,
  encodeEvent,
  EtcdCluster,
  EventLog,
  openEtcd,
  SCHEMA_VERSION,
  stateHash,
} from '@cairn/metadata';
import type { CairnEvent, EventDraft } from '@cairn/metadata';
import { percentile, writeResult } from './results.js';

const WRITERS = 64;
const PER_WRITER = 150;
const REPLAY_EVENTS = 1_000_000;

async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t0 = performance.now();
  const value = await fn();
  return { ms: performance.now() - t0, value };
}

/** A coherent synthetic history: volumes are created, placed, run, attached, snapshotted, deleted. */
function* syntheticLog(n: number): Generator<EventDraft> {
  let emitted = 0;
  const emit = function* (d: EventDraft) {
    if (emitted++ < n) yield d;
  };
  for (let i = 0; i < 20; i++) {
    yield* emit(draft.nodeRegistered(`node-${i}`, { zone: `zone-${i % 3}` }));
    yield* emit(draft.diskAdded(`node-${i}`, 'disk-1', { maximum: 2 ** 42 }));
  }
  for (let v = 0; emitted < n; v++) {
    const name = `pvc-${v}`;
    yield* emit(draft.volumeCreated(name, { size: 2 ** 30 }));
    for (let r = 0; r < 3; r++) {
      yield* emit({
        replicaScheduled: {
          replicaId: `${name}-r${r}`,
          volume: name,
          nodeId: `node-${(v + r * 7) % 20}`,
          diskId: 'disk-1',
          trigger: 'new',
        },
      });
    }
    for (let r = 0; r < 3; r++)
      yield* emit({ replicaRunning: { replicaId: `${name}-r${r}`, address: '10.0.0.1:9500' } });
    yield* emit({ volumeAttachRequested: { name, nodeId: `node-${v % 20}` } });
    yield* emit({ volumeAttached: { name, nodeId: `node-${v % 20}`, endpoint: `nbd://10.0.0.1:10809/${name}` } });
    yield* emit({ snapshotCreated: { volume: name, name: 'snap-1', size: 2 ** 30 } });
    // Keep about 10,000 live volumes, like a busy cluster.
    if (v >= 10_000) yield* emit({ volumeDeleted: { name: `pvc-${v - 10_000}` } });
  }
}

export default async function run(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'cairn-bench-'));
  const cluster = await EtcdCluster.start({ dir, members: 1 });
  const client = openEtcd(cluster.endpoints);
  try {
    const sample = encodeEvent({
      ...draft.volumeCreated('pvc-00000000-0000', { size: 2 ** 30 }),
      seq: 1,
      timeMs: Date.now(),
      actor: 'bench',
      schemaVersion: SCHEMA_VERSION,
    });

    // (a) raw puts: one key per write, like an event log without group commit.
    const raw = await timed(() =>
      Promise.all(
        Array.from({ length: WRITERS }, (_, w) =>
          (async () => {
            for (let i = 0; i < PER_WRITER; i++) await client.put(`/bench/raw/${w}/${i}`).value(sample).exec();
          })(),
        ),
      ),
    );
    const rawRate = (WRITERS * PER_WRITER) / (raw.ms / 1000);

    // (b) cairn appends of one event each, group-committed.
    const log = new EventLog(client, { prefix: '/bench/cairn/', actor: 'bench' });
    const latencies: number[] = [];
    const app = await timed(() =>
      Promise.all(
        Array.from({ length: WRITERS }, (_, w) =>
          (async () => {
            for (let i = 0; i < PER_WRITER; i++) {
              const t0 = performance.now();
              await log.append([draft.volumeCreated(`pvc-${w}-${i}`, { size: 2 ** 30 })]);
              latencies.push(performance.now() - t0);
            }
          })(),
        ),
      ),
    );
    const appendRate = (WRITERS * PER_WRITER) / (app.ms / 1000);
    latencies.sort((a, b) => a - b);
    const txns = Number((await client.get('x').exec()).header.revision);

    // (c) replay: decode + apply 1M events from bytes, as a process starting without a snapshot
    // would. Events are produced in pages of 5,000 (a log range read returns pages too) and only
    // the decoding and applying is timed, not the making of the synthetic bytes.
    const state = emptyState();
    const state2 = emptyState();
    let replayMs = 0,
      reduceMs = 0,
      events = 0;
    let page: Buffer[] = [];
    const replayPage = (): void => {
      const first = events + 1;
      let t0 = performance.now();
      for (let i = 0; i < page.length; i++) applyEvent(state, decodeEvent(page[i]!, first + i));
      replayMs += performance.now() - t0;
      const decoded: CairnEvent[] = page.map((b, i) => decodeEvent(b, first + i));
      t0 = performance.now();
      for (const ev of decoded) applyEvent(state2, ev);
      reduceMs += performance.now() - t0;
      events += page.length;
      page = [];
    };
    for (const d of syntheticLog(REPLAY_EVENTS)) {
      page.push(
        encodeEvent({
          ...d,
          seq: events + page.length + 1,
          timeMs: 1_700_000_000_000 + events + page.length,
          actor: 'bench',
          schemaVersion: SCHEMA_VERSION,
        }),
      );
      if (page.length === 5000) replayPage();
    }
    if (page.length) replayPage();
    const replayRate = events / (replayMs / 1000);
    const hashT0 = performance.now();
    const hashesEqual = stateHash(state) === stateHash(state2);
    const hashMs = performance.now() - hashT0;

    const result = {
      machine: { cpus: (await import('node:os')).cpus().length, node: process.version },
      writers: WRITERS,
      writesEach: PER_WRITER,
      rawPutsPerSec: Math.round(rawRate),
      appendsPerSec: Math.round(appendRate),
      appendVsRawRatio: +(appendRate / rawRate).toFixed(2),
      appendLatencyMs: { p50: +percentile(latencies, 50).toFixed(2), p99: +percentile(latencies, 99).toFixed(2) },
      etcdRevisionsUsed: txns,
      replay: {
        events,
        decodeAndApplyPerSec: Math.round(replayRate),
        applyOnlyPerSec: Math.round(events / (reduceMs / 1000)),
        volumesAtEnd: state.volumes.size,
        replicasAtEnd: state.replicas.size,
        stateHashMs: Math.round(hashMs / 2),
        hashesEqual,
      },
      targets: {
        appendVsRaw: { want: '>= 1.5', ok: appendRate / rawRate >= 1.5 },
        replay: { want: '>= 200000 events/s', ok: replayRate >= 200_000 },
      },
    };
    const file = writeResult('eventlog', result);
    console.log('eventlog benchmark (one etcd member, loopback)');
    console.table({
      'raw etcd puts (64 writers)': { 'ops/s': result.rawPutsPerSec, ratio: 1 },
      'cairn appends (64 appenders)': { 'ops/s': result.appendsPerSec, ratio: result.appendVsRawRatio },
    });
    console.log(`append latency p50 ${result.appendLatencyMs.p50} ms, p99 ${result.appendLatencyMs.p99} ms`);
    console.log(
      `replay: ${result.replay.decodeAndApplyPerSec.toLocaleString()} events/s decoded+applied, ` +
        `${result.replay.applyOnlyPerSec.toLocaleString()} events/s applied ` +
        `(${events.toLocaleString()} events, ${state.volumes.size} volumes at the end)`,
    );
    console.log(
      `targets: appends/raw ${result.appendVsRawRatio} (want >= 1.5) ${result.targets.appendVsRaw.ok ? 'PASS' : 'FAIL'}; ` +
        `replay ${result.targets.replay.ok ? 'PASS' : 'FAIL'}`,
    );
    console.log(`wrote ${file}`);
  } finally {
    client.close();
    await cluster.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
