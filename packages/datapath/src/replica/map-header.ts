// The header at the start of a layer's map file: the replica's revision and its clean/rebuilding
// flags. Two slots (bytes 0 and 512, separate sectors) are written alternately with a sequence
// number and a checksum, so a torn header write leaves the previous one readable.
import { createHash } from 'node:crypto';

export interface MapHeader {
  revision: number;
  /** The store was closed cleanly after this header was written. */
  clean: boolean;
  rebuilding: boolean;
}

/**
 * The header of a layer in which nothing was ever made durable. A map file with no bytes at all
 * has this header: a store's first layer is created that way, without writing and syncing a
 * header (one fsync fewer per store, and a node makes hundreds of stores at once in a create
 * storm). Every persist writes a real header, so a map file that has held one is never empty.
 */
export const FRESH_HEADER: Readonly<MapHeader> = Object.freeze({ revision: 0, clean: false, rebuilding: false });

const MAGIC = Buffer.from('CAIRNMAP', 'latin1');
const VERSION = 1;
export const HEADER_SLOT_BYTES = 512;
/** Map pages start here; the header slots sit before. */
export const MAP_PAGES_OFFSET = 4096;
const BODY = 40;
const FLAG_CLEAN = 1;
const FLAG_REBUILDING = 2;

export function encodeHeader(h: MapHeader, seq: number): Buffer {
  const b = Buffer.alloc(HEADER_SLOT_BYTES);
  MAGIC.copy(b, 0);
  b.writeUInt32LE(VERSION, 8);
  b.writeUInt32LE((h.clean ? FLAG_CLEAN : 0) | (h.rebuilding ? FLAG_REBUILDING : 0), 12);
  writeU64(b, 16, seq);
  writeU64(b, 24, h.revision);
  digest(b).copy(b, BODY);
  return b;
}

/** The slot's header and sequence number, or null when the slot is empty, torn or foreign. */
export function decodeHeader(b: Buffer): { header: MapHeader; seq: number } | null {
  if (b.length < BODY + 16 || !b.subarray(0, 8).equals(MAGIC)) return null;
  if (!digest(b).equals(b.subarray(BODY, BODY + 16))) return null;
  if (b.readUInt32LE(8) !== VERSION) return null;
  const flags = b.readUInt32LE(12);
  return {
    seq: readU64(b, 16),
    header: { revision: readU64(b, 24), clean: (flags & FLAG_CLEAN) !== 0, rebuilding: (flags & FLAG_REBUILDING) !== 0 },
  };
}

function digest(b: Buffer): Buffer {
  return createHash('sha256').update(b.subarray(0, BODY)).digest().subarray(0, 16);
}

export function writeU64(b: Buffer, at: number, v: number): void {
  b.writeUInt32LE(v % 0x1_0000_0000, at);
  b.writeUInt32LE(Math.floor(v / 0x1_0000_0000), at + 4);
}

export function readU64(b: Buffer, at: number): number {
  return b.readUInt32LE(at + 4) * 0x1_0000_0000 + b.readUInt32LE(at);
}
