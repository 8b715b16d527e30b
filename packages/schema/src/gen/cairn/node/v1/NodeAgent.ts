// Original file: cairn/node/v1/node.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { Assignments as _cairn_node_v1_Assignments, Assignments__Output as _cairn_node_v1_Assignments__Output } from '../../../cairn/node/v1/Assignments.js';
import type { HeartbeatRequest as _cairn_node_v1_HeartbeatRequest, HeartbeatRequest__Output as _cairn_node_v1_HeartbeatRequest__Output } from '../../../cairn/node/v1/HeartbeatRequest.js';
import type { HeartbeatResponse as _cairn_node_v1_HeartbeatResponse, HeartbeatResponse__Output as _cairn_node_v1_HeartbeatResponse__Output } from '../../../cairn/node/v1/HeartbeatResponse.js';
import type { RegisterRequest as _cairn_node_v1_RegisterRequest, RegisterRequest__Output as _cairn_node_v1_RegisterRequest__Output } from '../../../cairn/node/v1/RegisterRequest.js';
import type { RegisterResponse as _cairn_node_v1_RegisterResponse, RegisterResponse__Output as _cairn_node_v1_RegisterResponse__Output } from '../../../cairn/node/v1/RegisterResponse.js';
import type { ReportRequest as _cairn_node_v1_ReportRequest, ReportRequest__Output as _cairn_node_v1_ReportRequest__Output } from '../../../cairn/node/v1/ReportRequest.js';
import type { ReportResponse as _cairn_node_v1_ReportResponse, ReportResponse__Output as _cairn_node_v1_ReportResponse__Output } from '../../../cairn/node/v1/ReportResponse.js';
import type { WatchAssignmentsRequest as _cairn_node_v1_WatchAssignmentsRequest, WatchAssignmentsRequest__Output as _cairn_node_v1_WatchAssignmentsRequest__Output } from '../../../cairn/node/v1/WatchAssignmentsRequest.js';

