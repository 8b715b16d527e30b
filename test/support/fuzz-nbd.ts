// A deliberately minimal NBD client for the fuzz pass: it speaks just enough of the fixed
// newstyle handshake to reach the transmission phase, and otherwise sends whatever bytes the
// fuzzer gives it, reading what comes back with a deadline (so "the server hung" is an outcome,
// not a stuck test). Numbers are the NBD spec's (NetworkBlockDevice/nbd doc/proto.md), written
// out here rather than imported so the test does not share the server's mistakes.
import { connect } from 'node:net';
import type { Socket } from 'node:net';

export const NBD = {
  NBDMAGIC: 0x4e42444d41474943n,
  IHAVEOPT: 0x49484156454f5054n,
  REPLY_MAGIC: 0x3e889045565a9n,
  REQUEST_MAGIC: 0x25609513,
  SIMPLE_REPLY_MAGIC: 0x67446698,
  OPT_EXPORT_NAME: 1,
  OPT_ABORT: 2,
  OPT_LIST: 3,
  OPT_STARTTLS: 5,
  OPT_INFO: 6,
  OPT_GO: 7,
  OPT_STRUCTURED_REPLY: 8,
  REP_ACK: 1,
  REP_SERVER: 2,
  REP_INFO: 3,
  REP_ERR_UNSUP: 0x80000001,
  REP_ERR_POLICY: 0x80000002,
  REP_ERR_INVALID: 0x80000003,
  REP_ERR_UNKNOWN: 0x80000006,
  INFO_EXPORT: 0,
  INFO_NAME: 1,
  INFO_BLOCK_SIZE: 3,
  CMD_READ: 0,
  CMD_WRITE: 1,
  CMD_DISC: 2,
  CMD_FLUSH: 3,
  CMD_TRIM: 4,
  CMD_CACHE: 5,
  CMD_WRITE_ZEROES: 6,
  CMD_BLOCK_STATUS: 7,
  FLAG_FUA: 1,
  FLAG_NO_HOLE: 2,
  FLAG_DF: 4,
  FLAG_REQ_ONE: 8,
  FLAG_FAST_ZERO: 16,
  EPERM: 1,
  EIO: 5,
  ENOMEM: 12,
  EINVAL: 22,
  ENOSPC: 28,
  EOVERFLOW: 75,
  ENOTSUP: 95,
  ESHUTDOWN: 108,
} as const;

/** A connection whose bytes are read by exact counts, each read with a deadline. */
export class NbdWire {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private wake: (() => void) | undefined;
  closed = false;
  private constructor(readonly socket: Socket) {
    socket.on('data', (c: Buffer) => {
      this.chunks.push(c);
      this.buffered += c.length;
      this.wake?.();
    });
    socket.on('close', () => {
      this.closed = true;
      this.wake?.();
    });
    socket.on('error', () => undefined);
  }

  /** Connects to where an export URI points: nbd://HOST:PORT/NAME or nbd+unix:///NAME?socket=PATH. */
  static open(uri: string, timeoutMs = 5000): Promise<NbdWire> {
    const u = new URL(uri);
    const path = u.protocol === 'nbd+unix:' ? u.searchParams.get('socket') : null;
    if (u.protocol !== 'nbd:' && !path)
      return Promise.reject(new Error(`NbdWire speaks nbd:// and nbd+unix:// only, not ${uri}`));
    return new Promise((resolve, reject) => {
      const s = path ? connect(path) : connect(Number(u.port || 10809), u.hostname.replace(/^\[|\]$/g, ''));
      const timer = setTimeout(() => {
        s.destroy();
        reject(new Error(`connect ${uri}: timed out`));
      }, timeoutMs);
      s.once('connect', () => {
        clearTimeout(timer);
        resolve(new NbdWire(s));
      });
      s.once('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
    });
  }

  write(b: Buffer): void {
    if (!this.socket.destroyed) this.socket.write(b);
  }

  /** Exactly n bytes, or 'closed' (the server closed first) or 'timeout'. */
  async read(n: number, timeoutMs: number): Promise<Buffer | 'closed' | 'timeout'> {
    const deadline = Date.now() + timeoutMs;
    while (this.buffered < n) {
      if (this.closed) return 'closed';
      const left = deadline - Date.now();
      if (left <= 0) return 'timeout';
      await new Promise<void>((r) => {
        const timer = setTimeout(r, left);
        this.wake = () => {
          clearTimeout(timer);
          r();
        };
      });
      this.wake = undefined;
    }
    const all = Buffer.concat(this.chunks);
    this.chunks = [all.subarray(n)];
    this.buffered -= n;
    return all.subarray(0, n);
  }

  /** Resolves true when the server closes the connection within the deadline. */
  async closedWithin(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed && Date.now() < deadline) {
      await new Promise<void>((r) => {
        const timer = setTimeout(r, Math.max(1, deadline - Date.now()));
        this.wake = () => {
          clearTimeout(timer);
          r();
        };
      });
      this.wake = undefined;
      // Data may arrive before the close: drop it, we only wait for the end.
      this.chunks = [];
      this.buffered = 0;
    }
    return this.closed;
  }

