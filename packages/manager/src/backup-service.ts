// Backups, the manager's I/O shell: the admin RPCs (target, create, get, list, rm), the node
// reports of backups, and the leader's loop that assigns backups to nodes and probes the target.
// The decisions are backups.ts's (pure); the target is read through @cairn/backup with the
// credentials backup-target.ts keeps; the runs themselves happen on the nodes (agent
// backup-runner.ts).
import type { Etcd3, Lease } from 'etcd3';
import type { AdminHandlers, Backup__Output as Backup, BackupReport__Output, BackupTarget } from '@cairn/api';
import type { BackupInfo } from '@cairn/backup';
import { backupUrl, getBackup, listBackups, parseBackupUrl, parseTargetUrl, removeBackup } from '@cairn/backup';
import type { ClusterState, EventLog, Fence, LiveProjection } from '@cairn/metadata';
import { ConflictError, Keys } from '@cairn/metadata';
import { adminUnary as unary } from './unary-call.js';
import type { ManagerContext } from './context.js';
import { CommandError } from './errors.js';
import { updateSettings } from './commands.js';
import {
  backupAssignments,
  backupName,
  backupReportDrafts,
  createBackupDrafts,
  decideBackups,
  findRecord,
  recordView,
} from './backups.js';
import type { BackupRpc } from './backups.js';
import { BackupTargetAccess, checkCredentials, commandErrorOf } from './backup-target.js';
import type { TargetStatus } from './backup-target.js';
import { LeaderPoll } from './leader-poll.js';

/** How often the leader probes the target when nothing about it changed. */
const PROBE_EVERY_MS = 15_000;

/** A backup the target holds, as users see it. */
export function infoView(b: BackupInfo): Backup {
  return {
    name: b.name,
    volume: b.volume,
    snapshot: b.snapshot,
    url: b.url,
    state: 'completed',
    size: b.size,
    progress: 100,
    nodeId: '',
    error: '',
    createdMs: Date.parse(b.createdAt) || 0,
    blocks: b.blocks,
    uploadedBlocks: 0,
    uploadedBytes: b.storedBytes,
    labels: b.labels ?? {},
  };
}

export class BackupService {
  /**
   * Percent done of running backups, by url, as their nodes report it to this manager (status,
   * not events); also kept under Keys.backupProgress with this manager's lease, so that any
   * manager answers with it (and it goes when this manager does).
   */
  readonly progress = new Map<string, number>();
  readonly target: BackupTargetAccess;
  private readonly keys: Keys;
  private lease: Lease | null = null;
  private leaderLoop: LeaderPoll | null = null;
  private lastProbe: { key: string; atMs: number } | null = null;

  constructor(
    private readonly ctx: ManagerContext,
    private readonly client: Etcd3,
    prefix?: string,
    credentialDir?: string,
  ) {
    this.keys = new Keys(prefix);
    this.target = new BackupTargetAccess(client, this.keys, credentialDir);
  }

  /** Shares a node's progress report (best effort: a lost one is replaced by the next, a second later). */
  private shareProgress(volume: string, name: string, percent: number | null): void {
    const key = this.keys.backupProgressOf(volume, name);
    if (percent === null) {
      void this.client
        .delete()
        .key(key)
        .catch(() => undefined);
      return;
    }
    if (!this.lease) {
      this.lease = this.client.lease(10);
      this.lease.on('lost', () => {
        this.lease = null;
      });
    }
    void this.lease
      .put(key)
      .value(String(percent))
      .exec()
      .catch(() => undefined);
  }

  /** Every manager's progress figures, by "volume/name" (this manager's own too). */
  private async sharedProgress(): Promise<(volume: string, name: string, url: string) => number> {
    const prefix = this.keys.backupProgress;
    const all = await this.client
      .getAll()
      .prefix(prefix)
      .strings()
      .catch(() => ({}) as Record<string, string>);
    const m = new Map(Object.entries(all).map(([k, v]) => [k.slice(prefix.length), Number(v) || 0]));
    return (volume, name, url) => m.get(`${volume}/${name}`) ?? this.progress.get(url) ?? 0;
  }

