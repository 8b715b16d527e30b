// Original file: cairn/admin/v1/admin.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { AddDiskRequest as _cairn_admin_v1_AddDiskRequest, AddDiskRequest__Output as _cairn_admin_v1_AddDiskRequest__Output } from '../../../cairn/admin/v1/AddDiskRequest.js';
import type { AttachVolumeRequest as _cairn_admin_v1_AttachVolumeRequest, AttachVolumeRequest__Output as _cairn_admin_v1_AttachVolumeRequest__Output } from '../../../cairn/admin/v1/AttachVolumeRequest.js';
import type { AuditStateRequest as _cairn_admin_v1_AuditStateRequest, AuditStateRequest__Output as _cairn_admin_v1_AuditStateRequest__Output } from '../../../cairn/admin/v1/AuditStateRequest.js';
import type { AuditStateResponse as _cairn_admin_v1_AuditStateResponse, AuditStateResponse__Output as _cairn_admin_v1_AuditStateResponse__Output } from '../../../cairn/admin/v1/AuditStateResponse.js';
import type { Backup as _cairn_admin_v1_Backup, Backup__Output as _cairn_admin_v1_Backup__Output } from '../../../cairn/admin/v1/Backup.js';
import type { BackupRef as _cairn_admin_v1_BackupRef, BackupRef__Output as _cairn_admin_v1_BackupRef__Output } from '../../../cairn/admin/v1/BackupRef.js';
import type { BackupTarget as _cairn_admin_v1_BackupTarget, BackupTarget__Output as _cairn_admin_v1_BackupTarget__Output } from '../../../cairn/admin/v1/BackupTarget.js';
import type { ClusterInfo as _cairn_admin_v1_ClusterInfo, ClusterInfo__Output as _cairn_admin_v1_ClusterInfo__Output } from '../../../cairn/admin/v1/ClusterInfo.js';
import type { CreateBackupRequest as _cairn_admin_v1_CreateBackupRequest, CreateBackupRequest__Output as _cairn_admin_v1_CreateBackupRequest__Output } from '../../../cairn/admin/v1/CreateBackupRequest.js';
import type { CreateSnapshotRequest as _cairn_admin_v1_CreateSnapshotRequest, CreateSnapshotRequest__Output as _cairn_admin_v1_CreateSnapshotRequest__Output } from '../../../cairn/admin/v1/CreateSnapshotRequest.js';
import type { CreateVolumeRequest as _cairn_admin_v1_CreateVolumeRequest, CreateVolumeRequest__Output as _cairn_admin_v1_CreateVolumeRequest__Output } from '../../../cairn/admin/v1/CreateVolumeRequest.js';
import type { DeleteBackupResponse as _cairn_admin_v1_DeleteBackupResponse, DeleteBackupResponse__Output as _cairn_admin_v1_DeleteBackupResponse__Output } from '../../../cairn/admin/v1/DeleteBackupResponse.js';
import type { DeleteResponse as _cairn_admin_v1_DeleteResponse, DeleteResponse__Output as _cairn_admin_v1_DeleteResponse__Output } from '../../../cairn/admin/v1/DeleteResponse.js';
import type { Disk as _cairn_admin_v1_Disk, Disk__Output as _cairn_admin_v1_Disk__Output } from '../../../cairn/admin/v1/Disk.js';
import type { DiskRef as _cairn_admin_v1_DiskRef, DiskRef__Output as _cairn_admin_v1_DiskRef__Output } from '../../../cairn/admin/v1/DiskRef.js';
import type { EventEnvelope as _cairn_events_v1_EventEnvelope, EventEnvelope__Output as _cairn_events_v1_EventEnvelope__Output } from '../../../cairn/events/v1/EventEnvelope.js';
import type { ExpandVolumeRequest as _cairn_admin_v1_ExpandVolumeRequest, ExpandVolumeRequest__Output as _cairn_admin_v1_ExpandVolumeRequest__Output } from '../../../cairn/admin/v1/ExpandVolumeRequest.js';
import type { ExplainVolumeResponse as _cairn_admin_v1_ExplainVolumeResponse, ExplainVolumeResponse__Output as _cairn_admin_v1_ExplainVolumeResponse__Output } from '../../../cairn/admin/v1/ExplainVolumeResponse.js';
import type { GetBackupTargetRequest as _cairn_admin_v1_GetBackupTargetRequest, GetBackupTargetRequest__Output as _cairn_admin_v1_GetBackupTargetRequest__Output } from '../../../cairn/admin/v1/GetBackupTargetRequest.js';
import type { GetClusterInfoRequest as _cairn_admin_v1_GetClusterInfoRequest, GetClusterInfoRequest__Output as _cairn_admin_v1_GetClusterInfoRequest__Output } from '../../../cairn/admin/v1/GetClusterInfoRequest.js';
import type { GetSettingsRequest as _cairn_admin_v1_GetSettingsRequest, GetSettingsRequest__Output as _cairn_admin_v1_GetSettingsRequest__Output } from '../../../cairn/admin/v1/GetSettingsRequest.js';
import type { ListBackupsRequest as _cairn_admin_v1_ListBackupsRequest, ListBackupsRequest__Output as _cairn_admin_v1_ListBackupsRequest__Output } from '../../../cairn/admin/v1/ListBackupsRequest.js';
import type { ListBackupsResponse as _cairn_admin_v1_ListBackupsResponse, ListBackupsResponse__Output as _cairn_admin_v1_ListBackupsResponse__Output } from '../../../cairn/admin/v1/ListBackupsResponse.js';
import type { ListNodesRequest as _cairn_admin_v1_ListNodesRequest, ListNodesRequest__Output as _cairn_admin_v1_ListNodesRequest__Output } from '../../../cairn/admin/v1/ListNodesRequest.js';
import type { ListNodesResponse as _cairn_admin_v1_ListNodesResponse, ListNodesResponse__Output as _cairn_admin_v1_ListNodesResponse__Output } from '../../../cairn/admin/v1/ListNodesResponse.js';
import type { ListRecurringJobsRequest as _cairn_admin_v1_ListRecurringJobsRequest, ListRecurringJobsRequest__Output as _cairn_admin_v1_ListRecurringJobsRequest__Output } from '../../../cairn/admin/v1/ListRecurringJobsRequest.js';
import type { ListRecurringJobsResponse as _cairn_admin_v1_ListRecurringJobsResponse, ListRecurringJobsResponse__Output as _cairn_admin_v1_ListRecurringJobsResponse__Output } from '../../../cairn/admin/v1/ListRecurringJobsResponse.js';
import type { ListSnapshotsResponse as _cairn_admin_v1_ListSnapshotsResponse, ListSnapshotsResponse__Output as _cairn_admin_v1_ListSnapshotsResponse__Output } from '../../../cairn/admin/v1/ListSnapshotsResponse.js';
import type { ListVolumesRequest as _cairn_admin_v1_ListVolumesRequest, ListVolumesRequest__Output as _cairn_admin_v1_ListVolumesRequest__Output } from '../../../cairn/admin/v1/ListVolumesRequest.js';
import type { ListVolumesResponse as _cairn_admin_v1_ListVolumesResponse, ListVolumesResponse__Output as _cairn_admin_v1_ListVolumesResponse__Output } from '../../../cairn/admin/v1/ListVolumesResponse.js';
import type { Node as _cairn_admin_v1_Node, Node__Output as _cairn_admin_v1_Node__Output } from '../../../cairn/admin/v1/Node.js';
import type { RecurringJob as _cairn_admin_v1_RecurringJob, RecurringJob__Output as _cairn_admin_v1_RecurringJob__Output } from '../../../cairn/admin/v1/RecurringJob.js';
import type { RecurringJobRef as _cairn_admin_v1_RecurringJobRef, RecurringJobRef__Output as _cairn_admin_v1_RecurringJobRef__Output } from '../../../cairn/admin/v1/RecurringJobRef.js';
import type { SalvageVolumeRequest as _cairn_admin_v1_SalvageVolumeRequest, SalvageVolumeRequest__Output as _cairn_admin_v1_SalvageVolumeRequest__Output } from '../../../cairn/admin/v1/SalvageVolumeRequest.js';
import type { SetBackupTargetRequest as _cairn_admin_v1_SetBackupTargetRequest, SetBackupTargetRequest__Output as _cairn_admin_v1_SetBackupTargetRequest__Output } from '../../../cairn/admin/v1/SetBackupTargetRequest.js';
import type { SettingsResponse as _cairn_admin_v1_SettingsResponse, SettingsResponse__Output as _cairn_admin_v1_SettingsResponse__Output } from '../../../cairn/admin/v1/SettingsResponse.js';
import type { Snapshot as _cairn_admin_v1_Snapshot, Snapshot__Output as _cairn_admin_v1_Snapshot__Output } from '../../../cairn/admin/v1/Snapshot.js';
import type { SnapshotRef as _cairn_admin_v1_SnapshotRef, SnapshotRef__Output as _cairn_admin_v1_SnapshotRef__Output } from '../../../cairn/admin/v1/SnapshotRef.js';
import type { UpdateDiskRequest as _cairn_admin_v1_UpdateDiskRequest, UpdateDiskRequest__Output as _cairn_admin_v1_UpdateDiskRequest__Output } from '../../../cairn/admin/v1/UpdateDiskRequest.js';
import type { UpdateNodeRequest as _cairn_admin_v1_UpdateNodeRequest, UpdateNodeRequest__Output as _cairn_admin_v1_UpdateNodeRequest__Output } from '../../../cairn/admin/v1/UpdateNodeRequest.js';
import type { UpdateRecurringJobRequest as _cairn_admin_v1_UpdateRecurringJobRequest, UpdateRecurringJobRequest__Output as _cairn_admin_v1_UpdateRecurringJobRequest__Output } from '../../../cairn/admin/v1/UpdateRecurringJobRequest.js';
import type { UpdateSettingsRequest as _cairn_admin_v1_UpdateSettingsRequest, UpdateSettingsRequest__Output as _cairn_admin_v1_UpdateSettingsRequest__Output } from '../../../cairn/admin/v1/UpdateSettingsRequest.js';
import type { UpdateVolumeRequest as _cairn_admin_v1_UpdateVolumeRequest, UpdateVolumeRequest__Output as _cairn_admin_v1_UpdateVolumeRequest__Output } from '../../../cairn/admin/v1/UpdateVolumeRequest.js';
import type { VerifyRequest as _cairn_admin_v1_VerifyRequest, VerifyRequest__Output as _cairn_admin_v1_VerifyRequest__Output } from '../../../cairn/admin/v1/VerifyRequest.js';
import type { VerifyResponse as _cairn_admin_v1_VerifyResponse, VerifyResponse__Output as _cairn_admin_v1_VerifyResponse__Output } from '../../../cairn/admin/v1/VerifyResponse.js';
import type { Volume as _cairn_admin_v1_Volume, Volume__Output as _cairn_admin_v1_Volume__Output } from '../../../cairn/admin/v1/Volume.js';
import type { VolumeRef as _cairn_admin_v1_VolumeRef, VolumeRef__Output as _cairn_admin_v1_VolumeRef__Output } from '../../../cairn/admin/v1/VolumeRef.js';
import type { WatchEventsRequest as _cairn_admin_v1_WatchEventsRequest, WatchEventsRequest__Output as _cairn_admin_v1_WatchEventsRequest__Output } from '../../../cairn/admin/v1/WatchEventsRequest.js';

