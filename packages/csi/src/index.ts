// @cairn/csi: the CSI v1 driver csi.cairn.io. The manager serves Identity + Controller on its
// --csi-socket, each node agent Identity + Node on its own.
export * from './proto.js';
export * from './contract.js';
export * from './errors.js';
export * from './server.js';
export * from './identity.js';
export * from './controller.js';
export * from './node.js';
export * from './client.js';
export * from './host-tools.js';
export { parseStorageClass } from './storage-class.js';
export type { StorageClassRequest, UnsupportedParameter } from './storage-class.js';
export { checkMkfsParams } from './mkfs-params.js';
export { controllerAdmin } from './controller-admin.js';
export type { AdminConnection, ControllerAdmin } from './controller-admin.js';
// What the node agent's filesystem trims read: where a volume is staged on this node, and whether it is mounted there.
export { StageRecords } from './node-state.js';
export { mountAt, parseMountInfo } from './node-plan.js';
export { fstrim } from './node-os.js';
export type { StageRecord } from './node-plan.js';