  async start(): Promise<void> {
    await this.target.start();
  }

  stop(): void {
    this.target.stop();
    this.leaderLoop?.stop();
    void this.lease?.revoke().catch(() => undefined);
  }

  /** What node `nodeId` must run now (its assignments' backups). */
  assignmentsFor(s: ClusterState, nodeId: string): ReturnType<typeof backupAssignments> {
    return backupAssignments(s, nodeId, this.target.current());
  }

  /**
   * A node's reports of its backups: progress kept here, started/completed/failed appended. A
   * completion is believed only once the backup's cfg is read back from the target: never a
   * "completed" backup that does not restore.
   */
  async report(nodeId: string, actor: string, reports: BackupReport__Output[]): Promise<void> {
    const s0 = this.ctx.projection.state;
    const checked: BackupReport__Output[] = [];
    for (const r of reports) {
      const b = s0.volumes.get(r.volume)?.backups?.[r.name];
      if (r.state === 'progress') {
        if (b) {
          this.progress.set(b.url, Math.min(100, r.progress));
          this.shareProgress(r.volume, r.name, Math.min(100, r.progress));
        }
        continue;
      }
      if (b && r.state === 'completed' && (b.state === 'assigned' || b.state === 'running') && b.nodeId === nodeId) {
        try {
          await this.target.with(b.target, (store) => getBackup(store, b.url));
        } catch (e) {
          if (e instanceof CommandError && e.code === 'NotFound') {
            checked.push({
              ...r,
              state: 'failed',
              reason: `node ${nodeId} reported it completed, but its cfg is not in the target (${e.message})`,
            });
            continue;
          }
          throw e; // the target cannot be read now: the node says it again
        }
      }
      if (b && (r.state === 'completed' || r.state === 'failed')) {
        this.progress.delete(b.url);
        this.shareProgress(r.volume, r.name, null);
      }
      checked.push(r);
    }
    if (checked.length)
      await this.ctx.runner.run(
        actor,
        (s) => backupReportDrafts(s, nodeId, checked),
        (s) => s.seq,
      );
  }

  // ---- the leader ------------------------------------------------------------------------------

  /** Starts the leader's loop: assign pending backups, fail the stranded, probe the target. */
  lead(o: {
    log: EventLog;
    projection: LiveProjection;
    fence: Fence;
    actor: string;
    onError: (e: unknown) => void;
    onFenced: () => void;
  }): void {
    this.leaderLoop?.stop();
    this.lastProbe = null;
    this.leaderLoop = new LeaderPoll(
      async () => {
        const s = o.projection.state;
        const drafts = decideBackups(s);
        if (drafts.length) {
          try {
            const r = await o.log.append(drafts, { fence: o.fence, actor: o.actor, expectedSeq: s.seq });
            await o.projection.waitFor(r.lastSeq);
          } catch (e) {
            if (!(e instanceof ConflictError)) throw e; // decided again on the newer state next time
          }
        }
        await this.probeIfDue(o.projection.state);
      },
      { pollMs: 500, onError: o.onError, onFenced: o.onFenced },
    );
    this.leaderLoop.start();
  }

  unlead(): void {
    this.leaderLoop?.stop();
    this.leaderLoop = null;
  }

  private async probeIfDue(s: ClusterState): Promise<void> {
    const url = s.settings['backup-target'];
    if (!url) return;
    const key = `${url}|${JSON.stringify(this.target.current())}`;
    const now = Date.now();
    if (this.lastProbe && this.lastProbe.key === key && now - this.lastProbe.atMs < PROBE_EVERY_MS) return;
    this.lastProbe = { key, atMs: now };
    await this.target.writeStatus(await this.target.probe(url, now));
  }

  // ---- the admin API ---------------------------------------------------------------------------

