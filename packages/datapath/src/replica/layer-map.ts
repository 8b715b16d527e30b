// A layer's allocation map: two bits per 4 KiB block saying whether this layer defines the block
// (DATA: in the layer's file; ZERO: reads as zeroes) or leaves it to older layers (ABSENT). Both
// bits of a block share one byte, so a torn write of the map never yields a state nobody wrote.
// Pages of 4096 bytes (16384 blocks, 64 MiB of volume) are allocated on first use, so the map of a
// sparse volume stays small in memory and on disk; pages changed since the last persist are dirty.

export const ABSENT = 0;
export const DATA = 1;
export const ZERO = 2;
export type BlockState = typeof ABSENT | typeof DATA | typeof ZERO;

export const MAP_PAGE_BYTES = 4096;
export const BLOCKS_PER_PAGE = MAP_PAGE_BYTES * 4;

const FILL: Record<BlockState, number> = { [ABSENT]: 0x00, [DATA]: 0x55, [ZERO]: 0xaa };

/** How many DATA blocks each byte value holds. */
const DATA_IN_BYTE = new Uint8Array(256).map((_, v) => {
  let n = 0;
  for (let i = 0; i < 4; i++) if (((v >> (i * 2)) & 3) === DATA) n++;
  return n;
});

/** How many blocks each byte value defines (DATA or ZERO). */
const DEFINED_IN_BYTE = new Uint8Array(256).map((_, v) => {
  let n = 0;
  for (let i = 0; i < 4; i++) if (((v >> (i * 2)) & 3) !== ABSENT) n++;
  return n;
});

/** A maximal run [start, end) of blocks in one state (never ABSENT). */
export interface Run {
  start: number;
  end: number;
  state: BlockState;
}

export class LayerMap {
  private readonly pages: (Uint8Array | undefined)[] = [];
  private dirty = new Set<number>();

  get(block: number): BlockState {
    const p = Math.floor(block / BLOCKS_PER_PAGE);
    const page = this.pages[p];
    if (page === undefined) return ABSENT;
    const i = block - p * BLOCKS_PER_PAGE;
    return ((page[i >> 2]! >> ((i & 3) << 1)) & 3) as BlockState;
  }

  /** Sets blocks [from, to) to `state`. */
  setRange(from: number, to: number, state: BlockState): void {
    let b = from;
    while (b < to) {
      const p = Math.floor(b / BLOCKS_PER_PAGE);
      const pageStart = p * BLOCKS_PER_PAGE;
      const stop = Math.min(to, pageStart + BLOCKS_PER_PAGE);
      let page = this.pages[p];
      if (page === undefined) {
        if (state === ABSENT) {
          b = stop;
          continue;
        }
        page = this.pages[p] = new Uint8Array(MAP_PAGE_BYTES);
      }
      this.dirty.add(p);
      let i = b - pageStart;
      const end = stop - pageStart;
      while (i < end && (i & 3) !== 0) setBits(page, i++, state);
      const wholeEnd = end & ~3;
      if (i < wholeEnd) {
        page.fill(FILL[state], i >> 2, wholeEnd >> 2);
        i = wholeEnd;
      }
      while (i < end) setBits(page, i++, state);
      b = stop;
    }
  }

  /** Whether any block in [from, to) is in `state` (not ABSENT). */
  any(from: number, to: number, state: BlockState): boolean {
    for (const run of this.runs(from, to)) if (run.state === state) return true;
    return false;
  }

  /** The maximal non-ABSENT runs in [from, to), in order. Skips unallocated pages and empty bytes. */
  *runs(from: number, to: number): Generator<Run> {
    let cur: Run | null = null;
    let b = from;
    while (b < to) {
      const p = Math.floor(b / BLOCKS_PER_PAGE);
      const pageStart = p * BLOCKS_PER_PAGE;
      const stop = Math.min(to, pageStart + BLOCKS_PER_PAGE);
      const page = this.pages[p];
      if (page === undefined) {
        if (cur) {
          yield cur;
          cur = null;
        }
        b = stop;
        continue;
      }
      for (let i = b - pageStart; i < stop - pageStart;) {
        if ((i & 3) === 0 && page[i >> 2] === 0 && i + 4 <= stop - pageStart) {
          if (cur) {
            yield cur;
            cur = null;
          }
          i += 4;
          continue;
        }
        const s = ((page[i >> 2]! >> ((i & 3) << 1)) & 3) as BlockState;
        const block = pageStart + i;
        if (s === ABSENT) {
          if (cur) {
            yield cur;
            cur = null;
          }
        } else if (cur && cur.state === s && cur.end === block) {
          cur.end = block + 1;
        } else {
          if (cur) yield cur;
          cur = { start: block, end: block + 1, state: s };
        }
        i++;
      }
      b = stop;
    }
    if (cur) yield cur;
  }

  /** Whether pages changed since the last takeDirty. */
  get isDirty(): boolean {
    return this.dirty.size > 0;
  }

  /** Whether page `p` (blocks [p*16384, (p+1)*16384)) has anything in it. */
  hasPage(p: number): boolean {
    return this.pages[p] !== undefined;
  }

  countData(): number {
    let n = 0;
    for (const page of this.pages) {
      if (page === undefined) continue;
      for (let i = 0; i < page.length; i++) n += DATA_IN_BYTE[page[i]!]!;
    }
    return n;
  }

  /** Blocks this layer defines (data or zero): what a merge from it would have to copy. */
  countDefined(): number {
    let n = 0;
    for (const page of this.pages) {
      if (page === undefined) continue;
      for (let i = 0; i < page.length; i++) n += DEFINED_IN_BYTE[page[i]!]!;
    }
    return n;
  }

  /** Loads a page read from disk (all-zero pages are left unallocated). */
  loadPage(p: number, bytes: Uint8Array): void {
    if (bytes.some((v) => v !== 0)) this.pages[p] = Uint8Array.from(bytes);
  }

  /** Copies of the pages changed since the last call, which become clean. */
  takeDirty(): Map<number, Buffer> {
    const out = new Map<number, Buffer>();
    for (const p of this.dirty) {
      const page = this.pages[p];
      out.set(p, page ? Buffer.from(page) : Buffer.alloc(MAP_PAGE_BYTES));
    }
    this.dirty = new Set();
    return out;
  }

  /** Marks pages dirty again (their persist failed). */
  markDirty(pages: Iterable<number>): void {
    for (const p of pages) this.dirty.add(p);
  }
}

function setBits(page: Uint8Array, i: number, state: BlockState): void {
  const shift = (i & 3) << 1;
  page[i >> 2] = (page[i >> 2]! & ~(3 << shift)) | (state << shift);
}