export interface NodeAgentClient extends grpc.Client {
  /**
   * Keeps the node's liveness lease. A node whose lease expires is marked down by an event.
   */
  Heartbeat(argument: _cairn_node_v1_HeartbeatRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_cairn_node_v1_HeartbeatResponse__Output>): grpc.ClientUnaryCall;
  Heartbeat(argument: _cairn_node_v1_HeartbeatRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_cairn_node_v1_HeartbeatResponse__Output>): grpc.ClientUnaryCall;
  Heartbeat(argument: _cairn_node_v1_HeartbeatRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_cairn_node_v1_HeartbeatResponse__Output>): grpc.ClientUnaryCall;
  Heartbeat(argument: _cairn_node_v1_HeartbeatRequest, callback: grpc.requestCallback<_cairn_node_v1_HeartbeatResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Keeps the node's liveness lease. A node whose lease expires is marked down by an event.
   */
  heartbeat(argument: _cairn_node_v1_HeartbeatRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_cairn_node_v1_HeartbeatResponse__Output>): grpc.ClientUnaryCall;
  heartbeat(argument: _cairn_node_v1_HeartbeatRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_cairn_node_v1_HeartbeatResponse__Output>): grpc.ClientUnaryCall;
  heartbeat(argument: _cairn_node_v1_HeartbeatRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_cairn_node_v1_HeartbeatResponse__Output>): grpc.ClientUnaryCall;
  heartbeat(argument: _cairn_node_v1_HeartbeatRequest, callback: grpc.requestCallback<_cairn_node_v1_HeartbeatResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Joins (or rejoins) the cluster: records the node and its disks the first time, refreshes its
   * address and zone after a restart. Returns the heartbeat interval and lease TTL to keep.
   */
  Register(argument: _cairn_node_v1_RegisterRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_cairn_node_v1_RegisterResponse__Output>): grpc.ClientUnaryCall;
  Register(argument: _cairn_node_v1_RegisterRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_cairn_node_v1_RegisterResponse__Output>): grpc.ClientUnaryCall;
  Register(argument: _cairn_node_v1_RegisterRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_cairn_node_v1_RegisterResponse__Output>): grpc.ClientUnaryCall;
  Register(argument: _cairn_node_v1_RegisterRequest, callback: grpc.requestCallback<_cairn_node_v1_RegisterResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Joins (or rejoins) the cluster: records the node and its disks the first time, refreshes its
   * address and zone after a restart. Returns the heartbeat interval and lease TTL to keep.
   */
  register(argument: _cairn_node_v1_RegisterRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_cairn_node_v1_RegisterResponse__Output>): grpc.ClientUnaryCall;
  register(argument: _cairn_node_v1_RegisterRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_cairn_node_v1_RegisterResponse__Output>): grpc.ClientUnaryCall;
  register(argument: _cairn_node_v1_RegisterRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_cairn_node_v1_RegisterResponse__Output>): grpc.ClientUnaryCall;
  register(argument: _cairn_node_v1_RegisterRequest, callback: grpc.requestCallback<_cairn_node_v1_RegisterResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Transitions the node observed (a replica running, failed, rebuilt; an engine attached).
   */
  Report(argument: _cairn_node_v1_ReportRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_cairn_node_v1_ReportResponse__Output>): grpc.ClientUnaryCall;
  Report(argument: _cairn_node_v1_ReportRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_cairn_node_v1_ReportResponse__Output>): grpc.ClientUnaryCall;
  Report(argument: _cairn_node_v1_ReportRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_cairn_node_v1_ReportResponse__Output>): grpc.ClientUnaryCall;
  Report(argument: _cairn_node_v1_ReportRequest, callback: grpc.requestCallback<_cairn_node_v1_ReportResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Transitions the node observed (a replica running, failed, rebuilt; an engine attached).
   */
  report(argument: _cairn_node_v1_ReportRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_cairn_node_v1_ReportResponse__Output>): grpc.ClientUnaryCall;
  report(argument: _cairn_node_v1_ReportRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_cairn_node_v1_ReportResponse__Output>): grpc.ClientUnaryCall;
  report(argument: _cairn_node_v1_ReportRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_cairn_node_v1_ReportResponse__Output>): grpc.ClientUnaryCall;
  report(argument: _cairn_node_v1_ReportRequest, callback: grpc.requestCallback<_cairn_node_v1_ReportResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * What this node must run, sent whole at first and again after every change that concerns it.
   */
  WatchAssignments(argument: _cairn_node_v1_WatchAssignmentsRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_cairn_node_v1_Assignments__Output>;
  WatchAssignments(argument: _cairn_node_v1_WatchAssignmentsRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_cairn_node_v1_Assignments__Output>;
  /**
   * What this node must run, sent whole at first and again after every change that concerns it.
   */
  watchAssignments(argument: _cairn_node_v1_WatchAssignmentsRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_cairn_node_v1_Assignments__Output>;
  watchAssignments(argument: _cairn_node_v1_WatchAssignmentsRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_cairn_node_v1_Assignments__Output>;
  
}

export interface NodeAgentHandlers extends grpc.UntypedServiceImplementation {
  /**
   * Keeps the node's liveness lease. A node whose lease expires is marked down by an event.
   */
  Heartbeat: grpc.handleUnaryCall<_cairn_node_v1_HeartbeatRequest__Output, _cairn_node_v1_HeartbeatResponse>;
  
  /**
   * Joins (or rejoins) the cluster: records the node and its disks the first time, refreshes its
   * address and zone after a restart. Returns the heartbeat interval and lease TTL to keep.
   */
  Register: grpc.handleUnaryCall<_cairn_node_v1_RegisterRequest__Output, _cairn_node_v1_RegisterResponse>;
  
  /**
   * Transitions the node observed (a replica running, failed, rebuilt; an engine attached).
   */
  Report: grpc.handleUnaryCall<_cairn_node_v1_ReportRequest__Output, _cairn_node_v1_ReportResponse>;
  
  /**
   * What this node must run, sent whole at first and again after every change that concerns it.
   */
  WatchAssignments: grpc.handleServerStreamingCall<_cairn_node_v1_WatchAssignmentsRequest__Output, _cairn_node_v1_Assignments>;
  
}

export interface NodeAgentDefinition extends grpc.ServiceDefinition {
  Heartbeat: MethodDefinition<_cairn_node_v1_HeartbeatRequest, _cairn_node_v1_HeartbeatResponse, _cairn_node_v1_HeartbeatRequest__Output, _cairn_node_v1_HeartbeatResponse__Output>
  Register: MethodDefinition<_cairn_node_v1_RegisterRequest, _cairn_node_v1_RegisterResponse, _cairn_node_v1_RegisterRequest__Output, _cairn_node_v1_RegisterResponse__Output>
  Report: MethodDefinition<_cairn_node_v1_ReportRequest, _cairn_node_v1_ReportResponse, _cairn_node_v1_ReportRequest__Output, _cairn_node_v1_ReportResponse__Output>
  WatchAssignments: MethodDefinition<_cairn_node_v1_WatchAssignmentsRequest, _cairn_node_v1_Assignments, _cairn_node_v1_WatchAssignmentsRequest__Output, _cairn_node_v1_Assignments__Output>
}
