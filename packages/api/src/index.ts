// @cairn/api: the manager's gRPC APIs (admin and node-facing) as typed service definitions and
// clients, loaded at run time with proto-loader using @cairn/schema's LOADER_OPTIONS (the options
// its generated types were made with), plus the helpers every client and server shares.

export * from './units.js';
export * from './auth.js';
export * from './undecodable.js';
export * from './server-limits.js';
export * from './assignments.js';
export * from './pki.js';
export * from './log.js';
export * from './command-line.js';
export * from './metrics.js';
export * from './grpc-errors.js';
export * from './unary-calls.js';
export * from './admin-client.js';
export type { AdminClient, AdminHandlers, NodeAgentClient, NodeAgentHandlers } from '@cairn/schema';
export { LOADER_OPTIONS, PROTO_DIR } from '@cairn/schema';
export * from './clients.js';
export type * from '@cairn/schema/types';
