// How cairn's .proto files (proto/ at the repository root) are read: the one set of options that
// scripts/gen-protos.mjs generates the types in gen/ with (it turns LOADER_OPTIONS into
// proto-loader-gen-types flags), that @cairn/api and @cairn/csi load their services with
// (proto-loader) and that @cairn/metadata decodes events with (protobufjs's toObject). Change it
// here and run `npm run gen`: the types and the run-time objects cannot drift apart.
import { fileURLToPath } from 'node:url';
import type { Options } from '@grpc/proto-loader';

/** proto/, where every .proto lives (the image copies it beside packages/: Dockerfile). */
export const PROTO_DIR = fileURLToPath(new URL('../../../../proto/', import.meta.url));

/** What a message becomes in JavaScript: camelCase fields, int64 as number, enums by name, every field present, the set oneof named. */
export const CONVERSION_OPTIONS = {
  keepCase: false,
  longs: Number,
  enums: String,
  defaults: true,
  oneofs: true,
} as const;

/** proto-loader's options: the conversion above, imports resolved from PROTO_DIR. */
export const LOADER_OPTIONS: Options = { ...CONVERSION_OPTIONS, includeDirs: [PROTO_DIR] };
