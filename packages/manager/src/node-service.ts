// The node-facing service. Node agents hold no etcd credentials: they register, heartbeat (which
// keeps a lease-bound status key in etcd alive), receive what they must run, and report what they
// observe. Heartbeats and usage are not events; registrations, capacity changes that alter the
// picture, and replica/engine transitions are.
import type * as grpc from '@grpc/grpc-js';
import type { Etcd3, Lease } from 'etcd3';
import type { DiskInfo__Output, NodeAgentHandlers, ReplicaFigures__Output, TrimReport__Output } from '@cairn/api';
import type { ClusterState, EventDraft } from '@cairn/metadata';
import { Keys, pendingCopiesFrom, UnavailableError } from '@cairn/metadata';
import { AssignmentFeed } from './assignment-feed.js';
import type { RestoreCredentialsOf } from './assignment-feed.js';
import type { EngineRestoreReport } from './restores.js';
import { restoreReportDrafts } from './restores.js';
import { trimReportDrafts } from './job-plan.js';
import { auditTime } from 'rxjs';
import type { Subscription } from 'rxjs';
import { CommandError, toServiceError } from './errors.js';
import { unaryHandler } from './unary-call.js';
import type { ManagerContext } from './context.js';
import type { VolumeSecrets } from './volume-secrets.js';
import type { BackupService } from './backup-service.js';
import { checkDiskPath, checkName, checkNodeId, checkTags, diskIdFromPath } from './commands.js';

/**
 * What a node agent reports is validated like an admin request before it becomes an event: a
 * node id that is no valid name, a disk path with '..' in it or negative byte counts would
 * otherwise enter the log (and an id of megabytes would fail the append as an internal error).
 */
export function checkDisks(disks: DiskInfo__Output[]): void {
  disks.forEach((d, i) => {
    checkDiskPath(`disks[${i}].path`, d.path);
    checkName(`disks[${i}].diskId`, d.diskId || diskIdFromPath(d.path));
    checkTags(`disks[${i}].tags`, d.tags);
    if (!(d.storageMaximum >= 0) || !(d.storageAvailable >= 0)) {
      throw CommandError.invalid(
        `disks[${i}]: storage figures must not be negative, got maximum ${d.storageMaximum}, available ${d.storageAvailable}`,
      );
    }
  });
}

export interface NodeServiceOptions {
  heartbeatIntervalMs: number;
  leaseTtlSeconds: number;
  prefix?: string;
  /** The addresses of the live managers (each manager keeps its own under a lease). */
  managers: () => Promise<string[]>;
  /** Each volume's data secret (volume-secrets.ts). */
  secrets: VolumeSecrets;
  /** The backup target's credentials for a restore, sent only to the node running the volume's engine (restores.ts). */
  restoreCredentials?: RestoreCredentialsOf;
  /** Backups: what nodes run and what they report of them (backup-service.ts). */
  backups?: BackupService;
}

/** Assignment pushes on a stream: at most one per this many ms. */
const PUSH_EVERY_MS = 10;

/** Capacity changes smaller than this fraction of the disk are usage, not an event. */
const CAPACITY_CHANGE = 0.1;

export class NodeService {
  private readonly leases = new Map<string, Lease>();
  private readonly reported = new Map<string, DiskInfo__Output[]>();
  /** Rebuild progress by replica id, as engines report it (status, not events). */
  readonly progress = new Map<string, number>();
  /** Restore progress by volume, as engines report it (status, not events). */
  readonly restoreProgress = new Map<string, { backup: string; percent: number }>();

  private readonly keys: Keys;

  constructor(
    private readonly ctx: ManagerContext,
    private readonly client: Etcd3,
    private readonly opts: NodeServiceOptions,
  ) {
    this.keys = new Keys(opts.prefix);
    // Subscribed before any stream: a VolumeCreated is in `making` before a push can see the volume.
    this.sub = ctx.projection.changes$.subscribe(({ state, event }) => {
      if (event.volumeCreated) this.makeSecrets(state, [event.volumeCreated.name]);
      else if (event.volumeDeleted) {
        void opts.secrets
          .remove(event.volumeDeleted.name, event.seq)
          .catch((e: unknown) =>
            ctx.logger.error(
              { component: 'volume-secrets', volume: event.volumeDeleted!.name },
              `removing the secret of volume ${event.volumeDeleted!.name}: ${e instanceof Error ? e.message : String(e)}`,
            ),
          );
      }
    });
    this.makeSecrets(ctx.projection.state, ctx.projection.state.volumes.keys());
  }

