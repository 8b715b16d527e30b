// The replica runner of the agent's datapath: the replicas placed on this node's disks. A
// ReplicaStore each under DISK/replicas/<id>, served by the node's one ReplicaServer (its data
// address); a store is brought in line with its assignment (size, snapshots while detached) and
// says where it serves when it is new, to be rebuilt, or failed (reconcile-plan.ts decides which
// step a replica needs; this file does it). Reports are the caller's: methods return what to say.
import { rm } from 'node:fs/promises';
import type { Logger, ReplicaAssignment__Output } from '@cairn/api';
import { BlockError, ReplicaError, ReplicaStore } from '@cairn/datapath';
import type { ReplicaServer } from '@cairn/datapath';
import { confineReplicaDir, PlaceRefused } from './disk-paths.js';
import type { ReplicaMarks } from './reconcile-plan.js';
import { announces, assignmentKey, replicaStep } from './reconcile-plan.js';

export type ReplicaReport = { replicaId: string; state: string; address: string; reason: string };
export type ReplicaFigures = { replicaId: string; revision: number; cleanShutdown: boolean; rebuilding: boolean };

interface RunningReplica extends ReplicaMarks {
  store: ReplicaStore;
  dir: string;
  volume: string;
}

export interface ReplicaRunnerOptions {
  /** The disks this node was started with: replica data is kept under these only (disk-paths.ts). */
  disks: readonly string[];
  /** The node's replica server: every open store is served by it. */
  server: ReplicaServer;
  logger: Logger;
  /** The data address replicas say they serve at (known once the server listens). */
  dataAddress: () => string;
  /** A replica this runner left unsettled: the next pass looks at it again, whatever it touches. */
  unsettled: (replicaId: string) => void;
  /** Asks for the newest assignments to be applied again shortly. */
  recheckSoon: () => void;
}

export class ReplicaRunner {
  private readonly replicas = new Map<string, RunningReplica>();
  /** Replicas whose data address this agent has reported. */
  private readonly announced = new Set<string>();
  /** Figures of failed replicas found since the last takeFigures(). */
  private figuresDue: ReplicaFigures[] = [];
  private readonly log: Logger;

  constructor(private readonly o: ReplicaRunnerOptions) {
    this.log = o.logger;
  }

  /** The ids of the replicas whose store is open here. */
  ids(): IterableIterator<string> {
    return this.replicas.keys();
  }

  /** The open store of a replica, if any. */
  store(replicaId: string): ReplicaStore | undefined {
    return this.replicas.get(replicaId)?.store;
  }

  /** Stops serving a replica no longer assigned here and deletes its data. */
  async remove(id: string): Promise<void> {
    const run = this.replicas.get(id);
    if (!run) return;
    this.o.server.removeReplica(id);
    this.replicas.delete(id);
    this.announced.delete(id);
    await run.store.close().catch(() => undefined);
    await rm(run.dir, { recursive: true, force: true });
    this.log.info({ replica: id }, `replica ${id} removed`);
  }

  /**
   * Opens (or creates) the stores of new replicas side by side and serves them; what to report
   * failed for the ones that could not be (refused paths are final; other failures are retried).
   */
  async open(group: readonly ReplicaAssignment__Output[]): Promise<ReplicaReport[]> {
    const failed: ReplicaReport[] = [];
    await Promise.all(
      group.map(async (r) => {
        try {
          // Refused before anything is made or opened: the manager's path is not trusted.
          const dir = await confineReplicaDir(this.o.disks, r.diskPath, r.replicaId);
          const store = await ReplicaStore.openOrCreate(dir, r.size);
          this.replicas.set(r.replicaId, { store, dir, volume: r.volume });
          this.o.server.addReplica(r.replicaId, r.volume, store, r.secret);
          this.log.info(
            { volume: r.volume, replica: r.replicaId },
            `replica ${r.replicaId} of ${r.volume} serving from ${dir}`,
          );
        } catch (e) {
          if (e instanceof PlaceRefused) {
            // Not tried again: the same assignment is refused the same way.
            this.log.warn(
              { volume: r.volume, replica: r.replicaId },
              `replica ${r.replicaId} of ${r.volume} refused: ${e.message}`,
            );
            failed.push({ replicaId: r.replicaId, state: 'failed', address: '', reason: `refused: ${e.message}` });
            return;
          }
          this.o.unsettled(r.replicaId);
          failed.push({
            replicaId: r.replicaId,
            state: 'failed',
            address: '',
            reason: `cannot open its store: ${(e as Error).message}`,
          });
        }
      }),
    );
    return failed;
  }

  /** A report about these replicas was lost: they say where they serve again on the next pass. */
  reportLost(replicaIds: readonly string[]): void {
    for (const id of replicaIds) {
      const run = this.replicas.get(id);
      if (run) run.reportedFrom = undefined;
      this.announced.delete(id);
      this.o.unsettled(id);
    }
  }

  /** The figures of failed replicas found by apply() since the last call (each once per assignment). */
  takeFigures(): ReplicaFigures[] {
    const figures = this.figuresDue;
    this.figuresDue = [];
    return figures;
  }

  /** A figures report was lost: these replicas are applied again (and say their figures) on the next pass. */
  figuresLost(replicaIds: readonly string[]): void {
    for (const id of replicaIds) {
      const run = this.replicas.get(id);
      if (run) run.applied = run.appliedFrom = undefined;
      this.o.unsettled(id);
    }
  }