export interface AdminClient extends grpc.Client {
  /**
   * ---- restore ----
   * A standby (DR) volume restores the newest backup of its source, then becomes a normal volume.
   */
  ActivateVolume(argument: _cairn_admin_v1_VolumeRef, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_cairn_admin_v1_Volume__Output>): grpc.ClientUnaryCall;
  ActivateVolume(argument: _cairn_admin_v1_VolumeRef, metadata: grpc.Metadata, callback: grpc.requestCallback<_cairn_admin_v1_Volume__Output>): grpc.ClientUnaryCall;
  ActivateVolume(argument: _cairn_admin_v1_VolumeRef, options: grpc.CallOptions, callback: grpc.requestCallback<_cairn_admin_v1_Volume__Output>): grpc.ClientUnaryCall;
  ActivateVolume(argument: _cairn_admin_v1_VolumeRef, callback: grpc.requestCallback<_cairn_admin_v1_Volume__Output>): grpc.ClientUnaryCall;
  /**
   * ---- restore ----
   * A standby (DR) volume restores the newest backup of its source, then becomes a normal volume.
   */
  activateVolume(argument: _cairn_admin_v1_VolumeRef, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_cairn_admin_v1_Volume__Output>): grpc.ClientUnaryCall;
  activateVolume(argument: _cairn_admin_v1_VolumeRef, metadata: grpc.Metadata, callback: grpc.requestCallback<_cairn_admin_v1_Volume__Output>): grpc.ClientUnaryCall;
  activateVolume(argument: _cairn_admin_v1_VolumeRef, options: grpc.CallOptions, callback: grpc.requestCallback<_cairn_admin_v1_Volume__Output>): grpc.ClientUnaryCall;
  activateVolume(argument: _cairn_admin_v1_VolumeRef, callback: grpc.requestCallback<_cairn_admin_v1_Volume__Output>): grpc.ClientUnaryCall;
  
  AddDisk(argument: _cairn_admin_v1_AddDiskRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_cairn_admin_v1_Disk__Output>): grpc.ClientUnaryCall;
  AddDisk(argument: _cairn_admin_v1_AddDiskRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_cairn_admin_v1_Disk__Output>): grpc.ClientUnaryCall;
  AddDisk(argument: _cairn_admin_v1_AddDiskRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_cairn_admin_v1_Disk__Output>): grpc.ClientUnaryCall;
  AddDisk(argument: _cairn_admin_v1_AddDiskRequest, callback: grpc.requestCallback<_cairn_admin_v1_Disk__Output>): grpc.ClientUnaryCall;
  addDisk(argument: _cairn_admin_v1_AddDiskRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_cairn_admin_v1_Disk__Output>): grpc.ClientUnaryCall;
  addDisk(argument: _cairn_admin_v1_AddDiskRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_cairn_admin_v1_Disk__Output>): grpc.ClientUnaryCall;
  addDisk(argument: _cairn_admin_v1_AddDiskRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_cairn_admin_v1_Disk__Output>): grpc.ClientUnaryCall;
  addDisk(argument: _cairn_admin_v1_AddDiskRequest, callback: grpc.requestCallback<_cairn_admin_v1_Disk__Output>): grpc.ClientUnaryCall;
  
  AttachVolume(argument: _cairn_admin_v1_AttachVolumeRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_cairn_admin_v1_Volume__Output>): grpc.ClientUnaryCall;
  AttachVolume(argument: _cairn_admin_v1_AttachVolumeRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_cairn_admin_v1_Volume__Output>): grpc.ClientUnaryCall;
  AttachVolume(argument: _cairn_admin_v1_AttachVolumeRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_cairn_admin_v1_Volume__Output>): grpc.ClientUnaryCall;
  AttachVolume(argument: _cairn_admin_v1_AttachVolumeRequest, callback: grpc.requestCallback<_cairn_admin_v1_Volume__Output>): grpc.ClientUnaryCall;
  attachVolume(argument: _cairn_admin_v1_AttachVolumeRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_cairn_admin_v1_Volume__Output>): grpc.ClientUnaryCall;
  attachVolume(argument: _cairn_admin_v1_AttachVolumeRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_cairn_admin_v1_Volume__Output>): grpc.ClientUnaryCall;
  attachVolume(argument: _cairn_admin_v1_AttachVolumeRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_cairn_admin_v1_Volume__Output>): grpc.ClientUnaryCall;
  attachVolume(argument: _cairn_admin_v1_AttachVolumeRequest, callback: grpc.requestCallback<_cairn_admin_v1_Volume__Output>): grpc.ClientUnaryCall;
  