  private readonly sub: Subscription;

  reportedDisk(nodeId: string, path: string): DiskInfo__Output | undefined {
    return this.reported.get(nodeId)?.find((d) => d.path === path);
  }

  /**
   * Refreshes the node's lease-bound status key: a one-shot keepalive of the lease this manager
   * holds for the node, or a new lease and put when it has none (first heartbeat, or the node
   * moved here from another manager, or the lease expired meanwhile).
   */
  private async touch(nodeId: string, disks: DiskInfo__Output[]): Promise<void> {
    this.reported.set(nodeId, disks);
    const known = this.leases.get(nodeId);
    if (known) {
      try {
        const res = await known.keepaliveOnce();
        if (Number(res.TTL) > 0) return;
      } catch {
        /* lost: take a new lease below */
      }
      known.release();
    }
    const lease = this.client.lease(this.opts.leaseTtlSeconds, { autoKeepAlive: false });
    lease.on('lost', () => undefined); // a lost lease is handled by the next heartbeat
    this.leases.set(nodeId, lease);
    await lease
      .put(this.keys.nodeStatus(nodeId))
      .value(JSON.stringify({ manager: this.ctx.id }))
      .exec();
  }

  /**
   * Volumes whose secret this manager is still making or reading (volume-secrets.ts). Filled as
   * each VolumeCreated is applied (before any push can see the volume), so a push that finds none
   * of its node's volumes here knows all their secrets; pushes wait for those.
   */
  private readonly making = new Set<string>();
  private madeWaiters: (() => void)[] = [];
  private closed = false;

  /** Starts making the secret of every volume that has none known here yet. */
  private makeSecrets(s: ClusterState, names: Iterable<string>): void {
    for (const name of names) {
      const v = s.volumes.get(name);
      if (!v || this.making.has(name) || this.opts.secrets.get(v) !== undefined) continue;
      this.making.add(name);
      void this.makeSecret(name);
    }
  }

  private async makeSecret(name: string): Promise<void> {
    try {
      while (!this.closed) {
        const v = this.ctx.projection.state.volumes.get(name);
        if (!v || this.opts.secrets.get(v) !== undefined) break;
        try {
          await this.opts.secrets.ensure(v);
        } catch (e) {
          this.ctx.logger.error(
            { component: 'volume-secrets', volume: name },
            `the secret of volume ${name}: ${e instanceof Error ? e.message : String(e)}; trying again`,
          );
          await new Promise((r) => setTimeout(r, 500));
        }
      }
    } finally {
      this.making.delete(name);
      for (const w of this.madeWaiters.splice(0)) w();
    }
  }

  /** Resolves when the next secret being made is made (or given up: the volume went). */
  private nextSecretMade(): Promise<void> {
    return new Promise((resolve) => this.madeWaiters.push(resolve));
  }

  /**
   * True while a secret that a push to `nodeId` may carry is still being made: of a volume with a
   * replica there or attached there. (A data source's volume has had its secret since long before
   * its clone; should one be missing, the push fails and the node watches again.) Looks only at
   * the few volumes being made, so a create storm elsewhere never holds this node's pushes back.
   */
  private secretsPendingFor(s: ClusterState, nodeId: string): boolean {
    for (const name of this.making) {
      if (s.volumes.get(name)?.attachedTo === nodeId) return true;
      for (const id of s.replicasByVolume.get(name) ?? []) if (s.replicas.get(id)?.nodeId === nodeId) return true;
    }
    return false;
  }

  /** The secret of a volume for an assignment (asked once secretsPendingFor says the node's are known). */
  private readonly secretOf = (volume: string): string => {
    const v = this.ctx.projection.state.volumes.get(volume);
    if (!v) return ''; // a data source's volume deleted meanwhile: no replicas to read, nothing to prove
    const secret = this.opts.secrets.get(v);
    if (secret === undefined) throw new Error(`the secret of volume ${volume} is not known yet`);
    return secret;
  };

