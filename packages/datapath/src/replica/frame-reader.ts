// Cuts a byte stream into frames: a fixed-size header whose payload length `payloadLength`
// reads (throwing on a malformed header), then that many bytes. Chunks are kept as they came;
// a header or payload inside one chunk is handed out as a view of it, without copying.

export type FrameHandler = (header: Buffer, payload: Buffer) => void;

const EMPTY = Buffer.alloc(0);

export class FrameReader {
  private chunks: Buffer[] = [];
  private available = 0;
  private header: Buffer | null = null;
  private need = 0;

  constructor(
    private readonly headerBytes: number,
    private readonly payloadLength: (header: Buffer) => number,
    private readonly onFrame: FrameHandler,
  ) {}

  /** Feeds bytes; calls onFrame for every complete frame. Throws what payloadLength throws. */
  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.available += chunk.length;
    for (;;) {
      if (this.header === null) {
        if (this.available < this.headerBytes) return;
        const header = this.take(this.headerBytes);
        const n = this.payloadLength(header);
        if (n === 0) {
          this.onFrame(header, EMPTY);
          continue;
        }
        this.header = header;
        this.need = n;
      }
      if (this.available < this.need) return;
      const header = this.header;
      this.header = null;
      this.onFrame(header, this.take(this.need));
    }
  }

  private take(n: number): Buffer {
    this.available -= n;
    const first = this.chunks[0]!;
    if (first.length >= n) {
      if (first.length === n) this.chunks.shift();
      else this.chunks[0] = first.subarray(n);
      return first.subarray(0, n);
    }
    const out = Buffer.allocUnsafe(n);
    let at = 0;
    while (at < n) {
      const c = this.chunks[0]!;
      const k = Math.min(c.length, n - at);
      c.copy(out, at, 0, k);
      at += k;
      if (k === c.length) this.chunks.shift();
      else this.chunks[0] = c.subarray(k);
    }
    return out;
  }
}
