// @cairn/cli as a library: run the `cairn` command line in-process, and its pure parts.
export { run, hoistGlobals } from './cli.js';
export type { RunOptions } from './cli.js';
export { bufferIo, processIo } from './io.js';
export type { Io } from './io.js';
export type { AdminApi } from './client.js';
export { grpcAdminApi } from './client.js';
export { resolveConnection, loadClusterFile, DEFAULT_CLUSTER_FILE } from './config.js';
export type { Connection, ClusterFile, ConnectionFlags } from './config.js';
export { describeError, grpcErrorLine, CliError, UsageError } from './errors.js';
export { exportLine, Replayer, replayText } from './replay.js';
export type { ReplayResult } from './replay.js';
