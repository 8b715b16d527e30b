// Bearer tokens: created by `cairn up` (32 random bytes, hex, file mode 0600), checked by the
// manager on every admin and node-facing call with a constant-time comparison.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Metadata } from '@grpc/grpc-js';

export function newToken(): string {
  return randomBytes(32).toString('hex');
}

/** True when the call's metadata carries `authorization: Bearer <expected>`. */
export function hasBearer(metadata: Metadata, expected: string): boolean {
  const v = metadata.get('authorization')[0];
  if (typeof v !== 'string' || !v.startsWith('Bearer ')) return false;
  const got = Buffer.from(v.slice(7));
  const want = Buffer.from(expected);
  return got.length === want.length && timingSafeEqual(got, want);
}
