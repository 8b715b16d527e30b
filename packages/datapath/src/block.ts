// The one interface between the datapath's layers: something that stores a volume's blocks.
// The NBD frontend serves any BlockBackend; the engine is one (over replicas); a replica's store
// is one (over sparse files). Offsets and lengths are bytes; callers keep them within `size`.

export interface BlockBackend {
  /** Size in bytes (a multiple of 4096). */
  readonly size: number;
  read(offset: number, length: number): Promise<Buffer>;
  /** With `fua`, the data is on stable storage when the promise resolves. */
  write(offset: number, data: Buffer, fua?: boolean): Promise<void>;
  /** Everything written before is on stable storage when the promise resolves. */
  flush(): Promise<void>;
  /** The range may read back as zeroes afterwards (space may be released). */
  trim(offset: number, length: number): Promise<void>;
  /** The range reads back as zeroes afterwards. */
  writeZeroes(offset: number, length: number, fua?: boolean): Promise<void>;
}

export const BLOCK_SIZE = 4096;

/** An error with an errno name the NBD frontend maps to its error codes (EIO, EINVAL, ENOSPC...). */
export class BlockError extends Error {
  constructor(readonly errno: 'EIO' | 'EINVAL' | 'ENOSPC' | 'EPERM' | 'ESHUTDOWN', message: string) {
    super(message);
    this.name = 'BlockError';
  }
}