  /**
   * The node a node-facing call acts for: the node its token proves, which must be the node the
   * request names. The admin token is refused, unless this manager has no node key (the library's
   * default for in-process tests: then the admin token acts for any node, as it always did).
   */
  private async nodeOf(md: grpc.Metadata, claimed: string): Promise<{ nodeId: string; actor: string }> {
    const { caller: c, why } = await this.ctx.caller(md);
    if (!c)
      throw new CommandError(
        'Unauthenticated',
        `a valid node credential is required (authorization: Bearer <node token>)${why ? `: ${why}` : ''}`,
      );
    // A malformed id is the request's fault, whoever sends it (and is not quoted whole as a node).
    if (!claimed) throw CommandError.invalid('nodeId is required');
    checkNodeId('nodeId', claimed);
    if (c.kind === 'admin') {
      if (this.ctx.nodeCredentials)
        throw CommandError.denied(`the admin token is not a node credential: node "${claimed}" must use its own token`);
      return { nodeId: claimed, actor: `admin (as node/${claimed})` };
    }
    if (c.nodeId !== claimed)
      throw CommandError.denied(`the credential of node "${c.nodeId}" cannot act for node "${claimed}"`);
    return { nodeId: c.nodeId, actor: `node/${c.nodeId}` };
  }

  /**
   * Keeps the figures a node reported of its replicas' stores (what salvage chooses by) under the
   * node's lease: status, not events. Only a replica on that node; the others are refused.
   */
  private async recordFigures(nodeId: string, figures: ReplicaFigures__Output[]): Promise<void> {
    const s = this.ctx.projection.state;
    if (!s.nodes.has(nodeId)) throw CommandError.notFound(`node "${nodeId}" is not registered`);
    for (const f of figures) {
      const r = s.replicas.get(f.replicaId);
      if (r && r.nodeId !== nodeId)
        throw CommandError.precondition(`replica "${f.replicaId}" is not on node "${nodeId}"`);
      if (!(f.revision >= 0))
        throw CommandError.invalid(`figures of "${f.replicaId}": revision must not be negative, got ${f.revision}`);
    }
    const known = figures.filter((f) => s.replicas.has(f.replicaId)); // removed meanwhile: nothing to keep
    if (known.length === 0) return;
    // The node's lease, alive (kept alive, or taken again if it lapsed: the node is talking to us),
    // so the figures go when the node does.
    await this.touch(nodeId, this.reported.get(nodeId) ?? []);
    await this.ctx.figures.put(this.leases.get(nodeId)!, nodeId, known, Date.now());
  }

  close(): void {
    this.closed = true;
    this.sub.unsubscribe();
    for (const l of this.leases.values()) l.release();
    this.leases.clear();
  }

