// What one ReplicaServer lets a peer cost it, in one place. Anyone who can reach the data port
// can open connections before proving anything, so the unauthenticated state is the one to bound
// tightly: a connection that has not completed HELLO may hold at most one HELLO-sized frame, lives
// at most AUTH_TIMEOUT_MS, and there are at most MAX_UNAUTHENTICATED of them. Authenticated
// connections are bounded by MAX_CONNECTIONS and, each, by the flow limits (MAX_INFLIGHT,
// MAX_QUEUED_BYTES) and protocol.ts's MAX_PAYLOAD_BYTES per frame. Connections beyond a cap are
// closed as soon as they are accepted; the engine's client retries, an attacker gets nothing.
import { NONCE_BYTES, PROOF_BYTES } from './auth.js';
import { HELLO_EPOCH_BYTES } from './protocol.js';

/** Longest replica id a HELLO may name. */
export const MAX_REPLICA_ID_BYTES = 1024;
/** HELLO's real maximum payload: client nonce, proof, attachment epoch, replica id. A bigger frame before HELLO closes the connection unread. */
export const MAX_HELLO_PAYLOAD_BYTES = NONCE_BYTES + PROOF_BYTES + HELLO_EPOCH_BYTES + MAX_REPLICA_ID_BYTES;
/** A connection that has not authenticated by then is closed. */
export const AUTH_TIMEOUT_MS = 10_000;
/** Connections (authenticated or not) per listener. Engines hold one or two per replica they use. */
export const MAX_CONNECTIONS = 1024;
/** Connections still before HELLO per listener: a burst of engines reconnecting fits, a flood does not. */
export const MAX_UNAUTHENTICATED = 128;
/** Requests under way per connection before it stops reading. */
export const MAX_INFLIGHT = 1024;
/** Reply bytes queued per connection before it stops reading. */
export const MAX_QUEUED_BYTES = 64 * 1024 * 1024;
