// The engine runner of the agent's datapath: the engines of volumes attached to this node. An
// Engine over ReplicaClients to the replicas' nodes (in-process for the ones on this node), served
// as an NBD export named after the volume; reported attached with its endpoint. Replica failures
// the engine sees are reported until recorded (the engine acknowledges no write meanwhile); a
// replica the scheduler told to rebuild is rebuilt by the engine, with progress, and reported
// rebuilt. An engine opens only on replicas recorded running, records the ones it cannot reach
// failed before it serves, and when it can reach none of them it does not open: it waits and says
// why (engine state 'waiting'). A volume made from a data source first copies it through the
// engine; one made from a backup restores it (restore-runner.ts) without a frontend.
// What to open, wait for, stop or rebuild is decided in reconcile-plan.ts; this file does it.
import type { Logger } from '@cairn/api';
import type {
  EngineAssignment__Output,
  EngineSource__Output,
  ReportRequest,
  RestoreAssignment__Output,
} from '@cairn/api';
import { cloneFromAny, Engine, fencedView, ReplicaClient, SnapshotView } from '@cairn/datapath';
import type { NbdServer } from '@cairn/datapath';
import type {
  BlockBackend,
  EngineReplica,
  Replica,
  ReplicaClientOptions,
  ReplicaStore,
  ReplicaTls,
} from '@cairn/datapath';
import type { RestoreOutcome } from './restore-runner.js';
import { credentialsOf, RestoreFailed, runRestore } from './restore-runner.js';
import { engineOpenStep, engineReplicaPlan, ENGINE_WAIT_MS, planEngines } from './reconcile-plan.js';

export interface EngineRunnerOptions {
  nodeId: string;
  /** Replica traffic over TLS (this node's certificate, the cluster CA); absent: plaintext. */
  tls?: ReplicaTls;
  report: (r: Omit<ReportRequest, 'nodeId'>) => Promise<void>;
  logger: Logger;
  /** The NBD server the exports are served by (its exports are looked up through exportOf). */
  nbd: NbdServer;
  /** The store of a replica served on this node, if any: an engine uses it in-process. */
  localStore: (replicaId: string) => ReplicaStore | undefined;
  /** The URI of a volume's export on this node. */
  endpoint: (volume: string) => string;
  /** Asks for the newest assignments to be applied again shortly (something here is unsettled). */
  recheckSoon: () => void;
  /** A volume's engine stopped: its per-export figures go. */
  dropped: (volume: string) => void;
  /** The clock (ms): how long an engine has waited for its placed replicas. */
  now?: () => number;
}

/** How long a copy that failed from every source replica waits before it tries again (times the attempt, up to 10 s). */
const COPY_RETRY_MS = 1000;
const retryDelay = (attempt: number): number => Math.min(10, attempt) * COPY_RETRY_MS;

/**
 * How long a replica-failed report may go unanswered before it counts as lost and is said again:
 * a manager that stopped answering without closing the connection would otherwise hold every
 * write of the volume for ever (saying it twice is harmless: the manager records it once).
 */
const FAILED_REPORT_TIMEOUT_MS = 5000;

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

