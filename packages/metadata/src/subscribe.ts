// subscribe(fromSeq): every event from a seq on, exactly once, in order, following the log live.
//
// Catch up with range reads pinned to one revision, then watch from that revision + 1. The position
// is always the next seq wanted, never an etcd revision: after a disconnect, a member's death,
// compaction or a gap seen in the watch, the subscriber throws its watcher away and starts again
// from that seq with a fresh range read. The etcd3 package's own watcher resumes from the header
// revision of its last response, which skips events when a member dies during a long catch-up;
// here a gap can only ever cause a re-read, never a skipped event.
import type { Etcd3, Watcher } from 'etcd3';
import { Range } from 'etcd3';
import { Observable } from 'rxjs';
import type { CairnEvent } from './events.js';
import { decodeEvent } from './events.js';
import { CorruptError, UnknownEventTypeError } from './errors.js';
import type { Keys } from './keys.js';
import { prefixEndKey } from './prefix.js';

export interface Page {
  /** The events of the page up to the first that could not be decoded. */
  events: CairnEvent[];
  /** Why the page stops early: the decode error of the next event (deliver `events` first). */
  corrupt: Error | null;
  /** The store revision the page was read at. */
  revision: string;
  more: boolean;
}

/** One page of the log from `fromSeq`, at `revision` when given (else the newest). */
export async function readPage(
  client: Etcd3,
  keys: Keys,
  fromSeq: number,
  limit: number,
  revision?: string,
): Promise<Page> {
  let q = client
    .getAll()
    .inRange(new Range(keys.event(fromSeq), prefixEndKey(keys.log)))
    .limit(limit)
    .sort('Key', 'Ascend');
  if (revision !== undefined) q = q.revision(revision);
  const res = await q.exec();
  const events: CairnEvent[] = [];
  let corrupt: Error | null = null;
  for (const kv of res.kvs) {
    try {
      events.push(decodeEvent(kv.value, keys.seqOf(kv.key.toString())));
    } catch (e) {
      corrupt = e as Error;
      break;
    }
  }
  return { events, corrupt, revision: String(res.header.revision), more: Boolean(res.more) };
}

class Gap extends Error {}

export function subscribeLog(client: Etcd3, keys: Keys, fromSeq: number, pageSize = 1000): Observable<CairnEvent> {
  return new Observable<CairnEvent>((sub) => {
    let next = Math.max(1, fromSeq);
    let closed = false;
    let watcher: Watcher | null = null;
    let wake: (() => void) | null = null;

    const emit = (ev: CairnEvent): void => {
      if (ev.seq < next) return; // already delivered (a re-read after a resume)
      if (ev.seq > next) throw new Gap(`expected seq ${next}, saw ${ev.seq}`);
      next = ev.seq + 1;
      sub.next(ev);
    };

    const catchUp = async (): Promise<string> => {
      let revision: string | undefined;
      for (;;) {
        const page = await readPage(client, keys, next, pageSize, revision);
        revision ??= page.revision;
        if (page.events.length > 0 && page.events[0]!.seq !== next) {
          throw new CorruptError(next, `missing from the log (next stored seq is ${page.events[0]!.seq})`);
        }
        for (const ev of page.events) emit(ev);
        if (page.corrupt) throw page.corrupt;
        if (!page.more || closed) return revision;
      }
    };

    const follow = (revision: string): Promise<void> =>
      new Promise<void>((resolve, reject) => {
        wake = resolve;
        client
          .watch()
          .prefix(keys.log)
          .startRevision(String(BigInt(revision) + 1n))
          .create()
          .then((w) => {
            if (closed) {
              void w.cancel();
              return resolve();
            }
            watcher = w;
            w.on('put', (kv) => {
              try {
                emit(decodeEvent(kv.value, keys.seqOf(kv.key.toString())));
              } catch (e) {
                reject(e);
              }
            });
            // Any trouble on the stream: stop this watcher and resume by seq ourselves.
            w.on('disconnected', (e) => reject(e));
            w.on('error', (e) => reject(e));
            w.on('end', () => reject(new Error('watch ended')));
          }, reject);
      });

    const run = async (): Promise<void> => {
      let delay = 25;
      while (!closed) {
        try {
          const revision = await catchUp();
          if (closed) return;
          delay = 25;
          await follow(revision);
        } catch (e) {
          if (e instanceof CorruptError || e instanceof UnknownEventTypeError) {
            sub.error(e);
            return;
          }
          // Gap, disconnect, member loss, compaction, deadline: resume from `next`.
          if (!(e instanceof Gap)) {
            await new Promise((r) => setTimeout(r, delay));
            delay = Math.min(delay * 2, 1000);
          }
        } finally {
          const w = watcher;
          watcher = null;
          wake = null;
          if (w) {
            w.removeAllListeners();
            void w.cancel().catch(() => undefined);
          }
        }
      }
    };
    void run();

    return () => {
      closed = true;
      const w = watcher;
      watcher = null;
      if (w) {
        w.removeAllListeners();
        void w.cancel().catch(() => undefined);
      }
      const wk = wake;
      wake = null;
      wk?.();
    };
  });
}
