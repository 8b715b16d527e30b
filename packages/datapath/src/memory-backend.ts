// A BlockBackend in memory: sparse 64 KiB chunks allocated on first write and released when a
// trim or write-zeroes covers them whole (not a write-zeroes with keepAllocated, which allocates
// the chunks it covers, as NBD's NO_HOLE asks). For tests and benchmarks of the layers above it; it
// keeps nothing across restarts, so flush and FUA have nothing to do.
import { BLOCK_SIZE, BlockError } from './block.js';
import type { BlockBackend } from './block.js';

const CHUNK = 64 * 1024;

export class MemoryBackend implements BlockBackend {
  readonly size: number;
  private readonly chunks = new Map<number, Buffer>();

  constructor(size: number) {
    if (!Number.isSafeInteger(size) || size < 0 || size % BLOCK_SIZE !== 0) {
      throw new BlockError('EINVAL', `size ${size} is not a non-negative multiple of ${BLOCK_SIZE}`);
    }
    this.size = size;
  }

  /** Bytes of memory holding data (whole chunks). */
  get allocatedBytes(): number {
    return this.chunks.size * CHUNK;
  }

  async read(offset: number, length: number): Promise<Buffer> {
    this.check(offset, length);
    const out = Buffer.allocUnsafe(length);
    let pos = 0;
    while (pos < length) {
      const at = offset + pos;
      const index = Math.floor(at / CHUNK);
      const inChunk = at - index * CHUNK;
      const n = Math.min(CHUNK - inChunk, length - pos);
      const chunk = this.chunks.get(index);
      if (chunk) chunk.copy(out, pos, inChunk, inChunk + n);
      else out.fill(0, pos, pos + n);
      pos += n;
    }
    return out;
  }

  async write(offset: number, data: Buffer, _fua?: boolean): Promise<void> {
    this.check(offset, data.length);
    let pos = 0;
    while (pos < data.length) {
      const at = offset + pos;
      const index = Math.floor(at / CHUNK);
      const inChunk = at - index * CHUNK;
      const n = Math.min(CHUNK - inChunk, data.length - pos);
      let chunk = this.chunks.get(index);
      if (!chunk) this.chunks.set(index, (chunk = Buffer.alloc(CHUNK)));
      data.copy(chunk, inChunk, pos, pos + n);
      pos += n;
    }
  }

  async flush(): Promise<void> {}

  async trim(offset: number, length: number): Promise<void> {
    this.check(offset, length);
    this.zero(offset, length);
  }

  async writeZeroes(offset: number, length: number, _fua?: boolean, keepAllocated = false): Promise<void> {
    this.check(offset, length);
    this.zero(offset, length, keepAllocated);
  }

  private zero(offset: number, length: number, keepAllocated = false): void {
    let pos = 0;
    while (pos < length) {
      const at = offset + pos;
      const index = Math.floor(at / CHUNK);
      const inChunk = at - index * CHUNK;
      const n = Math.min(CHUNK - inChunk, length - pos);
      const chunk = this.chunks.get(index);
      if (keepAllocated && !chunk) this.chunks.set(index, Buffer.alloc(CHUNK));
      else if (n === CHUNK && !keepAllocated) this.chunks.delete(index);
      else chunk?.fill(0, inChunk, inChunk + n);
      pos += n;
    }
  }

  private check(offset: number, length: number): void {
    if (
      !Number.isSafeInteger(offset) ||
      !Number.isSafeInteger(length) ||
      offset < 0 ||
      length < 0 ||
      offset + length > this.size
    ) {
      throw new BlockError('EINVAL', `range ${offset}+${length} is outside 0..${this.size}`);
    }
  }
}
