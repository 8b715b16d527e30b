// The header at the start of a layer's map file: the replica's revision and its clean/rebuilding/
// engine-open flags. Two slots (bytes 0 and 512, separate sectors) are written alternately with a sequence
// number and a checksum, so a torn header write leaves the previous one readable.
//
// A persist writes the dirty map pages and the header, then syncs the map file once: the disk may
// keep the header and lose a page. So a header (version 2) also carries a digest of every map page
// as it meant them to be (`pages`, see pageDigest) and the header of the persist before it
// (`previous`, whose pages were durable before this one's writes began). Layer.open believes a
// header only when the pages on disk match its digest; otherwise the map holds at least the
// previous header's state (pages only ever move forward), so it takes the previous revision: a
// header never vouches for pages that did not reach the disk. Version 1 headers have no digest
// and are believed, as before.
import { createHash } from 'node:crypto';

export interface MapHeader {
  revision: number;
  /** The store was closed cleanly after this header was written. */
  clean: boolean;
  rebuilding: boolean;
  /**
   * An engine has the replica open for writing (set by its open, cleared after its close's final
   * flush). Still set when the store opens: that engine died, and it may have sent this replica
   * unacknowledged writes its peers lack, whatever `clean` says of the replica's own process.
   */
  engineOpen: boolean;
}

/**
 * The header of a layer in which nothing was ever made durable. A map file with no bytes at all
 * has this header: a store's first layer is created that way, without writing and syncing a
 * header (one fsync fewer per store, and a node makes hundreds of stores at once in a create
 * storm). Every persist writes a real header, so a map file that has held one is never empty.
 */
export const FRESH_HEADER: Readonly<MapHeader> = Object.freeze({
  revision: 0,
  clean: false,
  rebuilding: false,
  engineOpen: false,
});

/** What a version 2 header adds: see the top of this file. */
export interface HeaderChecks {
  /** pageDigest() of the map pages this header describes (16 bytes). */
  pages: Buffer;
  /** The header of the persist before this one. */
  previous: MapHeader;
}

const MAGIC = Buffer.from('CAIRNMAP', 'latin1');
const VERSION = 2;
const DIGEST_BYTES = 16;
export const HEADER_SLOT_BYTES = 512;
/** Map pages start here; the header slots sit before. */
export const MAP_PAGES_OFFSET = 4096;
// Version 1: 0 magic, 8 version, 12 flags, 16 seq, 24 revision, 32 reserved; its checksum at 40.
// Version 2 adds 40 previous revision, 48 pages digest (16 bytes); its checksum at 64.
const BODY_V1 = 40;
const BODY_V2 = 64;
const FLAG_CLEAN = 1;
const FLAG_REBUILDING = 2;
const FLAG_PREVIOUS_CLEAN = 4;
const FLAG_PREVIOUS_REBUILDING = 8;
const FLAG_ENGINE_OPEN = 16;
const FLAG_PREVIOUS_ENGINE_OPEN = 32;

export function encodeHeader(h: MapHeader, seq: number, checks: HeaderChecks): Buffer {
  const b = Buffer.alloc(HEADER_SLOT_BYTES);
  MAGIC.copy(b, 0);
  b.writeUInt32LE(VERSION, 8);
  const p = checks.previous;
  b.writeUInt32LE(
    (h.clean ? FLAG_CLEAN : 0) |
      (h.rebuilding ? FLAG_REBUILDING : 0) |
      (p.clean ? FLAG_PREVIOUS_CLEAN : 0) |
      (p.rebuilding ? FLAG_PREVIOUS_REBUILDING : 0) |
      (h.engineOpen ? FLAG_ENGINE_OPEN : 0) |
      (p.engineOpen ? FLAG_PREVIOUS_ENGINE_OPEN : 0),
    12,
  );
  writeU64(b, 16, seq);
  writeU64(b, 24, h.revision);
  writeU64(b, 40, p.revision);
  checks.pages.copy(b, 48, 0, DIGEST_BYTES);
  digest(b, BODY_V2).copy(b, BODY_V2);
  return b;
}

