// The admin API as promises and async iterables: what the CLI's commands and the CSI Controller
// call. The generated callback client (adminClient) stays behind this interface, so callers can be
// run in-process against a fake, and each unary call gets a deadline in one place.
import { status } from '@grpc/grpc-js';
import type { CallOptions, ClientUnaryCall, requestCallback } from '@grpc/grpc-js';
import type { EventEnvelope__Output } from '@cairn/schema/events';
import type {
  AddDiskRequest,
  AttachVolumeRequest,
  SalvageVolumeRequest,
  AuditStateRequest,
  AuditStateResponse__Output,
  ClusterInfo__Output,
  CreateSnapshotRequest,
  CreateVolumeRequest,
  DeleteResponse__Output,
  Disk__Output,
  DiskRef,
  ExpandVolumeRequest,
  ExplainVolumeResponse__Output,
  GetSettingsRequest,
  ListNodesResponse__Output,
  ListSnapshotsResponse__Output,
  ListVolumesResponse__Output,
  Node__Output,
  SettingsResponse__Output,
  Snapshot__Output,
  SnapshotRef,
  UpdateDiskRequest,
  UpdateNodeRequest,
  UpdateSettingsRequest,
  UpdateVolumeRequest,
  VerifyResponse__Output,
  Volume__Output,
  VolumeRef,
  WatchEventsRequest,
  Backup__Output,
  BackupRef,
  BackupTarget__Output,
  CreateBackupRequest,
  DeleteBackupResponse__Output,
  ListBackupsRequest,
  ListBackupsResponse__Output,
  SetBackupTargetRequest,
  RecurringJob,
  RecurringJob__Output,
  RecurringJobRef,
  UpdateRecurringJobRequest,
  ListRecurringJobsResponse__Output,
} from '@cairn/schema/types';
import { adminClient } from './clients.js';
import type { ClientOptions } from './clients.js';
import { isGrpcError } from './grpc-errors.js';

export interface AdminApi {
  createVolume(r: CreateVolumeRequest): Promise<Volume__Output>;
  getVolume(r: VolumeRef): Promise<Volume__Output>;
  listVolumes(): Promise<ListVolumesResponse__Output>;
  updateVolume(r: UpdateVolumeRequest): Promise<Volume__Output>;
  expandVolume(r: ExpandVolumeRequest): Promise<Volume__Output>;
  deleteVolume(r: VolumeRef): Promise<DeleteResponse__Output>;
  attachVolume(r: AttachVolumeRequest): Promise<Volume__Output>;
  detachVolume(r: VolumeRef): Promise<Volume__Output>;
  salvageVolume(r: SalvageVolumeRequest): Promise<Volume__Output>;
  activateVolume(r: VolumeRef): Promise<Volume__Output>;
  listNodes(): Promise<ListNodesResponse__Output>;
  updateNode(r: UpdateNodeRequest): Promise<Node__Output>;
  addDisk(r: AddDiskRequest): Promise<Disk__Output>;
  updateDisk(r: UpdateDiskRequest): Promise<Disk__Output>;
  removeDisk(r: DiskRef): Promise<DeleteResponse__Output>;
  /** Every setting when `r` (or its names) is empty. */
  getSettings(r?: GetSettingsRequest): Promise<SettingsResponse__Output>;
  updateSettings(r: UpdateSettingsRequest): Promise<SettingsResponse__Output>;
  createSnapshot(r: CreateSnapshotRequest): Promise<Snapshot__Output>;
  listSnapshots(r: VolumeRef): Promise<ListSnapshotsResponse__Output>;
  deleteSnapshot(r: SnapshotRef): Promise<DeleteResponse__Output>;
  /** Events from r.fromSeq in order; ends at the head unless r.follow; stops quietly on abort. */
  watchEvents(r: WatchEventsRequest, signal?: AbortSignal): AsyncIterable<EventEnvelope__Output>;
  auditState(r: AuditStateRequest): Promise<AuditStateResponse__Output>;
  explainVolume(r: VolumeRef): Promise<ExplainVolumeResponse__Output>;
  verify(): Promise<VerifyResponse__Output>;
  getClusterInfo(): Promise<ClusterInfo__Output>;
  setBackupTarget(r: SetBackupTargetRequest): Promise<BackupTarget__Output>;
  getBackupTarget(): Promise<BackupTarget__Output>;
  createBackup(r: CreateBackupRequest): Promise<Backup__Output>;
  getBackup(r: BackupRef): Promise<Backup__Output>;
  listBackups(r: ListBackupsRequest): Promise<ListBackupsResponse__Output>;
  deleteBackup(r: BackupRef): Promise<DeleteBackupResponse__Output>;
  createRecurringJob(r: RecurringJob): Promise<RecurringJob__Output>;
  updateRecurringJob(r: UpdateRecurringJobRequest): Promise<RecurringJob__Output>;
  getRecurringJob(r: RecurringJobRef): Promise<RecurringJob__Output>;
  listRecurringJobs(): Promise<ListRecurringJobsResponse__Output>;
  deleteRecurringJob(r: RecurringJobRef): Promise<DeleteResponse__Output>;
  close(): void;
}

