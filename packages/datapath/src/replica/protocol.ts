// The replica protocol's wire format: framed binary messages over TCP, little-endian.
//
//   request  (32-byte header, then `payloadLength` bytes)
//     0 u32 magic 'CRNQ'   4 u8 op   5 u8 flags (FLAG_*)   6 u16 zero   8 u32 id
//     12 u32 payloadLength   16 u64 offset   24 u32 length   28 u32 zero
//   reply    (16-byte header, then `payloadLength` bytes)
//     0 u32 magic 'CRNR'   4 u32 id   8 u32 status (0 = OK)   12 u32 payloadLength
//
// Requests carry ids chosen by the client and may be pipelined; replies come back in any order
// and are matched by id. An error reply's payload is a UTF-8 message. Payloads are raw bytes for
// data (READ replies, WRITE requests), UTF-8 names for snapshot ops, JSON for the rare control
// replies (INFO, SNAPSHOT_*), and a binary extent list for *_RANGES. Anything that does not parse
// (bad magic, nonzero reserved bits, payload over the limit) closes that connection only.
//
// Opening: the server speaks first, a reply frame with id 0 whose payload is u32 version and a
// 32-byte random challenge. The client sends HELLO (payload: 32-byte client nonce, 32-byte HMAC
// proof, u64 attachment epoch, then the replica id in UTF-8; see auth.ts and fence.ts); the server
// answers OK with its own proof and the replica's INFO as JSON, or an error (EPERM: wrong secret,
// ENOENT: no such replica, ESTALE: the replica has admitted a newer epoch) and closes. Any other
// request before HELLO succeeds is refused with EPERM and the connection closed. A connection
// whose epoch the replica has since left behind gets ESTALE for every write and live read.
import { BlockError } from '../block.js';
import { FencedError, ReplicaError } from './api.js';
import type { Extent, ExtentList } from './api.js';
import { readU64, writeU64 } from './map-header.js';

/** 2: HELLO carries the attachment epoch. */
export const PROTOCOL_VERSION = 2;
export const REQUEST_MAGIC = 0x51_4e_52_43; // 'CRNQ' read as little-endian u32
export const REPLY_MAGIC = 0x52_4e_52_43; // 'CRNR'
export const REQUEST_HEADER_BYTES = 32;
export const REPLY_HEADER_BYTES = 16;
/** Largest READ/WRITE: 32 MiB. */
export const MAX_IO_BYTES = 32 * 1024 * 1024;
/** Largest payload either side accepts: one I/O plus room for control bodies. */
export const MAX_PAYLOAD_BYTES = MAX_IO_BYTES + 64 * 1024;

export const Op = {
  HELLO: 1,
  INFO: 2,
  READ: 3,
  WRITE: 4,
  FLUSH: 5,
  TRIM: 6,
  WRITE_ZEROES: 7,
  SNAPSHOT_CREATE: 8,
  SNAPSHOT_DELETE: 9,
  SNAPSHOT_LIST: 10,
  READ_SNAPSHOT: 11,
  /** offset, length; payload: snapshot name or empty for the live view. */
  ALLOCATED_RANGES: 12,
  /** offset, length; payload: snapshot name, or empty for the head layer. */
  LAYER_RANGES: 13,
  /** offset: the new size. */
  RESIZE: 14,
  REBUILD_BEGIN: 15,
  /** offset: the revision to set. */
  REBUILD_END: 16,
  /** Every frozen layer, system ones included (JSON SnapshotInfo[]). */
  LAYER_LIST: 17,
  /** payload: JSON { layer: NewLayer, below: string | null }; reply: JSON SnapshotInfo. */
  SNAPSHOT_INSERT: 18,
  /** offset, length (whole blocks, at most 64 MiB); payload: layer name or empty for the live view; reply: 16 bytes per block. */
  HASH_BLOCKS: 19,
  /** offset, length (whole blocks); payload: u16 name length, the layer's name, then the data. */
  WRITE_LAYER: 20,
  /** offset, length (whole blocks); payload: the layer's name. */
  ZERO_LAYER: 21,
  /** offset: 1 to set the durable engine-open mark, 0 to clear it (engine sessions, ops 40 and up). */
  ENGINE_MARK: 40,
} as const;
export type OpCode = (typeof Op)[keyof typeof Op];