  handlers(): NodeAgentHandlers {
    const ctx = this.ctx;
    const logger = ctx.logger.child({ component: 'node-api' });
    /** A node-facing unary call: authenticated as the node the request names, then `fn`. */
    const nodeUnary = <Req extends { nodeId: string }, Res>(
      fn: (r: Req, node: { nodeId: string; actor: string }) => Promise<Res>,
    ): grpc.handleUnaryCall<Req, Res> =>
      unaryHandler<Req, Res, { nodeId: string; actor: string }>(
        logger,
        (call) => this.nodeOf(call.metadata, call.request.nodeId),
        fn,
      );
    /** Streams node `nodeId`'s assignments on `call` (authenticated) until it ends. */
    const follow = (call: Parameters<NodeAgentHandlers['WatchAssignments']>[0], nodeId: string): void => {
      const backups = this.opts.backups;
      const feed = new AssignmentFeed(
        nodeId,
        this.secretOf,
        call.request.deltas,
        backups ? (st, n) => backups.assignmentsFor(st, n) : undefined,
        this.opts.restoreCredentials,
      );
      let ended = false;
      let pushing = false;
      let again = false;
      // Pushes go one at a time, each once the secrets of this node's volumes are known (see `making`).
      const push = async (): Promise<void> => {
        if (pushing) {
          again = true;
          return;
        }
        pushing = true;
        try {
          for (;;) {
            if (ended) return;
            if (this.secretsPendingFor(ctx.projection.state, nodeId)) {
              await this.nextSecretMade();
              continue;
            }
            again = false;
            const a = feed.next(ctx.projection.state);
            if (a) call.write(a);
            if (!again) return;
          }
        } catch (e) {
          // The feed may have noted as sent what it could not send: the node starts over on a new stream.
          stop();
          call.emit(
            'error',
            toServiceError(
              new UnavailableError(
                `the assignments of node ${nodeId} could not be made (${e instanceof Error ? e.message : String(e)}); watch again`,
              ),
              logger,
            ),
          );
        } finally {
          pushing = false;
        }
      };
      // Every event is noted at once (cheap); a push goes out at most every 10 ms with all that
      // changed meanwhile, however busy the log is (a debounce would hold it back while events
      // keep coming).
      const sub = ctx.projection.changes$.subscribe(({ state, event }) => feed.touch(state, event));
      sub.add(ctx.projection.changes$.pipe(auditTime(PUSH_EVERY_MS)).subscribe(() => void push()));
      void push();
      const stop = (): void => {
        ended = true;
        sub.unsubscribe();
      };
      call.on('cancelled', stop);
      call.on('close', stop);
      call.on('error', stop);
    };
    return {
      Register: nodeUnary(async (r, { nodeId, actor }) => {
        if (!nodeId) throw CommandError.invalid('nodeId is required');
        checkNodeId('nodeId', nodeId);
        checkRegistration(r);
        checkTags('tags', r.tags);
        checkDisks(r.disks);
        // A manager's address is never a node's (an engine or a reader would talk to the manager).
        if (r.address && (await this.opts.managers()).includes(r.address)) {
          throw CommandError.denied(`address "${r.address}" is a manager's: node "${nodeId}" must register its own`);
        }
        await ctx.runner.run(
          actor,
          (s) => registerDrafts(s, { ...r, nodeId }),
          (s) => s.seq,
        );
        await this.touch(nodeId, r.disks);
        return {
          heartbeatIntervalMs: this.opts.heartbeatIntervalMs,
          leaseTtlSeconds: this.opts.leaseTtlSeconds,
          managers: await this.opts.managers(),
        };
      }),
      Heartbeat: nodeUnary(async (r, { nodeId, actor }) => {
        const s = ctx.projection.state;
        if (!s.nodes.has(nodeId)) return { known: false, managers: await this.opts.managers() };
        checkDisks(r.disks);
        await this.touch(nodeId, r.disks);
        const drafts = capacityDrafts(s, nodeId, r.disks);
        if (drafts.length)
          await ctx.runner.run(
            actor,
            (st) => capacityDrafts(st, nodeId, r.disks),
            (st) => st.seq,
          );
        return { known: true, managers: await this.opts.managers() };
      }),
      WatchAssignments: (call) => {
        this.nodeOf(call.metadata, call.request.nodeId).then(
          // Cancelled while its credential was being checked: nothing to follow.
          ({ nodeId }) => {
            if (!call.cancelled) follow(call, nodeId);
          },
          (e: unknown) => call.emit('error', toServiceError(e, logger)),
        );
      },
      Report: nodeUnary(async (r, { nodeId, actor }) => {
        if (r.figures.length) await this.recordFigures(nodeId, r.figures);
        for (const p of r.progress) this.progress.set(p.replicaId, p.percent);
        for (const rep of r.replicas)
          if (rep.state === 'rebuilt' || rep.state === 'failed') this.progress.delete(rep.replicaId);
        for (const e of r.engines) {
          if (e.restoring) this.restoreProgress.set(e.volume, { backup: e.restoring, percent: e.restoreProgress });
          else if (e.restored || e.restoreFailed) this.restoreProgress.delete(e.volume);
        }
        if (r.backups.length && this.opts.backups) await this.opts.backups.report(nodeId, actor, r.backups);
        let seq = await ctx.runner.run(
          actor,
          (s) => reportDrafts(s, nodeId, r),
          (s) => s.seq,
        );
        if (r.trims.length)
          seq = await ctx.runner.run(
            actor,
            (s) => trimDrafts(s, nodeId, r.trims),
            (s) => s.seq,
          );
        return { seq };
      }),
    };
  }
}

const ADDRESS_RE = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]{1,253}):(\d{1,5})$/;
const ZONE_RE = /^([A-Za-z0-9]([A-Za-z0-9._-]{0,61}[A-Za-z0-9])?)?$/;
const HOSTNAME_RE = /^[\x21-\x7e]{0,253}$/;

/** A registration's address (host:port of the data server, empty before it serves), zone (a Kubernetes label value) and hostname. */
export function checkRegistration(r: { address: string; zone: string; hostname: string }): void {
  const a = ADDRESS_RE.exec(r.address);
  if (r.address && (!a || Number(a[2]) < 1 || Number(a[2]) > 65535))
    throw CommandError.invalid(`address "${r.address}" is not valid: use host:port`);
  if (!ZONE_RE.test(r.zone))
    throw CommandError.invalid(`zone "${r.zone}" is not valid: use up to 63 letters, digits, '-', '.', '_'`);
  if (!HOSTNAME_RE.test(r.hostname))
    throw CommandError.invalid(`hostname "${r.hostname}" is not valid: up to 253 printable characters, no spaces`);
}

