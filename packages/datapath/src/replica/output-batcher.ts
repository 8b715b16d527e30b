// Gathers the frames a connection produces and hands them to the socket together: small buffers
// are copied into one, larger ones (bulk data) go as they are, all in one corked write. Fewer,
// larger socket writes is most of what pipelining 4 KiB requests costs (on loopback a send also
// does the receiver's work). Two ways of gathering:
// - 'turn' gathers a whole turn of the event loop (every socket read and completion of one poll
//   phase; flushed from setImmediate): the fewest writes. The server's replies, always.
// - 'tick' gathers the current run of microtasks (flushed from a microtask queued at the first
//   push): the soonest departure. The engine issues requests from promise callbacks (after its
//   range lock), where a nextTick would wait for the whole microtask queue, that is for the local
//   replica's pwrites of every request parsed from the same socket chunk; a microtask queued at
//   the first push runs before the local pwrites queued after it.
// The client decides per batch (`gather` as a function): 'tick' when nothing was outstanding (the
// replica is idle and a QD1 writer waits on this one request), 'turn' while replies are still
// due (the replica is busy anyway, and one write for the turn's requests saves a send each).
// Bulk data (a buffer of COPY_BELOW or more) makes its batch leave on a microtask whatever was
// chosen: its cost is in the bytes, not the number of sends, and a remote replica should start
// on a large write while the engine does its local pwrite, not after.
import type { Socket } from 'node:net';

/**
 * Buffers below this are copied into one (a copy of a few KiB costs less than a socket write call
 * of its own); larger ones go to the socket as they are. Not higher: the engine sends the same
 * payload to every remote replica, and an NBD payload arrives as socket chunks of any size, so a
 * high threshold meant copying most of a large write once per replica.
 */
const COPY_BELOW = 8 * 1024;

export type Gather = 'tick' | 'turn';

export class OutputBatcher {
  private parts: Buffer[] = [];
  private scheduled = false;
  /** The batch scheduled leaves on a microtask (else at the end of the turn). */
  private soon = false;

  /** `gather`: how to gather, or a function asked at the first push of each batch. */
  constructor(
    private readonly socket: Socket,
    private readonly gather: Gather | (() => Gather),
  ) {}

  push(b: Buffer): void {
    this.parts.push(b);
    if (!this.scheduled) {
      this.scheduled = true;
      this.soon =
        (typeof this.gather === 'function' ? this.gather() : this.gather) === 'tick' || b.length >= COPY_BELOW;
      if (this.soon) queueMicrotask(this.flush);
      else setImmediate(this.flush);
    } else if (!this.soon && b.length >= COPY_BELOW) {
      // The setImmediate still comes, finds nothing queued (or a later batch) and sends that.
      this.soon = true;
      queueMicrotask(this.flush);
    }
  }

  /** Sends what is queued, then ends the socket. */
  end(): void {
    this.flush();
    this.socket.end();
  }

  private readonly flush = (): void => {
    this.scheduled = false;
    const parts = this.parts;
    this.parts = [];
    const s = this.socket;
    if (s.destroyed || s.writableEnded || parts.length === 0) return;
    if (parts.length === 1) {
      s.write(parts[0]!);
      return;
    }
    s.cork();
    let run: Buffer[] = [];
    let runBytes = 0;
    const endRun = () => {
      if (run.length === 1) s.write(run[0]!);
      else if (run.length > 1) s.write(Buffer.concat(run, runBytes));
      run = [];
      runBytes = 0;
    };
    for (const p of parts) {
      if (p.length >= COPY_BELOW) {
        endRun();
        s.write(p);
      } else {
        run.push(p);
        runBytes += p.length;
      }
    }
    endRun();
    s.uncork();
  };
}