/** WRITE, WRITE_ZEROES: durable before the reply (TRIM: ignored). */
export const FLAG_FUA = 1;
/** WRITE_ZEROES: the range stays allocated (NBD's NO_HOLE). */
export const FLAG_NO_HOLE = 2;
/**
 * TRIM, WRITE_ZEROES: more pieces of this request follow, each starting where this one ends (the
 * length field is a u32, so the client splits ranges over 2 GiB). The server gathers the pieces
 * and applies them as one store call when the last one (without the flag) arrives, then answers
 * every piece with its result: one request is one mutation (one revision bump) whatever its size.
 */
export const FLAG_MORE = 4;

export const Status = {
  /** ESTALE: the connection's attachment epoch is older than one the replica has admitted (fence.ts). */
  OK: 0,
  EIO: 1,
  EINVAL: 2,
  ENOSPC: 3,
  EPERM: 4,
  ESHUTDOWN: 5,
  ENOENT: 6,
  EEXIST: 7,
  EBUSY: 8,
  ESTALE: 9,
} as const;
type ErrorName = Exclude<keyof typeof Status, 'OK' | 'ESTALE'>;
const NAMES = Object.fromEntries(Object.entries(Status).map(([k, v]) => [v, k])) as Record<number, keyof typeof Status>;

export class ProtocolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProtocolError';
  }
}

export interface RequestHeader {
  op: number;
  flags: number;
  id: number;
  payloadLength: number;
  offset: number;
  length: number;
}

export function encodeRequest(
  op: OpCode,
  flags: number,
  id: number,
  offset: number,
  length: number,
  payloadLength: number,
): Buffer {
  const h = Buffer.allocUnsafe(REQUEST_HEADER_BYTES);
  h.writeUInt32LE(REQUEST_MAGIC, 0);
  h.writeUInt8(op, 4);
  h.writeUInt8(flags, 5);
  h.writeUInt16LE(0, 6);
  h.writeUInt32LE(id, 8);
  h.writeUInt32LE(payloadLength, 12);
  writeU64(h, 16, offset);
  h.writeUInt32LE(length, 24);
  h.writeUInt32LE(0, 28);
  return h;
}

/** Validates the request header at `at` in `h`; throws ProtocolError when the frame is malformed. */
export function decodeRequest(h: Buffer, at = 0): RequestHeader {
  if (h.readUInt32LE(at) !== REQUEST_MAGIC) throw new ProtocolError('bad request magic');
  if (h.readUInt16LE(at + 6) !== 0 || h.readUInt32LE(at + 28) !== 0) throw new ProtocolError('nonzero reserved field');
  const payloadLength = h.readUInt32LE(at + 12);
  if (payloadLength > MAX_PAYLOAD_BYTES) throw new ProtocolError(`payload of ${payloadLength} bytes is over the limit`);
  if (h.readUInt32LE(at + 20) >= 0x20_0000) throw new ProtocolError('offset beyond 2^53');
  return {
    op: h[at + 4]!,
    flags: h[at + 5]!,
    id: h.readUInt32LE(at + 8),
    payloadLength,
    offset: readU64(h, at + 16),
    length: h.readUInt32LE(at + 24),
  };
}

export function encodeReply(id: number, status: number, payloadLength: number): Buffer {
  const h = Buffer.allocUnsafe(REPLY_HEADER_BYTES);
  h.writeUInt32LE(REPLY_MAGIC, 0);
  h.writeUInt32LE(id, 4);
  h.writeUInt32LE(status, 8);
  h.writeUInt32LE(payloadLength, 12);
  return h;
}

/** Validates the reply header at `at` in `h`; its payload length. */
export function replyPayloadLength(h: Buffer, at = 0): number {
  if (h.readUInt32LE(at) !== REPLY_MAGIC) throw new ProtocolError('bad reply magic');
  const n = h.readUInt32LE(at + 12);
  if (n > MAX_PAYLOAD_BYTES) throw new ProtocolError(`payload of ${n} bytes is over the limit`);
  return n;
}

