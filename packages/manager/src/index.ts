// @cairn/manager: the control plane's process: admin and node-facing gRPC APIs, command
// validation, and on the leader the reconciler (scheduler) and node liveness.
export { Manager } from './manager.js';
export type { ManagerOptions } from './manager.js';
export { runManager, MANAGER_COMMAND, NODE_CREDENTIAL_COMMAND } from './run.js';
export * as commands from './commands.js';
export { CommandError, toServiceError } from './errors.js';
export { explainEvents, verify, stateAt } from './audit.js';
export { Reconciler } from './reconciler.js';
export { readVolumeSecret, volumeSecret, VolumeSecrets } from './volume-secrets.js';