export interface AdminApiOptions extends ClientOptions {
  /** The deadline of each unary call, in ms. */
  timeoutMs: number;
  /** What a failed unary call rejects with (the CSI Controller's: the spec's codes); default the gRPC error itself. */
  mapError?: (e: unknown) => unknown;
}

type Unary<Req, Res> = (req: Req, options: CallOptions, cb: requestCallback<Res>) => ClientUnaryCall;

/** An AdminApi over gRPC to the manager at `address`. */
export function adminApi(address: string, o: AdminApiOptions): AdminApi {
  const c = adminClient(address, o);
  const mapError = o.mapError ?? ((e: unknown) => e);
  function call<Req, Res>(fn: Unary<Req, Res>, req: Req): Promise<Res> {
    return new Promise((resolve, reject) => {
      fn(req, { deadline: Date.now() + o.timeoutMs }, (err, res) =>
        err ? reject(mapError(err)) : resolve(res as Res),
      );
    });
  }
  return {
    createVolume: (r) => call((a, o, cb) => c.CreateVolume(a, o, cb), r),
    getVolume: (r) => call((a, o, cb) => c.GetVolume(a, o, cb), r),
    listVolumes: () => call((a, o, cb) => c.ListVolumes(a, o, cb), {}),
    updateVolume: (r) => call((a, o, cb) => c.UpdateVolume(a, o, cb), r),
    expandVolume: (r) => call((a, o, cb) => c.ExpandVolume(a, o, cb), r),
    deleteVolume: (r) => call((a, o, cb) => c.DeleteVolume(a, o, cb), r),
    attachVolume: (r) => call((a, o, cb) => c.AttachVolume(a, o, cb), r),
    detachVolume: (r) => call((a, o, cb) => c.DetachVolume(a, o, cb), r),
    salvageVolume: (r) => call((a, o, cb) => c.SalvageVolume(a, o, cb), r),
    activateVolume: (r) => call((a, o, cb) => c.ActivateVolume(a, o, cb), r),
    listNodes: () => call((a, o, cb) => c.ListNodes(a, o, cb), {}),
    updateNode: (r) => call((a, o, cb) => c.UpdateNode(a, o, cb), r),
    addDisk: (r) => call((a, o, cb) => c.AddDisk(a, o, cb), r),
    updateDisk: (r) => call((a, o, cb) => c.UpdateDisk(a, o, cb), r),
    removeDisk: (r) => call((a, o, cb) => c.RemoveDisk(a, o, cb), r),
    getSettings: (r = {}) => call((a, o, cb) => c.GetSettings(a, o, cb), r),
    updateSettings: (r) => call((a, o, cb) => c.UpdateSettings(a, o, cb), r),
    createSnapshot: (r) => call((a, o, cb) => c.CreateSnapshot(a, o, cb), r),
    listSnapshots: (r) => call((a, o, cb) => c.ListSnapshots(a, o, cb), r),
    deleteSnapshot: (r) => call((a, o, cb) => c.DeleteSnapshot(a, o, cb), r),
    auditState: (r) => call((a, o, cb) => c.AuditState(a, o, cb), r),
    explainVolume: (r) => call((a, o, cb) => c.ExplainVolume(a, o, cb), r),
    verify: () => call((a, o, cb) => c.Verify(a, o, cb), {}),
    getClusterInfo: () => call((a, o, cb) => c.GetClusterInfo(a, o, cb), {}),
    setBackupTarget: (r) => call((a, o, cb) => c.SetBackupTarget(a, o, cb), r),
    getBackupTarget: () => call((a, o, cb) => c.GetBackupTarget(a, o, cb), {}),
    createBackup: (r) => call((a, o, cb) => c.CreateBackup(a, o, cb), r),
    getBackup: (r) => call((a, o, cb) => c.GetBackup(a, o, cb), r),
    listBackups: (r) => call((a, o, cb) => c.ListBackups(a, o, cb), r),
    deleteBackup: (r) => call((a, o, cb) => c.DeleteBackup(a, o, cb), r),
    createRecurringJob: (r) => call((a, o, cb) => c.CreateRecurringJob(a, o, cb), r),
    updateRecurringJob: (r) => call((a, o, cb) => c.UpdateRecurringJob(a, o, cb), r),
    getRecurringJob: (r) => call((a, o, cb) => c.GetRecurringJob(a, o, cb), r),
    listRecurringJobs: () => call((a, o, cb) => c.ListRecurringJobs(a, o, cb), {}),
    deleteRecurringJob: (r) => call((a, o, cb) => c.DeleteRecurringJob(a, o, cb), r),
    async *watchEvents(r, signal) {
      if (signal?.aborted) return;
      const stream = c.WatchEvents(r);
      const onAbort = () => stream.cancel();
      signal?.addEventListener('abort', onAbort, { once: true });
      try {
        for await (const ev of stream) yield ev as EventEnvelope__Output;
      } catch (e) {
        if (signal?.aborted && isGrpcError(e) && e.code === status.CANCELLED) return;
        throw e;
      } finally {
        signal?.removeEventListener('abort', onAbort);
        stream.cancel();
      }
    },
    close: () => c.close(),
  };
}