/** NodeRegistered (and DiskAdded for each new disk) the first time; refreshed address/zone after. */
export function registerDrafts(
  s: ClusterState,
  r: { nodeId: string; address: string; zone: string; tags: string[]; hostname: string; disks: DiskInfo__Output[] },
): EventDraft[] {
  const out: EventDraft[] = [];
  const n = s.nodes.get(r.nodeId);
  // An address is its node's: another node that is up serves there (a down node's address is
  // free again: a restarted process on the same host may be given its port).
  const holder = r.address
    ? [...s.nodes.values()].find((o) => o.id !== r.nodeId && o.address === r.address && !o.down)
    : undefined;
  if (holder)
    throw CommandError.denied(
      `address "${r.address}" is node "${holder.id}"'s: node "${r.nodeId}" must register its own`,
    );
  if (!n || n.address !== r.address || n.zone !== r.zone || n.hostname !== r.hostname) {
    out.push({
      nodeRegistered: {
        nodeId: r.nodeId,
        address: r.address,
        zone: r.zone,
        tags: n ? n.tags : r.tags,
        hostname: r.hostname,
      },
    });
  }
  for (const d of r.disks) {
    const diskId = d.diskId || diskIdFromPath(d.path);
    if (n?.disks.has(diskId)) continue;
    out.push({
      diskAdded: {
        nodeId: r.nodeId,
        diskId,
        path: d.path,
        tags: d.tags,
        allowScheduling: true,
        storageMaximum: d.storageMaximum,
        storageAvailable: d.storageAvailable,
        storageReserved: 0,
      },
    });
  }
  if (n?.down) out.push({ nodeUp: { nodeId: r.nodeId } });
  return out;
}

/** DiskUpdated when a disk's capacity changed the picture (its maximum, or available by > 10%). */
export function capacityDrafts(s: ClusterState, nodeId: string, disks: DiskInfo__Output[]): EventDraft[] {
  const n = s.nodes.get(nodeId);
  if (!n) return [];
  const out: EventDraft[] = [];
  for (const d of disks) {
    const cur = [...n.disks.values()].find((x) => x.path === d.path);
    if (!cur || d.storageMaximum <= 0) continue;
    const moved = Math.abs(cur.storageAvailable - d.storageAvailable) > CAPACITY_CHANGE * d.storageMaximum;
    if (cur.storageMaximum === d.storageMaximum && !moved) continue;
    out.push({
      diskUpdated: {
        nodeId,
        diskId: cur.id,
        tags: cur.tags,
        allowScheduling: cur.allowScheduling,
        evictionRequested: cur.evictionRequested,
        storageReserved: cur.storageReserved,
        storageMaximum: d.storageMaximum,
        storageAvailable: d.storageAvailable,
      },
    });
  }
  return out;
}

/**
 * A replica runs at its node's data address (the one the node registered); a node with none
 * registered yet may not name another node's. Engines connect where this says: no node can point
 * them at a server that is not its own.
 */
function checkReplicaAddress(s: ClusterState, nodeId: string, replicaId: string, address: string): void {
  const own = s.nodes.get(nodeId)?.address ?? '';
  if (own ? address !== own : [...s.nodes.values()].some((o) => o.id !== nodeId && o.address === address)) {
    throw CommandError.denied(
      `replica "${replicaId}" of node "${nodeId}" cannot run at "${address}": node "${nodeId}" serves at "${own || 'no address yet'}"`,
    );
  }
}

/**
 * The RecurringJobVolumeDone of each filesystem trim the node reports (job-plan.ts
 * trimReportDrafts): one requested of another node is refused, one unknown or already ended is
 * ignored (a report sent again changes nothing).
 */
export function trimDrafts(s: ClusterState, nodeId: string, trims: TrimReport__Output[]): EventDraft[] {
  return trims.flatMap((t) => {
    const out = trimReportDrafts(s, nodeId, {
      job: t.job,
      fireMs: Number(t.fireMs),
      volume: t.volume,
      trimmedBytes: Math.max(0, Number(t.trimmedBytes)),
      error: t.error.slice(0, 2000),
    });
    if (out === 'denied')
      throw CommandError.denied(
        `the trim of volume "${t.volume}" by job "${t.job}" was not requested of node "${nodeId}"`,
      );
    return out;
  });
}

