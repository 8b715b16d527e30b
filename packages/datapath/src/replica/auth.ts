// Connection authentication with the volume's secret, which never crosses the wire: the server
// sends a random challenge, the client answers with HMAC-SHA256(secret, challenge, its own nonce,
// replica id), and the server proves it knows the secret too with an HMAC over the same values
// under a different label, so a client never talks to an impostor either.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const NONCE_BYTES = 32;
export const PROOF_BYTES = 32;

export const newNonce = (): Buffer => randomBytes(NONCE_BYTES);

export function proof(
  role: 'client' | 'server',
  secret: string,
  challenge: Buffer,
  nonce: Buffer,
  replicaId: string,
): Buffer {
  return createHmac('sha256', secret)
    .update(`cairn-replica-v1 ${role}\0`)
    .update(challenge)
    .update(nonce)
    .update(replicaId, 'utf8')
    .digest();
}

export function proofMatches(expected: Buffer, got: Buffer): boolean {
  return got.length === expected.length && timingSafeEqual(expected, got);
}
