// Gathers the frames a connection produces and hands them to the socket together: small buffers
// are copied into one, large ones (bulk data) go as they are, all in one corked write. Fewer,
// larger socket writes is most of what pipelining 4 KiB requests costs (on loopback a send also
// does the receiver's work). 'turn' gathers a whole turn of the event loop (every socket read and
// completion of one poll phase; flushed from setImmediate): the server's replies. 'tick' gathers
// one tick (flushed from nextTick, before promise callbacks run): the client's requests, so that
// they leave before the engine spends the rest of the turn on its local replica's I/O.
import type { Socket } from 'node:net';

const COPY_BELOW = 64 * 1024;

export class OutputBatcher {
  private parts: Buffer[] = [];
  private scheduled = false;

  constructor(private readonly socket: Socket, private readonly gather: 'tick' | 'turn') {}

  push(b: Buffer): void {
    this.parts.push(b);
    if (!this.scheduled) {
      this.scheduled = true;
      if (this.gather === 'tick') process.nextTick(this.flush);
      else setImmediate(this.flush);
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
