// EventLog: the totally ordered log of cairn's control plane, on etcd.
//
// Append is one etcd Txn: compare the head key's mod revision (and, for a leader's decisions, the
// create revision of its election key), then put the events and the new head. Concurrent appends
// are group-committed: while one Txn is in flight, new calls queue, and the next Txn takes as many
// whole calls as fit into etcd's request limits. One call's events always land together or not at
// all.
//
// An append whose outcome is unknown (the member died, the deadline passed) is resolved by reading
// the key of its first event: the Txn is atomic, so if those exact bytes are there the whole batch
// committed. Retries reuse the same bytes while the head has not moved, so an acknowledged event
// is stored exactly once.
//
// Each event is sealed into the log's hash chain (chain.ts). The head key holds the newest seq
// and its chain hash, so the head a batch compares against is also the hash it chains from: a
// batch is built from one head, and a retry on a moved head builds (and hashes) it again.
import type { Etcd3 } from 'etcd3';
import type { Observable } from 'rxjs';
import type { ChainHash } from './chain.js';
import { formatHead, parseHead, seal, chainHashOf } from './chain.js';
import { ConflictError, FencedError, MetadataError, TooLargeError, UnavailableError } from './errors.js';
import type { CairnEvent, EventDraft } from './events.js';
import { SCHEMA_VERSION, decodeEvent, encodeEvent } from './events.js';
import { Keys } from './keys.js';
import { readPage, subscribeLog } from './subscribe.js';

/** The leader's fencing token: its election key and that key's create revision. */
export interface Fence {
  key: string;
  createRevision: string;
}

export interface AppendOptions {
  /** Append only if the log's head is exactly this seq; else ConflictError. */
  expectedSeq?: number;
  /** Append only while this leadership is held; else FencedError. */
  fence?: Fence;
  /** Stamped into each envelope; defaults to the log's actor. */
  actor?: string;
  /** Correlation id stamped into each event that has none of its own. */
  cause?: string;
}

export interface AppendResult {
  firstSeq: number;
  lastSeq: number;
  events: CairnEvent[];
}

export interface EventLogOptions {
  prefix?: string;
  /** Default actor stamped into envelopes. */
  actor?: string;
  /** Wall clock for envelope times; injected so tests can pin it. */
  clock?: () => number;
  /** etcd's --max-txn-ops (ETCD_MAX_TXN_OPS by default). */
  maxTxnOps?: number;
  /** Bytes of events per Txn; kept under etcd's --max-request-bytes (1.5 MiB by default). */
  maxTxnBytes?: number;
  /** How long an append keeps retrying while etcd is unreachable, ms. */
  retryForMs?: number;
  /**
   * Told of every acknowledged append: how long it took from the call to its acknowledgement
   * (queueing behind the Txn in flight, the Txn, retries), in seconds, and how many events it
   * held. The seam for the manager's metrics (this package depends on no metrics library).
   */
  onAppended?: (seconds: number, events: number) => void;
  /** Monotonic clock for onAppended's durations, ms (default performance.now); injected so tests can pin it. */
  monotonic?: () => number;
}

interface Pending {
  drafts: EventDraft[];
  opts: AppendOptions;
  /** Encoded size with a placeholder seq, for packing; the real encoding differs by a few bytes. */
  approxBytes: number;
  /** When append() was called (the monotonic clock), for onAppended; 0 without it. */
  at: number;
  resolve: (r: AppendResult) => void;
  reject: (e: unknown) => void;
}

interface Head {
  seq: number;
  modRevision: string;
  /** The chain hash of event `seq` (null: the log has no hashed event yet). */
  hash: ChainHash;
}

interface Batch {
  calls: Pending[];
  fence: Fence | undefined;
  head: Head;
  firstSeq: number;
  events: CairnEvent[];
  bytes: Buffer[];
  /** The chain hash of the batch's last event: the new head's. */
  lastHash: ChainHash;
}

