// The admin gRPC service's handlers. Every one has the same shape: authenticate (unary-call.ts) ->
// validate against the projected state (a pure command) -> append with expectedSeq -> wait until
// projected -> answer from the state (command-runner.ts). Refusals append nothing.
import { createHash } from 'node:crypto';
import type { AdminHandlers, RecurringJob, RecurringJob__Output, Volume } from '@cairn/api';
import type { ClusterState } from '@cairn/metadata';
import { stateHash } from '@cairn/metadata';
import { isOneOf, ROBUSTNESS } from '@cairn/schema';
import { take } from 'rxjs';
import * as cmd from './commands.js';
import * as jobs from './job-commands.js';
import { CommandError, toServiceError } from './errors.js';
import { adminTokenRequired, adminUnary as unary } from './unary-call.js';
import {
  diskUsage,
  diskView,
  jobView,
  nodeView,
  settingsView,
  snapshotViews,
  volumeListing,
  volumeView,
} from './views.js';
import { auditState, explainEvents, verify } from './audit.js';
import { VolumeHistory } from './volume-history.js';
import type { ManagerContext } from './context.js';
import { backupCommandError, backupSize, fromBackupTargetProblem, newestBackupOf } from './restores.js';
import type { BackupRpc } from './backups.js';

/** Every admin handler; the backups' come from backup-service.ts. */
export function adminHandlers(ctx: ManagerContext, backups: Pick<AdminHandlers, BackupRpc>): AdminHandlers {
  const runner = ctx.runner;
  const history = new VolumeHistory(ctx.log, ctx.projection);
  const actor = 'admin';
  const vol =
    (name: string) =>
    (s: ClusterState): Volume =>
      volumeView(s, cmd.requireVolume(s, name), ctx.rebuildProgress, ctx.restoreProgress);
  const st = (): ClusterState => ctx.projection.state;
  const job =
    (name: string) =>
    (s: ClusterState): RecurringJob =>
      jobView(s, jobs.requireJob(s, name));

  return {
    ...backups,
    CreateVolume: unary(ctx, async (r) => {
      // A backup's size is read from the target first (I/O); the command checks the size against it.
      const restoring = r.fromBackup && !st().volumes.has(r.name);
      const problem = restoring ? fromBackupTargetProblem(st().settings['backup-target'], r.fromBackup) : null;
      if (problem) throw CommandError.precondition(problem);
      const size = restoring ? await backupSize(ctx.backupTarget, r.fromBackup) : undefined;
      return runner.run(
        actor,
        (s) =>
          jobs.createVolumeWithJobs(s, {
            ...r,
            recurringJobs: r.recurringJobs.map(jobRequest),
            ...(size !== undefined ? { backupSize: size } : {}),
          }),
        vol(r.name),
      );
    }),
    GetVolume: unary(ctx, async (r) => vol(r.name)(st())),
    ListVolumes: unary(ctx, async (r) => {
      if (r.robustness && !isOneOf(ROBUSTNESS, r.robustness)) {
        throw CommandError.invalid(`robustness "${r.robustness}" is not one of ${ROBUSTNESS.join(', ')}`);
      }
      return volumeListing(st(), r, ctx.rebuildProgress, ctx.restoreProgress);
    }),
    UpdateVolume: unary(ctx, (r) =>
      runner.run(
        actor,
        (s) =>
          cmd.updateVolume(s, {
            name: r.name,
            numberOfReplicas: r.numberOfReplicas ?? undefined,
            dataLocality: r.dataLocality ?? undefined,
            diskSelector: r.diskSelector ? r.diskSelector.values : undefined,
            nodeSelector: r.nodeSelector ? r.nodeSelector.values : undefined,
            replicaAutoBalance: r.replicaAutoBalance ?? undefined,
            replicaSoftAntiAffinity: r.replicaSoftAntiAffinity ?? undefined,
            replicaZoneSoftAntiAffinity: r.replicaZoneSoftAntiAffinity ?? undefined,
            replicaDiskSoftAntiAffinity: r.replicaDiskSoftAntiAffinity ?? undefined,
            setLabels: r.setLabels,
            removeLabels: r.removeLabels,
          }),
        vol(r.name),
      ),
    ),
    ExpandVolume: unary(ctx, (r) => runner.run(actor, (s) => cmd.expandVolume(s, r.name, r.size), vol(r.name))),
    DeleteVolume: unary(ctx, async (r) => {
      let deleted = false;
      return runner.run(
        actor,
        (s) => {
          const d = cmd.deleteVolume(s, r.name);
          deleted = d.length > 0;
          return d;
        },
        (s) => ({ deleted, seq: s.seq }),
      );
    }),
    AttachVolume: unary(ctx, (r) => runner.run(actor, (s) => cmd.attachVolume(s, r.name, r.nodeId), vol(r.name))),
    DetachVolume: unary(ctx, (r) => runner.run(actor, (s) => cmd.detachVolume(s, r.name), vol(r.name))),
    SalvageVolume: unary(ctx, async (r) => {
      // The figures are read first (etcd), then the command decides on the state it appends after.
      const s0 = st();
      cmd.requireVolume(s0, r.name);
      const figures = await ctx.figures.read([
        ...(s0.replicasByVolume.get(r.name) ?? []),
        ...(r.replicaId ? [r.replicaId] : []),
      ]);
      return runner.run(actor, (s) => cmd.salvageVolume(s, r.name, r.replicaId, (id) => figures.get(id)), vol(r.name));
    }),

    ListNodes: unary(ctx, async () => {
      const s = st();
      const usage = diskUsage(s);
      return {
        nodes: [...s.nodes.values()].sort((a, b) => a.id.localeCompare(b.id)).map((n) => nodeView(s, n, usage)),
      };
    }),
    UpdateNode: unary(ctx, (r) =>
      runner.run(
        actor,
        (s) =>
          cmd.updateNode(s, {
            nodeId: r.nodeId,
            allowScheduling: r.allowScheduling ?? undefined,
            evictionRequested: r.evictionRequested ?? undefined,
            tags: r.tags ? r.tags.values : undefined,
            cordoned: r.cordoned ?? undefined,
          }),
        (s) => nodeView(s, cmd.requireNode(s, r.nodeId)),
      ),
    ),
    AddDisk: unary(ctx, (r) => {
      const diskId = r.diskId || cmd.diskIdFromPath(r.path);
      // Capacity the node reported for that path, when the request does not give it.
      const reported = ctx.reportedDisk(r.nodeId, r.path);
      return runner.run(
        actor,
        (s) =>
          cmd.addDisk(s, {
            nodeId: r.nodeId,
            path: r.path,
            diskId,
            tags: r.tags,
            storageReserved: r.storageReserved,
            storageMaximum: r.storageMaximum || reported?.storageMaximum || 0,
            storageAvailable: r.storageAvailable || reported?.storageAvailable || 0,
          }),
        (s) => diskView(s, cmd.requireDisk(s, r.nodeId, diskId)),
      );
    }),
    UpdateDisk: unary(ctx, (r) =>
      runner.run(
        actor,
        (s) =>
          cmd.updateDisk(s, {
            nodeId: r.nodeId,
            diskId: r.diskId,
            tags: r.tags ? r.tags.values : undefined,
            allowScheduling: r.allowScheduling ?? undefined,
            evictionRequested: r.evictionRequested ?? undefined,
            storageReserved: r.storageReserved ?? undefined,
          }),
        (s) => diskView(s, cmd.requireDisk(s, r.nodeId, r.diskId)),
      ),
    ),
    RemoveDisk: unary(ctx, async (r) => {
      let deleted = false;
      return runner.run(
        actor,
        (s) => {
          const d = cmd.removeDisk(s, r.nodeId, r.diskId);
          deleted = d.length > 0;
          return d;
        },
        (s) => ({ deleted, seq: s.seq }),
      );
    }),

    GetSettings: unary(ctx, async (r) => {
      const s = st();
      if (r.name && !settingsView(s, r.name).length) throw CommandError.notFound(`setting "${r.name}" does not exist`);
      return { settings: settingsView(s, r.name), seq: s.seq };
    }),
    UpdateSettings: unary(ctx, (r) =>
      runner.run(
        actor,
        (s) => cmd.updateSettings(s, r.values),
        (s) => ({ settings: settingsView(s), seq: s.seq }),
      ),
    ),

    CreateSnapshot: unary(ctx, (r) => {
      let name = r.name;
      return runner.run(
        actor,
        (s) => {
          name =
            r.name ||
            (r.requestId
              ? `snap-${createHash('sha256').update(r.requestId).digest('hex').slice(0, 12)}`
              : `snap-${s.seq + 1}`);
          return cmd.createSnapshot(s, r.volume, name);
        },
        (s) => snapshotViews(cmd.requireVolume(s, r.volume)).find((x) => x.name === name)!,
      );
    }),
    ListSnapshots: unary(ctx, async (r) => ({ snapshots: snapshotViews(cmd.requireVolume(st(), r.name)) })),
    DeleteSnapshot: unary(ctx, async (r) => {
      let deleted = false;
      return runner.run(
        actor,
        (s) => {
          const d = cmd.deleteSnapshot(s, r.volume, r.name);
          deleted = d.length > 0;
          return d;
        },
        (s) => ({ deleted, seq: s.seq }),
      );
    }),

    WatchEvents: (call) => {
      // A refused stream must end with its status: emit('error') sends it, destroy() would not.
      if (!ctx.authorize(call.metadata)) {
        call.emit('error', toServiceError(adminTokenRequired()));
        return;
      }
      const from = Math.max(1, call.request.fromSeq);
      void (async () => {
        // Without follow: everything up to the head at the time of the call, then the end.
        const until = call.request.follow ? Infinity : await ctx.log.headSeq();
        if (until < from) {
          call.end();
          return;
        }
        // From the projection: its one etcd watch serves every stream.
        const source = ctx.projection.events(from);
        const sub = (Number.isFinite(until) ? source.pipe(take(until - from + 1)) : source).subscribe({
          next: (ev) => call.write(ev as never),
          error: (e: unknown) => call.emit('error', toServiceError(e, ctx.logger)),
          complete: () => call.end(),
        });
        call.on('cancelled', () => sub.unsubscribe());
        call.on('close', () => sub.unsubscribe());
      })().catch((e: unknown) => call.emit('error', toServiceError(e, ctx.logger)));
    },

    AuditState: unary(ctx, (r) => auditState(ctx.log, ctx.snapshots, st().seq, r.atSeq, r.atTimeMs)),
    ExplainVolume: unary(ctx, async (r) => {
      if (!r.name) throw CommandError.invalid('name is required');
      // The volume's events only (volume-history.ts), up to the state answered from.
      const seq = st().seq;
      const lines = explainEvents(r.name, await history.eventsOf(r.name, seq));
      if (lines.length === 0) throw CommandError.notFound(`volume "${r.name}" has no history in the log`);
      const v = st().volumes.get(r.name);
      return { volume: v ? volumeView(st(), v) : null, lines };
    }),
    Verify: unary(ctx, () => verify(ctx.log, ctx.snapshots, st(), ctx.projection.error)),
    ActivateVolume: unary(ctx, async (r) => {
      const v = cmd.requireVolume(st(), r.name);
      // The newest backup of its source, read now: activation restores it first.
      let newest = '';
      if (v.restore?.standby && !v.restore.activating) {
        try {
          newest = await newestBackupOf(ctx.backupTarget, v.restore.backup);
        } catch (e) {
          throw backupCommandError(`volume "${r.name}": reading the backup target`, e);
        }
      }
      return runner.run(actor, (s) => cmd.activateVolume(s, r.name, newest), vol(r.name));
    }),
    GetClusterInfo: unary(ctx, async () => ({
      managerId: ctx.id,
      leaderId: (await ctx.leader())?.id ?? '',
      seq: st().seq,
      stateHash: stateHash(st()),
    })),

    CreateRecurringJob: unary(ctx, (r) => runner.run(actor, (s) => jobs.createJob(s, jobRequest(r)), job(r.name))),
    UpdateRecurringJob: unary(ctx, (r) =>
      runner.run(
        actor,
        (s) =>
          jobs.updateJob(s, {
            name: r.name,
            task: r.task ?? undefined,
            cron: r.cron ?? undefined,
            retain: r.retain ?? undefined,
            concurrency: r.concurrency ?? undefined,
            groups: r.groups ? r.groups.values : undefined,
            labels: r.labels ? r.labels.labels : undefined,
          }),
        job(r.name),
      ),
    ),
    GetRecurringJob: unary(ctx, async (r) => job(r.name)(st())),
    ListRecurringJobs: unary(ctx, async () => {
      const s = st();
      return {
        jobs: [...s.recurringJobs.values()].sort((a, b) => a.name.localeCompare(b.name)).map((j) => jobView(s, j)),
      };
    }),
    DeleteRecurringJob: unary(ctx, async (r) => {
      let deleted = false;
      return runner.run(
        actor,
        (s) => {
          const d = jobs.deleteJob(s, r.name);
          deleted = d.length > 0;
          return d;
        },
        (s) => ({ deleted, seq: s.seq }),
      );
    }),
  };
}

/** A RecurringJob message (a request, or a StorageClass's inline job) as a job request. */
function jobRequest(r: RecurringJob__Output): jobs.JobRequest {
  return {
    name: r.name,
    task: r.task,
    cron: r.cron,
    retain: r.retain,
    concurrency: r.concurrency,
    groups: r.groups,
    labels: r.labels,
  };
}
