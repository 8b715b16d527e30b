// The chaos suite's decisions, pure: the seeded random source, the fault plan, the event-log
// checks and the report table. The I/O shell is chaos.ts.

export const FAULT_KINDS = [
  'replica-node',
  'engine-node',
  'manager-leader',
  'etcd-leader',
  'data-cut',
  'acked-drop',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** mulberry32: a small, fast, seeded generator; the same seed gives the same run of choices. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const pick = <T>(r: () => number, xs: readonly T[]): T => {
  if (xs.length === 0) throw new Error('pick from an empty list');
  return xs[Math.floor(r() * xs.length)]!;
};

export function shuffle<T>(r: () => number, xs: readonly T[]): T[] {
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** `count` faults: every kind once (in a random order) per round of FAULT_KINDS.length, the rest random. */
export function planFaults(r: () => number, count: number): FaultKind[] {
  const out: FaultKind[] = [];
  while (out.length + FAULT_KINDS.length <= count) out.push(...shuffle(r, FAULT_KINDS));
  while (out.length < count) out.push(pick(r, FAULT_KINDS));
  return out;
}

/** Nearest-rank percentile (p in 0..100) of a non-empty list. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** An event as the checks see it: its seq, its payload's name, and the fields that identify it. */
export interface LoggedEvent {
  seq: number;
  type: string;
  timeMs: number;
  /** volume name, replica id or node id the event is about ('' when none). */
  key: string;
}

/** What the suite saw acknowledged by the admin API. */
export type Ack =
  | { kind: 'at-seq'; seq: number; type: string; key: string } // the answer named the event's seq
  | { kind: 'by-seq'; atMost: number; type: string; key: string }; // the event is at or before this seq; type may be "a|b"

/**
 * Problems with the log read back at the end (empty when none): seqs not 1..N without gaps or
 * repeats; an event seen on the live stream missing or different; an acknowledged request with no
 * event; a request recorded twice (two volume-created for one name, two replica-scheduled for one
 * replica id).
 */
export function checkLog(log: LoggedEvent[], seen: Map<number, LoggedEvent>, acks: Ack[]): string[] {
  const problems: string[] = [];
  const bySeq = new Map<number, LoggedEvent>();
  log.forEach((e, i) => {
    if (e.seq !== i + 1)
      problems.push(`the log's event #${i + 1} has seq ${e.seq} (expected ${i + 1}: a gap or a repeat)`);
    if (bySeq.has(e.seq)) problems.push(`seq ${e.seq} appears twice in the log`);
    bySeq.set(e.seq, e);
  });
  for (const [seq, s] of seen) {
    const l = bySeq.get(seq);
    if (!l) problems.push(`seq ${seq} (${s.type} ${s.key}) was streamed live but is not in the log`);
    else if (l.type !== s.type || l.key !== s.key || l.timeMs !== s.timeMs)
      problems.push(`seq ${seq} was streamed as ${s.type} ${s.key} but the log has ${l.type} ${l.key}`);
  }
  for (const a of acks) {
    if (a.kind === 'at-seq') {
      const l = bySeq.get(a.seq);
      if (!l || l.type !== a.type || l.key !== a.key)
        problems.push(
          `acknowledged ${a.type} ${a.key} at seq ${a.seq}, but the log has ${l ? `${l.type} ${l.key}` : 'nothing'} there`,
        );
    } else if (!log.some((l) => l.seq <= a.atMost && a.type.split('|').includes(l.type) && l.key === a.key)) {
      problems.push(`acknowledged ${a.type} ${a.key} (answer at seq ${a.atMost}), but no such event at or before it`);
    }
  }
  const once = (type: string): void => {
    const counts = new Map<string, number[]>();
    for (const e of log) if (e.type === type) counts.set(e.key, [...(counts.get(e.key) ?? []), e.seq]);
    for (const [key, seqs] of counts)
      if (seqs.length > 1) problems.push(`${type} ${key} recorded ${seqs.length} times (seqs ${seqs.join(', ')})`);
  };
  once('volumeCreated');
  once('replicaScheduled');
  return problems;
}

export interface FaultRecord {
  kind: FaultKind;
  target: string;
  atMs: number;
  recoveryMs: number;
}

const s = (ms: number): string => (Number.isNaN(ms) ? '-' : `${(ms / 1000).toFixed(1)} s`);

/** The table the suite prints: faults by kind with recovery p50/max, then the bytes verified. */
export function reportTable(faults: FaultRecord[], bytesVerified: number, rounds: number, boundMs: number): string {
  const rows: string[][] = [['fault', 'injected', 'recovery p50', 'recovery max']];
  for (const kind of FAULT_KINDS) {
    const of = faults.filter((f) => f.kind === kind).map((f) => f.recoveryMs);
    rows.push([kind, String(of.length), s(percentile(of, 50)), s(of.length ? Math.max(...of) : NaN)]);
  }
  const all = faults.map((f) => f.recoveryMs);
  rows.push(['all', String(all.length), s(percentile(all, 50)), s(all.length ? Math.max(...all) : NaN)]);
  const w = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)) + 2);
  const lines = rows.map((r) =>
    r
      .map((c, i) => c.padEnd(w[i]!))
      .join('')
      .trimEnd(),
  );
  lines.splice(1, 0, '-'.repeat(lines[0]!.length));
  lines.push(
    `bytes verified: ${(bytesVerified / 2 ** 20).toFixed(1)} MiB (fio crc32c verify reads, ${rounds} fio runs); recovery bound ${s(boundMs)}`,
  );
  return lines.join('\n');
}
