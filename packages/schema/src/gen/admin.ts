import type * as grpc from '@grpc/grpc-js';
import type { EnumTypeDefinition, MessageTypeDefinition } from '@grpc/proto-loader';

import type { AddDiskRequest as _cairn_admin_v1_AddDiskRequest, AddDiskRequest__Output as _cairn_admin_v1_AddDiskRequest__Output } from './cairn/admin/v1/AddDiskRequest.js';
import type { AdminClient as _cairn_admin_v1_AdminClient, AdminDefinition as _cairn_admin_v1_AdminDefinition } from './cairn/admin/v1/Admin.js';
import type { AttachVolumeRequest as _cairn_admin_v1_AttachVolumeRequest, AttachVolumeRequest__Output as _cairn_admin_v1_AttachVolumeRequest__Output } from './cairn/admin/v1/AttachVolumeRequest.js';
import type { AuditStateRequest as _cairn_admin_v1_AuditStateRequest, AuditStateRequest__Output as _cairn_admin_v1_AuditStateRequest__Output } from './cairn/admin/v1/AuditStateRequest.js';
import type { AuditStateResponse as _cairn_admin_v1_AuditStateResponse, AuditStateResponse__Output as _cairn_admin_v1_AuditStateResponse__Output } from './cairn/admin/v1/AuditStateResponse.js';
import type { Backup as _cairn_admin_v1_Backup, Backup__Output as _cairn_admin_v1_Backup__Output } from './cairn/admin/v1/Backup.js';
import type { BackupRef as _cairn_admin_v1_BackupRef, BackupRef__Output as _cairn_admin_v1_BackupRef__Output } from './cairn/admin/v1/BackupRef.js';
import type { BackupTarget as _cairn_admin_v1_BackupTarget, BackupTarget__Output as _cairn_admin_v1_BackupTarget__Output } from './cairn/admin/v1/BackupTarget.js';
import type { ClusterInfo as _cairn_admin_v1_ClusterInfo, ClusterInfo__Output as _cairn_admin_v1_ClusterInfo__Output } from './cairn/admin/v1/ClusterInfo.js';
import type { CreateBackupRequest as _cairn_admin_v1_CreateBackupRequest, CreateBackupRequest__Output as _cairn_admin_v1_CreateBackupRequest__Output } from './cairn/admin/v1/CreateBackupRequest.js';
import type { CreateSnapshotRequest as _cairn_admin_v1_CreateSnapshotRequest, CreateSnapshotRequest__Output as _cairn_admin_v1_CreateSnapshotRequest__Output } from './cairn/admin/v1/CreateSnapshotRequest.js';
import type { CreateVolumeRequest as _cairn_admin_v1_CreateVolumeRequest, CreateVolumeRequest__Output as _cairn_admin_v1_CreateVolumeRequest__Output } from './cairn/admin/v1/CreateVolumeRequest.js';
import type { DeleteBackupResponse as _cairn_admin_v1_DeleteBackupResponse, DeleteBackupResponse__Output as _cairn_admin_v1_DeleteBackupResponse__Output } from './cairn/admin/v1/DeleteBackupResponse.js';
import type { DeleteResponse as _cairn_admin_v1_DeleteResponse, DeleteResponse__Output as _cairn_admin_v1_DeleteResponse__Output } from './cairn/admin/v1/DeleteResponse.js';
import type { Disk as _cairn_admin_v1_Disk, Disk__Output as _cairn_admin_v1_Disk__Output } from './cairn/admin/v1/Disk.js';
import type { DiskRef as _cairn_admin_v1_DiskRef, DiskRef__Output as _cairn_admin_v1_DiskRef__Output } from './cairn/admin/v1/DiskRef.js';
import type { ExpandVolumeRequest as _cairn_admin_v1_ExpandVolumeRequest, ExpandVolumeRequest__Output as _cairn_admin_v1_ExpandVolumeRequest__Output } from './cairn/admin/v1/ExpandVolumeRequest.js';
import type { ExplainVolumeResponse as _cairn_admin_v1_ExplainVolumeResponse, ExplainVolumeResponse__Output as _cairn_admin_v1_ExplainVolumeResponse__Output } from './cairn/admin/v1/ExplainVolumeResponse.js';
import type { Explanation as _cairn_admin_v1_Explanation, Explanation__Output as _cairn_admin_v1_Explanation__Output } from './cairn/admin/v1/Explanation.js';
import type { GetBackupTargetRequest as _cairn_admin_v1_GetBackupTargetRequest, GetBackupTargetRequest__Output as _cairn_admin_v1_GetBackupTargetRequest__Output } from './cairn/admin/v1/GetBackupTargetRequest.js';
import type { GetClusterInfoRequest as _cairn_admin_v1_GetClusterInfoRequest, GetClusterInfoRequest__Output as _cairn_admin_v1_GetClusterInfoRequest__Output } from './cairn/admin/v1/GetClusterInfoRequest.js';
import type { GetSettingsRequest as _cairn_admin_v1_GetSettingsRequest, GetSettingsRequest__Output as _cairn_admin_v1_GetSettingsRequest__Output } from './cairn/admin/v1/GetSettingsRequest.js';
import type { KubernetesRef as _cairn_admin_v1_KubernetesRef, KubernetesRef__Output as _cairn_admin_v1_KubernetesRef__Output } from './cairn/admin/v1/KubernetesRef.js';
import type { ListBackupsRequest as _cairn_admin_v1_ListBackupsRequest, ListBackupsRequest__Output as _cairn_admin_v1_ListBackupsRequest__Output } from './cairn/admin/v1/ListBackupsRequest.js';
import type { ListBackupsResponse as _cairn_admin_v1_ListBackupsResponse, ListBackupsResponse__Output as _cairn_admin_v1_ListBackupsResponse__Output } from './cairn/admin/v1/ListBackupsResponse.js';
import type { ListNodesRequest as _cairn_admin_v1_ListNodesRequest, ListNodesRequest__Output as _cairn_admin_v1_ListNodesRequest__Output } from './cairn/admin/v1/ListNodesRequest.js';
import type { ListNodesResponse as _cairn_admin_v1_ListNodesResponse, ListNodesResponse__Output as _cairn_admin_v1_ListNodesResponse__Output } from './cairn/admin/v1/ListNodesResponse.js';
import type { ListRecurringJobsRequest as _cairn_admin_v1_ListRecurringJobsRequest, ListRecurringJobsRequest__Output as _cairn_admin_v1_ListRecurringJobsRequest__Output } from './cairn/admin/v1/ListRecurringJobsRequest.js';
import type { ListRecurringJobsResponse as _cairn_admin_v1_ListRecurringJobsResponse, ListRecurringJobsResponse__Output as _cairn_admin_v1_ListRecurringJobsResponse__Output } from './cairn/admin/v1/ListRecurringJobsResponse.js';
import type { ListSnapshotsResponse as _cairn_admin_v1_ListSnapshotsResponse, ListSnapshotsResponse__Output as _cairn_admin_v1_ListSnapshotsResponse__Output } from './cairn/admin/v1/ListSnapshotsResponse.js';
import type { ListVolumesRequest as _cairn_admin_v1_ListVolumesRequest, ListVolumesRequest__Output as _cairn_admin_v1_ListVolumesRequest__Output } from './cairn/admin/v1/ListVolumesRequest.js';
import type { ListVolumesResponse as _cairn_admin_v1_ListVolumesResponse, ListVolumesResponse__Output as _cairn_admin_v1_ListVolumesResponse__Output } from './cairn/admin/v1/ListVolumesResponse.js';
import type { Node as _cairn_admin_v1_Node, Node__Output as _cairn_admin_v1_Node__Output } from './cairn/admin/v1/Node.js';
import type { RecurringJob as _cairn_admin_v1_RecurringJob, RecurringJob__Output as _cairn_admin_v1_RecurringJob__Output } from './cairn/admin/v1/RecurringJob.js';
import type { RecurringJobLabels as _cairn_admin_v1_RecurringJobLabels, RecurringJobLabels__Output as _cairn_admin_v1_RecurringJobLabels__Output } from './cairn/admin/v1/RecurringJobLabels.js';
import type { RecurringJobRef as _cairn_admin_v1_RecurringJobRef, RecurringJobRef__Output as _cairn_admin_v1_RecurringJobRef__Output } from './cairn/admin/v1/RecurringJobRef.js';
import type { RecurringJobSelector as _cairn_admin_v1_RecurringJobSelector, RecurringJobSelector__Output as _cairn_admin_v1_RecurringJobSelector__Output } from './cairn/admin/v1/RecurringJobSelector.js';
import type { Replica as _cairn_admin_v1_Replica, Replica__Output as _cairn_admin_v1_Replica__Output } from './cairn/admin/v1/Replica.js';
import type { SalvageVolumeRequest as _cairn_admin_v1_SalvageVolumeRequest, SalvageVolumeRequest__Output as _cairn_admin_v1_SalvageVolumeRequest__Output } from './cairn/admin/v1/SalvageVolumeRequest.js';
import type { SetBackupTargetRequest as _cairn_admin_v1_SetBackupTargetRequest, SetBackupTargetRequest__Output as _cairn_admin_v1_SetBackupTargetRequest__Output } from './cairn/admin/v1/SetBackupTargetRequest.js';
import type { Setting as _cairn_admin_v1_Setting, Setting__Output as _cairn_admin_v1_Setting__Output } from './cairn/admin/v1/Setting.js';
import type { SettingsResponse as _cairn_admin_v1_SettingsResponse, SettingsResponse__Output as _cairn_admin_v1_SettingsResponse__Output } from './cairn/admin/v1/SettingsResponse.js';
import type { Snapshot as _cairn_admin_v1_Snapshot, Snapshot__Output as _cairn_admin_v1_Snapshot__Output } from './cairn/admin/v1/Snapshot.js';
import type { SnapshotCheck as _cairn_admin_v1_SnapshotCheck, SnapshotCheck__Output as _cairn_admin_v1_SnapshotCheck__Output } from './cairn/admin/v1/SnapshotCheck.js';
import type { SnapshotRef as _cairn_admin_v1_SnapshotRef, SnapshotRef__Output as _cairn_admin_v1_SnapshotRef__Output } from './cairn/admin/v1/SnapshotRef.js';
import type { StringList as _cairn_admin_v1_StringList, StringList__Output as _cairn_admin_v1_StringList__Output } from './cairn/admin/v1/StringList.js';
import type { UnsupportedParameter as _cairn_admin_v1_UnsupportedParameter, UnsupportedParameter__Output as _cairn_admin_v1_UnsupportedParameter__Output } from './cairn/admin/v1/UnsupportedParameter.js';
import type { UpdateDiskRequest as _cairn_admin_v1_UpdateDiskRequest, UpdateDiskRequest__Output as _cairn_admin_v1_UpdateDiskRequest__Output } from './cairn/admin/v1/UpdateDiskRequest.js';
import type { UpdateNodeRequest as _cairn_admin_v1_UpdateNodeRequest, UpdateNodeRequest__Output as _cairn_admin_v1_UpdateNodeRequest__Output } from './cairn/admin/v1/UpdateNodeRequest.js';
import type { UpdateRecurringJobRequest as _cairn_admin_v1_UpdateRecurringJobRequest, UpdateRecurringJobRequest__Output as _cairn_admin_v1_UpdateRecurringJobRequest__Output } from './cairn/admin/v1/UpdateRecurringJobRequest.js';
import type { UpdateSettingsRequest as _cairn_admin_v1_UpdateSettingsRequest, UpdateSettingsRequest__Output as _cairn_admin_v1_UpdateSettingsRequest__Output } from './cairn/admin/v1/UpdateSettingsRequest.js';
import type { UpdateVolumeRequest as _cairn_admin_v1_UpdateVolumeRequest, UpdateVolumeRequest__Output as _cairn_admin_v1_UpdateVolumeRequest__Output } from './cairn/admin/v1/UpdateVolumeRequest.js';
import type { VerifyRequest as _cairn_admin_v1_VerifyRequest, VerifyRequest__Output as _cairn_admin_v1_VerifyRequest__Output } from './cairn/admin/v1/VerifyRequest.js';
import type { VerifyResponse as _cairn_admin_v1_VerifyResponse, VerifyResponse__Output as _cairn_admin_v1_VerifyResponse__Output } from './cairn/admin/v1/VerifyResponse.js';
import type { Volume as _cairn_admin_v1_Volume, Volume__Output as _cairn_admin_v1_Volume__Output } from './cairn/admin/v1/Volume.js';
import type { VolumeCounts as _cairn_admin_v1_VolumeCounts, VolumeCounts__Output as _cairn_admin_v1_VolumeCounts__Output } from './cairn/admin/v1/VolumeCounts.js';
import type { VolumeRef as _cairn_admin_v1_VolumeRef, VolumeRef__Output as _cairn_admin_v1_VolumeRef__Output } from './cairn/admin/v1/VolumeRef.js';
import type { VolumeRestore as _cairn_admin_v1_VolumeRestore, VolumeRestore__Output as _cairn_admin_v1_VolumeRestore__Output } from './cairn/admin/v1/VolumeRestore.js';
import type { WatchEventsRequest as _cairn_admin_v1_WatchEventsRequest, WatchEventsRequest__Output as _cairn_admin_v1_WatchEventsRequest__Output } from './cairn/admin/v1/WatchEventsRequest.js';
import type { BackupAssigned as _cairn_events_v1_BackupAssigned, BackupAssigned__Output as _cairn_events_v1_BackupAssigned__Output } from './cairn/events/v1/BackupAssigned.js';
import type { BackupCompleted as _cairn_events_v1_BackupCompleted, BackupCompleted__Output as _cairn_events_v1_BackupCompleted__Output } from './cairn/events/v1/BackupCompleted.js';
import type { BackupDeleted as _cairn_events_v1_BackupDeleted, BackupDeleted__Output as _cairn_events_v1_BackupDeleted__Output } from './cairn/events/v1/BackupDeleted.js';
import type { BackupFailed as _cairn_events_v1_BackupFailed, BackupFailed__Output as _cairn_events_v1_BackupFailed__Output } from './cairn/events/v1/BackupFailed.js';
import type { BackupRequested as _cairn_events_v1_BackupRequested, BackupRequested__Output as _cairn_events_v1_BackupRequested__Output } from './cairn/events/v1/BackupRequested.js';
import type { BackupStarted as _cairn_events_v1_BackupStarted, BackupStarted__Output as _cairn_events_v1_BackupStarted__Output } from './cairn/events/v1/BackupStarted.js';
import type { CandidateRejection as _cairn_events_v1_CandidateRejection, CandidateRejection__Output as _cairn_events_v1_CandidateRejection__Output } from './cairn/events/v1/CandidateRejection.js';
import type { DiskAdded as _cairn_events_v1_DiskAdded, DiskAdded__Output as _cairn_events_v1_DiskAdded__Output } from './cairn/events/v1/DiskAdded.js';
import type { DiskFigures as _cairn_events_v1_DiskFigures, DiskFigures__Output as _cairn_events_v1_DiskFigures__Output } from './cairn/events/v1/DiskFigures.js';
import type { DiskRemoved as _cairn_events_v1_DiskRemoved, DiskRemoved__Output as _cairn_events_v1_DiskRemoved__Output } from './cairn/events/v1/DiskRemoved.js';
import type { DiskUpdated as _cairn_events_v1_DiskUpdated, DiskUpdated__Output as _cairn_events_v1_DiskUpdated__Output } from './cairn/events/v1/DiskUpdated.js';
import type { EventEnvelope as _cairn_events_v1_EventEnvelope, EventEnvelope__Output as _cairn_events_v1_EventEnvelope__Output } from './cairn/events/v1/EventEnvelope.js';
import type { KubernetesRef as _cairn_events_v1_KubernetesRef, KubernetesRef__Output as _cairn_events_v1_KubernetesRef__Output } from './cairn/events/v1/KubernetesRef.js';
import type { NodeDown as _cairn_events_v1_NodeDown, NodeDown__Output as _cairn_events_v1_NodeDown__Output } from './cairn/events/v1/NodeDown.js';
import type { NodeRegistered as _cairn_events_v1_NodeRegistered, NodeRegistered__Output as _cairn_events_v1_NodeRegistered__Output } from './cairn/events/v1/NodeRegistered.js';
import type { NodeUp as _cairn_events_v1_NodeUp, NodeUp__Output as _cairn_events_v1_NodeUp__Output } from './cairn/events/v1/NodeUp.js';
import type { NodeUpdated as _cairn_events_v1_NodeUpdated, NodeUpdated__Output as _cairn_events_v1_NodeUpdated__Output } from './cairn/events/v1/NodeUpdated.js';
import type { RecurringJobCreated as _cairn_events_v1_RecurringJobCreated, RecurringJobCreated__Output as _cairn_events_v1_RecurringJobCreated__Output } from './cairn/events/v1/RecurringJobCreated.js';
import type { RecurringJobDeleted as _cairn_events_v1_RecurringJobDeleted, RecurringJobDeleted__Output as _cairn_events_v1_RecurringJobDeleted__Output } from './cairn/events/v1/RecurringJobDeleted.js';
import type { RecurringJobRunStarted as _cairn_events_v1_RecurringJobRunStarted, RecurringJobRunStarted__Output as _cairn_events_v1_RecurringJobRunStarted__Output } from './cairn/events/v1/RecurringJobRunStarted.js';
import type { RecurringJobSpec as _cairn_events_v1_RecurringJobSpec, RecurringJobSpec__Output as _cairn_events_v1_RecurringJobSpec__Output } from './cairn/events/v1/RecurringJobSpec.js';
import type { RecurringJobTrimRequested as _cairn_events_v1_RecurringJobTrimRequested, RecurringJobTrimRequested__Output as _cairn_events_v1_RecurringJobTrimRequested__Output } from './cairn/events/v1/RecurringJobTrimRequested.js';
import type { RecurringJobUpdated as _cairn_events_v1_RecurringJobUpdated, RecurringJobUpdated__Output as _cairn_events_v1_RecurringJobUpdated__Output } from './cairn/events/v1/RecurringJobUpdated.js';
import type { RecurringJobVolumeDone as _cairn_events_v1_RecurringJobVolumeDone, RecurringJobVolumeDone__Output as _cairn_events_v1_RecurringJobVolumeDone__Output } from './cairn/events/v1/RecurringJobVolumeDone.js';
import type { ReplicaFailed as _cairn_events_v1_ReplicaFailed, ReplicaFailed__Output as _cairn_events_v1_ReplicaFailed__Output } from './cairn/events/v1/ReplicaFailed.js';
import type { ReplicaRebuilding as _cairn_events_v1_ReplicaRebuilding, ReplicaRebuilding__Output as _cairn_events_v1_ReplicaRebuilding__Output } from './cairn/events/v1/ReplicaRebuilding.js';
import type { ReplicaRebuilt as _cairn_events_v1_ReplicaRebuilt, ReplicaRebuilt__Output as _cairn_events_v1_ReplicaRebuilt__Output } from './cairn/events/v1/ReplicaRebuilt.js';
import type { ReplicaRemoved as _cairn_events_v1_ReplicaRemoved, ReplicaRemoved__Output as _cairn_events_v1_ReplicaRemoved__Output } from './cairn/events/v1/ReplicaRemoved.js';
import type { ReplicaRunning as _cairn_events_v1_ReplicaRunning, ReplicaRunning__Output as _cairn_events_v1_ReplicaRunning__Output } from './cairn/events/v1/ReplicaRunning.js';
import type { ReplicaScheduled as _cairn_events_v1_ReplicaScheduled, ReplicaScheduled__Output as _cairn_events_v1_ReplicaScheduled__Output } from './cairn/events/v1/ReplicaScheduled.js';
import type { SalvageFigures as _cairn_events_v1_SalvageFigures, SalvageFigures__Output as _cairn_events_v1_SalvageFigures__Output } from './cairn/events/v1/SalvageFigures.js';
import type { SettingsChanged as _cairn_events_v1_SettingsChanged, SettingsChanged__Output as _cairn_events_v1_SettingsChanged__Output } from './cairn/events/v1/SettingsChanged.js';
import type { SnapshotCreated as _cairn_events_v1_SnapshotCreated, SnapshotCreated__Output as _cairn_events_v1_SnapshotCreated__Output } from './cairn/events/v1/SnapshotCreated.js';
import type { SnapshotDeleted as _cairn_events_v1_SnapshotDeleted, SnapshotDeleted__Output as _cairn_events_v1_SnapshotDeleted__Output } from './cairn/events/v1/SnapshotDeleted.js';
import type { UnsupportedParameter as _cairn_events_v1_UnsupportedParameter, UnsupportedParameter__Output as _cairn_events_v1_UnsupportedParameter__Output } from './cairn/events/v1/UnsupportedParameter.js';
import type { VolumeActivated as _cairn_events_v1_VolumeActivated, VolumeActivated__Output as _cairn_events_v1_VolumeActivated__Output } from './cairn/events/v1/VolumeActivated.js';
import type { VolumeActivationRequested as _cairn_events_v1_VolumeActivationRequested, VolumeActivationRequested__Output as _cairn_events_v1_VolumeActivationRequested__Output } from './cairn/events/v1/VolumeActivationRequested.js';
import type { VolumeAttachRequested as _cairn_events_v1_VolumeAttachRequested, VolumeAttachRequested__Output as _cairn_events_v1_VolumeAttachRequested__Output } from './cairn/events/v1/VolumeAttachRequested.js';
import type { VolumeAttached as _cairn_events_v1_VolumeAttached, VolumeAttached__Output as _cairn_events_v1_VolumeAttached__Output } from './cairn/events/v1/VolumeAttached.js';
import type { VolumeAutoAttached as _cairn_events_v1_VolumeAutoAttached, VolumeAutoAttached__Output as _cairn_events_v1_VolumeAutoAttached__Output } from './cairn/events/v1/VolumeAutoAttached.js';
import type { VolumeAutoDetached as _cairn_events_v1_VolumeAutoDetached, VolumeAutoDetached__Output as _cairn_events_v1_VolumeAutoDetached__Output } from './cairn/events/v1/VolumeAutoDetached.js';
import type { VolumeCreated as _cairn_events_v1_VolumeCreated, VolumeCreated__Output as _cairn_events_v1_VolumeCreated__Output } from './cairn/events/v1/VolumeCreated.js';
import type { VolumeDataSourceCopied as _cairn_events_v1_VolumeDataSourceCopied, VolumeDataSourceCopied__Output as _cairn_events_v1_VolumeDataSourceCopied__Output } from './cairn/events/v1/VolumeDataSourceCopied.js';
import type { VolumeDeleted as _cairn_events_v1_VolumeDeleted, VolumeDeleted__Output as _cairn_events_v1_VolumeDeleted__Output } from './cairn/events/v1/VolumeDeleted.js';
import type { VolumeDetachRequested as _cairn_events_v1_VolumeDetachRequested, VolumeDetachRequested__Output as _cairn_events_v1_VolumeDetachRequested__Output } from './cairn/events/v1/VolumeDetachRequested.js';
import type { VolumeDetached as _cairn_events_v1_VolumeDetached, VolumeDetached__Output as _cairn_events_v1_VolumeDetached__Output } from './cairn/events/v1/VolumeDetached.js';
import type { VolumeExpanded as _cairn_events_v1_VolumeExpanded, VolumeExpanded__Output as _cairn_events_v1_VolumeExpanded__Output } from './cairn/events/v1/VolumeExpanded.js';
import type { VolumeRestoreCompleted as _cairn_events_v1_VolumeRestoreCompleted, VolumeRestoreCompleted__Output as _cairn_events_v1_VolumeRestoreCompleted__Output } from './cairn/events/v1/VolumeRestoreCompleted.js';
import type { VolumeRestoreFailed as _cairn_events_v1_VolumeRestoreFailed, VolumeRestoreFailed__Output as _cairn_events_v1_VolumeRestoreFailed__Output } from './cairn/events/v1/VolumeRestoreFailed.js';
import type { VolumeRestoreRequested as _cairn_events_v1_VolumeRestoreRequested, VolumeRestoreRequested__Output as _cairn_events_v1_VolumeRestoreRequested__Output } from './cairn/events/v1/VolumeRestoreRequested.js';
import type { VolumeRestoreStarted as _cairn_events_v1_VolumeRestoreStarted, VolumeRestoreStarted__Output as _cairn_events_v1_VolumeRestoreStarted__Output } from './cairn/events/v1/VolumeRestoreStarted.js';
import type { VolumeSalvaged as _cairn_events_v1_VolumeSalvaged, VolumeSalvaged__Output as _cairn_events_v1_VolumeSalvaged__Output } from './cairn/events/v1/VolumeSalvaged.js';
import type { VolumeSchedulable as _cairn_events_v1_VolumeSchedulable, VolumeSchedulable__Output as _cairn_events_v1_VolumeSchedulable__Output } from './cairn/events/v1/VolumeSchedulable.js';
import type { VolumeSpec as _cairn_events_v1_VolumeSpec, VolumeSpec__Output as _cairn_events_v1_VolumeSpec__Output } from './cairn/events/v1/VolumeSpec.js';
import type { VolumeUnschedulable as _cairn_events_v1_VolumeUnschedulable, VolumeUnschedulable__Output as _cairn_events_v1_VolumeUnschedulable__Output } from './cairn/events/v1/VolumeUnschedulable.js';
import type { VolumeUpdated as _cairn_events_v1_VolumeUpdated, VolumeUpdated__Output as _cairn_events_v1_VolumeUpdated__Output } from './cairn/events/v1/VolumeUpdated.js';
import type { VolumeWaiting as _cairn_events_v1_VolumeWaiting, VolumeWaiting__Output as _cairn_events_v1_VolumeWaiting__Output } from './cairn/events/v1/VolumeWaiting.js';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  cairn: {
    admin: {
      v1: {
        AddDiskRequest: MessageTypeDefinition<_cairn_admin_v1_AddDiskRequest, _cairn_admin_v1_AddDiskRequest__Output>
        Admin: SubtypeConstructor<typeof grpc.Client, _cairn_admin_v1_AdminClient> & { service: _cairn_admin_v1_AdminDefinition }
        AttachVolumeRequest: MessageTypeDefinition<_cairn_admin_v1_AttachVolumeRequest, _cairn_admin_v1_AttachVolumeRequest__Output>
        AuditStateRequest: MessageTypeDefinition<_cairn_admin_v1_AuditStateRequest, _cairn_admin_v1_AuditStateRequest__Output>
        AuditStateResponse: MessageTypeDefinition<_cairn_admin_v1_AuditStateResponse, _cairn_admin_v1_AuditStateResponse__Output>
        Backup: MessageTypeDefinition<_cairn_admin_v1_Backup, _cairn_admin_v1_Backup__Output>
        BackupRef: MessageTypeDefinition<_cairn_admin_v1_BackupRef, _cairn_admin_v1_BackupRef__Output>
        BackupTarget: MessageTypeDefinition<_cairn_admin_v1_BackupTarget, _cairn_admin_v1_BackupTarget__Output>
        ClusterInfo: MessageTypeDefinition<_cairn_admin_v1_ClusterInfo, _cairn_admin_v1_ClusterInfo__Output>
        CreateBackupRequest: MessageTypeDefinition<_cairn_admin_v1_CreateBackupRequest, _cairn_admin_v1_CreateBackupRequest__Output>
        CreateSnapshotRequest: MessageTypeDefinition<_cairn_admin_v1_CreateSnapshotRequest, _cairn_admin_v1_CreateSnapshotRequest__Output>
        CreateVolumeRequest: MessageTypeDefinition<_cairn_admin_v1_CreateVolumeRequest, _cairn_admin_v1_CreateVolumeRequest__Output>
        DeleteBackupResponse: MessageTypeDefinition<_cairn_admin_v1_DeleteBackupResponse, _cairn_admin_v1_DeleteBackupResponse__Output>
        DeleteResponse: MessageTypeDefinition<_cairn_admin_v1_DeleteResponse, _cairn_admin_v1_DeleteResponse__Output>
        Disk: MessageTypeDefinition<_cairn_admin_v1_Disk, _cairn_admin_v1_Disk__Output>
        DiskRef: MessageTypeDefinition<_cairn_admin_v1_DiskRef, _cairn_admin_v1_DiskRef__Output>
        ExpandVolumeRequest: MessageTypeDefinition<_cairn_admin_v1_ExpandVolumeRequest, _cairn_admin_v1_ExpandVolumeRequest__Output>
        ExplainVolumeResponse: MessageTypeDefinition<_cairn_admin_v1_ExplainVolumeResponse, _cairn_admin_v1_ExplainVolumeResponse__Output>
        Explanation: MessageTypeDefinition<_cairn_admin_v1_Explanation, _cairn_admin_v1_Explanation__Output>
        GetBackupTargetRequest: MessageTypeDefinition<_cairn_admin_v1_GetBackupTargetRequest, _cairn_admin_v1_GetBackupTargetRequest__Output>
        GetClusterInfoRequest: MessageTypeDefinition<_cairn_admin_v1_GetClusterInfoRequest, _cairn_admin_v1_GetClusterInfoRequest__Output>
        GetSettingsRequest: MessageTypeDefinition<_cairn_admin_v1_GetSettingsRequest, _cairn_admin_v1_GetSettingsRequest__Output>
        KubernetesRef: MessageTypeDefinition<_cairn_admin_v1_KubernetesRef, _cairn_admin_v1_KubernetesRef__Output>
        ListBackupsRequest: MessageTypeDefinition<_cairn_admin_v1_ListBackupsRequest, _cairn_admin_v1_ListBackupsRequest__Output>
        ListBackupsResponse: MessageTypeDefinition<_cairn_admin_v1_ListBackupsResponse, _cairn_admin_v1_ListBackupsResponse__Output>
        ListNodesRequest: MessageTypeDefinition<_cairn_admin_v1_ListNodesRequest, _cairn_admin_v1_ListNodesRequest__Output>
        ListNodesResponse: MessageTypeDefinition<_cairn_admin_v1_ListNodesResponse, _cairn_admin_v1_ListNodesResponse__Output>
        ListRecurringJobsRequest: MessageTypeDefinition<_cairn_admin_v1_ListRecurringJobsRequest, _cairn_admin_v1_ListRecurringJobsRequest__Output>
        ListRecurringJobsResponse: MessageTypeDefinition<_cairn_admin_v1_ListRecurringJobsResponse, _cairn_admin_v1_ListRecurringJobsResponse__Output>
        ListSnapshotsResponse: MessageTypeDefinition<_cairn_admin_v1_ListSnapshotsResponse, _cairn_admin_v1_ListSnapshotsResponse__Output>
        ListVolumesRequest: MessageTypeDefinition<_cairn_admin_v1_ListVolumesRequest, _cairn_admin_v1_ListVolumesRequest__Output>
        ListVolumesResponse: MessageTypeDefinition<_cairn_admin_v1_ListVolumesResponse, _cairn_admin_v1_ListVolumesResponse__Output>
        Node: MessageTypeDefinition<_cairn_admin_v1_Node, _cairn_admin_v1_Node__Output>
        RecurringJob: MessageTypeDefinition<_cairn_admin_v1_RecurringJob, _cairn_admin_v1_RecurringJob__Output>
        RecurringJobLabels: MessageTypeDefinition<_cairn_admin_v1_RecurringJobLabels, _cairn_admin_v1_RecurringJobLabels__Output>
        RecurringJobRef: MessageTypeDefinition<_cairn_admin_v1_RecurringJobRef, _cairn_admin_v1_RecurringJobRef__Output>
        RecurringJobSelector: MessageTypeDefinition<_cairn_admin_v1_RecurringJobSelector, _cairn_admin_v1_RecurringJobSelector__Output>
        Replica: MessageTypeDefinition<_cairn_admin_v1_Replica, _cairn_admin_v1_Replica__Output>
        SalvageVolumeRequest: MessageTypeDefinition<_cairn_admin_v1_SalvageVolumeRequest, _cairn_admin_v1_SalvageVolumeRequest__Output>
        SetBackupTargetRequest: MessageTypeDefinition<_cairn_admin_v1_SetBackupTargetRequest, _cairn_admin_v1_SetBackupTargetRequest__Output>
        Setting: MessageTypeDefinition<_cairn_admin_v1_Setting, _cairn_admin_v1_Setting__Output>
        SettingsResponse: MessageTypeDefinition<_cairn_admin_v1_SettingsResponse, _cairn_admin_v1_SettingsResponse__Output>
        Snapshot: MessageTypeDefinition<_cairn_admin_v1_Snapshot, _cairn_admin_v1_Snapshot__Output>
        SnapshotCheck: MessageTypeDefinition<_cairn_admin_v1_SnapshotCheck, _cairn_admin_v1_SnapshotCheck__Output>
        SnapshotRef: MessageTypeDefinition<_cairn_admin_v1_SnapshotRef, _cairn_admin_v1_SnapshotRef__Output>
        StringList: MessageTypeDefinition<_cairn_admin_v1_StringList, _cairn_admin_v1_StringList__Output>
        UnsupportedParameter: MessageTypeDefinition<_cairn_admin_v1_UnsupportedParameter, _cairn_admin_v1_UnsupportedParameter__Output>
        UpdateDiskRequest: MessageTypeDefinition<_cairn_admin_v1_UpdateDiskRequest, _cairn_admin_v1_UpdateDiskRequest__Output>
        UpdateNodeRequest: MessageTypeDefinition<_cairn_admin_v1_UpdateNodeRequest, _cairn_admin_v1_UpdateNodeRequest__Output>
        UpdateRecurringJobRequest: MessageTypeDefinition<_cairn_admin_v1_UpdateRecurringJobRequest, _cairn_admin_v1_UpdateRecurringJobRequest__Output>
        UpdateSettingsRequest: MessageTypeDefinition<_cairn_admin_v1_UpdateSettingsRequest, _cairn_admin_v1_UpdateSettingsRequest__Output>
        UpdateVolumeRequest: MessageTypeDefinition<_cairn_admin_v1_UpdateVolumeRequest, _cairn_admin_v1_UpdateVolumeRequest__Output>
        VerifyRequest: MessageTypeDefinition<_cairn_admin_v1_VerifyRequest, _cairn_admin_v1_VerifyRequest__Output>
        VerifyResponse: MessageTypeDefinition<_cairn_admin_v1_VerifyResponse, _cairn_admin_v1_VerifyResponse__Output>
        Volume: MessageTypeDefinition<_cairn_admin_v1_Volume, _cairn_admin_v1_Volume__Output>
        VolumeCounts: MessageTypeDefinition<_cairn_admin_v1_VolumeCounts, _cairn_admin_v1_VolumeCounts__Output>
        VolumeRef: MessageTypeDefinition<_cairn_admin_v1_VolumeRef, _cairn_admin_v1_VolumeRef__Output>
        VolumeRestore: MessageTypeDefinition<_cairn_admin_v1_VolumeRestore, _cairn_admin_v1_VolumeRestore__Output>
        WatchEventsRequest: MessageTypeDefinition<_cairn_admin_v1_WatchEventsRequest, _cairn_admin_v1_WatchEventsRequest__Output>
      }
    }
    events: {
      v1: {
        AccessMode: EnumTypeDefinition
        AntiAffinityOverride: EnumTypeDefinition
        BackupAssigned: MessageTypeDefinition<_cairn_events_v1_BackupAssigned, _cairn_events_v1_BackupAssigned__Output>
        BackupCompleted: MessageTypeDefinition<_cairn_events_v1_BackupCompleted, _cairn_events_v1_BackupCompleted__Output>
        BackupDeleted: MessageTypeDefinition<_cairn_events_v1_BackupDeleted, _cairn_events_v1_BackupDeleted__Output>
        BackupFailed: MessageTypeDefinition<_cairn_events_v1_BackupFailed, _cairn_events_v1_BackupFailed__Output>
        BackupRequested: MessageTypeDefinition<_cairn_events_v1_BackupRequested, _cairn_events_v1_BackupRequested__Output>
        BackupStarted: MessageTypeDefinition<_cairn_events_v1_BackupStarted, _cairn_events_v1_BackupStarted__Output>
        CandidateRejection: MessageTypeDefinition<_cairn_events_v1_CandidateRejection, _cairn_events_v1_CandidateRejection__Output>
        DataLocality: EnumTypeDefinition
        DiskAdded: MessageTypeDefinition<_cairn_events_v1_DiskAdded, _cairn_events_v1_DiskAdded__Output>
        DiskFigures: MessageTypeDefinition<_cairn_events_v1_DiskFigures, _cairn_events_v1_DiskFigures__Output>
        DiskRemoved: MessageTypeDefinition<_cairn_events_v1_DiskRemoved, _cairn_events_v1_DiskRemoved__Output>
        DiskUpdated: MessageTypeDefinition<_cairn_events_v1_DiskUpdated, _cairn_events_v1_DiskUpdated__Output>
        EventEnvelope: MessageTypeDefinition<_cairn_events_v1_EventEnvelope, _cairn_events_v1_EventEnvelope__Output>
        KubernetesRef: MessageTypeDefinition<_cairn_events_v1_KubernetesRef, _cairn_events_v1_KubernetesRef__Output>
        NodeDown: MessageTypeDefinition<_cairn_events_v1_NodeDown, _cairn_events_v1_NodeDown__Output>
        NodeRegistered: MessageTypeDefinition<_cairn_events_v1_NodeRegistered, _cairn_events_v1_NodeRegistered__Output>
        NodeUp: MessageTypeDefinition<_cairn_events_v1_NodeUp, _cairn_events_v1_NodeUp__Output>
        NodeUpdated: MessageTypeDefinition<_cairn_events_v1_NodeUpdated, _cairn_events_v1_NodeUpdated__Output>
        RecurringJobCreated: MessageTypeDefinition<_cairn_events_v1_RecurringJobCreated, _cairn_events_v1_RecurringJobCreated__Output>
        RecurringJobDeleted: MessageTypeDefinition<_cairn_events_v1_RecurringJobDeleted, _cairn_events_v1_RecurringJobDeleted__Output>
        RecurringJobRunStarted: MessageTypeDefinition<_cairn_events_v1_RecurringJobRunStarted, _cairn_events_v1_RecurringJobRunStarted__Output>
        RecurringJobSpec: MessageTypeDefinition<_cairn_events_v1_RecurringJobSpec, _cairn_events_v1_RecurringJobSpec__Output>
        RecurringJobTrimRequested: MessageTypeDefinition<_cairn_events_v1_RecurringJobTrimRequested, _cairn_events_v1_RecurringJobTrimRequested__Output>
        RecurringJobUpdated: MessageTypeDefinition<_cairn_events_v1_RecurringJobUpdated, _cairn_events_v1_RecurringJobUpdated__Output>
        RecurringJobVolumeDone: MessageTypeDefinition<_cairn_events_v1_RecurringJobVolumeDone, _cairn_events_v1_RecurringJobVolumeDone__Output>
        ReplicaAutoBalance: EnumTypeDefinition
        ReplicaFailed: MessageTypeDefinition<_cairn_events_v1_ReplicaFailed, _cairn_events_v1_ReplicaFailed__Output>
        ReplicaRebuilding: MessageTypeDefinition<_cairn_events_v1_ReplicaRebuilding, _cairn_events_v1_ReplicaRebuilding__Output>
        ReplicaRebuilt: MessageTypeDefinition<_cairn_events_v1_ReplicaRebuilt, _cairn_events_v1_ReplicaRebuilt__Output>
        ReplicaRemoved: MessageTypeDefinition<_cairn_events_v1_ReplicaRemoved, _cairn_events_v1_ReplicaRemoved__Output>
        ReplicaRunning: MessageTypeDefinition<_cairn_events_v1_ReplicaRunning, _cairn_events_v1_ReplicaRunning__Output>
        ReplicaScheduled: MessageTypeDefinition<_cairn_events_v1_ReplicaScheduled, _cairn_events_v1_ReplicaScheduled__Output>
        SalvageFigures: MessageTypeDefinition<_cairn_events_v1_SalvageFigures, _cairn_events_v1_SalvageFigures__Output>
        SettingsChanged: MessageTypeDefinition<_cairn_events_v1_SettingsChanged, _cairn_events_v1_SettingsChanged__Output>
        SnapshotCreated: MessageTypeDefinition<_cairn_events_v1_SnapshotCreated, _cairn_events_v1_SnapshotCreated__Output>
        SnapshotDeleted: MessageTypeDefinition<_cairn_events_v1_SnapshotDeleted, _cairn_events_v1_SnapshotDeleted__Output>
        UnsupportedParameter: MessageTypeDefinition<_cairn_events_v1_UnsupportedParameter, _cairn_events_v1_UnsupportedParameter__Output>
        VolumeActivated: MessageTypeDefinition<_cairn_events_v1_VolumeActivated, _cairn_events_v1_VolumeActivated__Output>
        VolumeActivationRequested: MessageTypeDefinition<_cairn_events_v1_VolumeActivationRequested, _cairn_events_v1_VolumeActivationRequested__Output>
        VolumeAttachRequested: MessageTypeDefinition<_cairn_events_v1_VolumeAttachRequested, _cairn_events_v1_VolumeAttachRequested__Output>
        VolumeAttached: MessageTypeDefinition<_cairn_events_v1_VolumeAttached, _cairn_events_v1_VolumeAttached__Output>
        VolumeAutoAttached: MessageTypeDefinition<_cairn_events_v1_VolumeAutoAttached, _cairn_events_v1_VolumeAutoAttached__Output>
        VolumeAutoDetached: MessageTypeDefinition<_cairn_events_v1_VolumeAutoDetached, _cairn_events_v1_VolumeAutoDetached__Output>
        VolumeCreated: MessageTypeDefinition<_cairn_events_v1_VolumeCreated, _cairn_events_v1_VolumeCreated__Output>
        VolumeDataSourceCopied: MessageTypeDefinition<_cairn_events_v1_VolumeDataSourceCopied, _cairn_events_v1_VolumeDataSourceCopied__Output>
        VolumeDeleted: MessageTypeDefinition<_cairn_events_v1_VolumeDeleted, _cairn_events_v1_VolumeDeleted__Output>
        VolumeDetachRequested: MessageTypeDefinition<_cairn_events_v1_VolumeDetachRequested, _cairn_events_v1_VolumeDetachRequested__Output>
        VolumeDetached: MessageTypeDefinition<_cairn_events_v1_VolumeDetached, _cairn_events_v1_VolumeDetached__Output>
        VolumeExpanded: MessageTypeDefinition<_cairn_events_v1_VolumeExpanded, _cairn_events_v1_VolumeExpanded__Output>
        VolumeRestoreCompleted: MessageTypeDefinition<_cairn_events_v1_VolumeRestoreCompleted, _cairn_events_v1_VolumeRestoreCompleted__Output>
        VolumeRestoreFailed: MessageTypeDefinition<_cairn_events_v1_VolumeRestoreFailed, _cairn_events_v1_VolumeRestoreFailed__Output>
        VolumeRestoreRequested: MessageTypeDefinition<_cairn_events_v1_VolumeRestoreRequested, _cairn_events_v1_VolumeRestoreRequested__Output>
        VolumeRestoreStarted: MessageTypeDefinition<_cairn_events_v1_VolumeRestoreStarted, _cairn_events_v1_VolumeRestoreStarted__Output>
        VolumeSalvaged: MessageTypeDefinition<_cairn_events_v1_VolumeSalvaged, _cairn_events_v1_VolumeSalvaged__Output>
        VolumeSchedulable: MessageTypeDefinition<_cairn_events_v1_VolumeSchedulable, _cairn_events_v1_VolumeSchedulable__Output>
        VolumeSpec: MessageTypeDefinition<_cairn_events_v1_VolumeSpec, _cairn_events_v1_VolumeSpec__Output>
        VolumeUnschedulable: MessageTypeDefinition<_cairn_events_v1_VolumeUnschedulable, _cairn_events_v1_VolumeUnschedulable__Output>
        VolumeUpdated: MessageTypeDefinition<_cairn_events_v1_VolumeUpdated, _cairn_events_v1_VolumeUpdated__Output>
        VolumeWaiting: MessageTypeDefinition<_cairn_events_v1_VolumeWaiting, _cairn_events_v1_VolumeWaiting__Output>
      }
    }
  }
}