/** etcd's --max-txn-ops default: operations one Txn may hold. */
export const ETCD_MAX_TXN_OPS = 128;
/** Events one append may carry: one Txn's operations less the one the head's put takes. */
export const MAX_EVENTS_PER_APPEND = ETCD_MAX_TXN_OPS - 1;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
// Room for the head put, the fence compare and protobuf framing inside one request.
const TXN_OVERHEAD_BYTES = 16 * 1024;

export class EventLog {
  readonly keys: Keys;
  private readonly actor: string;
  private readonly clock: () => number;
  private readonly maxOps: number;
  private readonly maxBytes: number;
  private readonly retryForMs: number;
  private queue: Pending[] = [];
  private flushing = false;
  private head: Head | null = null;
  private closed = false;
  private readonly onAppended: EventLogOptions['onAppended'];
  private readonly monotonic: () => number;

  constructor(
    readonly client: Etcd3,
    opts: EventLogOptions = {},
  ) {
    this.keys = new Keys(opts.prefix);
    this.actor = opts.actor ?? 'unknown';
    this.clock = opts.clock ?? Date.now;
    // One op is the head put; events take the rest.
    this.maxOps = (opts.maxTxnOps ?? ETCD_MAX_TXN_OPS) - 1;
    this.maxBytes = (opts.maxTxnBytes ?? 1.5 * 1024 * 1024) - TXN_OVERHEAD_BYTES;
    this.retryForMs = opts.retryForMs ?? 30_000;
    this.onAppended = opts.onAppended;
    this.monotonic = opts.monotonic ?? (() => performance.now());
  }

  /** Appends events atomically, in order, after everything appended before. */
  append(drafts: EventDraft[], opts: AppendOptions = {}): Promise<AppendResult> {
    if (this.closed) return Promise.reject(new UnavailableError('event log is closed'));
    if (drafts.length === 0) return Promise.reject(new TypeError('append needs at least one event'));
    let approxBytes = 0;
    for (const d of drafts) approxBytes += this.encode(d, 0, opts, 0).length + 64;
    if (drafts.length > this.maxOps) {
      return Promise.reject(new TooLargeError(`${drafts.length} events, at most ${this.maxOps} in one append`));
    }
    if (approxBytes > this.maxBytes) {
      return Promise.reject(new TooLargeError(`${approxBytes} bytes, at most ${this.maxBytes} in one append`));
    }
    return new Promise((resolve, reject) => {
      this.queue.push({ drafts, opts, approxBytes, at: this.onAppended ? this.monotonic() : 0, resolve, reject });
      void this.flush();
    });
  }

  /** The seq of the newest event, read from etcd (0 for an empty log). */
  async headSeq(): Promise<number> {
    return (await this.readHead()).seq;
  }

  /** Reads events [fromSeq, toSeq] (toSeq inclusive, default: to the head) in pages. */
  async read(fromSeq: number, toSeq = Number.MAX_SAFE_INTEGER, pageSize = 500): Promise<CairnEvent[]> {
    const out: CairnEvent[] = [];
    let next = Math.max(1, fromSeq);
    let revision: string | undefined;
    while (next <= toSeq) {
      const page = await readPage(this.client, this.keys, next, pageSize, revision);
      revision ??= page.revision;
      for (const ev of page.events) {
        if (ev.seq > toSeq) return out;
        out.push(ev);
      }
      if (page.corrupt) throw page.corrupt;
      if (!page.more || page.events.length === 0) break;
      next = page.events[page.events.length - 1]!.seq + 1;
    }
    return out;
  }

  /**
   * Every event from `fromSeq` on, exactly once, in seq order, following the log live. Resumes by
   * seq after disconnects, member loss and compaction. Errors only on a corrupt or unknown event.
   */
  subscribe(fromSeq: number): Observable<CairnEvent> {
    return subscribeLog(this.client, this.keys, fromSeq);
  }

  /** Stops accepting appends; queued ones fail with Unavailable. Does not close the client. */
  close(): void {
    this.closed = true;
    for (const p of this.queue.splice(0)) p.reject(new UnavailableError('event log is closed'));
  }