  private async targetView(s: ClusterState, fresh?: TargetStatus): Promise<BackupTarget> {
    const url = s.settings['backup-target'];
    const st = fresh ?? (await this.target.readStatus());
    const known = st && st.url === url ? st : null;
    return {
      url,
      credentialsSet: this.target.isSet,
      credentialSecret: s.settings['backup-target-credential-secret'],
      reachable: known?.reachable ?? false,
      error: known?.error ?? '',
      checkedMs: known?.checkedMs ?? 0,
    };
  }

  /** The target a backup url is in, and the parts of the url; INVALID_ARGUMENT naming it. */
  private parseUrl(url: string): { target: string; volume: string; backup: string } {
    if (!url) throw CommandError.invalid('url is required (or volume and name)');
    try {
      return parseBackupUrl(url);
    } catch (e) {
      throw commandErrorOf(e);
    }
  }

  private urlOf(s: ClusterState, ref: { url: string; volume: string; name: string }): string {
    if (ref.url) return ref.url;
    if (!ref.volume || !ref.name) throw CommandError.invalid('url is required (or volume and name)');
    const rec = s.volumes.get(ref.volume)?.backups?.[ref.name];
    if (rec) return rec.url;
    const target = s.settings['backup-target'];
    if (!target) throw CommandError.precondition('no backup target is set: set one with "cairn backup target set URL"');
    return backupUrl(target, ref.volume, ref.name);
  }

  handlers(): Pick<AdminHandlers, BackupRpc> {
    const ctx = this.ctx;
    const runner = ctx.runner;
    const actor = 'admin';
    const st = (): ClusterState => ctx.projection.state;
    const view =
      (volume: string, name: string) =>
      (s: ClusterState): Backup => {
        const b = s.volumes.get(volume)?.backups?.[name];
        if (!b) throw CommandError.notFound(`volume "${volume}" has no backup "${name}"`);
        return recordView(volume, b, this.progress.get(b.url) ?? 0, s);
      };

    return {
      SetBackupTarget: unary(ctx, async (r) => {
        // Checked before anything is stored: a bad URL or credential changes nothing.
        let url = '';
        if (r.url) {
          try {
            url = parseTargetUrl(r.url).url;
          } catch (e) {
            throw commandErrorOf(e);
          }
        }
        const creds = Object.keys(r.credentials).length ? checkCredentials(r.credentials) : null;
        if (creds) await this.target.store(creds);
        else if (r.clearCredentials) await this.target.clear();
        await runner.run(
          actor,
          (s) => updateSettings(s, { 'backup-target': url }),
          (s) => s.seq,
        );
        const probed = url ? await this.target.probe(url, Date.now()) : undefined;
        if (probed) await this.target.writeStatus(probed);
        return this.targetView(st(), probed);
      }),
      GetBackupTarget: unary(ctx, async () => this.targetView(st())),

      CreateBackup: unary(ctx, async (r) => {
        const s0 = st();
        const name = backupName(r.requestId, s0.seq);
        const target = s0.settings['backup-target'];
        // Said before anything is appended: a target that cannot be reached takes no request.
        if (target && s0.volumes.has(r.volume)) {
          const probed = await this.target.probe(target, Date.now());
          if (!probed.reachable)
            throw CommandError.precondition(`backup target "${target}" is unreachable: ${probed.error}`);
        }
        // The setting passed only its pattern when set with `cairn settings set`: the URL is checked in full here.
        const urlOf = (t: string, volume: string, backup: string): string => {
          try {
            return backupUrl(t, volume, backup);
          } catch (e) {
            throw CommandError.precondition(
              `the backup-target setting cannot name a backup: ${e instanceof Error ? e.message : String(e)}`,
            );
          }
        };
        return runner.run(
          actor,
          (s) => createBackupDrafts(s, { volume: r.volume, snapshot: r.snapshot, name, labels: r.labels }, urlOf),
          view(r.volume, name),
        );
      }),

      GetBackup: unary(ctx, async (r) => {
        const s = st();
        const url = this.urlOf(s, r);
        const rec = findRecord(s, url);
        if (rec && rec.record.state !== 'completed')
          return recordView(rec.volume, rec.record, (await this.sharedProgress())(rec.volume, rec.record.name, url), s);
        const { target } = this.parseUrl(url);
        try {
          const info = infoView(await this.target.with(target, (store) => getBackup(store, url)));
          return rec
            ? {
                ...info,
                nodeId: rec.record.nodeId,
                uploadedBlocks: rec.record.uploadedBlocks,
                uploadedBytes: rec.record.uploadedBytes,
              }
            : info;
        } catch (e) {
          if (rec && e instanceof CommandError && e.code === 'NotFound')
            throw CommandError.notFound(
              `backup ${url} is recorded completed but is no longer in the target: ${e.message}`,
            );
          throw e;
        }
      }),

      ListBackups: unary(ctx, async (r) => {
        const s = st();
        // (A deleted volume's backups stay in the target: listed from there alone.)
        const target = s.settings['backup-target'];
        if (!target)
          throw CommandError.precondition('no backup target is set: set one with "cairn backup target set URL"');
        const stored = await this.target.with(target, (store) => listBackups(store, r.volume || undefined));
        const progress = await this.sharedProgress();
        const out = new Map<string, Backup>();
        for (const b of stored) out.set(b.url, infoView(b));
        // What the log knows and the target does not (yet): pending, running, failed.
        for (const v of s.volumes.values()) {
          if (!v.backups || (r.volume && v.name !== r.volume)) continue;
          for (const b of Object.values(v.backups)) {
            const known = out.get(b.url);
            if (known) {
              out.set(b.url, {
                ...known,
                nodeId: b.nodeId,
                uploadedBlocks: b.uploadedBlocks,
                uploadedBytes: b.uploadedBytes,
              });
              continue;
            }
            if (b.state === 'completed') continue; // removed from the target behind our back: the target is the truth
            out.set(b.url, recordView(v.name, b, progress(v.name, b.name, b.url), s));
          }
        }
        const backups = [...out.values()].sort(
          (a, b) => a.volume.localeCompare(b.volume) || a.createdMs - b.createdMs || a.name.localeCompare(b.name),
        );
        return { backups };
      }),

      DeleteBackup: unary(ctx, async (r) => this.remove(this.urlOf(st(), r), actor)),
    };
  }

