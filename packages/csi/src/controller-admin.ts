// The part of the manager's admin API the Controller uses, as promises. Every failure comes back
// as a CsiError already carrying the spec's code (controller-errors.ts), so handlers never see a
// raw admin error.
import type { CallOptions, ClientUnaryCall, requestCallback } from '@grpc/grpc-js';
import { status } from '@grpc/grpc-js';
import { adminClient } from '@cairn/api';
import type {
  AttachVolumeRequest, ClusterInfo__Output, CreateSnapshotRequest, CreateVolumeRequest, DeleteResponse__Output,
  ExpandVolumeRequest, ListNodesResponse__Output, ListSnapshotsResponse__Output, ListVolumesResponse__Output,
  SettingsResponse__Output, Snapshot__Output, SnapshotRef, Volume__Output, VolumeRef,
} from '@cairn/api';
import { fromAdmin } from './controller-errors.js';
import { CsiError } from './errors.js';

export interface ControllerAdmin {
  createVolume(r: CreateVolumeRequest): Promise<Volume__Output>;
  getVolume(r: VolumeRef): Promise<Volume__Output>;
  /** The volume, or null when it does not exist. */
  findVolume(name: string): Promise<Volume__Output | null>;
  listVolumes(): Promise<ListVolumesResponse__Output>;
  expandVolume(r: ExpandVolumeRequest): Promise<Volume__Output>;
  deleteVolume(r: VolumeRef): Promise<DeleteResponse__Output>;
  attachVolume(r: AttachVolumeRequest): Promise<Volume__Output>;
  detachVolume(r: VolumeRef): Promise<Volume__Output>;
  listNodes(): Promise<ListNodesResponse__Output>;
  getSettings(): Promise<SettingsResponse__Output>;
  createSnapshot(r: CreateSnapshotRequest): Promise<Snapshot__Output>;
  listSnapshots(r: VolumeRef): Promise<ListSnapshotsResponse__Output>;
  deleteSnapshot(r: SnapshotRef): Promise<DeleteResponse__Output>;
  getClusterInfo(): Promise<ClusterInfo__Output>;
  close(): void;
}

type Unary<Req, Res> = (req: Req, options: CallOptions, cb: requestCallback<Res>) => ClientUnaryCall;

export interface AdminConnection {
  endpoint: string;
  token: string;
  ca?: Buffer;
  /** The name the manager's certificate must carry, when `endpoint`'s host (a pod IP) is not in it. */
  serverName?: string | undefined;
  /** Deadline of each call. */
  timeoutMs?: number;
}

export function controllerAdmin(conn: AdminConnection): ControllerAdmin {
  const c = adminClient(conn.endpoint, { token: conn.token, ...(conn.ca ? { tlsCa: conn.ca, ...(conn.serverName ? { tlsServerName: conn.serverName } : {}) } : {}) });
  const timeoutMs = conn.timeoutMs ?? 15_000;
  function call<Req, Res>(fn: Unary<Req, Res>, req: Req): Promise<Res> {
    return new Promise((resolve, reject) => {
      fn(req, { deadline: Date.now() + timeoutMs }, (err, res) => (err ? reject(fromAdmin(err)) : resolve(res as Res)));
    });
  }
  const getVolume = (r: VolumeRef): Promise<Volume__Output> => call((a, o, cb) => c.GetVolume(a, o, cb), r);
  return {
    createVolume: (r) => call((a, o, cb) => c.CreateVolume(a, o, cb), r),
    getVolume,
    findVolume: (name) => getVolume({ name }).catch((e: unknown) => {
      if (e instanceof CsiError && e.code === status.NOT_FOUND) return null;
      throw e;
    }),
    listVolumes: () => call((a, o, cb) => c.ListVolumes(a, o, cb), {}),
    expandVolume: (r) => call((a, o, cb) => c.ExpandVolume(a, o, cb), r),
    deleteVolume: (r) => call((a, o, cb) => c.DeleteVolume(a, o, cb), r),
    attachVolume: (r) => call((a, o, cb) => c.AttachVolume(a, o, cb), r),
    detachVolume: (r) => call((a, o, cb) => c.DetachVolume(a, o, cb), r),
    listNodes: () => call((a, o, cb) => c.ListNodes(a, o, cb), {}),
    getSettings: () => call((a, o, cb) => c.GetSettings(a, o, cb), {}),
    createSnapshot: (r) => call((a, o, cb) => c.CreateSnapshot(a, o, cb), r),
    listSnapshots: (r) => call((a, o, cb) => c.ListSnapshots(a, o, cb), r),
    deleteSnapshot: (r) => call((a, o, cb) => c.DeleteSnapshot(a, o, cb), r),
    getClusterInfo: () => call((a, o, cb) => c.GetClusterInfo(a, o, cb), {}),
    close: () => c.close(),
  };
}