/** The status a thrown error travels as. */
export function statusOf(err: unknown): number {
  if (err instanceof FencedError) return Status.ESTALE;
  if (err instanceof BlockError || err instanceof ReplicaError) {
    const name = err instanceof BlockError ? err.errno : err.code;
    return Status[name];
  }
  return Status.EIO;
}

/** The error an error reply stands for: BlockError for data-path errnos, ReplicaError for the rest. */
export function errorOf(status: number, message: string): Error {
  if (status === Status.ESTALE) return new FencedError(message);
  const name = (NAMES[status] ?? 'EIO') as ErrorName;
  if (name === 'ENOENT' || name === 'EEXIST' || name === 'EBUSY') return new ReplicaError(name, message);
  return new BlockError(name, message);
}

/** Bytes of the attachment epoch in HELLO (a u64 after the proof). */
export const HELLO_EPOCH_BYTES = 8;

export interface Hello {
  nonce: Buffer;
  proof: Buffer;
  /** The engine's attachment epoch; 0: no claim (a reader of snapshots, or a client from before fencing). */
  epoch: number;
  replicaId: string;
}

/** HELLO's payload: nonce, proof, u64 epoch, replica id (UTF-8). */
export function encodeHello(h: Hello): Buffer {
  const epoch = Buffer.allocUnsafe(HELLO_EPOCH_BYTES);
  writeU64(epoch, 0, h.epoch);
  return Buffer.concat([h.nonce, h.proof, epoch, Buffer.from(h.replicaId, 'utf8')]);
}

/** Parses HELLO's payload (`nonceBytes`, `proofBytes`: auth.ts's sizes); null when malformed (no replica id, an epoch over 2^53). */
export function decodeHello(payload: Buffer, nonceBytes: number, proofBytes: number): Hello | null {
  const at = nonceBytes + proofBytes;
  if (payload.length <= at + HELLO_EPOCH_BYTES || payload.readUInt32LE(at + 4) >= 0x20_0000) return null;
  return {
    nonce: payload.subarray(0, nonceBytes),
    proof: payload.subarray(nonceBytes, at),
    epoch: readU64(payload, at),
    replicaId: payload.subarray(at + HELLO_EPOCH_BYTES).toString('utf8'),
  };
}

/** WRITE_LAYER's payload: u16 name length, the name (UTF-8), the data. */
export function encodeLayerWrite(name: string, data: Buffer): Buffer[] {
  const n = Buffer.from(name, 'utf8');
  const h = Buffer.allocUnsafe(2);
  h.writeUInt16LE(n.length, 0);
  return [h, n, data];
}

export function decodeLayerWrite(payload: Buffer): { name: string; data: Buffer } {
  if (payload.length < 2) throw new BlockError('EINVAL', 'short WRITE_LAYER payload');
  const n = payload.readUInt16LE(0);
  if (payload.length < 2 + n) throw new BlockError('EINVAL', 'WRITE_LAYER name runs past its payload');
  return { name: payload.subarray(2, 2 + n).toString('utf8'), data: payload.subarray(2 + n) };
}

// Extent lists: u64 end, u32 count, then count × (u64 offset, u64 length, u8 zero).
const EXTENT_BYTES = 17;

export function encodeExtents(list: ExtentList): Buffer {
  const b = Buffer.allocUnsafe(12 + list.extents.length * EXTENT_BYTES);
  writeU64(b, 0, list.end);
  b.writeUInt32LE(list.extents.length, 8);
  list.extents.forEach((e, i) => {
    const at = 12 + i * EXTENT_BYTES;
    writeU64(b, at, e.offset);
    writeU64(b, at + 8, e.length);
    b.writeUInt8(e.zero ? 1 : 0, at + 16);
  });
  return b;
}

export function decodeExtents(b: Buffer): ExtentList {
  if (b.length < 12) throw new ProtocolError('short extent list');
  const count = b.readUInt32LE(8);
  if (b.length !== 12 + count * EXTENT_BYTES) throw new ProtocolError('extent list length mismatch');
  const extents: Extent[] = [];
  for (let i = 0; i < count; i++) {
    const at = 12 + i * EXTENT_BYTES;
    extents.push({ offset: readU64(b, at), length: readU64(b, at + 8), zero: b.readUInt8(at + 16) === 1 });
  }
  return { extents, end: readU64(b, 0) };
}
