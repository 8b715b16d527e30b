// Cuts a byte stream into frames: a fixed-size header whose payload length `payloadLength`
// reads (throwing on a malformed header), then that many bytes. Chunks are kept as they came and
// consumed through an offset. A header is read in place (as a buffer and the offset it starts
// at; copied to a scratch buffer only when it straddles chunks), and a payload inside one chunk
// is handed out as a view of it, without copying. A payload that spans chunks is copied into one
// buffer, or, for an `onParts` handler, handed out as views of the chunks it lies in.

/** Reads a header at `at` in `buf`; `buf` is valid only during the call. */
export type HeaderReader = (buf: Buffer, at: number) => number;
/** A frame: its header at `at` in `header` (valid only during the call), and its payload. */
export type FrameHandler = (header: Buffer, at: number, payload: Buffer) => void;
/** The same with the payload as views of the chunks it arrived in (one or more; none when empty). */
export type FramePartsHandler = (header: Buffer, at: number, parts: Buffer[]) => void;

const EMPTY = Buffer.alloc(0);

export class FrameReader {
  /** Chunks from `first` on are unread (an index, not shift(): a payload may span thousands of small chunks). */
  private chunks: Buffer[] = [];
  private first = 0;
  /** Where the unread bytes of chunks[first] begin. */
  private pos = 0;
  private available = 0;
  private readonly scratch: Buffer;
  private header: Buffer;
  private headerAt = 0;
  private inPayload = false;
  private need = 0;

  constructor(
    private readonly headerBytes: number,
    private readonly payloadLength: HeaderReader,
    private readonly onFrame: FrameHandler,
    private readonly onParts?: FramePartsHandler,
  ) {
    this.scratch = Buffer.alloc(headerBytes);
    this.header = this.scratch;
  }

  /** Feeds bytes; calls onFrame for every complete frame. Throws what payloadLength throws. */
  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.available += chunk.length;
    for (;;) {
      if (!this.inPayload) {
        if (this.available < this.headerBytes) return;
        this.takeHeader();
        const n = this.payloadLength(this.header, this.headerAt);
        if (n === 0) {
          if (this.onParts) this.onParts(this.header, this.headerAt, []);
          else this.onFrame(this.header, this.headerAt, EMPTY);
          continue;
        }
        // The header must outlive the chunk it sits in until the payload is complete.
        if (this.header !== this.scratch) {
          this.header.copy(this.scratch, 0, this.headerAt, this.headerAt + this.headerBytes);
          this.header = this.scratch;
          this.headerAt = 0;
        }
        this.inPayload = true;
        this.need = n;
      }
      if (this.available < this.need) return;
      this.inPayload = false;
      if (this.onParts) this.onParts(this.header, this.headerAt, this.takeParts(this.need));
      else this.onFrame(this.header, this.headerAt, this.take(this.need));
    }
  }

  private takeHeader(): void {
    const first = this.chunks[this.first]!;
    const n = this.headerBytes;
    if (first.length - this.pos >= n) {
      this.header = first;
      this.headerAt = this.pos;
      this.advance(first, n);
      return;
    }
    this.copyOut(this.scratch, n);
    this.header = this.scratch;
    this.headerAt = 0;
  }

  private take(n: number): Buffer {
    const first = this.chunks[this.first]!;
    if (first.length - this.pos >= n) {
      const out = first.subarray(this.pos, this.pos + n);
      this.advance(first, n);
      return out;
    }
    const out = Buffer.allocUnsafe(n);
    this.copyOut(out, n);
    return out;
  }

  /** The next `n` bytes as views of the chunks they lie in (chunks are never reused, so views stay valid). */
  private takeParts(n: number): Buffer[] {
    const parts: Buffer[] = [];
    let left = n;
    while (left > 0) {
      const c = this.chunks[this.first]!;
      const k = Math.min(c.length - this.pos, left);
      parts.push(c.subarray(this.pos, this.pos + k));
      left -= k;
      this.advance(c, k);
    }
    return parts;
  }

  private advance(first: Buffer, n: number): void {
    this.available -= n;
    this.pos += n;
    if (this.pos === first.length) {
      this.chunks[this.first++] = EMPTY; // drop the reference
      if (this.first === this.chunks.length) {
        this.chunks = [];
        this.first = 0;
      } else if (this.first >= 1024 && this.first * 2 >= this.chunks.length) {
        this.chunks = this.chunks.slice(this.first);
        this.first = 0;
      }
      this.pos = 0;
    }
  }

  private copyOut(out: Buffer, n: number): void {
    let at = 0;
    while (at < n) {
      const c = this.chunks[this.first]!;
      const k = Math.min(c.length - this.pos, n - at);
      c.copy(out, at, this.pos, this.pos + k);
      at += k;
      this.advance(c, k);
    }
  }
}
