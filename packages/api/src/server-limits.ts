// What one gRPC peer may cost a cairn server (the manager's admin and node API, the CSI driver),
// in one place. grpc-js defaults to unlimited streams per connection and unlimited sends; a peer
// that opens thousands of streams (each a pending handler) or a reply too big for any client to
// take would cost memory for nothing. The API's messages are small: the largest are a node's whole
// assignments and a volume list, far under 4 MiB, which is also what a grpc-js client accepts by
// default, so a bigger send could not be read anyway.
import type * as grpc from '@grpc/grpc-js';

/** Largest message a cairn gRPC server receives or sends. */
export const GRPC_MAX_MESSAGE_BYTES = 4 * 1024 * 1024;
/** Streams (calls) at once on one HTTP/2 connection: a node agent holds a few, the CLI one. */
export const GRPC_MAX_CONCURRENT_STREAMS = 128;

/** Options every cairn gRPC server is created with. */
export const GRPC_SERVER_OPTIONS: grpc.ServerOptions = {
  'grpc.max_concurrent_streams': GRPC_MAX_CONCURRENT_STREAMS,
  'grpc.max_receive_message_length': GRPC_MAX_MESSAGE_BYTES,
  'grpc.max_send_message_length': GRPC_MAX_MESSAGE_BYTES,
};
