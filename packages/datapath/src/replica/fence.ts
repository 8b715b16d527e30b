// Datapath fencing. Each attachment of a volume has an epoch (the seq of the event that attached
// it, so it grows with every new attachment); its engine presents it to every replica it opens.
// A replica keeps the highest epoch it has admitted, durably (ReplicaStore.admitEpoch): an engine
// with a lower one is refused at HELLO, and an engine that opened it earlier under a lower one
// (its node was partitioned or stopped while the volume was attached elsewhere) is refused from
// its next request on. So two engines never both write a replica, whatever the control plane's
// view of the old one's node.
//
// A view bound to an epoch is how both reach a store: the replica server puts every authenticated
// connection's requests through one, the node agent its engine's in-process use of a local
// replica. A view whose epoch is behind the store's refuses, with FencedError:
// - every mutation (write, trim, zeroes, flush, snapshot changes, resize, rebuild steps, the
//   engine mark): a stale flush must not pass for durability, nor a stale close clear the mark
//   that the new engine's session set;
// - every read of the live view (read, and the live view's extents and hashes): what it returns
//   may be the new engine's writes half done, and a stale engine has nothing to serve anyway.
// Frozen layers (snapshot reads, their extents and hashes) and info/lists stay readable: they do
// not change under the new engine, and a volume cloned from a snapshot reads its source's
// replicas with no epoch of that volume (epoch 0: no claim; it never raises the store's).
//
// The epoch is not secret and not in the HMAC: fencing stops an honest engine that fell behind,
// not a node that holds the volume's secret and lies (per-node identities are the answer to that).
import { writePartsTo } from '../block.js';
import type { EpochFence, ExtentList, NewLayer, Replica, SnapshotInfo } from './api.js';
import { FencedError } from './api.js';

/** What a view is over: a replica that keeps an epoch (ReplicaStore). */
export type FencedReplica = Replica & EpochFence;

/** True when `epoch` (a client's) is behind the one `store` has admitted. */
export const isStale = (store: EpochFence, epoch: number): boolean => epoch < store.epoch;

/**
 * `store` as seen by an engine of attachment `epoch` (0: no claim, reads frozen layers only once any
 * epoch is admitted). Admitting the epoch is the caller's job (admitEpoch, before the view is
 * used); close() only detaches the view: the store stays open for its owner.
 */
export function fencedView(store: FencedReplica, epoch: number): Replica {
  const check = (what: string): void => {
    if (isStale(store, epoch)) {
      throw new FencedError(
        `${what} refused: this engine's attachment epoch ${epoch} is older than ${store.epoch} (the volume was attached elsewhere since)`,
      );
    }
  };
  // Each call checks before it reaches the store, in the same tick: a write that passes is
  // queued on the store's range lock before admitEpoch's drain (store.ts) begins.
  const guard =
    <A extends unknown[], R>(what: string, fn: (...a: A) => Promise<R>) =>
    (...a: A): Promise<R> => {
      try {
        check(what);
      } catch (e) {
        return Promise.reject(e);
      }
      return fn(...a);
    };
  return {
    get size(): number {
      return store.size;
    },
    read: guard('read', (offset: number, length: number) => store.read(offset, length)),
    write: guard('write', (offset: number, data: Buffer, fua?: boolean) => store.write(offset, data, fua)),
    writeParts: guard('write', (offset: number, parts: Buffer[], fua?: boolean) =>
      writePartsTo(store, offset, parts, fua),
    ),
    flush: guard('flush', () => store.flush()),
    trim: guard('trim', (offset: number, length: number) => store.trim(offset, length)),
    writeZeroes: guard('write-zeroes', (offset: number, length: number, fua?: boolean, keepAllocated?: boolean) =>
      store.writeZeroes(offset, length, fua, keepAllocated),
    ),
    info: () => store.info(),
    snapshot: guard('snapshot', (name: string): Promise<SnapshotInfo> => store.snapshot(name)),
    deleteSnapshot: guard('snapshot deletion', (name: string) => store.deleteSnapshot(name)),
    listSnapshots: () => store.listSnapshots(),
    readSnapshot: (name: string, offset: number, length: number) => store.readSnapshot(name, offset, length),
    allocatedRanges: (offset: number, length: number, snapshot?: string, limit?: number): Promise<ExtentList> => {
      if (snapshot === undefined)
        return guard("read of the live view's extents", () =>
          store.allocatedRanges(offset, length, undefined, limit),
        )();
      return store.allocatedRanges(offset, length, snapshot, limit);
    },
    layerRanges: (layer: string | null, offset: number, length: number, limit?: number): Promise<ExtentList> => {
      if (layer === null)
        return guard("read of the head's extents", () => store.layerRanges(null, offset, length, limit))();
      return store.layerRanges(layer, offset, length, limit);
    },
    resize: guard('resize', (newSize: number) => store.resize(newSize)),
    beginRebuild: guard('rebuild', () => store.beginRebuild()),
    endRebuild: guard('rebuild', (revision: number) => store.endRebuild(revision)),
    markEngine: guard('engine mark', (open: boolean) => store.markEngine(open)),
    listLayers: () => store.listLayers(),
    insertSnapshot: guard('rebuild', (layer: NewLayer, below: string | null) => store.insertSnapshot(layer, below)),
    hashBlocks: (layer: string | null, offset: number, length: number): Promise<Buffer> => {
      if (layer === null)
        return guard("read of the live view's hashes", () => store.hashBlocks(null, offset, length))();
      return store.hashBlocks(layer, offset, length);
    },
    writeLayer: guard('rebuild write', (layer: string, offset: number, data: Buffer) =>
      store.writeLayer(layer, offset, data),
    ),
    zeroLayer: guard('rebuild write', (layer: string, offset: number, length: number) =>
      store.zeroLayer(layer, offset, length),
    ),
    close: () => Promise.resolve(),
  };
}