  /**
   * `cairn backup rm`, and a recurring backup job's retention (actor and cause then name the job):
   * removes the backup from the target, then appends BackupDeleted.
   */
  async remove(
    url: string,
    actor: string,
    cause = '',
  ): Promise<{ deleted: boolean; removedBlocks: number; seq: number }> {
    const runner = this.ctx.runner;
    const s0 = this.ctx.projection.state;
    const { target, volume, backup } = this.parseUrl(url);
    const rec = s0.volumes.get(volume)?.backups?.[backup];
    if (rec && rec.state !== 'completed' && rec.state !== 'failed') {
      throw CommandError.precondition(`backup ${url} is ${rec.state}: remove it once it has ended`);
    }
    // Another backup of the volume being made meanwhile is safe: the library leaves the
    // blocks it may be about to list to a later removal (its create markers).
    let removedBlocks = 0;
    let inTarget = true;
    try {
      removedBlocks = (await this.target.with(target, (store) => removeBackup(store, url))).removedBlocks;
    } catch (e) {
      if (!(e instanceof CommandError && e.code === 'NotFound')) throw e;
      inTarget = false;
    }
    if (!inTarget && !rec) return { deleted: false, removedBlocks: 0, seq: s0.seq };
    const seq = await runner.run(
      actor,
      (s) =>
        s.volumes.has(volume) || inTarget
          ? [{ ...(cause ? { cause } : {}), backupDeleted: { volume, name: backup, url, removedBlocks } }]
          : [],
      (s) => s.seq,
    );
    return { deleted: true, removedBlocks, seq };
  }
}
