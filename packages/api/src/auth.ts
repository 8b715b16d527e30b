// Credentials and the checks on them. Two kinds, refused on each other's calls:
// - the admin token: created by `cairn up` (32 random bytes, hex, file mode 0600); every admin call.
// - a node token: `cairn-node.<nodeId>.<base64url(HMAC-SHA256(nodeKey, "cairn-node:" + nodeId))>`,
//   for that node's calls to the node-facing service only. The managers hold the node key and so
//   need no per-node storage to check one; rotating the node key invalidates every node token.
// Every comparison is constant-time.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Metadata } from '@grpc/grpc-js';

export function newToken(): string {
  return randomBytes(32).toString('hex');
}

/** A node key: 32 random bytes, hex (what `cairn up` writes to DIR/credentials/node.key). */
export const newNodeKey = newToken;

/** The bearer value of a call (`authorization: Bearer <value>`), or null. */
export function bearerOf(metadata: Metadata): string | null {
  const v = metadata.get('authorization')[0];
  return typeof v === 'string' && v.startsWith('Bearer ') ? v.slice(7) : null;
}

function sameBytes(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/** True when the call's metadata carries `authorization: Bearer <expected>`. */
export function hasBearer(metadata: Metadata, expected: string): boolean {
  const got = bearerOf(metadata);
  return got !== null && sameBytes(Buffer.from(got), Buffer.from(expected));
}

const NODE_TOKEN_PREFIX = 'cairn-node.';

function nodeMac(nodeKey: string, nodeId: string): string {
  return createHmac('sha256', nodeKey).update(`cairn-node:${nodeId}`).digest('base64url');
}

/** The token of node `nodeId` under `nodeKey` (what `cairn manager node-credential` prints). */
export function nodeToken(nodeKey: string, nodeId: string): string {
  if (!nodeKey) throw new Error('the node key is empty');
  if (!nodeId) throw new Error('the node id is empty');
  return `${NODE_TOKEN_PREFIX}${nodeId}.${nodeMac(nodeKey, nodeId)}`;
}

/**
 * The node a token was made for under `nodeKey`, or null when it is no node token of this key.
 * The id is taken from the token and proved by its MAC (the MAC has no '.', the id may).
 */
export function nodeOfToken(token: string, nodeKey: string): string | null {
  if (!token.startsWith(NODE_TOKEN_PREFIX)) return null;
  const dot = token.lastIndexOf('.');
  const nodeId = token.slice(NODE_TOKEN_PREFIX.length, dot);
  if (dot < NODE_TOKEN_PREFIX.length || nodeId === '') return null;
  return sameBytes(Buffer.from(token.slice(dot + 1)), Buffer.from(nodeMac(nodeKey, nodeId))) ? nodeId : null;
}

/** Who a call comes from, by its bearer token. */
export type Caller = { kind: 'admin' } | { kind: 'node'; nodeId: string };

/**
 * The caller a call's bearer token proves, or null (no token, or one of neither kind). With no
 * node key there are no node tokens: only the admin token is recognised.
 */
export function callerOf(
  metadata: Metadata,
  creds: { adminToken: string; nodeKey?: string | undefined },
): Caller | null {
  const got = bearerOf(metadata);
  if (got === null) return null;
  if (creds.nodeKey && got.startsWith(NODE_TOKEN_PREFIX)) {
    const nodeId = nodeOfToken(got, creds.nodeKey);
    return nodeId === null ? null : { kind: 'node', nodeId };
  }
  return sameBytes(Buffer.from(got), Buffer.from(creds.adminToken)) ? { kind: 'admin' } : null;
}
