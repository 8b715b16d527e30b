// The log's hash chain: what makes a rewritten, removed or inserted event visible.
//
// Every event the log appends carries chain_hash = SHA-256(previous event's chain_hash || this
// event's stored bytes without chain_hash). The appender encodes the event without the field
// and appends the field itself as the last 35 bytes (tag of field 2047, length 32, hash), so the
// hashed bytes are exactly the stored bytes before that trailer: no re-encoding, no canonical
// form to agree on. The head key stores the newest event's chain hash next to its seq, so the
// append Txn's compare on the head pins the hash the next batch chains from.
//
// Where the chain starts: at the first event that carries a hash, chained from 32 zero bytes.
// Logs written before the chain existed project as before up to there; from then on an event
// without a hash is a break. What the chain does not stop: anyone who can write to etcd can
// rewrite an event and every event after it and the head, hashes recomputed (there is no key);
// the chain makes a partial rewrite visible and lets `cairn audit verify` prove the log matches
// the state. etcd authentication is what keeps writers out.
import * as crypto from 'node:crypto';
import { ChainBrokenError } from './errors.js';
import type { CairnEvent } from './events.js';

export const CHAIN_HASH_BYTES = 32;
/** Field 2047, wire type 2 (length-delimited), as a varint (0x3ffa), then the length 32. */
const TRAILER_HEAD = Buffer.from([0xfa, 0x7f, CHAIN_HASH_BYTES]);
const TRAILER_BYTES = TRAILER_HEAD.length + CHAIN_HASH_BYTES;
/** What the first hashed event chains from. */
const GENESIS = Buffer.alloc(CHAIN_HASH_BYTES);

/** Where the chain stands after an event: that event's chain hash, or null before the first hashed event. */
export type ChainHash = Buffer | null;

// crypto.hash (Node >= 20.12) hashes in one call, about twice as fast as a createHash object for
// inputs this small: a replay checks every event. Older Node 20 releases use createHash.
const oneShot = typeof crypto.hash === 'function' ? crypto.hash : null;

/** The chain hash of an event whose bytes without the hash are `body`, after `prev`. */
export function linkHash(prev: ChainHash, body: Uint8Array): Buffer {
  if (oneShot) return oneShot('sha256', Buffer.concat([prev ?? GENESIS, body]), 'buffer');
  return crypto
    .createHash('sha256')
    .update(prev ?? GENESIS)
    .update(body)
    .digest();
}

/** An event encoded without its chain hash, sealed into the chain after `prev`: the bytes to store and its hash. */
export function seal(body: Buffer, prev: ChainHash): { bytes: Buffer; hash: Buffer } {
  const hash = linkHash(prev, body);
  return { bytes: Buffer.concat([body, TRAILER_HEAD, hash]), hash };
}

/**
 * Checks one stored event against the chain before it (`prev`, the chain hash after seq - 1)
 * and returns the chain hash after it. `ev` is `bytes` decoded. Throws ChainBrokenError naming
 * the event's seq when its hash is not at the end of its bytes, does not follow from `prev`, or
 * is missing after the chain began.
 *
 * A mismatch means this event's bytes changed, or the event before was rewritten with its hash
 * computed again (which only moves the break here). Either way nothing from this seq on is to be
 * believed.
 */
export function followChain(prev: ChainHash, ev: CairnEvent, bytes: Uint8Array): ChainHash {
  const claimed = ev.chainHash;
  if (!claimed || claimed.length === 0) {
    if (prev !== null) throw new ChainBrokenError(ev.seq, 'it has no chain hash, but the events before it do');
    return null;
  }
  const n = bytes.length;
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, n);
  if (
    claimed.length !== CHAIN_HASH_BYTES ||
    n < TRAILER_BYTES ||
    !buf.subarray(n - TRAILER_BYTES, n - CHAIN_HASH_BYTES).equals(TRAILER_HEAD)
  ) {
    throw new ChainBrokenError(ev.seq, 'its chain hash is not the last field of its bytes, where the log writes it');
  }
  const hash = buf.subarray(n - CHAIN_HASH_BYTES);
  if (!linkHash(prev, buf.subarray(0, n - TRAILER_BYTES)).equals(hash)) {
    throw new ChainBrokenError(
      ev.seq,
      prev === null
        ? 'its bytes do not give its chain hash (the first hashed event chains from zero)'
        : `its bytes do not give its chain hash from the chain hash of seq ${ev.seq - 1}` +
            ` (this event was changed, or seq ${ev.seq - 1} was rewritten with its hash recomputed)`,
    );
  }
  return Buffer.from(hash);
}

/** The chain hash an event's stored bytes carry (null for an event from before the chain). */
export function chainHashOf(ev: CairnEvent): ChainHash {
  return ev.chainHash && ev.chainHash.length > 0 ? Buffer.from(ev.chainHash) : null;
}

/** The head key's value: the newest seq, and its chain hash when the log has one. */
export function formatHead(seq: number, hash: ChainHash): string {
  return hash ? `${seq} ${hash.toString('hex')}` : String(seq);
}

/**
 * Parses the head key's value. `hash` is undefined when the value has none: a log from before
 * the chain, or a head written by an older cairn; the caller reads the event at `seq` instead.
 */
export function parseHead(value: string): { seq: number; hash: ChainHash | undefined } {
  const [seqText, hex] = value.trim().split(' ');
  const seq = Number(seqText);
  if (hex === undefined) return { seq, hash: seq === 0 ? null : undefined };
  const hash = Buffer.from(hex, 'hex');
  return { seq, hash: hash.length === CHAIN_HASH_BYTES ? hash : undefined };
}