/** Events for what a node observed; a report about something not on that node is refused. */
export function reportDrafts(
  s: ClusterState,
  nodeId: string,
  r: {
    replicas: { replicaId: string; state: string; address: string; reason: string }[];
    engines: (EngineRestoreReport & {
      volume: string;
      state: string;
      endpoint: string;
      dataSourceCopied?: boolean;
      reason?: string;
    })[];
  },
): EventDraft[] {
  if (!s.nodes.has(nodeId)) throw CommandError.notFound(`node "${nodeId}" is not registered`);
  const out: EventDraft[] = [];
  for (const rep of r.replicas) {
    const cur = s.replicas.get(rep.replicaId);
    if (!cur) continue; // removed meanwhile: stale, nothing to record
    // A replica's own node reports it running; the node that runs the volume's engine sees its
    // failures and finishes its rebuilds.
    const engineNode = s.volumes.get(cur.volume)?.attachedTo === nodeId;
    const allowed = rep.state === 'running' ? cur.nodeId === nodeId : cur.nodeId === nodeId || engineNode;
    if (!allowed)
      throw CommandError.precondition(
        `replica "${rep.replicaId}" is not on node "${nodeId}" nor served by its engine there`,
      );
    if (rep.state === 'running') checkReplicaAddress(s, nodeId, rep.replicaId, rep.address);
    switch (rep.state) {
      case 'running':
        // A new replica turns running; otherwise only a changed address is news (a failed
        // replica comes back through a rebuild, not through its own report).
        if (cur.mode === 'scheduled' || cur.address !== rep.address)
          out.push({ replicaRunning: { replicaId: cur.id, address: rep.address } });
        // Placed while the volume is attached and served: it holds none of the writes its engine
        // acknowledged, so it must never count as running (a later engine could open on it alone).
        // Failed in the same append, it is rebuilt in; "running" stays the set that has every write.
        if (cur.mode === 'scheduled' && s.volumes.get(cur.volume)?.attachState === 'attached') {
          out.push({
            replicaFailed: {
              replicaId: cur.id,
              reason: 'started while the volume was attached: it lacks the writes its engine acknowledged',
            },
          });
        }
        break;
      case 'failed':
        if (cur.mode !== 'failed')
          out.push({ replicaFailed: { replicaId: cur.id, reason: rep.reason || 'reported failed' } });
        break;
      case 'rebuilt':
        if (cur.mode === 'rebuilding') out.push({ replicaRebuilt: { replicaId: cur.id } });
        break;
      default:
        throw CommandError.invalid(`replicas.state "${rep.state}" is not valid: use running, failed or rebuilt`);
    }
  }
  for (const e of r.engines) {
    const v = s.volumes.get(e.volume);
    if (!v) continue;
    if (v.attachedTo === nodeId) out.push(...restoreReportDrafts(v, nodeId, e));
    if (e.state === 'attached') {
      // The engine copied the volume's data source: recorded before the attach that follows it.
      // A "vol://" source's snapshot was taken only for this copy and goes with it.
      const src = v.dataSource;
      if (e.dataSourceCopied && src && !src.copied && v.attachedTo === nodeId) {
        out.push({ volumeDataSourceCopied: { name: v.name, nodeId } });
        const others = pendingCopiesFrom(s, src.volume, src.snapshot).filter((n) => n !== v.name);
        if (
          src.uri.startsWith('vol://') &&
          others.length === 0 &&
          s.volumes.get(src.volume)?.snapshots.has(src.snapshot)
        ) {
          out.push({ snapshotDeleted: { volume: src.volume, name: src.snapshot } });
        }
      }
      // Not while detaching: a late report of the engine would undo the detach (and a user attach
      // waiting for an offline engine to stop would wait for ever).
      if (
        v.attachedTo === nodeId &&
        v.attachState !== 'detaching' &&
        (v.attachState !== 'attached' || v.endpoint !== e.endpoint)
      ) {
        out.push({ volumeAttached: { name: v.name, nodeId, endpoint: e.endpoint } });
      }
    } else if (e.state === 'detached') {
      if (v.attachedTo === nodeId && v.attachState === 'detaching')
        out.push({ volumeDetached: { name: v.name, nodeId } });
    } else if (e.state === 'waiting') {
      // Recorded once per change of reason: the agent says it on every retry.
      const reason = (e.reason ?? '').slice(0, 1000) || 'no reason given';
      if (v.attachedTo === nodeId && v.attachState === 'attaching' && v.waiting?.reason !== reason) {
        out.push({ volumeWaiting: { name: v.name, nodeId, reason } });
      }
    } else {
      throw CommandError.invalid(`engines.state "${e.state}" is not valid: use attached, detached or waiting`);
    }
  }
  return out;
}
