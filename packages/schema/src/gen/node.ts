import type * as grpc from '@grpc/grpc-js';
import type { MessageTypeDefinition } from '@grpc/proto-loader';

import type { Assignments as _cairn_node_v1_Assignments, Assignments__Output as _cairn_node_v1_Assignments__Output } from './cairn/node/v1/Assignments.js';
import type { BackupAssignment as _cairn_node_v1_BackupAssignment, BackupAssignment__Output as _cairn_node_v1_BackupAssignment__Output } from './cairn/node/v1/BackupAssignment.js';
import type { BackupReport as _cairn_node_v1_BackupReport, BackupReport__Output as _cairn_node_v1_BackupReport__Output } from './cairn/node/v1/BackupReport.js';
import type { DiskInfo as _cairn_node_v1_DiskInfo, DiskInfo__Output as _cairn_node_v1_DiskInfo__Output } from './cairn/node/v1/DiskInfo.js';
import type { EngineAssignment as _cairn_node_v1_EngineAssignment, EngineAssignment__Output as _cairn_node_v1_EngineAssignment__Output } from './cairn/node/v1/EngineAssignment.js';
import type { EngineReplica as _cairn_node_v1_EngineReplica, EngineReplica__Output as _cairn_node_v1_EngineReplica__Output } from './cairn/node/v1/EngineReplica.js';
import type { EngineReport as _cairn_node_v1_EngineReport, EngineReport__Output as _cairn_node_v1_EngineReport__Output } from './cairn/node/v1/EngineReport.js';
import type { EngineSource as _cairn_node_v1_EngineSource, EngineSource__Output as _cairn_node_v1_EngineSource__Output } from './cairn/node/v1/EngineSource.js';
import type { HeartbeatRequest as _cairn_node_v1_HeartbeatRequest, HeartbeatRequest__Output as _cairn_node_v1_HeartbeatRequest__Output } from './cairn/node/v1/HeartbeatRequest.js';
import type { HeartbeatResponse as _cairn_node_v1_HeartbeatResponse, HeartbeatResponse__Output as _cairn_node_v1_HeartbeatResponse__Output } from './cairn/node/v1/HeartbeatResponse.js';
import type { NodeAgentClient as _cairn_node_v1_NodeAgentClient, NodeAgentDefinition as _cairn_node_v1_NodeAgentDefinition } from './cairn/node/v1/NodeAgent.js';
import type { RebuildProgress as _cairn_node_v1_RebuildProgress, RebuildProgress__Output as _cairn_node_v1_RebuildProgress__Output } from './cairn/node/v1/RebuildProgress.js';
import type { RegisterRequest as _cairn_node_v1_RegisterRequest, RegisterRequest__Output as _cairn_node_v1_RegisterRequest__Output } from './cairn/node/v1/RegisterRequest.js';
import type { RegisterResponse as _cairn_node_v1_RegisterResponse, RegisterResponse__Output as _cairn_node_v1_RegisterResponse__Output } from './cairn/node/v1/RegisterResponse.js';
import type { ReplicaAssignment as _cairn_node_v1_ReplicaAssignment, ReplicaAssignment__Output as _cairn_node_v1_ReplicaAssignment__Output } from './cairn/node/v1/ReplicaAssignment.js';
import type { ReplicaFigures as _cairn_node_v1_ReplicaFigures, ReplicaFigures__Output as _cairn_node_v1_ReplicaFigures__Output } from './cairn/node/v1/ReplicaFigures.js';
import type { ReplicaReport as _cairn_node_v1_ReplicaReport, ReplicaReport__Output as _cairn_node_v1_ReplicaReport__Output } from './cairn/node/v1/ReplicaReport.js';
import type { ReportRequest as _cairn_node_v1_ReportRequest, ReportRequest__Output as _cairn_node_v1_ReportRequest__Output } from './cairn/node/v1/ReportRequest.js';
import type { ReportResponse as _cairn_node_v1_ReportResponse, ReportResponse__Output as _cairn_node_v1_ReportResponse__Output } from './cairn/node/v1/ReportResponse.js';
import type { RestoreAssignment as _cairn_node_v1_RestoreAssignment, RestoreAssignment__Output as _cairn_node_v1_RestoreAssignment__Output } from './cairn/node/v1/RestoreAssignment.js';
import type { RestoreCredentials as _cairn_node_v1_RestoreCredentials, RestoreCredentials__Output as _cairn_node_v1_RestoreCredentials__Output } from './cairn/node/v1/RestoreCredentials.js';
import type { TrimAssignment as _cairn_node_v1_TrimAssignment, TrimAssignment__Output as _cairn_node_v1_TrimAssignment__Output } from './cairn/node/v1/TrimAssignment.js';
import type { TrimReport as _cairn_node_v1_TrimReport, TrimReport__Output as _cairn_node_v1_TrimReport__Output } from './cairn/node/v1/TrimReport.js';
import type { WatchAssignmentsRequest as _cairn_node_v1_WatchAssignmentsRequest, WatchAssignmentsRequest__Output as _cairn_node_v1_WatchAssignmentsRequest__Output } from './cairn/node/v1/WatchAssignmentsRequest.js';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  cairn: {
    node: {
      v1: {
        Assignments: MessageTypeDefinition<_cairn_node_v1_Assignments, _cairn_node_v1_Assignments__Output>
        BackupAssignment: MessageTypeDefinition<_cairn_node_v1_BackupAssignment, _cairn_node_v1_BackupAssignment__Output>
        BackupReport: MessageTypeDefinition<_cairn_node_v1_BackupReport, _cairn_node_v1_BackupReport__Output>
        DiskInfo: MessageTypeDefinition<_cairn_node_v1_DiskInfo, _cairn_node_v1_DiskInfo__Output>
        EngineAssignment: MessageTypeDefinition<_cairn_node_v1_EngineAssignment, _cairn_node_v1_EngineAssignment__Output>
        EngineReplica: MessageTypeDefinition<_cairn_node_v1_EngineReplica, _cairn_node_v1_EngineReplica__Output>
        EngineReport: MessageTypeDefinition<_cairn_node_v1_EngineReport, _cairn_node_v1_EngineReport__Output>
        EngineSource: MessageTypeDefinition<_cairn_node_v1_EngineSource, _cairn_node_v1_EngineSource__Output>
        HeartbeatRequest: MessageTypeDefinition<_cairn_node_v1_HeartbeatRequest, _cairn_node_v1_HeartbeatRequest__Output>
        HeartbeatResponse: MessageTypeDefinition<_cairn_node_v1_HeartbeatResponse, _cairn_node_v1_HeartbeatResponse__Output>
        NodeAgent: SubtypeConstructor<typeof grpc.Client, _cairn_node_v1_NodeAgentClient> & { service: _cairn_node_v1_NodeAgentDefinition }
        RebuildProgress: MessageTypeDefinition<_cairn_node_v1_RebuildProgress, _cairn_node_v1_RebuildProgress__Output>
        RegisterRequest: MessageTypeDefinition<_cairn_node_v1_RegisterRequest, _cairn_node_v1_RegisterRequest__Output>
        RegisterResponse: MessageTypeDefinition<_cairn_node_v1_RegisterResponse, _cairn_node_v1_RegisterResponse__Output>
        ReplicaAssignment: MessageTypeDefinition<_cairn_node_v1_ReplicaAssignment, _cairn_node_v1_ReplicaAssignment__Output>
        ReplicaFigures: MessageTypeDefinition<_cairn_node_v1_ReplicaFigures, _cairn_node_v1_ReplicaFigures__Output>
        ReplicaReport: MessageTypeDefinition<_cairn_node_v1_ReplicaReport, _cairn_node_v1_ReplicaReport__Output>
        ReportRequest: MessageTypeDefinition<_cairn_node_v1_ReportRequest, _cairn_node_v1_ReportRequest__Output>
        ReportResponse: MessageTypeDefinition<_cairn_node_v1_ReportResponse, _cairn_node_v1_ReportResponse__Output>
        RestoreAssignment: MessageTypeDefinition<_cairn_node_v1_RestoreAssignment, _cairn_node_v1_RestoreAssignment__Output>
        RestoreCredentials: MessageTypeDefinition<_cairn_node_v1_RestoreCredentials, _cairn_node_v1_RestoreCredentials__Output>
        TrimAssignment: MessageTypeDefinition<_cairn_node_v1_TrimAssignment, _cairn_node_v1_TrimAssignment__Output>
        TrimReport: MessageTypeDefinition<_cairn_node_v1_TrimReport, _cairn_node_v1_TrimReport__Output>
        WatchAssignmentsRequest: MessageTypeDefinition<_cairn_node_v1_WatchAssignmentsRequest, _cairn_node_v1_WatchAssignmentsRequest__Output>
      }
    }
  }
}