/** The store itself for every call but close(), which the engine may call when it drops it. */
function borrowed(store: ReplicaStore): Replica {
  return new Proxy(store, {
    get(target, prop) {
      if (prop === 'close') return () => Promise.resolve();
      const v = Reflect.get(target, prop) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  }) as Replica;
}

interface RunningEngine {
  engine: Engine;
  /** Replicas being rebuilt by this engine right now. */
  rebuilding: Set<string>;
  /** False while the volume's data source is being copied: the export is not served until then. */
  ready: boolean;
  /** The newest data source the manager named (its source replicas change while the copy retries). */
  source: EngineSource__Output | null;
  /** Running replicas this engine never opened, already reported failed. */
  outside: Set<string>;
  /**
   * Whether the NBD export is served: false for an engine the scheduler started only to rebuild or
   * evict replicas of a detached volume (offline rebuilding); turned on when a user attaches the
   * volume here, without restarting the engine.
   */
  frontend: boolean;
  /** The backup this engine restores or restored last, and how that went (restore-runner.ts). */
  restore?: { backup: string; state: 'running' | 'done' | 'failed'; outcome?: RestoreOutcome; error?: string };
}

export class EngineRunner {
  private readonly engines = new Map<string, RunningEngine>();
  /** Engines waiting for their volume's placed replicas to serve: since when. */
  private readonly engineWaits = new Map<string, number>();
  /** Volumes whose engine cannot open now, and why (logged once per change of reason). */
  private readonly waiting = new Map<string, string>();
  private readonly log: Logger;
  private readonly now: () => number;

  constructor(private readonly o: EngineRunnerOptions) {
    this.log = o.logger;
    this.now = o.now ?? Date.now;
  }

  /**
   * The export named `name`: "VOLUME" is the volume's engine, "VOLUME@SNAPSHOT" a read-only view
   * of one of its snapshots; undefined while the engine is not ready or serves no frontend.
   */
  async exportOf(name: string): Promise<BlockBackend | undefined> {
    const at = name.indexOf('@');
    const run = this.engines.get(at < 0 ? name : name.slice(0, at));
    if (!run?.ready || !run.frontend) return undefined;
    if (at < 0) return run.engine;
    const engine = run.engine;
    const snap = name.slice(at + 1);
    if (!engine || !(await engine.listSnapshots()).includes(snap)) return undefined;
    return new SnapshotView(engine, snap, engine.size);
  }

  /**
   * Brings the engines in line with the volumes attached here (`assigned`) and those detaching:
   * stops the ones no longer wanted (reporting each detached), reports detached the detaching
   * ones that run nowhere here, then starts or updates each wanted one; one engine failing does
   * not keep the others from theirs.
   */
  async reconcile(assigned: EngineAssignment__Output[], detaching: string[]): Promise<void> {
    const wanted = new Set(assigned.map((e) => e.volume));
    for (const v of this.engineWaits.keys()) if (!wanted.has(v)) this.engineWaits.delete(v);
    for (const v of this.waiting.keys()) if (!wanted.has(v)) this.waiting.delete(v);
    const plan = planEngines(assigned, this.engines.keys(), detaching);
    for (const volume of plan.stop) {
      const run = this.engines.get(volume)!;
      this.engines.delete(volume);
      this.o.dropped(volume);
      await this.o.nbd.disconnectExport(volume).catch(() => undefined);
      await run.engine.close();
      await this.o.report({ replicas: [], engines: [{ volume, state: 'detached', endpoint: '' }], progress: [] });
      this.log.info({ volume }, `engine of ${volume} stopped`);
    }
    // A detach of an engine this process never ran (it died with the agent before a restart):
    // nothing to stop, so say it is detached, or the volume would stay detaching for ever.
    if (plan.detachedAlready.length) {
      const gone = plan.detachedAlready;
      await this.o.report({
        replicas: [],
        engines: gone.map((volume) => ({ volume, state: 'detached', endpoint: '' })),
        progress: [],
      });
      this.log.info(`no engine of ${gone.join(', ')} runs here: reported detached`);
    }
    for (const e of assigned) {
      await this.runEngine(e).catch((err: Error) => {
        this.log.warn({ volume: e.volume }, `engine of ${e.volume}: ${err.message}`);
        this.o.recheckSoon();
      });
    }
  }

  /** Closes every engine (the agent stops). */
  async closeAll(): Promise<void> {
    for (const run of this.engines.values()) await run.engine.close().catch(() => undefined);
    this.engines.clear();
  }

  private async connect(
    e: EngineAssignment__Output,
    r: EngineAssignment__Output['replicas'][number],
  ): Promise<EngineReplica> {
    // A replica on this node is used in-process: no loopback TCP, no extra copies. The engine may
    // close what it holds; the store stays open for the replica server, so it gets a view whose
    // close() only detaches it.
    // Either way the engine shows its attachment epoch: a replica that admitted a newer one
    // refuses it (fencing; the view is how the local one does, as the server does for remote ones).
    const local = r.nodeId === this.o.nodeId ? this.o.localStore(r.replicaId) : undefined;
    if (local) {
      if (e.epoch > 0) await local.admitEpoch(e.epoch);
      return { id: r.replicaId, local: true, replica: fencedView(local, e.epoch) };
    }
    return {
      id: r.replicaId,
      local: r.nodeId === this.o.nodeId,
      replica: await ReplicaClient.connect(r.address, r.replicaId, e.secret, {
        ...this.replicaTls(r.nodeId),
        epoch: e.epoch,
      }),
    };
  }

  /** Copies a healthy replica into `r` through the engine, in the background; reports it rebuilt or failed. */
  private rebuildInBackground(
    e: EngineAssignment__Output,
    run: RunningEngine,
    r: EngineAssignment__Output['replicas'][number],
  ): void {
    run.rebuilding.add(r.replicaId);
    void (async () => {
      try {
        await run.engine.rebuild(await this.connect(e, r), r.rebuildFrom || undefined);
        await this.o.report({
          replicas: [{ replicaId: r.replicaId, state: 'rebuilt', address: r.address, reason: '' }],
          engines: [],
          progress: [{ replicaId: r.replicaId, percent: 100 }],
        });
        this.log.info(
          { volume: e.volume, replica: r.replicaId },
          `engine of ${e.volume}: replica ${r.replicaId} rebuilt`,
        );
      } catch (err) {
        const reason = `rebuild failed: ${(err as Error).message}`;
        this.log.warn({ volume: e.volume, replica: r.replicaId }, `engine of ${e.volume}: ${reason}`);
        // Free to be rebuilt again before the report: the scheduler may reuse the replica at
        // once, and assignments saying so must not find this attempt still under way.
        run.rebuilding.delete(r.replicaId);
        // Reported so the scheduler decides again (reuse it later, or place another).
        await this.o
          .report({
            replicas: [{ replicaId: r.replicaId, state: 'failed', address: '', reason }],
            engines: [],
            progress: [],
          })
          .catch((e2: Error) =>
            this.log.warn({ volume: e.volume, replica: r.replicaId }, `reporting ${r.replicaId} failed: ${e2.message}`),
          );
        // And if nothing changes (the report was lost, or the decision is the same), look at
        // the newest assignments again: a rebuild still wanted is started again.
        this.o.recheckSoon();
      } finally {
        run.rebuilding.delete(r.replicaId);
      }
    })();
  }

  private async runEngine(e: EngineAssignment__Output): Promise<void> {
    let run = this.engines.get(e.volume);
    // Salvaged: the manager counts replicas running that this engine holds failed, and it has no
    // healthy one left; it cannot take them back (a failed member stays failed), so it is opened
    // again over them.
    if (
      run &&
      run.ready &&
      !Object.values(run.engine.replicaModes()).includes('healthy') &&
      e.replicas.some((r) => r.state === 'running' && r.address && run!.engine.replicaModes()[r.replicaId] === 'failed')
    ) {
      this.log.info(
        { volume: e.volume },
        `engine of ${e.volume}: no healthy replica left and the manager names running ones (salvaged): opening it again`,
      );
      this.engines.delete(e.volume);
      await this.o.nbd.disconnectExport(e.volume).catch(() => undefined);
      await run.engine.close().catch(() => undefined);
      run = undefined;
    }
    if (!run) {
      // Only replicas the control plane records running are candidates: each holds every write an
      // engine acknowledged (an engine acknowledges nothing until a dropped replica is recorded
      // failed), whatever happened since (the old engine's node died, a report was lost and said
      // again, the manager changed).
      const healthy = e.replicas.filter((r) => r.state === 'running');
      const placed = e.replicas
        .filter((r) => r.state === 'scheduled')
        .map((r) => r.replicaId)
        .join(', ');
      const firstWait = !this.engineWaits.has(e.volume);
      const since = this.engineWaits.get(e.volume) ?? this.now();
      switch (engineOpenStep(e, since, this.now())) {
        case 'no-running':
          this.log.info({ volume: e.volume }, `engine of ${e.volume}: waiting for a running replica`);
          return;
        case 'wait-copy':
          this.log.info(
            { volume: e.volume },
            `engine of ${e.volume}: waiting for replicas ${placed} to serve before ${e.source ? 'copying its data source' : 'restoring its backup'}`,
          );
          return;
        case 'wait-placed':
          if (firstWait) {
            this.engineWaits.set(e.volume, since);
            this.log.info(
              { volume: e.volume },
              `engine of ${e.volume}: waiting up to ${ENGINE_WAIT_MS / 1000} s for replicas ${placed} to serve`,
            );
          }
          this.o.recheckSoon();
          return;
        case 'open':
          break;
      }
      this.engineWaits.delete(e.volume);
      const members: EngineReplica[] = [];
      const unreachable: { id: string; why: string }[] = [];
      await Promise.all(
        healthy.map(async (r) => {
          if (!r.address) {
            unreachable.push({ id: r.replicaId, why: 'no data address known' });
            return;
          }
          try {
            members.push(await this.connect(e, r));
          } catch (err) {
            unreachable.push({ id: r.replicaId, why: (err as Error).message });
          }
        }),
      );
      // None reachable: they are the only replicas known to hold every acknowledged write. Opening
      // on any other would serve stale data, and reporting them failed would leave nothing good to
      // rebuild from: wait for one to come back, and say why.
      if (members.length === 0) {
        this.waitFor(
          e.volume,
          `none of its running replicas is reachable (${unreachable
            .sort((a, b) => a.id.localeCompare(b.id))
            .map((u) => `${u.id}: ${u.why}`)
            .join('; ')})`,
        );
        return;
      }
      let engine: Engine;
      try {
        engine = await Engine.open(e.volume, members, {
          // The engine says it again (with backoff) until it resolves, and acknowledges no write meanwhile.
          onReplicaFailed: async (id, reason) => {
            this.log.warn({ volume: e.volume, replica: id }, `engine of ${e.volume}: replica ${id} failed: ${reason}`);
            await withTimeout(
              this.o.report({
                replicas: [{ replicaId: id, state: 'failed', address: '', reason }],
                engines: [],
                progress: [],
              }),
              FAILED_REPORT_TIMEOUT_MS,
            ).catch((err: Error) => {
              this.log.warn(
                { volume: e.volume },
                `engine of ${e.volume}: reporting ${id} failed was not recorded (said again shortly; writes wait): ${err.message}`,
              );
              throw err;
            });
          },
          onRebuildProgress: (id, percent) =>
            void this.o
              .report({ replicas: [], engines: [], progress: [{ replicaId: id, percent }] })
              .catch(() => undefined),
          onFenced: (reason) => this.log.warn({ volume: e.volume }, `engine of ${e.volume}: ${reason}`),
        });
      } catch (err) {
        // No replica with complete data among those reached (their info failed, or each is marked
        // rebuilding): the same as none reachable.
        this.waitFor(e.volume, (err as Error).message);
        return;
      }
      this.waiting.delete(e.volume);
      // The unreachable ones lack every write from now on: recorded failed before the export is
      // served (serve() waits for it), so that no later engine takes them for up to date.
      for (const u of unreachable) engine.markFailed(u.id, `unreachable: ${u.why}`);
      run = {
        engine,
        rebuilding: new Set(),
        ready: false,
        source: e.source,
        outside: new Set(),
        frontend: !e.noFrontend,
      };
      this.engines.set(e.volume, run);
      if (engine.size < e.size) await engine.resize(e.size);
      // In the background: other volumes' assignments go on meanwhile.
      if (!e.source)
        void this.serve(
          e.volume,
          run,
          members.map((m) => m.id),
        );
      else void this.copySource(e.volume, run);
    }
    if (e.source) run.source = e.source;
    if (e.restore) this.restoreInBackground(e.volume, e.restore, run);
    if (!run.frontend && !e.noFrontend && run.ready) {
      // A user attached the volume where its offline engine runs: the same engine serves it now.
      run.frontend = true;
      await this.o
        .report({
          replicas: [],
          engines: [{ volume: e.volume, state: 'attached', endpoint: this.o.endpoint(e.volume) }],
          progress: [],
        })
        .catch((err: unknown) => {
          run!.frontend = false; // said again on the next pass
          throw err;
        });
      this.log.info(
        { volume: e.volume },
        `engine of ${e.volume} now serving ${this.o.endpoint(e.volume)} (attached by a user during an offline rebuild)`,
      );
    }
    if (run.engine.size < e.size) await run.engine.resize(e.size);
    // A replica the control plane counts as running but this engine never opened (it was not
    // running yet when the engine started, e.g. right after the volume was created) has none of
    // the writes since: it must not pass for a healthy copy. The engine reports it failed (until
    // recorded, holding acknowledgements meanwhile), so the scheduler rebuilds it (or places
    // another) and the engine takes it in through a rebuild.
    const plan = engineReplicaPlan(e.replicas, run.engine.replicaModes(), run.outside, run.rebuilding);
    for (const r of e.replicas.filter((x) => plan.outside.includes(x.replicaId))) {
      run.outside.add(r.replicaId);
      const reason = "not in the engine's replica set (not running when the engine opened): it lacks the writes since";
      this.log.warn(
        { volume: e.volume, replica: r.replicaId },
        `engine of ${e.volume}: replica ${r.replicaId} ${reason}`,
      );
      run.engine.markFailed(r.replicaId, reason);
    }
    if (plan.rebuilt.length) {
      await this.o
        .report({
          replicas: plan.rebuilt.map((replicaId) => ({ replicaId, state: 'rebuilt', address: '', reason: '' })),
          engines: [],
          progress: [],
        })
        .catch((err: Error) =>
          this.log.warn({ volume: e.volume }, `reporting ${plan.rebuilt.join(', ')} rebuilt failed: ${err.message}`),
        );
    }
    const have = await run.engine.listSnapshots();
    for (const name of e.snapshots) if (!have.includes(name)) await run.engine.snapshot(name);
    for (const name of have) if (!e.snapshots.includes(name)) await run.engine.deleteSnapshot(name);
    // Rebuilds the scheduler decided: copy from the named healthy replica, in the background.
    for (const r of e.replicas.filter((x) => plan.rebuild.includes(x.replicaId))) this.rebuildInBackground(e, run, r);
  }

  /**
   * The engine of a volume cannot open now: says why in the log (once per change of reason) and
   * to the manager (every time: it is status, not an event, and a new leader learns it so), and
   * looks again shortly. Nothing is reported failed: a replica that cannot be reached may be the
   * only one with the newest data.
   */
  private waitFor(volume: string, reason: string): void {
    if (this.waiting.get(volume) !== reason) {
      this.waiting.set(volume, reason);
      this.log.info({ volume }, `engine of ${volume}: waiting: ${reason}`);
    }
    void this.o
      .report({ replicas: [], engines: [{ volume, state: 'waiting', endpoint: '', reason }], progress: [] })
      .catch(() => undefined);
    this.o.recheckSoon();
  }

  /**
   * Serves a newly opened engine once every replica it left out is recorded failed, then reports
   * it attached (until the manager has that on record).
   */
  private async serve(volume: string, run: RunningEngine, over: string[]): Promise<void> {
    const current = (): boolean => this.engines.get(volume) === run;
    try {
      await run.engine.recorded();
    } catch {
      return; // stopped meanwhile
    }
    if (!current()) return;
    run.ready = true;
    // Offline rebuilding: attached, but nothing is served (an empty endpoint says so).
    const endpoint = run.frontend ? this.o.endpoint(volume) : '';
    for (let attempt = 1; current(); attempt++) {
      try {
        await this.o.report({ replicas: [], engines: [{ volume, state: 'attached', endpoint }], progress: [] });
        this.log.info(
          { volume },
          run.frontend
            ? `engine of ${volume} serving ${endpoint} over ${over.join(', ')}`
            : `engine of ${volume} running without a frontend (offline rebuild) over ${over.join(', ')}`,
        );
        return;
      } catch (err) {
        this.log.warn(
          { volume },
          `engine of ${volume}: reporting it attached, attempt ${attempt}: ${(err as Error).message}`,
        );
        await new Promise((res) => setTimeout(res, retryDelay(attempt)));
      }
    }
  }

  /**
   * Restores the backup the manager names into the engine, in the background, unless it runs or
   * ran already (a newer one waits for the one under way: its blocks are the base of the next).
   * Says it started (until recorded), reports progress, then the end or the failure. The manager
   * stops the engine once the restore is recorded (scheduler/offline.ts).
   */
  private restoreInBackground(volume: string, job: RestoreAssignment__Output, run: RunningEngine): void {
    const cur = run.restore;
    if (cur && cur.backup === job.backup) {
      // Already done or failed here: the manager has not recorded it yet (a lost report): say it again.
      if (cur.state !== 'running') void this.reportRestore(volume, run, cur.backup).catch(() => undefined);
      return;
    }
    if (cur?.state === 'running') return;
    // What the replicas hold: what this engine restored last, else what the manager says.
    const since = cur?.state === 'done' ? cur.backup : job.since;
    const me: NonNullable<RunningEngine['restore']> = { backup: job.backup, state: 'running' };
    run.restore = me;
    const current = (): boolean => this.engines.get(volume) === run && run.restore === me;
    const endpoint = (): string => (run.frontend ? this.o.endpoint(volume) : '');
    void (async () => {
      if (
        !(await run.engine.recorded().then(
          () => true,
          () => false,
        ))
      )
        return;
      for (let attempt = 1; current(); attempt++) {
        try {
          await this.o.report({
            replicas: [],
            engines: [{ volume, state: 'attached', endpoint: endpoint(), restoring: job.backup, restoreProgress: 0 }],
            progress: [],
          });
          break;
        } catch (err) {
          this.log.warn(
            { volume },
            `engine of ${volume}: reporting the restore of ${job.backup} started, attempt ${attempt}: ${(err as Error).message}`,
          );
          await new Promise((res) => setTimeout(res, retryDelay(attempt)));
        }
      }
      let last = 0;
      for (let attempt = 1; current(); attempt++) {
        try {
          const started = Date.now();
          this.log.info({ volume }, `engine of ${volume}: restoring ${job.backup}${since ? ` over ${since}` : ''}`);
          me.outcome = await runRestore(
            run.engine,
            { backup: job.backup, since, credentials: credentialsOf(job.credentials) },
            {
              alive: current,
              progress: (pct) => {
                const p = Math.floor(pct);
                if (p === last) return;
                last = p;
                void this.o
                  .report({
                    replicas: [],
                    engines: [
                      { volume, state: 'attached', endpoint: endpoint(), restoring: job.backup, restoreProgress: p },
                    ],
                    progress: [],
                  })
                  .catch(() => undefined);
              },
            },
          );
          me.state = 'done';
          this.log.info(
            { volume },
            `engine of ${volume}: restored ${job.backup} (${me.outcome.writtenBlocks} blocks written, ${me.outcome.zeroedBlocks}` +
              ` zeroed) in ${Date.now() - started} ms`,
          );
          break;
        } catch (err) {
          if (!current()) return;
          if (err instanceof RestoreFailed) {
            me.state = 'failed';
            me.error = err.message;
            this.log.warn({ volume }, `engine of ${volume}: restoring ${job.backup} failed: ${err.message}`);
            break;
          }
          this.log.warn(
            { volume },
            `engine of ${volume}: restoring ${job.backup}, attempt ${attempt}: ${(err as Error).message}; retrying`,
          );
          await new Promise((res) => setTimeout(res, retryDelay(attempt)));
        }
      }
      for (let attempt = 1; current(); attempt++) {
        try {
          await this.reportRestore(volume, run, job.backup);
          return;
        } catch (err) {
          this.log.warn(
            { volume },
            `engine of ${volume}: reporting the restore of ${job.backup}, attempt ${attempt}: ${(err as Error).message}`,
          );
          await new Promise((res) => setTimeout(res, retryDelay(attempt)));
        }
      }
    })();
  }

  /** Says how the restore of `backup` ended (done or failed). */
  private async reportRestore(volume: string, run: RunningEngine, backup: string): Promise<void> {
    const r = run.restore;
    if (!r || r.backup !== backup || r.state === 'running') return;
    const endpoint = run.frontend ? this.o.endpoint(volume) : '';
    await this.o.report({
      replicas: [],
      progress: [],
      engines: [
        r.state === 'done'
          ? {
              volume,
              state: 'attached',
              endpoint,
              restored: backup,
              restoredBlocks: r.outcome?.writtenBlocks ?? 0,
              zeroedBlocks: r.outcome?.zeroedBlocks ?? 0,
            }
          : { volume, state: 'attached', endpoint, restoreFailed: backup, restoreError: r.error ?? 'restore failed' },
      ],
    });
  }

  /** A replica of the source volume: in-process when it is on this node, else over TCP. */
  private async connectSource(
    src: EngineSource__Output,
    r: EngineSource__Output['replicas'][number],
  ): Promise<Replica> {
    const local = r.nodeId === this.o.nodeId ? this.o.localStore(r.replicaId) : undefined;
    if (local) return borrowed(local);
    return ReplicaClient.connect(r.address, r.replicaId, src.secret, this.replicaTls(r.nodeId));
  }

  /** TLS to a replica on `nodeId`: its server must show that node's certificate, wherever the address leads. */
  private replicaTls(nodeId: string): ReplicaClientOptions {
    return this.o.tls ? { tls: { ...this.o.tls, servername: nodeId } } : {};
  }

  /**
   * Copies the volume's data source into its engine, retrying (from the source replicas the
   * manager names by then) until it is done or the engine is stopped; then serves the export and
   * reports the copy done and the volume attached.
   */
  private async copySource(volume: string, run: RunningEngine): Promise<void> {
    const current = (): boolean => this.engines.get(volume) === run;
    for (let attempt = 1; current(); attempt++) {
      const src = run.source!;
      try {
        const started = Date.now();
        const r = await cloneFromAny(
          src.replicas.map((x) => ({ id: x.replicaId, connect: () => this.connectSource(src, x) })),
          src.snapshot,
          run.engine,
          {
            alive: current,
            onSourceFailed: (id, reason) =>
              this.log.warn(
                { volume, replica: id },
                `engine of ${volume}: copying from ${src.volume}@${src.snapshot} on replica ${id} failed: ${reason}`,
              ),
          },
        );
        this.log.info(
          { volume, replica: r.from },
          `engine of ${volume}: copied ${src.volume}@${src.snapshot} from replica ${r.from} (${r.writtenBytes} bytes written) in ${Date.now() - started} ms`,
        );
        break;
      } catch (err) {
        if (!current()) return;
        this.log.warn(
          { volume },
          `engine of ${volume}: copy of its data source, attempt ${attempt}: ${(err as Error).message}; retrying`,
        );
        await new Promise((res) => setTimeout(res, retryDelay(attempt)));
      }
    }
    if (!current()) return;
    // Replicas left out at open are recorded failed before anything is served.
    if (
      !(await run.engine.recorded().then(
        () => true,
        () => false,
      )) ||
      !current()
    )
      return;
    run.ready = true;
    const endpoint = this.o.endpoint(volume);
    // The copy is done and flushed; until the manager has it on record, keep saying so.
    for (let attempt = 1; current(); attempt++) {
      try {
        await this.o.report({
          replicas: [],
          engines: [{ volume, state: 'attached', endpoint, dataSourceCopied: true }],
          progress: [],
        });
        this.log.info({ volume }, `engine of ${volume} serving ${endpoint}`);
        return;
      } catch (err) {
        this.log.warn(
          { volume },
          `engine of ${volume}: reporting the copy done, attempt ${attempt}: ${(err as Error).message}`,
        );
        await new Promise((res) => setTimeout(res, retryDelay(attempt)));
      }
    }
  }
}
