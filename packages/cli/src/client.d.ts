import type { AddDiskRequest, AttachVolumeRequest, SalvageVolumeRequest, AuditStateRequest, AuditStateResponse__Output, ClusterInfo__Output, CreateSnapshotRequest, CreateVolumeRequest, DeleteResponse__Output, Disk__Output, DiskRef, ExpandVolumeRequest, ExplainVolumeResponse__Output, GetSettingsRequest, ListNodesResponse__Output, ListSnapshotsResponse__Output, ListVolumesResponse__Output, Node__Output, SettingsResponse__Output, Snapshot__Output, SnapshotRef, UpdateDiskRequest, UpdateNodeRequest, UpdateSettingsRequest, UpdateVolumeRequest, VerifyResponse__Output, Volume__Output, VolumeRef, WatchEventsRequest } from '@cairn/api';
import type { CairnEvent } from '@cairn/metadata';
import type { Connection } from './config.js';
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
    listNodes(): Promise<ListNodesResponse__Output>;
    updateNode(r: UpdateNodeRequest): Promise<Node__Output>;
    addDisk(r: AddDiskRequest): Promise<Disk__Output>;
    updateDisk(r: UpdateDiskRequest): Promise<Disk__Output>;
    removeDisk(r: DiskRef): Promise<DeleteResponse__Output>;
    getSettings(r: GetSettingsRequest): Promise<SettingsResponse__Output>;
    updateSettings(r: UpdateSettingsRequest): Promise<SettingsResponse__Output>;
    createSnapshot(r: CreateSnapshotRequest): Promise<Snapshot__Output>;
    listSnapshots(r: VolumeRef): Promise<ListSnapshotsResponse__Output>;
    deleteSnapshot(r: SnapshotRef): Promise<DeleteResponse__Output>;
    /** Events from r.fromSeq in order; ends at the head unless r.follow; stops quietly on abort. */
    watchEvents(r: WatchEventsRequest, signal?: AbortSignal): AsyncIterable<CairnEvent>;
    auditState(r: AuditStateRequest): Promise<AuditStateResponse__Output>;
    explainVolume(r: VolumeRef): Promise<ExplainVolumeResponse__Output>;
    verify(): Promise<VerifyResponse__Output>;
    getClusterInfo(): Promise<ClusterInfo__Output>;
    close(): void;
}
/** An AdminApi over gRPC; each unary call has the connection's deadline. */
export declare function grpcAdminApi(conn: Connection): AdminApi;
//# sourceMappingURL=client.d.ts.map