// The one interface between the datapath's layers: something that stores a volume's blocks.
// The NBD frontend serves any BlockBackend; the engine is one (over replicas); a replica's store
// is one (over sparse files). Offsets and lengths are bytes; callers keep them within `size`.

export interface BlockBackend {
  /** Size in bytes (a multiple of 4096). */
  readonly size: number;
  read(offset: number, length: number): Promise<Buffer>;
  /** With `fua`, the data is on stable storage when the promise resolves. */
  write(offset: number, data: Buffer, fua?: boolean): Promise<void>;
  /**
   * Optional: the same as write(offset, Buffer.concat(parts), fua) without joining the parts (a
   * payload as it arrived in socket chunks). The parts must not change until the promise settles.
   */
  writeParts?(offset: number, parts: Buffer[], fua?: boolean): Promise<void>;
  /** Everything written before is on stable storage when the promise resolves. */
  flush(): Promise<void>;
  /** The range may read back as zeroes afterwards (space may be released). */
  trim(offset: number, length: number): Promise<void>;
  /**
   * The range reads back as zeroes afterwards. With `keepAllocated` (NBD's NO_HOLE), its storage
   * also stays (or becomes) allocated, so that later writes into it need no new space; without it
   * the space may be released, as by trim. With `fua`, durable when the promise resolves.
   */
  writeZeroes(offset: number, length: number, fua?: boolean, keepAllocated?: boolean): Promise<void>;
}

export const BLOCK_SIZE = 4096;

/** The total length of `parts`. */
export function partsLength(parts: Buffer[]): number {
  let n = 0;
  for (const p of parts) n += p.length;
  return n;
}

/** `parts` as one buffer: the only part itself, else a copy. */
export function joinParts(parts: Buffer[]): Buffer {
  return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
}

/**
 * Regroups `parts` (which together are a whole number of `block`s long) into buffers that each
 * start on a block boundary and hold whole blocks: the parts themselves (views of them) where they
 * can, and a copy of just the block where one part ends and the next begins in mid-block. So a
 * positional write of each touches only whole pages (a partial page write may have to read it).
 */
export function alignParts(parts: Buffer[], block: number): Buffer[] {
  const out: Buffer[] = [];
  let carry: Buffer | null = null;
  let carryFill = 0;
  for (let p of parts) {
    if (carry) {
      const k = Math.min(block - carryFill, p.length);
      p.copy(carry, carryFill, 0, k);
      carryFill += k;
      p = p.subarray(k);
      if (carryFill < block) continue;
      out.push(carry);
      carry = null;
    }
    const whole = p.length - (p.length % block);
    if (whole > 0) out.push(p.subarray(0, whole));
    if (whole < p.length) {
      carry = Buffer.allocUnsafe(block);
      carryFill = p.copy(carry, 0, whole);
    }
  }
  if (carry) throw new RangeError(`parts are not a whole number of ${block}-byte blocks`);
  return out;
}

/** Writes `parts` at `offset` through `b`, joined only when `b` cannot take them as they are. */
export function writePartsTo(b: BlockBackend, offset: number, parts: Buffer[], fua?: boolean): Promise<void> {
  return b.writeParts ? b.writeParts(offset, parts, fua) : b.write(offset, joinParts(parts), fua);
}

/** An error with an errno name the NBD frontend maps to its error codes (EIO, EINVAL, ENOSPC...). */
export class BlockError extends Error {
  constructor(
    readonly errno: 'EIO' | 'EINVAL' | 'ENOSPC' | 'EPERM' | 'ESHUTDOWN',
    message: string,
  ) {
    super(message);
    this.name = 'BlockError';
  }
}
