// Gathers the frames a connection produces in one turn of the event loop (every socket read and
// I/O completion handled in one poll phase) and hands them to the socket together, from
// setImmediate: small buffers are copied into one, large ones (bulk data) go as they are, all in
// one corked write. Fewer, larger socket writes is most of what pipelining 4 KiB requests costs
// (on loopback a send also does the receiver's work).
import type { Socket } from 'node:net';

const COPY_BELOW = 64 * 1024;

export class OutputBatcher {
  private parts: Buffer[] = [];
  private scheduled = false;

  constructor(private readonly socket: Socket) {}

  push(b: Buffer): void {
    this.parts.push(b);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.flush);
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
