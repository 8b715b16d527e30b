// Paging of ListVolumes and ListSnapshots. A token is opaque to the CO: "<kind>:" + the base64url
// of the last id returned. Pages continue *after* that id in id order, so a volume or snapshot
// deleted between two pages does not invalidate the token (the spec allows duplicates and misses
// while the set changes). A token that does not decode, or belongs to the other list, is the
// spec's "invalid starting_token": ABORTED.
import { aborted, invalid } from './errors.js';

export type ListKind = 'vol' | 'snap';

export function encodeToken(kind: ListKind, lastId: string): string {
  return `${kind}:${Buffer.from(lastId, 'utf8').toString('base64url')}`;
}

/** The id a token continues after; throws ABORTED naming the token when it is not one of ours. */
export function decodeToken(kind: ListKind, token: string): string {
  const prefix = `${kind}:`;
  const body = token.startsWith(prefix) ? token.slice(prefix.length) : null;
  if (body === null || body.length === 0 || !/^[A-Za-z0-9_-]+$/.test(body)) {
    throw aborted(`starting_token "${token}" is not a token this driver returned: start again without one`);
  }
  return Buffer.from(body, 'base64url').toString('utf8');
}

export interface Page<T> {
  items: T[];
  nextToken: string;
}

/**
 * One page of `items` (any order; sorted here by `id`): at most `maxEntries` (0: all) after the
 * token's id. next_token is set only when more follow.
 */
export function page<T>(
  kind: ListKind,
  items: readonly T[],
  id: (t: T) => string,
  maxEntries: number,
  startingToken: string,
): Page<T> {
  if (!Number.isInteger(maxEntries) || maxEntries < 0)
    throw invalid(`max_entries must not be negative, got ${maxEntries}`);
  const sorted = [...items].sort((a, b) => (id(a) < id(b) ? -1 : id(a) > id(b) ? 1 : 0));
  let start = 0;
  if (startingToken) {
    const after = decodeToken(kind, startingToken);
    start = sorted.findIndex((t) => id(t) > after);
    if (start < 0) start = sorted.length;
  }
  const end = maxEntries > 0 ? Math.min(sorted.length, start + maxEntries) : sorted.length;
  const out = sorted.slice(start, end);
  const last = out[out.length - 1];
  return { items: out, nextToken: end < sorted.length && last !== undefined ? encodeToken(kind, id(last)) : '' };
}
