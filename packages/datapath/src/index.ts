// @cairn/datapath: replicas, the replicating engine and the NBD frontend.
export * from './block.js';
export { MemoryBackend } from './memory-backend.js';
export { NbdServer } from './nbd/server.js';
export type { NbdServerOptions } from './nbd/server.js';
export type { ExportList, ExportLookup } from './nbd/connection.js';
export * as nbd from './nbd/protocol.js';
