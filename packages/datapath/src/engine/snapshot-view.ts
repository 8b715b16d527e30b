// A read-only view of a volume as it was when a snapshot was taken: what the NBD export
// "VOLUME@SNAPSHOT" serves. Writes are refused (EPERM); reads come from the engine's replicas.
import { BlockError } from '../block.js';
import type { BlockBackend } from '../block.js';
import type { Engine } from './engine.js';

export class SnapshotView implements BlockBackend {
  constructor(
    private readonly engine: Engine,
    readonly snapshot: string,
    readonly size: number,
  ) {}

  read(offset: number, length: number): Promise<Buffer> {
    if (offset < 0 || offset + length > this.size)
      return Promise.reject(new BlockError('EINVAL', 'range outside the snapshot'));
    return this.engine.readSnapshot(this.snapshot, offset, length);
  }

  private refuse(): Promise<void> {
    return Promise.reject(new BlockError('EPERM', `snapshot ${this.snapshot} is read-only`));
  }

  write(): Promise<void> {
    return this.refuse();
  }
  trim(): Promise<void> {
    return this.refuse();
  }
  writeZeroes(): Promise<void> {
    return this.refuse();
  }
  flush(): Promise<void> {
    return Promise.resolve();
  }
}
