// NBD wire protocol: constants and the encoders/decoders the server needs. Everything is
// big-endian (network order). The spec is NetworkBlockDevice/nbd doc/proto.md; only what the
// server speaks is here (fixed newstyle handshake, simple replies).

/** "NBDMAGIC", sent first by the server. */
export const NBDMAGIC = 0x4e42444d41474943n;
/** "IHAVEOPT", sent by the server after NBDMAGIC and before every option by the client. */
export const IHAVEOPT = 0x49484156454f5054n;
/** Magic of every option reply. */
export const REPLY_MAGIC = 0x3e889045565a9n;
export const REQUEST_MAGIC = 0x25609513;
export const SIMPLE_REPLY_MAGIC = 0x67446698;

/** Bytes in a request header: magic 4, flags 2, type 2, handle 8, offset 8, length 4. */
export const REQUEST_HEADER_SIZE = 28;
/** Bytes in a simple reply header: magic 4, error 4, handle 8. */
export const SIMPLE_REPLY_SIZE = 16;
/** Bytes in an option header from the client: IHAVEOPT 8, option 4, length 4. */
export const OPTION_HEADER_SIZE = 16;

// Handshake flags (server, 16 bits) and client flags (32 bits).
export const FLAG_FIXED_NEWSTYLE = 1 << 0;
export const FLAG_NO_ZEROES = 1 << 1;
export const FLAG_C_FIXED_NEWSTYLE = 1 << 0;
export const FLAG_C_NO_ZEROES = 1 << 1;

// Transmission flags (16 bits).
export const FLAG_HAS_FLAGS = 1 << 0;
export const FLAG_READ_ONLY = 1 << 1;
export const FLAG_SEND_FLUSH = 1 << 2;
export const FLAG_SEND_FUA = 1 << 3;
export const FLAG_ROTATIONAL = 1 << 4;
export const FLAG_SEND_TRIM = 1 << 5;
export const FLAG_SEND_WRITE_ZEROES = 1 << 6;
export const FLAG_SEND_DF = 1 << 7;
export const FLAG_CAN_MULTI_CONN = 1 << 8;
export const FLAG_SEND_CACHE = 1 << 10;
export const FLAG_SEND_FAST_ZERO = 1 << 11;

// Options.
export const OPT_EXPORT_NAME = 1;
export const OPT_ABORT = 2;
export const OPT_LIST = 3;
export const OPT_STARTTLS = 5;
export const OPT_INFO = 6;
export const OPT_GO = 7;
export const OPT_STRUCTURED_REPLY = 8;
export const OPT_LIST_META_CONTEXT = 9;
export const OPT_SET_META_CONTEXT = 10;
export const OPT_EXTENDED_HEADERS = 11;

// Option reply types; errors have bit 31 set.
export const REP_ACK = 1;
export const REP_SERVER = 2;
export const REP_INFO = 3;
const REP_ERR = 0x80000000;
export const REP_ERR_UNSUP = REP_ERR + 1;
export const REP_ERR_POLICY = REP_ERR + 2;
export const REP_ERR_INVALID = REP_ERR + 3;
export const REP_ERR_PLATFORM = REP_ERR + 4;
export const REP_ERR_TLS_REQD = REP_ERR + 5;
export const REP_ERR_UNKNOWN = REP_ERR + 6;
export const REP_ERR_SHUTDOWN = REP_ERR + 7;
export const REP_ERR_BLOCK_SIZE_REQD = REP_ERR + 8;
export const REP_ERR_TOO_BIG = REP_ERR + 9;

// Information types in NBD_REP_INFO (requested in NBD_OPT_INFO / NBD_OPT_GO).
export const INFO_EXPORT = 0;
export const INFO_NAME = 1;
export const INFO_DESCRIPTION = 2;
export const INFO_BLOCK_SIZE = 3;

// Commands.
export const CMD_READ = 0;
export const CMD_WRITE = 1;
export const CMD_DISC = 2;
export const CMD_FLUSH = 3;
export const CMD_TRIM = 4;
export const CMD_CACHE = 5;
export const CMD_WRITE_ZEROES = 6;
export const CMD_BLOCK_STATUS = 7;

// Command flags.
export const CMD_FLAG_FUA = 1 << 0;
export const CMD_FLAG_NO_HOLE = 1 << 1;
export const CMD_FLAG_DF = 1 << 2;
export const CMD_FLAG_REQ_ONE = 1 << 3;
export const CMD_FLAG_FAST_ZERO = 1 << 4;

// Error values in simple replies (the spec fixes these numbers; they match Linux errno).
export const EPERM = 1;
export const EIO = 5;
export const ENOMEM = 12;
export const EINVAL = 22;
export const ENOSPC = 28;
export const EOVERFLOW = 75;
export const ENOTSUP = 95;
export const ESHUTDOWN = 108;

/** Maps a BlockError errno name (or a Node system error code) to an NBD error value; EIO otherwise. */
export function nbdErrno(name: string | undefined): number {
  switch (name) {
    case 'EPERM':
    case 'EACCES':
    case 'EROFS':
      return EPERM;
    case 'EINVAL':
      return EINVAL;
    case 'ENOSPC':
    case 'EDQUOT':
    case 'EFBIG':
      return ENOSPC;
    case 'ENOMEM':
      return ENOMEM;
    case 'EOVERFLOW':
      return EOVERFLOW;
    case 'ESHUTDOWN':
      return ESHUTDOWN;
    default:
      return EIO;
  }
}