  destroy(): void {
    this.socket.destroy();
  }
}

export function optionHeader(option: number, length: number, magic: bigint = NBD.IHAVEOPT): Buffer {
  const b = Buffer.alloc(16);
  b.writeBigUInt64BE(magic, 0);
  b.writeUInt32BE(option >>> 0, 8);
  b.writeUInt32BE(length >>> 0, 12);
  return b;
}

export function option(option: number, data: Buffer = Buffer.alloc(0)): Buffer {
  return Buffer.concat([optionHeader(option, data.length), data]);
}

/** NBD_OPT_GO / NBD_OPT_INFO data: name length, name, count of info requests, the requests. */
export function goData(name: string, requests: number[] = []): Buffer {
  const n = Buffer.from(name, 'utf8');
  const b = Buffer.alloc(4 + n.length + 2 + 2 * requests.length);
  b.writeUInt32BE(n.length, 0);
  n.copy(b, 4);
  b.writeUInt16BE(requests.length, 4 + n.length);
  requests.forEach((r, i) => b.writeUInt16BE(r, 6 + n.length + 2 * i));
  return b;
}

export interface OptionReply {
  option: number;
  type: number;
  data: Buffer;
}

export async function readOptionReply(
  w: NbdWire,
  timeoutMs: number,
): Promise<OptionReply | 'closed' | 'timeout' | 'bad magic'> {
  const h = await w.read(20, timeoutMs);
  if (!Buffer.isBuffer(h)) return h;
  if (h.readBigUInt64BE(0) !== NBD.REPLY_MAGIC) return 'bad magic';
  const len = h.readUInt32BE(16);
  const data = len ? await w.read(len, timeoutMs) : Buffer.alloc(0);
  if (!Buffer.isBuffer(data)) return data;
  return { option: h.readUInt32BE(8), type: h.readUInt32BE(12), data };
}

/** Reads the greeting; 'ok' when it is NBDMAGIC IHAVEOPT with the fixed newstyle flag. */
export async function readGreeting(w: NbdWire, timeoutMs: number): Promise<'ok' | string> {
  const g = await w.read(18, timeoutMs);
  if (!Buffer.isBuffer(g)) return g;
  if (g.readBigUInt64BE(0) !== NBD.NBDMAGIC || g.readBigUInt64BE(8) !== NBD.IHAVEOPT) return 'bad greeting';
  return g.readUInt16BE(16) & 1 ? 'ok' : 'not fixed newstyle';
}

export interface Export {
  size: number;
  minBlock: number;
  maxPayload: number;
  flags: number;
}