/** The slot's header and sequence number (and checks, from version 2), or null when the slot is empty, torn or foreign. */
export function decodeHeader(b: Buffer): { header: MapHeader; seq: number; checks?: HeaderChecks } | null {
  if (b.length < BODY_V2 + DIGEST_BYTES || !b.subarray(0, 8).equals(MAGIC)) return null;
  const version = b.readUInt32LE(8);
  const body = version === 1 ? BODY_V1 : version === 2 ? BODY_V2 : 0;
  if (body === 0 || !digest(b, body).equals(b.subarray(body, body + DIGEST_BYTES))) return null;
  const flags = b.readUInt32LE(12);
  const header = {
    revision: readU64(b, 24),
    clean: (flags & FLAG_CLEAN) !== 0,
    rebuilding: (flags & FLAG_REBUILDING) !== 0,
    engineOpen: (flags & FLAG_ENGINE_OPEN) !== 0,
  };
  if (version === 1) return { seq: readU64(b, 16), header };
  const previous = {
    revision: readU64(b, 40),
    clean: (flags & FLAG_PREVIOUS_CLEAN) !== 0,
    rebuilding: (flags & FLAG_PREVIOUS_REBUILDING) !== 0,
    engineOpen: (flags & FLAG_PREVIOUS_ENGINE_OPEN) !== 0,
  };
  return { seq: readU64(b, 16), header, checks: { pages: Buffer.from(b.subarray(48, 48 + DIGEST_BYTES)), previous } };
}

/**
 * The digest of one map page as written at page number `p` (all zeroes for an all-zero page, so
 * pages never written and pages cleared count alike). A map's digest is the XOR of its pages'
 * digests: a persist updates it from the dirty pages alone, and an open recomputes it from what
 * it read.
 */
export function pageDigest(p: number, bytes: Uint8Array): Buffer {
  if (bytes.every((v) => v === 0)) return Buffer.alloc(DIGEST_BYTES);
  const n = Buffer.alloc(8);
  writeU64(n, 0, p);
  return createHash('sha256').update(n).update(bytes).digest().subarray(0, DIGEST_BYTES);
}

/** XORs `b` into `into` (16-byte digests). */
export function xorDigest(into: Buffer, b: Buffer): void {
  for (let i = 0; i < DIGEST_BYTES; i++) into[i]! ^= b[i]!;
}

/** The digest of a map with no pages. */
export const emptyDigest = (): Buffer => Buffer.alloc(DIGEST_BYTES);

/**
 * The header to believe, given the newest valid one and the digest of the pages on disk: itself
 * when its pages are all there (or it predates digests), else its predecessor, not clean, and
 * rebuilding if either was (a rebuild's begin or end whose pages are uncertain stays a rebuild).
 */
export function believedHeader(found: { header: MapHeader; checks?: HeaderChecks }, pagesOnDisk: Buffer): MapHeader {
  if (!found.checks || found.checks.pages.equals(pagesOnDisk)) return found.header;
  const prev = found.checks.previous;
  return {
    revision: prev.revision,
    clean: false,
    rebuilding: prev.rebuilding || found.header.rebuilding,
    engineOpen: prev.engineOpen || found.header.engineOpen,
  };
}

function digest(b: Buffer, body: number): Buffer {
  return createHash('sha256').update(b.subarray(0, body)).digest().subarray(0, DIGEST_BYTES);
}

export function writeU64(b: Buffer, at: number, v: number): void {
  b.writeUInt32LE(v % 0x1_0000_0000, at);
  b.writeUInt32LE(Math.floor(v / 0x1_0000_0000), at + 4);
}

export function readU64(b: Buffer, at: number): number {
  return b.readUInt32LE(at + 4) * 0x1_0000_0000 + b.readUInt32LE(at);
}