const commandNames = ['READ', 'WRITE', 'DISC', 'FLUSH', 'TRIM', 'CACHE', 'WRITE_ZEROES', 'BLOCK_STATUS'];
export function commandName(type: number): string {
  return commandNames[type] ?? `CMD_${type}`;
}

// ---- handshake encoding ------------------------------------------------------------------

/** The server's greeting: NBDMAGIC, IHAVEOPT, 16-bit handshake flags. */
export function encodeGreeting(handshakeFlags: number): Buffer {
  const b = Buffer.allocUnsafe(18);
  b.writeBigUInt64BE(NBDMAGIC, 0);
  b.writeBigUInt64BE(IHAVEOPT, 8);
  b.writeUInt16BE(handshakeFlags, 16);
  return b;
}

/** An option reply: magic, option, reply type, length, data. */
export function encodeOptionReply(option: number, type: number, data?: Buffer): Buffer {
  const len = data ? data.length : 0;
  const b = Buffer.allocUnsafe(20 + len);
  b.writeBigUInt64BE(REPLY_MAGIC, 0);
  b.writeUInt32BE(option >>> 0, 8);
  b.writeUInt32BE(type >>> 0, 12);
  b.writeUInt32BE(len, 16);
  if (data) data.copy(b, 20);
  return b;
}

/** NBD_REP_SERVER payload: name length, name (then optional human-readable details, unused). */
export function encodeServerReply(name: string): Buffer {
  const n = Buffer.from(name, 'utf8');
  const b = Buffer.allocUnsafe(4 + n.length);
  b.writeUInt32BE(n.length, 0);
  n.copy(b, 4);
  return b;
}

/** NBD_INFO_EXPORT payload: type, 64-bit size, 16-bit transmission flags. */
export function encodeInfoExport(size: number, transmissionFlags: number): Buffer {
  const b = Buffer.allocUnsafe(12);
  b.writeUInt16BE(INFO_EXPORT, 0);
  b.writeBigUInt64BE(BigInt(size), 2);
  b.writeUInt16BE(transmissionFlags, 10);
  return b;
}

/** NBD_INFO_BLOCK_SIZE payload: type, minimum, preferred, maximum payload. */
export function encodeInfoBlockSize(minimum: number, preferred: number, maximum: number): Buffer {
  const b = Buffer.allocUnsafe(14);
  b.writeUInt16BE(INFO_BLOCK_SIZE, 0);
  b.writeUInt32BE(minimum, 2);
  b.writeUInt32BE(preferred, 6);
  b.writeUInt32BE(maximum, 10);
  return b;
}

/** NBD_INFO_NAME payload: type, name. */
export function encodeInfoName(name: string): Buffer {
  const n = Buffer.from(name, 'utf8');
  const b = Buffer.allocUnsafe(2 + n.length);
  b.writeUInt16BE(INFO_NAME, 0);
  n.copy(b, 2);
  return b;
}

/** The reply to NBD_OPT_EXPORT_NAME: size, transmission flags, 124 zeroes unless NO_ZEROES. */
export function encodeExportNameReply(size: number, transmissionFlags: number, noZeroes: boolean): Buffer {
  const b = Buffer.alloc(noZeroes ? 10 : 134);
  b.writeBigUInt64BE(BigInt(size), 0);
  b.writeUInt16BE(transmissionFlags, 8);
  return b;
}

/** Data of NBD_OPT_INFO / NBD_OPT_GO: name and the information types requested. */
export interface InfoRequest {
  name: string;
  requests: number[];
}

/** Parses NBD_OPT_INFO / NBD_OPT_GO data; undefined when its lengths do not add up. */
export function decodeInfoRequest(data: Buffer): InfoRequest | undefined {
  if (data.length < 6) return undefined;
  const nameLen = data.readUInt32BE(0);
  if (nameLen > data.length - 6) return undefined;
  const count = data.readUInt16BE(4 + nameLen);
  if (data.length !== 6 + nameLen + 2 * count) return undefined;
  const requests: number[] = [];
  for (let i = 0; i < count; i++) requests.push(data.readUInt16BE(6 + nameLen + 2 * i));
  return { name: data.toString('utf8', 4, 4 + nameLen), requests };
}

// ---- transmission encoding -----------------------------------------------------------------

/**
 * A simple reply header. The handle is carried as its two 32-bit halves so the hot path needs
 * no BigInt; it is echoed back unchanged.
 */
export function encodeSimpleReply(error: number, handleHi: number, handleLo: number): Buffer {
  const b = Buffer.allocUnsafe(SIMPLE_REPLY_SIZE);
  b.writeUInt32BE(SIMPLE_REPLY_MAGIC, 0);
  b.writeUInt32BE(error, 4);
  b.writeUInt32BE(handleHi, 8);
  b.writeUInt32BE(handleLo, 12);
  return b;
}

/** A request header (what a client sends); used by tests and tools. */
export function encodeRequest(
  type: number,
  flags: number,
  handle: bigint,
  offset: bigint | number,
  length: number,
): Buffer {
  const b = Buffer.allocUnsafe(REQUEST_HEADER_SIZE);
  b.writeUInt32BE(REQUEST_MAGIC, 0);
  b.writeUInt16BE(flags, 4);
  b.writeUInt16BE(type, 6);
  b.writeBigUInt64BE(handle, 8);
  b.writeBigUInt64BE(BigInt(offset), 16);
  b.writeUInt32BE(length, 24);
  return b;
}
