// @cairn/schema: what every cairn package speaks. The types generated from proto/ (gen/, by
// scripts/gen-protos.mjs), the options they were generated and are loaded with, and the domain
// vocabulary their string fields take. Depends on no other cairn package; every package may
// depend on it. Message types: `@cairn/schema/types` (admin and node APIs), `@cairn/schema/events`.
export * from './loader.js';
export * from './vocabulary.js';
export type { ProtoGrpcType as AdminProto } from './gen/admin.js';
export type { ProtoGrpcType as NodeProto } from './gen/node.js';
export type { AdminClient, AdminHandlers } from './gen/cairn/admin/v1/Admin.js';
export type { NodeAgentClient, NodeAgentHandlers } from './gen/cairn/node/v1/NodeAgent.js';