  /**
   * Audit: the state at a past seq or time; why a volume's replicas are where they are; a replay
   * from seq 1 compared with the live state.
   */
  AuditState(argument: _cairn_admin_v1_AuditStateRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_cairn_admin_v1_AuditStateResponse__Output>): grpc.ClientUnaryCall;
  AuditState(argument: _cairn_admin_v1_AuditStateRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_cairn_admin_v1_AuditStateResponse__Output>): grpc.ClientUnaryCall;
  AuditState(argument: _cairn_admin_v1_AuditStateRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_cairn_admin_v1_AuditStateResponse__Output>): grpc.ClientUnaryCall;
  AuditState(argument: _cairn_admin_v1_AuditStateRequest, callback: grpc.requestCallback<_cairn_admin_v1_AuditStateResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Audit: the state at a past seq or time; why a volume's replicas are where they are; a replay
   * from seq 1 compared with the live state.
   */
  auditState(argument: _cairn_admin_v1_AuditStateRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_cairn_admin_v1_AuditStateResponse__Output>): grpc.ClientUnaryCall;
  auditState(argument: _cairn_admin_v1_AuditStateRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_cairn_admin_v1_AuditStateResponse__Output>): grpc.ClientUnaryCall;
  auditState(argument: _cairn_admin_v1_AuditStateRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_cairn_admin_v1_AuditStateResponse__Output>): grpc.ClientUnaryCall;
  auditState(argument: _cairn_admin_v1_AuditStateRequest, callback: grpc.requestCallback<_cairn_admin_v1_AuditStateResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Backs up a snapshot of a volume (a new snapshot when none is named); returns it pending.
   */
  CreateBackup(argument: _cairn_admin_v1_CreateBackupRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_cairn_admin_v1_Backup__Output>): grpc.ClientUnaryCall;
  CreateBackup(argument: _cairn_admin_v1_CreateBackupRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_cairn_admin_v1_Backup__Output>): grpc.ClientUnaryCall;
  CreateBackup(argument: _cairn_admin_v1_CreateBackupRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_cairn_admin_v1_Backup__Output>): grpc.ClientUnaryCall;
  CreateBackup(argument: _cairn_admin_v1_CreateBackupRequest, callback: grpc.requestCallback<_cairn_admin_v1_Backup__Output>): grpc.ClientUnaryCall;
  /**
   * Backs up a snapshot of a volume (a new snapshot when none is named); returns it pending.
   */
  createBackup(argument: _cairn_admin_v1_CreateBackupRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_cairn_admin_v1_Backup__Output>): grpc.ClientUnaryCall;
  createBackup(argument: _cairn_admin_v1_CreateBackupRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_cairn_admin_v1_Backup__Output>): grpc.ClientUnaryCall;
  createBackup(argument: _cairn_admin_v1_CreateBackupRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_cairn_admin_v1_Backup__Output>): grpc.ClientUnaryCall;
  createBackup(argument: _cairn_admin_v1_CreateBackupRequest, callback: grpc.requestCallback<_cairn_admin_v1_Backup__Output>): grpc.ClientUnaryCall;
  
  /**
   * ---- recurring jobs ----
   * Create is idempotent by name (the same spec again returns the job; another spec under a taken
   * name is ALREADY_EXISTS). A cron expression that does not parse is INVALID_ARGUMENT naming it.
   */
  CreateRecurringJob(argument: _cairn_admin_v1_RecurringJob, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_cairn_admin_v1_RecurringJob__Output>): grpc.ClientUnaryCall;
  CreateRecurringJob(argument: _cairn_admin_v1_RecurringJob, metadata: grpc.Metadata, callback: grpc.requestCallback<_cairn_admin_v1_RecurringJob__Output>): grpc.ClientUnaryCall;
  CreateRecurringJob(argument: _cairn_admin_v1_RecurringJob, options: grpc.CallOptions, callback: grpc.requestCallback<_cairn_admin_v1_RecurringJob__Output>): grpc.ClientUnaryCall;
  CreateRecurringJob(argument: _cairn_admin_v1_RecurringJob, callback: grpc.requestCallback<_cairn_admin_v1_RecurringJob__Output>): grpc.ClientUnaryCall;
  /**
   * ---- recurring jobs ----
   * Create is idempotent by name (the same spec again returns the job; another spec under a taken
   * name is ALREADY_EXISTS). A cron expression that does not parse is INVALID_ARGUMENT naming it.
   */
  createRecurringJob(argument: _cairn_admin_v1_RecurringJob, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_cairn_admin_v1_RecurringJob__Output>): grpc.ClientUnaryCall;
  createRecurringJob(argument: _cairn_admin_v1_RecurringJob, metadata: grpc.Metadata, callback: grpc.requestCallback<_cairn_admin_v1_RecurringJob__Output>): grpc.ClientUnaryCall;
  createRecurringJob(argument: _cairn_admin_v1_RecurringJob, options: grpc.CallOptions, callback: grpc.requestCallback<_cairn_admin_v1_RecurringJob__Output>): grpc.ClientUnaryCall;
  createRecurringJob(argument: _cairn_admin_v1_RecurringJob, callback: grpc.requestCallback<_cairn_admin_v1_RecurringJob__Output>): grpc.ClientUnaryCall;
  
  /**
   * Snapshots.
   */
  CreateSnapshot(argument: _cairn_admin_v1_CreateSnapshotRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_cairn_admin_v1_Snapshot__Output>): grpc.ClientUnaryCall;
  CreateSnapshot(argument: _cairn_admin_v1_CreateSnapshotRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_cairn_admin_v1_Snapshot__Output>): grpc.ClientUnaryCall;
  CreateSnapshot(argument: _cairn_admin_v1_CreateSnapshotRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_cairn_admin_v1_Snapshot__Output>): grpc.ClientUnaryCall;
  CreateSnapshot(argument: _cairn_admin_v1_CreateSnapshotRequest, callback: grpc.requestCallback<_cairn_admin_v1_Snapshot__Output>): grpc.ClientUnaryCall;
  /**
   * Snapshots.
   */
  createSnapshot(argument: _cairn_admin_v1_CreateSnapshotRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_cairn_admin_v1_Snapshot__Output>): grpc.ClientUnaryCall;
  createSnapshot(argument: _cairn_admin_v1_CreateSnapshotRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_cairn_admin_v1_Snapshot__Output>): grpc.ClientUnaryCall;
  createSnapshot(argument: _cairn_admin_v1_CreateSnapshotRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_cairn_admin_v1_Snapshot__Output>): grpc.ClientUnaryCall;
  createSnapshot(argument: _cairn_admin_v1_CreateSnapshotRequest, callback: grpc.requestCallback<_cairn_admin_v1_Snapshot__Output>): grpc.ClientUnaryCall;
  
  /**
   * Volumes. Create is idempotent by name: the same parameters again return the volume; other
   * parameters under a taken name are ALREADY_EXISTS.
   */
  CreateVolume(argument: _cairn_admin_v1_CreateVolumeRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_cairn_admin_v1_Volume__Output>): grpc.ClientUnaryCall;
  CreateVolume(argument: _cairn_admin_v1_CreateVolumeRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_cairn_admin_v1_Volume__Output>): grpc.ClientUnaryCall;
  CreateVolume(argument: _cairn_admin_v1_CreateVolumeRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_cairn_admin_v1_Volume__Output>): grpc.ClientUnaryCall;
  CreateVolume(argument: _cairn_admin_v1_CreateVolumeRequest, callback: grpc.requestCallback<_cairn_admin_v1_Volume__Output>): grpc.ClientUnaryCall;
  /**
   * Volumes. Create is idempotent by name: the same parameters again return the volume; other
   * parameters under a taken name are ALREADY_EXISTS.
   */
  createVolume(argument: _cairn_admin_v1_CreateVolumeRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_cairn_admin_v1_Volume__Output>): grpc.ClientUnaryCall;
  createVolume(argument: _cairn_admin_v1_CreateVolumeRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_cairn_admin_v1_Volume__Output>): grpc.ClientUnaryCall;
  createVolume(argument: _cairn_admin_v1_CreateVolumeRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_cairn_admin_v1_Volume__Output>): grpc.ClientUnaryCall;
  createVolume(argument: _cairn_admin_v1_CreateVolumeRequest, callback: grpc.requestCallback<_cairn_admin_v1_Volume__Output>): grpc.ClientUnaryCall;
  
  DeleteBackup(argument: _cairn_admin_v1_BackupRef, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_cairn_admin_v1_DeleteBackupResponse__Output>): grpc.ClientUnaryCall;
  DeleteBackup(argument: _cairn_admin_v1_BackupRef, metadata: grpc.Metadata, callback: grpc.requestCallback<_cairn_admin_v1_DeleteBackupResponse__Output>): grpc.ClientUnaryCall;
  DeleteBackup(argument: _cairn_admin_v1_BackupRef, options: grpc.CallOptions, callback: grpc.requestCallback<_cairn_admin_v1_DeleteBackupResponse__Output>): grpc.ClientUnaryCall;
  DeleteBackup(argument: _cairn_admin_v1_BackupRef, callback: grpc.requestCallback<_cairn_admin_v1_DeleteBackupResponse__Output>): grpc.ClientUnaryCall;
  deleteBackup(argument: _cairn_admin_v1_BackupRef, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_cairn_admin_v1_DeleteBackupResponse__Output>): grpc.ClientUnaryCall;
  deleteBackup(argument: _cairn_admin_v1_BackupRef, metadata: grpc.Metadata, callback: grpc.requestCallback<_cairn_admin_v1_DeleteBackupResponse__Output>): grpc.ClientUnaryCall;
  deleteBackup(argument: _cairn_admin_v1_BackupRef, options: grpc.CallOptions, callback: grpc.requestCallback<_cairn_admin_v1_DeleteBackupResponse__Output>): grpc.ClientUnaryCall;
  deleteBackup(argument: _cairn_admin_v1_BackupRef, callback: grpc.requestCallback<_cairn_admin_v1_DeleteBackupResponse__Output>): grpc.ClientUnaryCall;
  
  DeleteRecurringJob(argument: _cairn_admin_v1_RecurringJobRef, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_cairn_admin_v1_DeleteResponse__Output>): grpc.ClientUnaryCall;
  DeleteRecurringJob(argument: _cairn_admin_v1_RecurringJobRef, metadata: grpc.Metadata, callback: grpc.requestCallback<_cairn_admin_v1_DeleteResponse__Output>): grpc.ClientUnaryCall;
  DeleteRecurringJob(argument: _cairn_admin_v1_RecurringJobRef, options: grpc.CallOptions, callback: grpc.requestCallback<_cairn_admin_v1_DeleteResponse__Output>): grpc.ClientUnaryCall;
  DeleteRecurringJob(argument: _cairn_admin_v1_RecurringJobRef, callback: grpc.requestCallback<_cairn_admin_v1_DeleteResponse__Output>): grpc.ClientUnaryCall;
  deleteRecurringJob(argument: _cairn_admin_v1_RecurringJobRef, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_cairn_admin_v1_DeleteResponse__Output>): grpc.ClientUnaryCall;
  deleteRecurringJob(argument: _cairn_admin_v1_RecurringJobRef, metadata: grpc.Metadata, callback: grpc.requestCallback<_cairn_admin_v1_DeleteResponse__Output>): grpc.ClientUnaryCall;
  deleteRecurringJob(argument: _cairn_admin_v1_RecurringJobRef, options: grpc.CallOptions, callback: grpc.requestCallback<_cairn_admin_v1_DeleteResponse__Output>): grpc.ClientUnaryCall;
  deleteRecurringJob(argument: _cairn_admin_v1_RecurringJobRef, callback: grpc.requestCallback<_cairn_admin_v1_DeleteResponse__Output>): grpc.ClientUnaryCall;
  
  DeleteSnapshot(argument: _cairn_admin_v1_SnapshotRef, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_cairn_admin_v1_DeleteResponse__Output>): grpc.ClientUnaryCall;
  DeleteSnapshot(argument: _cairn_admin_v1_SnapshotRef, metadata: grpc.Metadata, callback: grpc.requestCallback<_cairn_admin_v1_DeleteResponse__Output>): grpc.ClientUnaryCall;
  DeleteSnapshot(argument: _cairn_admin_v1_SnapshotRef, options: grpc.CallOptions, callback: grpc.requestCallback<_cairn_admin_v1_DeleteResponse__Output>): grpc.ClientUnaryCall;
  DeleteSnapshot(argument: _cairn_admin_v1_SnapshotRef, callback: grpc.requestCallback<_cairn_admin_v1_DeleteResponse__Output>): grpc.ClientUnaryCall;
  deleteSnapshot(argument: _cairn_admin_v1_SnapshotRef, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_cairn_admin_v1_DeleteResponse__Output>): grpc.ClientUnaryCall;
  deleteSnapshot(argument: _cairn_admin_v1_SnapshotRef, metadata: grpc.Metadata, callback: grpc.requestCallback<_cairn_admin_v1_DeleteResponse__Output>): grpc.ClientUnaryCall;
  deleteSnapshot(argument: _cairn_admin_v1_SnapshotRef, options: grpc.CallOptions, callback: grpc.requestCallback<_cairn_admin_v1_DeleteResponse__Output>): grpc.ClientUnaryCall;
  deleteSnapshot(argument: _cairn_admin_v1_SnapshotRef, callback: grpc.requestCallback<_cairn_admin_v1_DeleteResponse__Output>): grpc.ClientUnaryCall;
  
  DeleteVolume(argument: _cairn_admin_v1_VolumeRef, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_cairn_admin_v1_DeleteResponse__Output>): grpc.ClientUnaryCall;
  DeleteVolume(argument: _cairn_admin_v1_VolumeRef, metadata: grpc.Metadata, callback: grpc.requestCallback<_cairn_admin_v1_DeleteResponse__Output>): grpc.ClientUnaryCall;
  DeleteVolume(argument: _cairn_admin_v1_VolumeRef, options: grpc.CallOptions, callback: grpc.requestCallback<_cairn_admin_v1_DeleteResponse__Output>): grpc.ClientUnaryCall;
  DeleteVolume(argument: _cairn_admin_v1_VolumeRef, callback: grpc.requestCallback<_cairn_admin_v1_DeleteResponse__Output>): grpc.ClientUnaryCall;
  deleteVolume(argument: _cairn_admin_v1_VolumeRef, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_cairn_admin_v1_DeleteResponse__Output>): grpc.ClientUnaryCall;
  deleteVolume(argument: _cairn_admin_v1_VolumeRef, metadata: grpc.Metadata, callback: grpc.requestCallback<_cairn_admin_v1_DeleteResponse__Output>): grpc.ClientUnaryCall;
  deleteVolume(argument: _cairn_admin_v1_VolumeRef, options: grpc.CallOptions, callback: grpc.requestCallback<_cairn_admin_v1_DeleteResponse__Output>): grpc.ClientUnaryCall;
  deleteVolume(argument: _cairn_admin_v1_VolumeRef, callback: grpc.requestCallback<_cairn_admin_v1_DeleteResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Detaching a volume attached only for an offline rebuild (not by a user) is a no-op success.
   */
  DetachVolume(argument: _cairn_admin_v1_VolumeRef, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_cairn_admin_v1_Volume__Output>): grpc.ClientUnaryCall;
  DetachVolume(argument: _cairn_admin_v1_VolumeRef, metadata: grpc.Metadata, callback: grpc.requestCallback<_cairn_admin_v1_Volume__Output>): grpc.ClientUnaryCall;
  DetachVolume(argument: _cairn_admin_v1_VolumeRef, options: grpc.CallOptions, callback: grpc.requestCallback<_cairn_admin_v1_Volume__Output>): grpc.ClientUnaryCall;
  DetachVolume(argument: _cairn_admin_v1_VolumeRef, callback: grpc.requestCallback<_cairn_admin_v1_Volume__Output>): grpc.ClientUnaryCall;
  /**
   * Detaching a volume attached only for an offline rebuild (not by a user) is a no-op success.
   */
  detachVolume(argument: _cairn_admin_v1_VolumeRef, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_cairn_admin_v1_Volume__Output>): grpc.ClientUnaryCall;
  detachVolume(argument: _cairn_admin_v1_VolumeRef, metadata: grpc.Metadata, callback: grpc.requestCallback<_cairn_admin_v1_Volume__Output>): grpc.ClientUnaryCall;
  detachVolume(argument: _cairn_admin_v1_VolumeRef, options: grpc.CallOptions, callback: grpc.requestCallback<_cairn_admin_v1_Volume__Output>): grpc.ClientUnaryCall;
  detachVolume(argument: _cairn_admin_v1_VolumeRef, callback: grpc.requestCallback<_cairn_admin_v1_Volume__Output>): grpc.ClientUnaryCall;
  
  ExpandVolume(argument: _cairn_admin_v1_ExpandVolumeRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_cairn_admin_v1_Volume__Output>): grpc.ClientUnaryCall;
  ExpandVolume(argument: _cairn_admin_v1_ExpandVolumeRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_cairn_admin_v1_Volume__Output>): grpc.ClientUnaryCall;
  ExpandVolume(argument: _cairn_admin_v1_ExpandVolumeRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_cairn_admin_v1_Volume__Output>): grpc.ClientUnaryCall;
  ExpandVolume(argument: _cairn_admin_v1_ExpandVolumeRequest, callback: grpc.requestCallback<_cairn_admin_v1_Volume__Output>): grpc.ClientUnaryCall;
  expandVolume(argument: _cairn_admin_v1_ExpandVolumeRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_cairn_admin_v1_Volume__Output>): grpc.ClientUnaryCall;
  expandVolume(argument: _cairn_admin_v1_ExpandVolumeRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_cairn_admin_v1_Volume__Output>): grpc.ClientUnaryCall;
  expandVolume(argument: _cairn_admin_v1_ExpandVolumeRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_cairn_admin_v1_Volume__Output>): grpc.ClientUnaryCall;
  expandVolume(argument: _cairn_admin_v1_ExpandVolumeRequest, callback: grpc.requestCallback<_cairn_admin_v1_Volume__Output>): grpc.ClientUnaryCall;
  
  ExplainVolume(argument: _cairn_admin_v1_VolumeRef, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_cairn_admin_v1_ExplainVolumeResponse__Output>): grpc.ClientUnaryCall;
  ExplainVolume(argument: _cairn_admin_v1_VolumeRef, metadata: grpc.Metadata, callback: grpc.requestCallback<_cairn_admin_v1_ExplainVolumeResponse__Output>): grpc.ClientUnaryCall;
  ExplainVolume(argument: _cairn_admin_v1_VolumeRef, options: grpc.CallOptions, callback: grpc.requestCallback<_cairn_admin_v1_ExplainVolumeResponse__Output>): grpc.ClientUnaryCall;
  ExplainVolume(argument: _cairn_admin_v1_VolumeRef, callback: grpc.requestCallback<_cairn_admin_v1_ExplainVolumeResponse__Output>): grpc.ClientUnaryCall;
  explainVolume(argument: _cairn_admin_v1_VolumeRef, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_cairn_admin_v1_ExplainVolumeResponse__Output>): grpc.ClientUnaryCall;
  explainVolume(argument: _cairn_admin_v1_VolumeRef, metadata: grpc.Metadata, callback: grpc.requestCallback<_cairn_admin_v1_ExplainVolumeResponse__Output>): grpc.ClientUnaryCall;
  explainVolume(argument: _cairn_admin_v1_VolumeRef, options: grpc.CallOptions, callback: grpc.requestCallback<_cairn_admin_v1_ExplainVolumeResponse__Output>): grpc.ClientUnaryCall;
  explainVolume(argument: _cairn_admin_v1_VolumeRef, callback: grpc.requestCallback<_cairn_admin_v1_ExplainVolumeResponse__Output>): grpc.ClientUnaryCall;
  
  GetBackup(argument: _cairn_admin_v1_BackupRef, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_cairn_admin_v1_Backup__Output>): grpc.ClientUnaryCall;
  GetBackup(argument: _cairn_admin_v1_BackupRef, metadata: grpc.Metadata, callback: grpc.requestCallback<_cairn_admin_v1_Backup__Output>): grpc.ClientUnaryCall;
  GetBackup(argument: _cairn_admin_v1_BackupRef, options: grpc.CallOptions, callback: grpc.requestCallback<_cairn_admin_v1_Backup__Output>): grpc.ClientUnaryCall;
  GetBackup(argument: _cairn_admin_v1_BackupRef, callback: grpc.requestCallback<_cairn_admin_v1_Backup__Output>): grpc.ClientUnaryCall;
  getBackup(argument: _cairn_admin_v1_BackupRef, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_cairn_admin_v1_Backup__Output>): grpc.ClientUnaryCall;
  getBackup(argument: _cairn_admin_v1_BackupRef, metadata: grpc.Metadata, callback: grpc.requestCallback<_cairn_admin_v1_Backup__Output>): grpc.ClientUnaryCall;
  getBackup(argument: _cairn_admin_v1_BackupRef, options: grpc.CallOptions, callback: grpc.requestCallback<_cairn_admin_v1_Backup__Output>): grpc.ClientUnaryCall;
  getBackup(argument: _cairn_admin_v1_BackupRef, callback: grpc.requestCallback<_cairn_admin_v1_Backup__Output>): grpc.ClientUnaryCall;
  
  GetBackupTarget(argument: _cairn_admin_v1_GetBackupTargetRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_cairn_admin_v1_BackupTarget__Output>): grpc.ClientUnaryCall;
  GetBackupTarget(argument: _cairn_admin_v1_GetBackupTargetRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_cairn_admin_v1_BackupTarget__Output>): grpc.ClientUnaryCall;
  GetBackupTarget(argument: _cairn_admin_v1_GetBackupTargetRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_cairn_admin_v1_BackupTarget__Output>): grpc.ClientUnaryCall;
  GetBackupTarget(argument: _cairn_admin_v1_GetBackupTargetRequest, callback: grpc.requestCallback<_cairn_admin_v1_BackupTarget__Output>): grpc.ClientUnaryCall;
  getBackupTarget(argument: _cairn_admin_v1_GetBackupTargetRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_cairn_admin_v1_BackupTarget__Output>): grpc.ClientUnaryCall;
  getBackupTarget(argument: _cairn_admin_v1_GetBackupTargetRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_cairn_admin_v1_BackupTarget__Output>): grpc.ClientUnaryCall;
  getBackupTarget(argument: _cairn_admin_v1_GetBackupTargetRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_cairn_admin_v1_BackupTarget__Output>): grpc.ClientUnaryCall;
  getBackupTarget(argument: _cairn_admin_v1_GetBackupTargetRequest, callback: grpc.requestCallback<_cairn_admin_v1_BackupTarget__Output>): grpc.ClientUnaryCall;
  
  /**
   * Which manager serves this call, and which leads.
   */
  GetClusterInfo(argument: _cairn_admin_v1_GetClusterInfoRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_cairn_admin_v1_ClusterInfo__Output>): grpc.ClientUnaryCall;
  GetClusterInfo(argument: _cairn_admin_v1_GetClusterInfoRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_cairn_admin_v1_ClusterInfo__Output>): grpc.ClientUnaryCall;
  GetClusterInfo(argument: _cairn_admin_v1_GetClusterInfoRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_cairn_admin_v1_ClusterInfo__Output>): grpc.ClientUnaryCall;
  GetClusterInfo(argument: _cairn_admin_v1_GetClusterInfoRequest, callback: grpc.requestCallback<_cairn_admin_v1_ClusterInfo__Output>): grpc.ClientUnaryCall;
  /**
   * Which manager serves this call, and which leads.
   */
  getClusterInfo(argument: _cairn_admin_v1_GetClusterInfoRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_cairn_admin_v1_ClusterInfo__Output>): grpc.ClientUnaryCall;
  getClusterInfo(argument: _cairn_admin_v1_GetClusterInfoRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_cairn_admin_v1_ClusterInfo__Output>): grpc.ClientUnaryCall;
  getClusterInfo(argument: _cairn_admin_v1_GetClusterInfoRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_cairn_admin_v1_ClusterInfo__Output>): grpc.ClientUnaryCall;
  getClusterInfo(argument: _cairn_admin_v1_GetClusterInfoRequest, callback: grpc.requestCallback<_cairn_admin_v1_ClusterInfo__Output>): grpc.ClientUnaryCall;
  
  GetRecurringJob(argument: _cairn_admin_v1_RecurringJobRef, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_cairn_admin_v1_RecurringJob__Output>): grpc.ClientUnaryCall;
  GetRecurringJob(argument: _cairn_admin_v1_RecurringJobRef, metadata: grpc.Metadata, callback: grpc.requestCallback<_cairn_admin_v1_RecurringJob__Output>): grpc.ClientUnaryCall;
  GetRecurringJob(argument: _cairn_admin_v1_RecurringJobRef, options: grpc.CallOptions, callback: grpc.requestCallback<_cairn_admin_v1_RecurringJob__Output>): grpc.ClientUnaryCall;
  GetRecurringJob(argument: _cairn_admin_v1_RecurringJobRef, callback: grpc.requestCallback<_cairn_admin_v1_RecurringJob__Output>): grpc.ClientUnaryCall;
  getRecurringJob(argument: _cairn_admin_v1_RecurringJobRef, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_cairn_admin_v1_RecurringJob__Output>): grpc.ClientUnaryCall;
  getRecurringJob(argument: _cairn_admin_v1_RecurringJobRef, metadata: grpc.Metadata, callback: grpc.requestCallback<_cairn_admin_v1_RecurringJob__Output>): grpc.ClientUnaryCall;
  getRecurringJob(argument: _cairn_admin_v1_RecurringJobRef, options: grpc.CallOptions, callback: grpc.requestCallback<_cairn_admin_v1_RecurringJob__Output>): grpc.ClientUnaryCall;
  getRecurringJob(argument: _cairn_admin_v1_RecurringJobRef, callback: grpc.requestCallback<_cairn_admin_v1_RecurringJob__Output>): grpc.ClientUnaryCall;
  
  /**
   * Settings, with Longhorn's names.
   */
  GetSettings(argument: _cairn_admin_v1_GetSettingsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_cairn_admin_v1_SettingsResponse__Output>): grpc.ClientUnaryCall;
  GetSettings(argument: _cairn_admin_v1_GetSettingsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_cairn_admin_v1_SettingsResponse__Output>): grpc.ClientUnaryCall;
  GetSettings(argument: _cairn_admin_v1_GetSettingsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_cairn_admin_v1_SettingsResponse__Output>): grpc.ClientUnaryCall;
  GetSettings(argument: _cairn_admin_v1_GetSettingsRequest, callback: grpc.requestCallback<_cairn_admin_v1_SettingsResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Settings, with Longhorn's names.
   */
  getSettings(argument: _cairn_admin_v1_GetSettingsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_cairn_admin_v1_SettingsResponse__Output>): grpc.ClientUnaryCall;
  getSettings(argument: _cairn_admin_v1_GetSettingsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_cairn_admin_v1_SettingsResponse__Output>): grpc.ClientUnaryCall;
  getSettings(argument: _cairn_admin_v1_GetSettingsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_cairn_admin_v1_SettingsResponse__Output>): grpc.ClientUnaryCall;
  getSettings(argument: _cairn_admin_v1_GetSettingsRequest, callback: grpc.requestCallback<_cairn_admin_v1_SettingsResponse__Output>): grpc.ClientUnaryCall;
  
  GetVolume(argument: _cairn_admin_v1_VolumeRef, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_cairn_admin_v1_Volume__Output>): grpc.ClientUnaryCall;
  GetVolume(argument: _cairn_admin_v1_VolumeRef, metadata: grpc.Metadata, callback: grpc.requestCallback<_cairn_admin_v1_Volume__Output>): grpc.ClientUnaryCall;
  GetVolume(argument: _cairn_admin_v1_VolumeRef, options: grpc.CallOptions, callback: grpc.requestCallback<_cairn_admin_v1_Volume__Output>): grpc.ClientUnaryCall;
  GetVolume(argument: _cairn_admin_v1_VolumeRef, callback: grpc.requestCallback<_cairn_admin_v1_Volume__Output>): grpc.ClientUnaryCall;
  getVolume(argument: _cairn_admin_v1_VolumeRef, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_cairn_admin_v1_Volume__Output>): grpc.ClientUnaryCall;
  getVolume(argument: _cairn_admin_v1_VolumeRef, metadata: grpc.Metadata, callback: grpc.requestCallback<_cairn_admin_v1_Volume__Output>): grpc.ClientUnaryCall;
  getVolume(argument: _cairn_admin_v1_VolumeRef, options: grpc.CallOptions, callback: grpc.requestCallback<_cairn_admin_v1_Volume__Output>): grpc.ClientUnaryCall;
  getVolume(argument: _cairn_admin_v1_VolumeRef, callback: grpc.requestCallback<_cairn_admin_v1_Volume__Output>): grpc.ClientUnaryCall;
  
  /**
   * The target's backups (of one volume, or all) and those pending, running or failed.
   */
  ListBackups(argument: _cairn_admin_v1_ListBackupsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_cairn_admin_v1_ListBackupsResponse__Output>): grpc.ClientUnaryCall;
  ListBackups(argument: _cairn_admin_v1_ListBackupsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_cairn_admin_v1_ListBackupsResponse__Output>): grpc.ClientUnaryCall;
  ListBackups(argument: _cairn_admin_v1_ListBackupsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_cairn_admin_v1_ListBackupsResponse__Output>): grpc.ClientUnaryCall;
  ListBackups(argument: _cairn_admin_v1_ListBackupsRequest, callback: grpc.requestCallback<_cairn_admin_v1_ListBackupsResponse__Output>): grpc.ClientUnaryCall;
  /**
   * The target's backups (of one volume, or all) and those pending, running or failed.
   */
  listBackups(argument: _cairn_admin_v1_ListBackupsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_cairn_admin_v1_ListBackupsResponse__Output>): grpc.ClientUnaryCall;
  listBackups(argument: _cairn_admin_v1_ListBackupsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_cairn_admin_v1_ListBackupsResponse__Output>): grpc.ClientUnaryCall;
  listBackups(argument: _cairn_admin_v1_ListBackupsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_cairn_admin_v1_ListBackupsResponse__Output>): grpc.ClientUnaryCall;
  listBackups(argument: _cairn_admin_v1_ListBackupsRequest, callback: grpc.requestCallback<_cairn_admin_v1_ListBackupsResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Nodes and disks.
   */
  ListNodes(argument: _cairn_admin_v1_ListNodesRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_cairn_admin_v1_ListNodesResponse__Output>): grpc.ClientUnaryCall;
  ListNodes(argument: _cairn_admin_v1_ListNodesRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_cairn_admin_v1_ListNodesResponse__Output>): grpc.ClientUnaryCall;
  ListNodes(argument: _cairn_admin_v1_ListNodesRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_cairn_admin_v1_ListNodesResponse__Output>): grpc.ClientUnaryCall;
  ListNodes(argument: _cairn_admin_v1_ListNodesRequest, callback: grpc.requestCallback<_cairn_admin_v1_ListNodesResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Nodes and disks.
   */
  listNodes(argument: _cairn_admin_v1_ListNodesRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_cairn_admin_v1_ListNodesResponse__Output>): grpc.ClientUnaryCall;
  listNodes(argument: _cairn_admin_v1_ListNodesRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_cairn_admin_v1_ListNodesResponse__Output>): grpc.ClientUnaryCall;
  listNodes(argument: _cairn_admin_v1_ListNodesRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_cairn_admin_v1_ListNodesResponse__Output>): grpc.ClientUnaryCall;
  listNodes(argument: _cairn_admin_v1_ListNodesRequest, callback: grpc.requestCallback<_cairn_admin_v1_ListNodesResponse__Output>): grpc.ClientUnaryCall;
  
  ListRecurringJobs(argument: _cairn_admin_v1_ListRecurringJobsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_cairn_admin_v1_ListRecurringJobsResponse__Output>): grpc.ClientUnaryCall;
  ListRecurringJobs(argument: _cairn_admin_v1_ListRecurringJobsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_cairn_admin_v1_ListRecurringJobsResponse__Output>): grpc.ClientUnaryCall;
  ListRecurringJobs(argument: _cairn_admin_v1_ListRecurringJobsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_cairn_admin_v1_ListRecurringJobsResponse__Output>): grpc.ClientUnaryCall;
  ListRecurringJobs(argument: _cairn_admin_v1_ListRecurringJobsRequest, callback: grpc.requestCallback<_cairn_admin_v1_ListRecurringJobsResponse__Output>): grpc.ClientUnaryCall;
  listRecurringJobs(argument: _cairn_admin_v1_ListRecurringJobsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_cairn_admin_v1_ListRecurringJobsResponse__Output>): grpc.ClientUnaryCall;
  listRecurringJobs(argument: _cairn_admin_v1_ListRecurringJobsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_cairn_admin_v1_ListRecurringJobsResponse__Output>): grpc.ClientUnaryCall;
  listRecurringJobs(argument: _cairn_admin_v1_ListRecurringJobsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_cairn_admin_v1_ListRecurringJobsResponse__Output>): grpc.ClientUnaryCall;
  listRecurringJobs(argument: _cairn_admin_v1_ListRecurringJobsRequest, callback: grpc.requestCallback<_cairn_admin_v1_ListRecurringJobsResponse__Output>): grpc.ClientUnaryCall;
  
  ListSnapshots(argument: _cairn_admin_v1_VolumeRef, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_cairn_admin_v1_ListSnapshotsResponse__Output>): grpc.ClientUnaryCall;
  ListSnapshots(argument: _cairn_admin_v1_VolumeRef, metadata: grpc.Metadata, callback: grpc.requestCallback<_cairn_admin_v1_ListSnapshotsResponse__Output>): grpc.ClientUnaryCall;
  ListSnapshots(argument: _cairn_admin_v1_VolumeRef, options: grpc.CallOptions, callback: grpc.requestCallback<_cairn_admin_v1_ListSnapshotsResponse__Output>): grpc.ClientUnaryCall;
  ListSnapshots(argument: _cairn_admin_v1_VolumeRef, callback: grpc.requestCallback<_cairn_admin_v1_ListSnapshotsResponse__Output>): grpc.ClientUnaryCall;
  listSnapshots(argument: _cairn_admin_v1_VolumeRef, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_cairn_admin_v1_ListSnapshotsResponse__Output>): grpc.ClientUnaryCall;
  listSnapshots(argument: _cairn_admin_v1_VolumeRef, metadata: grpc.Metadata, callback: grpc.requestCallback<_cairn_admin_v1_ListSnapshotsResponse__Output>): grpc.ClientUnaryCall;
  listSnapshots(argument: _cairn_admin_v1_VolumeRef, options: grpc.CallOptions, callback: grpc.requestCallback<_cairn_admin_v1_ListSnapshotsResponse__Output>): grpc.ClientUnaryCall;
  listSnapshots(argument: _cairn_admin_v1_VolumeRef, callback: grpc.requestCallback<_cairn_admin_v1_ListSnapshotsResponse__Output>): grpc.ClientUnaryCall;
  
  ListVolumes(argument: _cairn_admin_v1_ListVolumesRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_cairn_admin_v1_ListVolumesResponse__Output>): grpc.ClientUnaryCall;
  ListVolumes(argument: _cairn_admin_v1_ListVolumesRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_cairn_admin_v1_ListVolumesResponse__Output>): grpc.ClientUnaryCall;
  ListVolumes(argument: _cairn_admin_v1_ListVolumesRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_cairn_admin_v1_ListVolumesResponse__Output>): grpc.ClientUnaryCall;
  ListVolumes(argument: _cairn_admin_v1_ListVolumesRequest, callback: grpc.requestCallback<_cairn_admin_v1_ListVolumesResponse__Output>): grpc.ClientUnaryCall;
  listVolumes(argument: _cairn_admin_v1_ListVolumesRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_cairn_admin_v1_ListVolumesResponse__Output>): grpc.ClientUnaryCall;
  listVolumes(argument: _cairn_admin_v1_ListVolumesRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_cairn_admin_v1_ListVolumesResponse__Output>): grpc.ClientUnaryCall;
  listVolumes(argument: _cairn_admin_v1_ListVolumesRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_cairn_admin_v1_ListVolumesResponse__Output>): grpc.ClientUnaryCall;
  listVolumes(argument: _cairn_admin_v1_ListVolumesRequest, callback: grpc.requestCallback<_cairn_admin_v1_ListVolumesResponse__Output>): grpc.ClientUnaryCall;
  
  RemoveDisk(argument: _cairn_admin_v1_DiskRef, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_cairn_admin_v1_DeleteResponse__Output>): grpc.ClientUnaryCall;
  RemoveDisk(argument: _cairn_admin_v1_DiskRef, metadata: grpc.Metadata, callback: grpc.requestCallback<_cairn_admin_v1_DeleteResponse__Output>): grpc.ClientUnaryCall;
  RemoveDisk(argument: _cairn_admin_v1_DiskRef, options: grpc.CallOptions, callback: grpc.requestCallback<_cairn_admin_v1_DeleteResponse__Output>): grpc.ClientUnaryCall;
  RemoveDisk(argument: _cairn_admin_v1_DiskRef, callback: grpc.requestCallback<_cairn_admin_v1_DeleteResponse__Output>): grpc.ClientUnaryCall;
  removeDisk(argument: _cairn_admin_v1_DiskRef, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_cairn_admin_v1_DeleteResponse__Output>): grpc.ClientUnaryCall;
  removeDisk(argument: _cairn_admin_v1_DiskRef, metadata: grpc.Metadata, callback: grpc.requestCallback<_cairn_admin_v1_DeleteResponse__Output>): grpc.ClientUnaryCall;
  removeDisk(argument: _cairn_admin_v1_DiskRef, options: grpc.CallOptions, callback: grpc.requestCallback<_cairn_admin_v1_DeleteResponse__Output>): grpc.ClientUnaryCall;
  removeDisk(argument: _cairn_admin_v1_DiskRef, callback: grpc.requestCallback<_cairn_admin_v1_DeleteResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Brings a faulted volume (every replica failed) back from the replicas with the newest data,
   * or from the one named; NOT_FOUND for an unknown volume, INVALID_ARGUMENT for a replica not
   * of this volume, FAILED_PRECONDITION when the volume is not faulted or the replica cannot be
   * salvaged (rebuilding, or no figures from its node).
   */
  SalvageVolume(argument: _cairn_admin_v1_SalvageVolumeRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_cairn_admin_v1_Volume__Output>): grpc.ClientUnaryCall;
  SalvageVolume(argument: _cairn_admin_v1_SalvageVolumeRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_cairn_admin_v1_Volume__Output>): grpc.ClientUnaryCall;
  SalvageVolume(argument: _cairn_admin_v1_SalvageVolumeRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_cairn_admin_v1_Volume__Output>): grpc.ClientUnaryCall;
  SalvageVolume(argument: _cairn_admin_v1_SalvageVolumeRequest, callback: grpc.requestCallback<_cairn_admin_v1_Volume__Output>): grpc.ClientUnaryCall;
  /**
   * Brings a faulted volume (every replica failed) back from the replicas with the newest data,
   * or from the one named; NOT_FOUND for an unknown volume, INVALID_ARGUMENT for a replica not
   * of this volume, FAILED_PRECONDITION when the volume is not faulted or the replica cannot be
   * salvaged (rebuilding, or no figures from its node).
   */
  salvageVolume(argument: _cairn_admin_v1_SalvageVolumeRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_cairn_admin_v1_Volume__Output>): grpc.ClientUnaryCall;
  salvageVolume(argument: _cairn_admin_v1_SalvageVolumeRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_cairn_admin_v1_Volume__Output>): grpc.ClientUnaryCall;
  salvageVolume(argument: _cairn_admin_v1_SalvageVolumeRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_cairn_admin_v1_Volume__Output>): grpc.ClientUnaryCall;
  salvageVolume(argument: _cairn_admin_v1_SalvageVolumeRequest, callback: grpc.requestCallback<_cairn_admin_v1_Volume__Output>): grpc.ClientUnaryCall;
  
  /**
   * ---- backups ----
   * The backup target (s3://BUCKET@REGION/PATH or file:///PATH) and its credentials; a bad URL
   * is INVALID_ARGUMENT naming what is wrong, and nothing changes.
   */
  SetBackupTarget(argument: _cairn_admin_v1_SetBackupTargetRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_cairn_admin_v1_BackupTarget__Output>): grpc.ClientUnaryCall;
  SetBackupTarget(argument: _cairn_admin_v1_SetBackupTargetRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_cairn_admin_v1_BackupTarget__Output>): grpc.ClientUnaryCall;
  SetBackupTarget(argument: _cairn_admin_v1_SetBackupTargetRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_cairn_admin_v1_BackupTarget__Output>): grpc.ClientUnaryCall;
  SetBackupTarget(argument: _cairn_admin_v1_SetBackupTargetRequest, callback: grpc.requestCallback<_cairn_admin_v1_BackupTarget__Output>): grpc.ClientUnaryCall;
  /**
   * ---- backups ----
   * The backup target (s3://BUCKET@REGION/PATH or file:///PATH) and its credentials; a bad URL
   * is INVALID_ARGUMENT naming what is wrong, and nothing changes.
   */
  setBackupTarget(argument: _cairn_admin_v1_SetBackupTargetRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_cairn_admin_v1_BackupTarget__Output>): grpc.ClientUnaryCall;
  setBackupTarget(argument: _cairn_admin_v1_SetBackupTargetRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_cairn_admin_v1_BackupTarget__Output>): grpc.ClientUnaryCall;
  setBackupTarget(argument: _cairn_admin_v1_SetBackupTargetRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_cairn_admin_v1_BackupTarget__Output>): grpc.ClientUnaryCall;
  setBackupTarget(argument: _cairn_admin_v1_SetBackupTargetRequest, callback: grpc.requestCallback<_cairn_admin_v1_BackupTarget__Output>): grpc.ClientUnaryCall;
  
  UpdateDisk(argument: _cairn_admin_v1_UpdateDiskRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_cairn_admin_v1_Disk__Output>): grpc.ClientUnaryCall;
  UpdateDisk(argument: _cairn_admin_v1_UpdateDiskRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_cairn_admin_v1_Disk__Output>): grpc.ClientUnaryCall;
  UpdateDisk(argument: _cairn_admin_v1_UpdateDiskRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_cairn_admin_v1_Disk__Output>): grpc.ClientUnaryCall;
  UpdateDisk(argument: _cairn_admin_v1_UpdateDiskRequest, callback: grpc.requestCallback<_cairn_admin_v1_Disk__Output>): grpc.ClientUnaryCall;
  updateDisk(argument: _cairn_admin_v1_UpdateDiskRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_cairn_admin_v1_Disk__Output>): grpc.ClientUnaryCall;
  updateDisk(argument: _cairn_admin_v1_UpdateDiskRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_cairn_admin_v1_Disk__Output>): grpc.ClientUnaryCall;
  updateDisk(argument: _cairn_admin_v1_UpdateDiskRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_cairn_admin_v1_Disk__Output>): grpc.ClientUnaryCall;
  updateDisk(argument: _cairn_admin_v1_UpdateDiskRequest, callback: grpc.requestCallback<_cairn_admin_v1_Disk__Output>): grpc.ClientUnaryCall;
  
  UpdateNode(argument: _cairn_admin_v1_UpdateNodeRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_cairn_admin_v1_Node__Output>): grpc.ClientUnaryCall;
  UpdateNode(argument: _cairn_admin_v1_UpdateNodeRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_cairn_admin_v1_Node__Output>): grpc.ClientUnaryCall;
  UpdateNode(argument: _cairn_admin_v1_UpdateNodeRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_cairn_admin_v1_Node__Output>): grpc.ClientUnaryCall;
  UpdateNode(argument: _cairn_admin_v1_UpdateNodeRequest, callback: grpc.requestCallback<_cairn_admin_v1_Node__Output>): grpc.ClientUnaryCall;
  updateNode(argument: _cairn_admin_v1_UpdateNodeRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_cairn_admin_v1_Node__Output>): grpc.ClientUnaryCall;
  updateNode(argument: _cairn_admin_v1_UpdateNodeRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_cairn_admin_v1_Node__Output>): grpc.ClientUnaryCall;
  updateNode(argument: _cairn_admin_v1_UpdateNodeRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_cairn_admin_v1_Node__Output>): grpc.ClientUnaryCall;
  updateNode(argument: _cairn_admin_v1_UpdateNodeRequest, callback: grpc.requestCallback<_cairn_admin_v1_Node__Output>): grpc.ClientUnaryCall;
  
  UpdateRecurringJob(argument: _cairn_admin_v1_UpdateRecurringJobRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_cairn_admin_v1_RecurringJob__Output>): grpc.ClientUnaryCall;
  UpdateRecurringJob(argument: _cairn_admin_v1_UpdateRecurringJobRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_cairn_admin_v1_RecurringJob__Output>): grpc.ClientUnaryCall;
  UpdateRecurringJob(argument: _cairn_admin_v1_UpdateRecurringJobRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_cairn_admin_v1_RecurringJob__Output>): grpc.ClientUnaryCall;
  UpdateRecurringJob(argument: _cairn_admin_v1_UpdateRecurringJobRequest, callback: grpc.requestCallback<_cairn_admin_v1_RecurringJob__Output>): grpc.ClientUnaryCall;
  updateRecurringJob(argument: _cairn_admin_v1_UpdateRecurringJobRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_cairn_admin_v1_RecurringJob__Output>): grpc.ClientUnaryCall;
  updateRecurringJob(argument: _cairn_admin_v1_UpdateRecurringJobRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_cairn_admin_v1_RecurringJob__Output>): grpc.ClientUnaryCall;
  updateRecurringJob(argument: _cairn_admin_v1_UpdateRecurringJobRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_cairn_admin_v1_RecurringJob__Output>): grpc.ClientUnaryCall;
  updateRecurringJob(argument: _cairn_admin_v1_UpdateRecurringJobRequest, callback: grpc.requestCallback<_cairn_admin_v1_RecurringJob__Output>): grpc.ClientUnaryCall;
  
  UpdateSettings(argument: _cairn_admin_v1_UpdateSettingsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_cairn_admin_v1_SettingsResponse__Output>): grpc.ClientUnaryCall;
  UpdateSettings(argument: _cairn_admin_v1_UpdateSettingsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_cairn_admin_v1_SettingsResponse__Output>): grpc.ClientUnaryCall;
  UpdateSettings(argument: _cairn_admin_v1_UpdateSettingsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_cairn_admin_v1_SettingsResponse__Output>): grpc.ClientUnaryCall;
  UpdateSettings(argument: _cairn_admin_v1_UpdateSettingsRequest, callback: grpc.requestCallback<_cairn_admin_v1_SettingsResponse__Output>): grpc.ClientUnaryCall;
  updateSettings(argument: _cairn_admin_v1_UpdateSettingsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_cairn_admin_v1_SettingsResponse__Output>): grpc.ClientUnaryCall;
  updateSettings(argument: _cairn_admin_v1_UpdateSettingsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_cairn_admin_v1_SettingsResponse__Output>): grpc.ClientUnaryCall;
  updateSettings(argument: _cairn_admin_v1_UpdateSettingsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_cairn_admin_v1_SettingsResponse__Output>): grpc.ClientUnaryCall;
  updateSettings(argument: _cairn_admin_v1_UpdateSettingsRequest, callback: grpc.requestCallback<_cairn_admin_v1_SettingsResponse__Output>): grpc.ClientUnaryCall;
  
  UpdateVolume(argument: _cairn_admin_v1_UpdateVolumeRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_cairn_admin_v1_Volume__Output>): grpc.ClientUnaryCall;
  UpdateVolume(argument: _cairn_admin_v1_UpdateVolumeRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_cairn_admin_v1_Volume__Output>): grpc.ClientUnaryCall;
  UpdateVolume(argument: _cairn_admin_v1_UpdateVolumeRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_cairn_admin_v1_Volume__Output>): grpc.ClientUnaryCall;
  UpdateVolume(argument: _cairn_admin_v1_UpdateVolumeRequest, callback: grpc.requestCallback<_cairn_admin_v1_Volume__Output>): grpc.ClientUnaryCall;
  updateVolume(argument: _cairn_admin_v1_UpdateVolumeRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_cairn_admin_v1_Volume__Output>): grpc.ClientUnaryCall;
  updateVolume(argument: _cairn_admin_v1_UpdateVolumeRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_cairn_admin_v1_Volume__Output>): grpc.ClientUnaryCall;
  updateVolume(argument: _cairn_admin_v1_UpdateVolumeRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_cairn_admin_v1_Volume__Output>): grpc.ClientUnaryCall;
  updateVolume(argument: _cairn_admin_v1_UpdateVolumeRequest, callback: grpc.requestCallback<_cairn_admin_v1_Volume__Output>): grpc.ClientUnaryCall;
  
  Verify(argument: _cairn_admin_v1_VerifyRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_cairn_admin_v1_VerifyResponse__Output>): grpc.ClientUnaryCall;
  Verify(argument: _cairn_admin_v1_VerifyRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_cairn_admin_v1_VerifyResponse__Output>): grpc.ClientUnaryCall;
  Verify(argument: _cairn_admin_v1_VerifyRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_cairn_admin_v1_VerifyResponse__Output>): grpc.ClientUnaryCall;
  Verify(argument: _cairn_admin_v1_VerifyRequest, callback: grpc.requestCallback<_cairn_admin_v1_VerifyResponse__Output>): grpc.ClientUnaryCall;
  verify(argument: _cairn_admin_v1_VerifyRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_cairn_admin_v1_VerifyResponse__Output>): grpc.ClientUnaryCall;
  verify(argument: _cairn_admin_v1_VerifyRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_cairn_admin_v1_VerifyResponse__Output>): grpc.ClientUnaryCall;
  verify(argument: _cairn_admin_v1_VerifyRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_cairn_admin_v1_VerifyResponse__Output>): grpc.ClientUnaryCall;
  verify(argument: _cairn_admin_v1_VerifyRequest, callback: grpc.requestCallback<_cairn_admin_v1_VerifyResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * The log: every event from a seq, following live when asked.
   */
  WatchEvents(argument: _cairn_admin_v1_WatchEventsRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_cairn_events_v1_EventEnvelope__Output>;
  WatchEvents(argument: _cairn_admin_v1_WatchEventsRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_cairn_events_v1_EventEnvelope__Output>;
  /**
   * The log: every event from a seq, following live when asked.
   */
  watchEvents(argument: _cairn_admin_v1_WatchEventsRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_cairn_events_v1_EventEnvelope__Output>;
  watchEvents(argument: _cairn_admin_v1_WatchEventsRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_cairn_events_v1_EventEnvelope__Output>;
  
}

export interface AdminHandlers extends grpc.UntypedServiceImplementation {
  /**
   * ---- restore ----
   * A standby (DR) volume restores the newest backup of its source, then becomes a normal volume.
   */
  ActivateVolume: grpc.handleUnaryCall<_cairn_admin_v1_VolumeRef__Output, _cairn_admin_v1_Volume>;
  
  AddDisk: grpc.handleUnaryCall<_cairn_admin_v1_AddDiskRequest__Output, _cairn_admin_v1_Disk>;
  
  AttachVolume: grpc.handleUnaryCall<_cairn_admin_v1_AttachVolumeRequest__Output, _cairn_admin_v1_Volume>;
  
  /**
   * Audit: the state at a past seq or time; why a volume's replicas are where they are; a replay
   * from seq 1 compared with the live state.
   */
  AuditState: grpc.handleUnaryCall<_cairn_admin_v1_AuditStateRequest__Output, _cairn_admin_v1_AuditStateResponse>;
  
  /**
   * Backs up a snapshot of a volume (a new snapshot when none is named); returns it pending.
   */
  CreateBackup: grpc.handleUnaryCall<_cairn_admin_v1_CreateBackupRequest__Output, _cairn_admin_v1_Backup>;
  
  /**
   * ---- recurring jobs ----
   * Create is idempotent by name (the same spec again returns the job; another spec under a taken
   * name is ALREADY_EXISTS). A cron expression that does not parse is INVALID_ARGUMENT naming it.
   */
  CreateRecurringJob: grpc.handleUnaryCall<_cairn_admin_v1_RecurringJob__Output, _cairn_admin_v1_RecurringJob>;
  
  /**
   * Snapshots.
   */
  CreateSnapshot: grpc.handleUnaryCall<_cairn_admin_v1_CreateSnapshotRequest__Output, _cairn_admin_v1_Snapshot>;
  
  /**
   * Volumes. Create is idempotent by name: the same parameters again return the volume; other
   * parameters under a taken name are ALREADY_EXISTS.
   */
  CreateVolume: grpc.handleUnaryCall<_cairn_admin_v1_CreateVolumeRequest__Output, _cairn_admin_v1_Volume>;
  
  DeleteBackup: grpc.handleUnaryCall<_cairn_admin_v1_BackupRef__Output, _cairn_admin_v1_DeleteBackupResponse>;
  
  DeleteRecurringJob: grpc.handleUnaryCall<_cairn_admin_v1_RecurringJobRef__Output, _cairn_admin_v1_DeleteResponse>;
  
  DeleteSnapshot: grpc.handleUnaryCall<_cairn_admin_v1_SnapshotRef__Output, _cairn_admin_v1_DeleteResponse>;
  
  DeleteVolume: grpc.handleUnaryCall<_cairn_admin_v1_VolumeRef__Output, _cairn_admin_v1_DeleteResponse>;
  
  /**
   * Detaching a volume attached only for an offline rebuild (not by a user) is a no-op success.
   */
  DetachVolume: grpc.handleUnaryCall<_cairn_admin_v1_VolumeRef__Output, _cairn_admin_v1_Volume>;
  
  ExpandVolume: grpc.handleUnaryCall<_cairn_admin_v1_ExpandVolumeRequest__Output, _cairn_admin_v1_Volume>;
  
  ExplainVolume: grpc.handleUnaryCall<_cairn_admin_v1_VolumeRef__Output, _cairn_admin_v1_ExplainVolumeResponse>;
  
  GetBackup: grpc.handleUnaryCall<_cairn_admin_v1_BackupRef__Output, _cairn_admin_v1_Backup>;
  
  GetBackupTarget: grpc.handleUnaryCall<_cairn_admin_v1_GetBackupTargetRequest__Output, _cairn_admin_v1_BackupTarget>;
  
  /**
   * Which manager serves this call, and which leads.
   */
  GetClusterInfo: grpc.handleUnaryCall<_cairn_admin_v1_GetClusterInfoRequest__Output, _cairn_admin_v1_ClusterInfo>;
  
  GetRecurringJob: grpc.handleUnaryCall<_cairn_admin_v1_RecurringJobRef__Output, _cairn_admin_v1_RecurringJob>;
  
  /**
   * Settings, with Longhorn's names.
   */
  GetSettings: grpc.handleUnaryCall<_cairn_admin_v1_GetSettingsRequest__Output, _cairn_admin_v1_SettingsResponse>;
  
  GetVolume: grpc.handleUnaryCall<_cairn_admin_v1_VolumeRef__Output, _cairn_admin_v1_Volume>;
  
  /**
   * The target's backups (of one volume, or all) and those pending, running or failed.
   */
  ListBackups: grpc.handleUnaryCall<_cairn_admin_v1_ListBackupsRequest__Output, _cairn_admin_v1_ListBackupsResponse>;
  
  /**
   * Nodes and disks.
   */
  ListNodes: grpc.handleUnaryCall<_cairn_admin_v1_ListNodesRequest__Output, _cairn_admin_v1_ListNodesResponse>;
  
  ListRecurringJobs: grpc.handleUnaryCall<_cairn_admin_v1_ListRecurringJobsRequest__Output, _cairn_admin_v1_ListRecurringJobsResponse>;
  
  ListSnapshots: grpc.handleUnaryCall<_cairn_admin_v1_VolumeRef__Output, _cairn_admin_v1_ListSnapshotsResponse>;
  
  ListVolumes: grpc.handleUnaryCall<_cairn_admin_v1_ListVolumesRequest__Output, _cairn_admin_v1_ListVolumesResponse>;
  
  RemoveDisk: grpc.handleUnaryCall<_cairn_admin_v1_DiskRef__Output, _cairn_admin_v1_DeleteResponse>;
  
  /**
   * Brings a faulted volume (every replica failed) back from the replicas with the newest data,
   * or from the one named; NOT_FOUND for an unknown volume, INVALID_ARGUMENT for a replica not
   * of this volume, FAILED_PRECONDITION when the volume is not faulted or the replica cannot be
   * salvaged (rebuilding, or no figures from its node).
   */
  SalvageVolume: grpc.handleUnaryCall<_cairn_admin_v1_SalvageVolumeRequest__Output, _cairn_admin_v1_Volume>;
  
  /**
   * ---- backups ----
   * The backup target (s3://BUCKET@REGION/PATH or file:///PATH) and its credentials; a bad URL
   * is INVALID_ARGUMENT naming what is wrong, and nothing changes.
   */
  SetBackupTarget: grpc.handleUnaryCall<_cairn_admin_v1_SetBackupTargetRequest__Output, _cairn_admin_v1_BackupTarget>;
  
  UpdateDisk: grpc.handleUnaryCall<_cairn_admin_v1_UpdateDiskRequest__Output, _cairn_admin_v1_Disk>;
  
  UpdateNode: grpc.handleUnaryCall<_cairn_admin_v1_UpdateNodeRequest__Output, _cairn_admin_v1_Node>;
  
  UpdateRecurringJob: grpc.handleUnaryCall<_cairn_admin_v1_UpdateRecurringJobRequest__Output, _cairn_admin_v1_RecurringJob>;
  
  UpdateSettings: grpc.handleUnaryCall<_cairn_admin_v1_UpdateSettingsRequest__Output, _cairn_admin_v1_SettingsResponse>;
  
  UpdateVolume: grpc.handleUnaryCall<_cairn_admin_v1_UpdateVolumeRequest__Output, _cairn_admin_v1_Volume>;
  
  Verify: grpc.handleUnaryCall<_cairn_admin_v1_VerifyRequest__Output, _cairn_admin_v1_VerifyResponse>;
  
  /**
   * The log: every event from a seq, following live when asked.
   */
  WatchEvents: grpc.handleServerStreamingCall<_cairn_admin_v1_WatchEventsRequest__Output, _cairn_events_v1_EventEnvelope>;
  
}

export interface AdminDefinition extends grpc.ServiceDefinition {
  ActivateVolume: MethodDefinition<_cairn_admin_v1_VolumeRef, _cairn_admin_v1_Volume, _cairn_admin_v1_VolumeRef__Output, _cairn_admin_v1_Volume__Output>
  AddDisk: MethodDefinition<_cairn_admin_v1_AddDiskRequest, _cairn_admin_v1_Disk, _cairn_admin_v1_AddDiskRequest__Output, _cairn_admin_v1_Disk__Output>
  AttachVolume: MethodDefinition<_cairn_admin_v1_AttachVolumeRequest, _cairn_admin_v1_Volume, _cairn_admin_v1_AttachVolumeRequest__Output, _cairn_admin_v1_Volume__Output>
  AuditState: MethodDefinition<_cairn_admin_v1_AuditStateRequest, _cairn_admin_v1_AuditStateResponse, _cairn_admin_v1_AuditStateRequest__Output, _cairn_admin_v1_AuditStateResponse__Output>
  CreateBackup: MethodDefinition<_cairn_admin_v1_CreateBackupRequest, _cairn_admin_v1_Backup, _cairn_admin_v1_CreateBackupRequest__Output, _cairn_admin_v1_Backup__Output>
  CreateRecurringJob: MethodDefinition<_cairn_admin_v1_RecurringJob, _cairn_admin_v1_RecurringJob, _cairn_admin_v1_RecurringJob__Output, _cairn_admin_v1_RecurringJob__Output>
  CreateSnapshot: MethodDefinition<_cairn_admin_v1_CreateSnapshotRequest, _cairn_admin_v1_Snapshot, _cairn_admin_v1_CreateSnapshotRequest__Output, _cairn_admin_v1_Snapshot__Output>
  CreateVolume: MethodDefinition<_cairn_admin_v1_CreateVolumeRequest, _cairn_admin_v1_Volume, _cairn_admin_v1_CreateVolumeRequest__Output, _cairn_admin_v1_Volume__Output>
  DeleteBackup: MethodDefinition<_cairn_admin_v1_BackupRef, _cairn_admin_v1_DeleteBackupResponse, _cairn_admin_v1_BackupRef__Output, _cairn_admin_v1_DeleteBackupResponse__Output>
  DeleteRecurringJob: MethodDefinition<_cairn_admin_v1_RecurringJobRef, _cairn_admin_v1_DeleteResponse, _cairn_admin_v1_RecurringJobRef__Output, _cairn_admin_v1_DeleteResponse__Output>
  DeleteSnapshot: MethodDefinition<_cairn_admin_v1_SnapshotRef, _cairn_admin_v1_DeleteResponse, _cairn_admin_v1_SnapshotRef__Output, _cairn_admin_v1_DeleteResponse__Output>
  DeleteVolume: MethodDefinition<_cairn_admin_v1_VolumeRef, _cairn_admin_v1_DeleteResponse, _cairn_admin_v1_VolumeRef__Output, _cairn_admin_v1_DeleteResponse__Output>
  DetachVolume: MethodDefinition<_cairn_admin_v1_VolumeRef, _cairn_admin_v1_Volume, _cairn_admin_v1_VolumeRef__Output, _cairn_admin_v1_Volume__Output>
  ExpandVolume: MethodDefinition<_cairn_admin_v1_ExpandVolumeRequest, _cairn_admin_v1_Volume, _cairn_admin_v1_ExpandVolumeRequest__Output, _cairn_admin_v1_Volume__Output>
  ExplainVolume: MethodDefinition<_cairn_admin_v1_VolumeRef, _cairn_admin_v1_ExplainVolumeResponse, _cairn_admin_v1_VolumeRef__Output, _cairn_admin_v1_ExplainVolumeResponse__Output>
  GetBackup: MethodDefinition<_cairn_admin_v1_BackupRef, _cairn_admin_v1_Backup, _cairn_admin_v1_BackupRef__Output, _cairn_admin_v1_Backup__Output>
  GetBackupTarget: MethodDefinition<_cairn_admin_v1_GetBackupTargetRequest, _cairn_admin_v1_BackupTarget, _cairn_admin_v1_GetBackupTargetRequest__Output, _cairn_admin_v1_BackupTarget__Output>
  GetClusterInfo: MethodDefinition<_cairn_admin_v1_GetClusterInfoRequest, _cairn_admin_v1_ClusterInfo, _cairn_admin_v1_GetClusterInfoRequest__Output, _cairn_admin_v1_ClusterInfo__Output>
  GetRecurringJob: MethodDefinition<_cairn_admin_v1_RecurringJobRef, _cairn_admin_v1_RecurringJob, _cairn_admin_v1_RecurringJobRef__Output, _cairn_admin_v1_RecurringJob__Output>
  GetSettings: MethodDefinition<_cairn_admin_v1_GetSettingsRequest, _cairn_admin_v1_SettingsResponse, _cairn_admin_v1_GetSettingsRequest__Output, _cairn_admin_v1_SettingsResponse__Output>
  GetVolume: MethodDefinition<_cairn_admin_v1_VolumeRef, _cairn_admin_v1_Volume, _cairn_admin_v1_VolumeRef__Output, _cairn_admin_v1_Volume__Output>
  ListBackups: MethodDefinition<_cairn_admin_v1_ListBackupsRequest, _cairn_admin_v1_ListBackupsResponse, _cairn_admin_v1_ListBackupsRequest__Output, _cairn_admin_v1_ListBackupsResponse__Output>
  ListNodes: MethodDefinition<_cairn_admin_v1_ListNodesRequest, _cairn_admin_v1_ListNodesResponse, _cairn_admin_v1_ListNodesRequest__Output, _cairn_admin_v1_ListNodesResponse__Output>
  ListRecurringJobs: MethodDefinition<_cairn_admin_v1_ListRecurringJobsRequest, _cairn_admin_v1_ListRecurringJobsResponse, _cairn_admin_v1_ListRecurringJobsRequest__Output, _cairn_admin_v1_ListRecurringJobsResponse__Output>
  ListSnapshots: MethodDefinition<_cairn_admin_v1_VolumeRef, _cairn_admin_v1_ListSnapshotsResponse, _cairn_admin_v1_VolumeRef__Output, _cairn_admin_v1_ListSnapshotsResponse__Output>
  ListVolumes: MethodDefinition<_cairn_admin_v1_ListVolumesRequest, _cairn_admin_v1_ListVolumesResponse, _cairn_admin_v1_ListVolumesRequest__Output, _cairn_admin_v1_ListVolumesResponse__Output>
  RemoveDisk: MethodDefinition<_cairn_admin_v1_DiskRef, _cairn_admin_v1_DeleteResponse, _cairn_admin_v1_DiskRef__Output, _cairn_admin_v1_DeleteResponse__Output>
  SalvageVolume: MethodDefinition<_cairn_admin_v1_SalvageVolumeRequest, _cairn_admin_v1_Volume, _cairn_admin_v1_SalvageVolumeRequest__Output, _cairn_admin_v1_Volume__Output>
  SetBackupTarget: MethodDefinition<_cairn_admin_v1_SetBackupTargetRequest, _cairn_admin_v1_BackupTarget, _cairn_admin_v1_SetBackupTargetRequest__Output, _cairn_admin_v1_BackupTarget__Output>
  UpdateDisk: MethodDefinition<_cairn_admin_v1_UpdateDiskRequest, _cairn_admin_v1_Disk, _cairn_admin_v1_UpdateDiskRequest__Output, _cairn_admin_v1_Disk__Output>
  UpdateNode: MethodDefinition<_cairn_admin_v1_UpdateNodeRequest, _cairn_admin_v1_Node, _cairn_admin_v1_UpdateNodeRequest__Output, _cairn_admin_v1_Node__Output>
  UpdateRecurringJob: MethodDefinition<_cairn_admin_v1_UpdateRecurringJobRequest, _cairn_admin_v1_RecurringJob, _cairn_admin_v1_UpdateRecurringJobRequest__Output, _cairn_admin_v1_RecurringJob__Output>
  UpdateSettings: MethodDefinition<_cairn_admin_v1_UpdateSettingsRequest, _cairn_admin_v1_SettingsResponse, _cairn_admin_v1_UpdateSettingsRequest__Output, _cairn_admin_v1_SettingsResponse__Output>
  UpdateVolume: MethodDefinition<_cairn_admin_v1_UpdateVolumeRequest, _cairn_admin_v1_Volume, _cairn_admin_v1_UpdateVolumeRequest__Output, _cairn_admin_v1_Volume__Output>
  Verify: MethodDefinition<_cairn_admin_v1_VerifyRequest, _cairn_admin_v1_VerifyResponse, _cairn_admin_v1_VerifyRequest__Output, _cairn_admin_v1_VerifyResponse__Output>
  WatchEvents: MethodDefinition<_cairn_admin_v1_WatchEventsRequest, _cairn_events_v1_EventEnvelope, _cairn_admin_v1_WatchEventsRequest__Output, _cairn_events_v1_EventEnvelope__Output>
}