  /** The figures of every replica the assignments say failed, read now (stores closed under us are left out). */
  async failedFigures(assigned: ReadonlyMap<string, ReplicaAssignment__Output>): Promise<ReplicaFigures[]> {
    const figures: ReplicaFigures[] = [];
    for (const [id, run] of this.replicas) {
      if (assigned.get(id)?.state !== 'failed') continue;
      try {
        const info = await run.store.info();
        figures.push({
          replicaId: id,
          revision: info.revision,
          cleanShutdown: info.cleanShutdown,
          rebuilding: info.rebuilding,
        });
      } catch {
        // A store closed under us: the next pass opens it again and says its figures then.
      }
    }
    return figures;
  }

  /** The bytes each replica served here holds (its head's allocated blocks), for /metrics. */
  async sizes(): Promise<{ volume: string; replicaId: string; bytes: number }[]> {
    const out: { volume: string; replicaId: string; bytes: number }[] = [];
    for (const [replicaId, run] of this.replicas) {
      const info = await run.store.info().catch(() => null); // closed under us: left out of this scrape
      if (info) out.push({ volume: run.volume, replicaId, bytes: info.allocatedBytes });
    }
    return out;
  }

  /** Closes every store (the agent stops). */
  async closeAll(): Promise<void> {
    for (const run of this.replicas.values()) await run.store.close().catch(() => undefined);
    this.replicas.clear();
  }

  /**
   * Brings the stores of these replicas in line with their assignments; what to report running.
   * A replica not settled by it (reported running but not yet recorded so, snapshots not synced,
   * its store closed under us) is looked at again on the next pass.
   */
  async apply(replicas: ReplicaAssignment__Output[]): Promise<ReplicaReport[]> {
    const started: ReplicaReport[] = [];
    for (const r of replicas) {
      const run = this.replicas.get(r.replicaId);
      if (!run) continue; // its store could not be opened: reported by open()
      // Unchanged since applied, or reported running for this very assignment (the manager's answer is the next push).
      const step = replicaStep(r, run);
      if (step === 'none') continue;
      const key = assignmentKey(r);
      if (step === 'same') {
        run.appliedFrom = r;
        continue;
      }
      let synced: boolean;
      try {
        const info = await run.store.info();
        // A failed replica: say what its store holds (salvage chooses by it when every replica
        // of the volume has failed). Once per assignment; said again if the report fails.
        if (r.state === 'failed')
          this.figuresDue.push({
            replicaId: r.replicaId,
            revision: info.revision,
            cleanShutdown: info.cleanShutdown,
            rebuilding: info.rebuilding,
          });
        if (info.size < r.size) await run.store.resize(r.size);
        // Detached, each replica's node keeps its store's snapshots as the volume's; attached, the engine does.
        synced =
          r.attached ||
          (await this.syncSnapshots(
            r.replicaId,
            r.state,
            run.store,
            r.snapshots,
            info.snapshots.map((x) => x.name),
          ));
      } catch (e) {
        // One replica's trouble must not stop the rest of the pass (the engines below included).
        // A store closed under us (after an I/O failure) is opened again on the next push.
        this.log.warn({ replica: r.replicaId }, `replica ${r.replicaId}: ${(e as Error).message}`);
        if (e instanceof BlockError && e.errno === 'ESHUTDOWN') {
          this.o.server.removeReplica(r.replicaId);
          this.replicas.delete(r.replicaId);
          this.o.recheckSoon();
        }
        this.o.unsettled(r.replicaId);
        continue;
      }
      // Say where it serves: a new replica becomes running; one to be rebuilt gets its address
      // recorded, which is what the engine waits for before it connects; so does a failed one
      // (once per process: after a restart it serves elsewhere), which a salvage may make
      // running again: an engine must then find it where it is now.
      if (announces(r.state, this.announced.has(r.replicaId))) {
        started.push({ replicaId: r.replicaId, state: 'running', address: this.o.dataAddress(), reason: '' });
        this.announced.add(r.replicaId);
        run.reportedFrom = r;
      } else if (synced) {
        // Settled (running, or rebuilding and announced): the same assignment again is a no-op.
        run.applied = key;
        run.appliedFrom = r;
      } else {
        this.o.unsettled(r.replicaId);
      }
    }
    return started;
  }

  /**
   * Brings a detached replica's snapshots in line with the volume's; false when a snapshot could
   * not be made or deleted (tried again on the next push). Deleting is always safe (a merge keeps
   * every other view). Making one is not: a snapshot made on a replica holds the replica's data of
   * now, which is right only if nothing was written since the volume took it. So only a running
   * replica (complete, current: no writes happen while detached) takes a snapshot the volume
   * gained while it was away; one being rebuilt or failed never does (its rebuild copies the
   * snapshots with their data), and it is not "fixed" by a snapshot of newer data.
   * Not detected here: a running replica lacking a snapshot OLDER than one it has (the assignment
   * names snapshots sorted by name, not in the order taken). The engine catches that case when
   * the volume attaches: a replica lacking a snapshot its peers have is dropped and rebuilt.
   */
  private async syncSnapshots(
    id: string,
    state: string,
    store: ReplicaStore,
    wanted: string[],
    have: string[],
  ): Promise<boolean> {
    try {
      for (const name of have) if (!wanted.includes(name)) await store.deleteSnapshot(name);
      const missing = wanted.filter((name) => !have.includes(name));
      if (missing.length > 0 && state !== 'running') {
        this.log.warn(
          { replica: id },
          `replica ${id}: lacks snapshot(s) ${missing.join(', ')}; not made from its current data (${state}): its rebuild brings them`,
        );
        return true;
      }
      for (const name of missing) await store.snapshot(name);
      return true;
    } catch (e) {
      if (!(e instanceof ReplicaError)) throw e;
      this.log.warn({ replica: id }, `replica ${id}: snapshots: ${e.message}`);
      return false;
    }
  }
}