  // ---- internals -----------------------------------------------------------------------------

  /** The event's bytes without its chain hash (a draft's own chainHash, if any, is dropped). */
  private encode(d: EventDraft, seq: number, opts: AppendOptions, timeMs: number): Buffer {
    return encodeEvent({
      ...d,
      seq,
      timeMs,
      actor: d.actor || opts.actor || this.actor,
      cause: d.cause || opts.cause || '',
      schemaVersion: SCHEMA_VERSION,
      chainHash: undefined,
    });
  }

  private async readHead(): Promise<Head> {
    const res = await this.client.get(this.keys.head).exec();
    const kv = res.kvs[0];
    if (!kv) return (this.head = { seq: 0, modRevision: '0', hash: null });
    const { seq, hash } = parseHead(kv.value.toString());
    // A head without a hash (a log from before the chain): the newest event says where the
    // chain stands. The Txn's compare on the head's revision still pins it.
    const chain = hash !== undefined ? hash : await this.chainAt(seq);
    return (this.head = { seq, modRevision: String(kv.mod_revision), hash: chain });
  }

  /** The chain hash the event at `seq` carries (null: none, or no such event). */
  private async chainAt(seq: number): Promise<ChainHash> {
    const bytes = await this.client.get(this.keys.event(seq)).buffer();
    return bytes ? chainHashOf(decodeEvent(bytes, seq)) : null;
  }

  private async flush(): Promise<void> {
    if (this.flushing) return;
    this.flushing = true;
    try {
      while (this.queue.length > 0) {
        const calls = this.takeBatch();
        await this.commitCalls(calls);
      }
    } finally {
      this.flushing = false;
    }
  }

  /** Takes whole calls from the queue: one fence per Txn, and an expectedSeq call only first. */
  private takeBatch(): Pending[] {
    const first = this.queue[0]!;
    const fenceKey = fenceId(first.opts.fence);
    let ops = 0,
      bytes = 0,
      n = 0;
    for (const p of this.queue) {
      if (n > 0 && (fenceId(p.opts.fence) !== fenceKey || p.opts.expectedSeq !== undefined)) break;
      if (ops + p.drafts.length > this.maxOps || bytes + p.approxBytes > this.maxBytes) break;
      ops += p.drafts.length;
      bytes += p.approxBytes;
      n++;
    }
    return this.queue.splice(0, n);
  }

  private async commitCalls(calls: Pending[]): Promise<void> {
    const deadline = Date.now() + this.retryForMs;
    let batch: Batch | null = null;
    let delay = 20;
    for (;;) {
      try {
        let head = this.head ?? (await this.readHead());
        const expected = calls[0]!.opts.expectedSeq;
        if (expected !== undefined && expected !== head.seq) {
          // Our cached head may be stale: only a fresh read can say the caller lost the race.
          head = await this.readHead();
          if (head.seq !== expected) {
            calls[0]!.reject(new ConflictError(expected, head.seq));
            calls.shift();
            if (calls.length === 0) return;
            batch = null;
            continue;
          }
        }
        // Re-encode only when the head moved: while it has not, a retry must write the same bytes
        // so that a Txn that committed without our hearing of it is recognised as ours.
        if (!batch || batch.head.modRevision !== head.modRevision) batch = this.buildBatch(calls, head);
        const outcome = await this.tryCommit(batch);
        if (outcome === 'committed') return this.acknowledge(batch);
        if (outcome === 'fenced') {
          if (await this.isOurs(batch)) return this.acknowledge(batch);
          const err = new FencedError(batch.fence!.key);
          for (const c of calls) c.reject(err);
          return;
        }
        // 'moved': someone else appended; unless the Txn was ours after all, build anew on the new head.
        if (await this.isOurs(batch)) return this.acknowledge(batch);
        batch = null;
      } catch (e) {
        if (e instanceof MetadataError && !(e instanceof UnavailableError)) {
          for (const c of calls) c.reject(e);
          return;
        }
        // Unknown outcome: find out whether the batch landed, else retry until the deadline.
        if (batch) {
          try {
            if (await this.isOurs(batch)) return this.acknowledge(batch);
          } catch {
            /* etcd still unreachable; retry below */
          }
        }
        if (Date.now() > deadline || this.closed) {
          const err = new UnavailableError(`etcd unavailable: ${(e as Error).message}`, e);
          for (const c of calls) c.reject(err);
          return;
        }
        this.head = null;
        await sleep(delay);
        delay = Math.min(delay * 2, 500);
      }
    }
  }