/** A full handshake with NBD_OPT_GO (asking for the block sizes when `blockSizes`). */
export async function handshakeGo(w: NbdWire, name: string, blockSizes: boolean, timeoutMs: number): Promise<Export> {
  const g = await readGreeting(w, timeoutMs);
  if (g !== 'ok') throw new Error(`greeting: ${g}`);
  const flags = Buffer.alloc(4);
  flags.writeUInt32BE(3, 0); // FIXED_NEWSTYLE | NO_ZEROES
  w.write(flags);
  w.write(option(NBD.OPT_GO, goData(name, blockSizes ? [NBD.INFO_BLOCK_SIZE] : [])));
  const ex: Export = { size: -1, minBlock: 1, maxPayload: 32 * 2 ** 20, flags: 0 };
  for (;;) {
    const r = await readOptionReply(w, timeoutMs);
    if (typeof r === 'string') throw new Error(`NBD_OPT_GO: ${r}`);
    if (r.type === NBD.REP_ACK) break;
    if (r.type !== NBD.REP_INFO)
      throw new Error(`NBD_OPT_GO: reply type 0x${r.type.toString(16)}: ${r.data.toString()}`);
    const kind = r.data.readUInt16BE(0);
    if (kind === NBD.INFO_EXPORT) {
      ex.size = Number(r.data.readBigUInt64BE(2));
      ex.flags = r.data.readUInt16BE(10);
    }
    if (kind === NBD.INFO_BLOCK_SIZE) {
      ex.minBlock = r.data.readUInt32BE(2);
      ex.maxPayload = r.data.readUInt32BE(10);
    }
  }
  if (!blockSizes) ex.minBlock = 1;
  return ex;
}

export function request(
  type: number,
  flags: number,
  handle: bigint,
  offset: bigint,
  length: number,
  magic: number = NBD.REQUEST_MAGIC,
): Buffer {
  const b = Buffer.alloc(28);
  b.writeUInt32BE(magic >>> 0, 0);
  b.writeUInt16BE(flags & 0xffff, 4);
  b.writeUInt16BE(type & 0xffff, 6);
  b.writeBigUInt64BE(handle, 8);
  b.writeBigUInt64BE(BigInt.asUintN(64, offset), 16);
  b.writeUInt32BE(length >>> 0, 24);
  return b;
}

export interface SimpleReply {
  error: number;
  handle: bigint;
}

export async function readSimpleReply(
  w: NbdWire,
  timeoutMs: number,
): Promise<SimpleReply | 'closed' | 'timeout' | 'bad magic'> {
  const h = await w.read(16, timeoutMs);
  if (!Buffer.isBuffer(h)) return h;
  if (h.readUInt32BE(0) !== NBD.SIMPLE_REPLY_MAGIC) return 'bad magic';
  return { error: h.readUInt32BE(4), handle: h.readBigUInt64BE(8) };
}

/**
 * What the spec says a request deserves on an export of `ex` (the model the replies are checked
 * against): 0 for a valid one, else the set of acceptable errors.
 */
export function expectedErrors(ex: Export, type: number, flags: number, offset: bigint, length: number): number[] {
  const known = [NBD.CMD_READ, NBD.CMD_WRITE, NBD.CMD_FLUSH, NBD.CMD_TRIM, NBD.CMD_WRITE_ZEROES] as number[];
  if (!known.includes(type)) return [NBD.EINVAL, NBD.ENOTSUP];
  const allowed = NBD.FLAG_FUA | (type === NBD.CMD_WRITE_ZEROES ? NBD.FLAG_NO_HOLE : 0);
  if (flags & ~allowed) return [NBD.EINVAL, NBD.ENOTSUP];
  if (type === NBD.CMD_FLUSH) return offset === 0n && length === 0 ? [0] : [NBD.EINVAL];
  const writeish = type === NBD.CMD_WRITE || type === NBD.CMD_WRITE_ZEROES || type === NBD.CMD_TRIM;
  if ((type === NBD.CMD_READ || type === NBD.CMD_WRITE) && length > ex.maxPayload)
    return [NBD.EINVAL, NBD.EOVERFLOW, NBD.ENOMEM];
  if (ex.minBlock > 1 && (offset % BigInt(ex.minBlock) !== 0n || length % ex.minBlock !== 0)) return [NBD.EINVAL];
  if (offset + BigInt(length) > BigInt(ex.size)) return writeish ? [NBD.ENOSPC, NBD.EINVAL] : [NBD.EINVAL];
  return [0];
}
