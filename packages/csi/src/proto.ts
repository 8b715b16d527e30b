// proto/csi.proto loaded at run time with the options its types were generated with
// (scripts/gen-protos.mjs), shared with cairn's own protos (@cairn/schema).
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { LOADER_OPTIONS } from '@cairn/schema';
import type { ProtoGrpcType } from './gen/csi.js';

export type { IdentityHandlers, IdentityClient } from './gen/csi/v1/Identity.js';
export type { ControllerHandlers, ControllerClient } from './gen/csi/v1/Controller.js';
export type { NodeHandlers, NodeClient } from './gen/csi/v1/Node.js';

/** The driver's name, as Kubernetes' CSIDriver object and StorageClasses spell it. */
export const DRIVER_NAME = 'csi.cairn.io';
export const DRIVER_VERSION = '0.1.0';

let loaded: ProtoGrpcType | null = null;

export function csiProto(): ProtoGrpcType {
  loaded ??= grpc.loadPackageDefinition(protoLoader.loadSync('csi.proto', LOADER_OPTIONS)) as unknown as ProtoGrpcType;
  return loaded;
}