  private buildBatch(calls: Pending[], head: Head): Batch {
    const timeMs = this.clock();
    const events: CairnEvent[] = [];
    const bytes: Buffer[] = [];
    let seq = head.seq;
    let chain = head.hash;
    for (const c of calls) {
      for (const d of c.drafts) {
        seq++;
        const sealed = seal(this.encode(d, seq, c.opts, timeMs), chain);
        chain = sealed.hash;
        bytes.push(sealed.bytes);
        events.push(decodeEvent(sealed.bytes, seq));
      }
    }
    return { calls, fence: calls[0]!.opts.fence, head, firstSeq: head.seq + 1, events, bytes, lastHash: chain };
  }

  private async tryCommit(b: Batch): Promise<'committed' | 'moved' | 'fenced'> {
    let txn = this.client.if(this.keys.head, 'Mod', '==', b.head.modRevision);
    if (b.fence) txn = txn.and(b.fence.key, 'Create', '==', b.fence.createRevision);
    const puts = b.bytes.map((buf, i) => this.client.put(this.keys.event(b.firstSeq + i)).value(buf));
    const lastSeq = b.firstSeq + b.bytes.length - 1;
    const res = await txn
      .then(...puts, this.client.put(this.keys.head).value(formatHead(lastSeq, b.lastHash)))
      .else(this.client.get(this.keys.head), ...(b.fence ? [this.client.get(b.fence.key)] : []))
      .commit();
    if (res.succeeded) {
      this.head = { seq: lastSeq, modRevision: String(res.header.revision), hash: b.lastHash };
      return 'committed';
    }
    const headKv = res.responses[0]?.response_range?.kvs?.[0];
    if (headKv) {
      const { seq, hash } = parseHead(headKv.value.toString());
      // Without a hash in the head (written by an older cairn) the next attempt reads it afresh.
      this.head = hash !== undefined ? { seq, modRevision: String(headKv.mod_revision), hash } : null;
    } else {
      this.head = { seq: 0, modRevision: '0', hash: null };
    }
    if (b.fence) {
      const fenceKv = res.responses[1]?.response_range?.kvs?.[0];
      if (!fenceKv || String(fenceKv.create_revision) !== b.fence.createRevision) return 'fenced';
    }
    return 'moved';
  }

  /** True when the key of the batch's first event holds exactly the bytes this batch wrote. */
  private async isOurs(b: Batch): Promise<boolean> {
    const stored = await this.client.get(this.keys.event(b.firstSeq)).buffer();
    return stored !== null && stored.equals(b.bytes[0]!);
  }

  private acknowledge(b: Batch): void {
    const lastSeq = b.firstSeq + b.events.length - 1;
    if (!this.head || this.head.seq < lastSeq) this.head = null; // learned indirectly; re-read next time
    let i = 0;
    const now = this.onAppended ? this.monotonic() : 0;
    for (const c of b.calls) {
      const events = b.events.slice(i, i + c.drafts.length);
      i += c.drafts.length;
      c.resolve({ firstSeq: events[0]!.seq, lastSeq: events[events.length - 1]!.seq, events });
      if (this.onAppended) {
        try {
          this.onAppended((now - c.at) / 1000, events.length);
        } catch {
          /* an observer's failure is not the append's */
        }
      }
    }
  }
}

function fenceId(f: Fence | undefined): string {
  return f ? `${f.key}@${f.createRevision}` : '';
}
