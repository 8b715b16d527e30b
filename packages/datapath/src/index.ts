// @cairn/datapath: replicas, the replicating engine and the NBD frontend.
export * from './block.js';
export { MemoryBackend } from './memory-backend.js';
export { NbdServer } from './nbd/server.js';
export type { NbdServerOptions } from './nbd/server.js';
export type { ExportList, ExportLookup } from './nbd/connection.js';
export * as nbd from './nbd/protocol.js';
export { ReplicaError } from './replica/api.js';
export type { Extent, ExtentList, Replica, ReplicaInfo, SnapshotInfo } from './replica/api.js';
export { MAX_VOLUME_SIZE, ReplicaStore } from './replica/store.js';
export type { ReplicaStoreOptions } from './replica/store.js';
export { ReplicaServer } from './replica/server.js';
export type { ReplicaServerOptions } from './replica/server.js';
export { ReplicaClient } from './replica/client.js';
export type { ReplicaClientOptions } from './replica/client.js';
export * as replicaProtocol from './replica/protocol.js';
export { Engine } from './engine/engine.js';
export type { EngineEvents, EngineReplica, EngineReplicaMode } from './engine/engine.js';
export { SnapshotView } from './engine/snapshot-view.js';
