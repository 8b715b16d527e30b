// One NBD client connection: the fixed newstyle handshake (async, over a small buffered reader),
// then the transmission phase (a synchronous parser over the socket's chunks). Requests are
// dispatched to the backend as soon as their header (and, for WRITE, payload) is in; replies are
// sent as each completes, so they may leave out of order and carry the client's handle back.
// On a listener with TLS the connection is in the spec's FORCEDTLS mode: every option but
// NBD_OPT_STARTTLS and NBD_OPT_ABORT is refused with NBD_REP_ERR_TLS_REQD (NBD_OPT_EXPORT_NAME,
// which cannot be refused politely, closes the connection) until the client has upgraded, and the
// upgrade demands a client certificate signed by the listener's CA.
import type { Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import type { TLSSocket } from 'node:tls';
import { BlockError, writePartsTo } from '../block.js';
import type { BlockBackend } from '../block.js';
import * as P from './protocol.js';
import type { NbdTls } from './listen.js';
import type { IoStats } from '../metrics.js';

/** Export name -> backend; undefined for no such export. */
export type ExportLookup = (name: string) => BlockBackend | undefined | Promise<BlockBackend | undefined>;
/** The names NBD_OPT_LIST reports. */
export type ExportList = () => string[] | Promise<string[]>;
/** Export name -> the counters its READs and WRITEs go to (undefined: not counted). */
export type ExportIoStats = (name: string) => IoStats | undefined;

/** Settings shared by every connection of a server (NbdServerOptions with defaults filled in). */
export interface ConnectionSettings {
  exports: ExportLookup;
  list: ExportList | undefined;
  log: (line: string) => void;
  minimumBlockSize: number;
  preferredBlockSize: number;
  maximumPayload: number;
  handshakeTimeoutMs: number;
  maxInflight: number;
  maxInflightBytes: number;
  maxOptionLength: number;
  ioStats: ExportIoStats | undefined;
}

/** Transmission flags every export gets. */
export const TRANSMISSION_FLAGS =
  P.FLAG_HAS_FLAGS |
  P.FLAG_SEND_FLUSH |
  P.FLAG_SEND_FUA |
  P.FLAG_SEND_TRIM |
  P.FLAG_SEND_WRITE_ZEROES |
  P.FLAG_CAN_MULTI_CONN;

const MAX_NAME = 4096;
const EMPTY = Buffer.alloc(0);

class ProtocolError extends Error {}

/**
 * Buffers socket chunks during the handshake and hands out exact byte counts. It holds at most
 * `limit` bytes: a client sending more than that ahead of the server is cut off.
 */
class HandshakeReader {
  constructor(readonly limit: number) {}
  private chunks: Buffer[] = [];
  private buffered = 0;
  private want = 0;
  private waiter: { resolve: (b: Buffer) => void; reject: (e: Error) => void } | undefined;
  private failure: Error | undefined;

  /** Keeps `chunk`; false (and nothing kept) when that would go over the limit. */
  push(chunk: Buffer): boolean {
    if (this.buffered + chunk.length > this.limit) {
      this.chunks = [];
      this.buffered = 0;
      this.fail(new ProtocolError(`more than ${this.limit} bytes sent ahead during the handshake`));
      return false;
    }
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    if (this.waiter && this.buffered >= this.want) {
      const w = this.waiter;
      this.waiter = undefined;
      w.resolve(this.take(this.want));
    }
    return true;
  }

  fail(err: Error): void {
    this.failure ??= err;
    const w = this.waiter;
    this.waiter = undefined;
    w?.reject(err);
  }

  read(n: number): Promise<Buffer> {
    if (this.buffered >= n) return Promise.resolve(this.take(n));
    if (this.failure) return Promise.reject(this.failure);
    this.want = n;
    return new Promise((resolve, reject) => {
      this.waiter = { resolve, reject };
    });
  }

  /** What arrived after the handshake: the first bytes of the transmission phase. */
  rest(): Buffer[] {
    const r = this.chunks;
    this.chunks = [];
    this.buffered = 0;
    return r;
  }

  private take(n: number): Buffer {
    this.buffered -= n;
    const first = this.chunks[0]!;
    if (first.length === n) {
      this.chunks.shift();
      return first;
    }
    if (first.length > n) {
      this.chunks[0] = first.subarray(n);
      return first.subarray(0, n);
    }
    const out = Buffer.allocUnsafe(n);
    let filled = 0;
    while (filled < n) {
      const c = this.chunks[0]!;
      const k = Math.min(c.length, n - filled);
      c.copy(out, filled, 0, k);
      filled += k;
      if (k === c.length) this.chunks.shift();
      else this.chunks[0] = c.subarray(k);
    }
    return out;
  }
}

const enum Parse {
  Header,
  Payload,
  Discard,
  Stopped,
}

/** What start() counts a request as (IoStats). */
const IO_NONE = 0,
  IO_READ = 1,
  IO_WRITE = 2;

export class NbdConnection {
  /** The export this connection is serving, once in transmission. */
  exportName: string | undefined;
  readonly remote: string;
  private backend: BlockBackend | undefined;
  private size = 0;
  /** Alignment enforced on offsets and lengths: the minimum block size if the client asked for it. */
  private align = 1;
  private phase: 'handshake' | 'transmission' | 'ending' | 'closed' = 'handshake';
  private readonly reader: HandshakeReader;
  private handshakeTimer: NodeJS.Timeout | undefined;
  private closeTimer: NodeJS.Timeout | undefined;
  /** The socket spoken on: the accepted one, or the TLS socket over it after NBD_OPT_STARTTLS. */
  private socket: Socket;
  /** Whether the client has upgraded to TLS (always false on a listener without TLS). */
  private secured = false;

  // transmission parser state
  private state = Parse.Header;
  private readonly hdr = Buffer.allocUnsafe(P.REQUEST_HEADER_SIZE);
  private hdrFill = 0;
  /** A WRITE payload that spans chunks, as views of them (socket chunks are never reused). */
  private payload: Buffer[] = [];
  private payloadFill = 0;
  private skip = 0;
  private cur = { flags: 0, hi: 0, lo: 0, offset: 0, length: 0, error: 0 };

  private rejected = 0;
  private inflight = 0;
  private inflightBytes = 0;
  private paused = false;
  private waitingDrain = false;
  private corked = false;
  /** Where this connection's READs and WRITEs are counted (looked up once, when transmission starts). */
  private io: IoStats | undefined;

  constructor(
    socket: Socket,
    private readonly cfg: ConnectionSettings,
    private readonly onClosed: (c: NbdConnection) => void,
    /** The listener's TLS material: TLS is then required before anything else (FORCEDTLS). */
    private readonly tls?: NbdTls,
  ) {
    this.socket = socket;
    this.remote = socket.remoteAddress ? `${socket.remoteAddress}:${socket.remotePort ?? '?'}` : 'unix';
    // One option header and its largest data, twice over for a client that sends two at once.
    this.reader = new HandshakeReader(2 * (P.OPTION_HEADER_SIZE + cfg.maxOptionLength));
    this.closed = new Promise((resolve) => {
      this.resolveClosed = resolve;
    });
    socket.setNoDelay(true);
    socket.on('data', this.onHandshakeData);
    socket.on('end', this.onEnd);
    socket.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code !== 'ECONNRESET' && err.code !== 'EPIPE')
        this.cfg.log(`nbd ${this.remote}: socket error: ${err.message}`);
    });
    socket.on('close', this.onClose);
    this.handshakeTimer = setTimeout(() => {
      this.cfg.log(`nbd ${this.remote}: handshake not finished in ${this.cfg.handshakeTimeoutMs} ms; closing`);
      this.socket.destroy();
    }, this.cfg.handshakeTimeoutMs);
    this.handshake().catch((err: Error) => {
      if (this.phase === 'closed') return;
      if (err instanceof ProtocolError) this.cfg.log(`nbd ${this.remote}: handshake: ${err.message}; closing`);
      else this.cfg.log(`nbd ${this.remote}: handshake failed: ${err.stack ?? err.message}`);
      this.socket.destroy();
    });
  }

  /** Resolves when the socket has closed. */
  readonly closed: Promise<void>;
  private resolveClosed!: () => void;

  /** Requests the backend has not answered yet. */
  get pending(): number {
    return this.inflight;
  }

  /**
   * Ends the connection for a server shutdown: nothing more is read; requests in flight are
   * answered, then the socket closes (destroyed after `graceMs` regardless).
   */
  shutdown(graceMs: number): void {
    if (this.phase === 'closed') return;
    if (this.phase === 'handshake') {
      this.socket.destroy();
      return;
    }
    this.state = Parse.Stopped;
    this.socket.pause();
    this.closeTimer ??= setTimeout(() => this.socket.destroy(), graceMs);
    this.endWhenIdle();
  }

  private onClose = (): void => {
    // Said by the accepted socket and, after STARTTLS, by the TLS socket over it: once is enough.
    if (this.phase === 'closed') return;
    this.noteTruncatedWrite();
    this.phase = 'closed';
    this.state = Parse.Stopped;
    this.payload = [];
    this.reader.fail(new ProtocolError('connection closed'));
    clearTimeout(this.handshakeTimer);
    clearTimeout(this.closeTimer);
    this.onClosed(this);
    this.resolveClosed();
  };

  // ---- handshake --------------------------------------------------------------------------

  private onHandshakeData = (chunk: Buffer): void => {
    // The handshake may be waiting on an export lookup rather than on the reader: close here.
    if (!this.reader.push(chunk)) {
      this.cfg.log(`nbd ${this.remote}: more than ${this.reader.limit} bytes sent ahead during the handshake; closing`);
      this.socket.destroy();
    }
  };

  private onEnd = (): void => {
    if (this.phase === 'handshake') {
      this.socket.destroy();
      return;
    }
    // The client closed its side: answer what is in flight, then close ours.
    this.noteTruncatedWrite();
    this.state = Parse.Stopped;
    this.payload = [];
    this.endWhenIdle();
  };

  private noteTruncatedWrite(): void {
    if (this.state === Parse.Payload && this.phase !== 'closed') {
      this.cfg.log(
        `nbd ${this.remote}: connection ended inside a WRITE payload (${this.payloadFill} of ${this.cur.length} bytes); the write was dropped`,
      );
    }
  }

  private optionReply(option: number, type: number, data?: Buffer): void {
    this.socket.write(P.encodeOptionReply(option, type, data));
  }

  private optionError(option: number, type: number, message: string): void {
    this.optionReply(option, type, Buffer.from(message, 'utf8'));
  }

  private async handshake(): Promise<void> {
    const r = this.reader;
    this.socket.write(P.encodeGreeting(P.FLAG_FIXED_NEWSTYLE | P.FLAG_NO_ZEROES));
    const clientFlags = (await r.read(4)).readUInt32BE(0);
    if (clientFlags & ~(P.FLAG_C_FIXED_NEWSTYLE | P.FLAG_C_NO_ZEROES)) {
      throw new ProtocolError(`unknown client flags 0x${clientFlags.toString(16)}`);
    }
    const noZeroes = (clientFlags & P.FLAG_C_NO_ZEROES) !== 0;
    for (;;) {
      const h = await r.read(P.OPTION_HEADER_SIZE);
      if (h.readBigUInt64BE(0) !== P.IHAVEOPT) throw new ProtocolError('bad option magic');
      const option = h.readUInt32BE(8);
      const length = h.readUInt32BE(12);
      if (length > this.cfg.maxOptionLength) throw new ProtocolError(`option ${option} with ${length} bytes of data`);
      const data = length > 0 ? await r.read(length) : EMPTY;
      if (this.tls && !this.secured && option !== P.OPT_STARTTLS && option !== P.OPT_ABORT) {
        // FORCEDTLS: nothing is said about exports, nor served, before the upgrade.
        if (option === P.OPT_EXPORT_NAME)
          throw new ProtocolError('NBD_OPT_EXPORT_NAME before NBD_OPT_STARTTLS on a listener that requires TLS');
        this.optionError(option, P.REP_ERR_TLS_REQD, 'TLS is required: send NBD_OPT_STARTTLS first');
        continue;
      }
      switch (option) {
        case P.OPT_STARTTLS: {
          if (!this.tls) {
            this.optionError(option, P.REP_ERR_UNSUP, 'TLS is not offered on this listener');
            break;
          }
          if (this.secured) {
            this.optionError(option, P.REP_ERR_INVALID, 'TLS is already in use');
            break;
          }
          if (length !== 0) {
            this.optionError(option, P.REP_ERR_INVALID, 'NBD_OPT_STARTTLS takes no data');
            break;
          }
          // The client waits for the ACK before its TLS hello: bytes already here were sent in clear.
          if (r.rest().length > 0) throw new ProtocolError('data sent after NBD_OPT_STARTTLS before its reply');
          this.optionReply(option, P.REP_ACK);
          await this.startTls(this.tls);
          if (this.phase !== 'handshake') return;
          break;
        }
        case P.OPT_EXPORT_NAME: {
          if (length > MAX_NAME) throw new ProtocolError(`export name of ${length} bytes`);
          const name = data.toString('utf8');
          const backend = await this.lookup(name);
          if (this.phase !== 'handshake') return;
          // NBD_OPT_EXPORT_NAME cannot fail politely: the spec says to close.
          if (backend instanceof Error)
            throw new ProtocolError(`NBD_OPT_EXPORT_NAME ${JSON.stringify(name)}: ${backend.message}`);
          if (!backend) throw new ProtocolError(`NBD_OPT_EXPORT_NAME: no export named ${JSON.stringify(name)}`);
          this.socket.write(P.encodeExportNameReply(backend.size, TRANSMISSION_FLAGS, noZeroes));
          this.startTransmission(name, backend, 1);
          return;
        }
        case P.OPT_ABORT:
          this.optionReply(option, P.REP_ACK);
          this.phase = 'ending';
          this.socket.end();
          return;
        case P.OPT_LIST: {
          if (length !== 0) {
            this.optionError(option, P.REP_ERR_INVALID, 'NBD_OPT_LIST takes no data');
            break;
          }
          if (!this.cfg.list) {
            this.optionError(option, P.REP_ERR_POLICY, 'listing exports is disabled');
            break;
          }
          const names = await this.cfg.list();
          if (this.phase !== 'handshake') return;
          for (const name of names) this.optionReply(option, P.REP_SERVER, P.encodeServerReply(name));
          this.optionReply(option, P.REP_ACK);
          break;
        }
        case P.OPT_INFO:
        case P.OPT_GO: {
          const req = P.decodeInfoRequest(data);
          if (!req) {
            this.optionError(option, P.REP_ERR_INVALID, 'malformed NBD_OPT_INFO/NBD_OPT_GO data');
            break;
          }
          if (Buffer.byteLength(req.name) > MAX_NAME) {
            this.optionError(option, P.REP_ERR_INVALID, 'export name too long');
            break;
          }
          const backend = await this.lookup(req.name);
          if (this.phase !== 'handshake') return;
          if (backend instanceof Error) {
            this.optionError(option, P.REP_ERR_UNKNOWN, `export ${JSON.stringify(req.name)}: ${backend.message}`);
            break;
          }
          if (!backend) {
            this.optionError(option, P.REP_ERR_UNKNOWN, `no export named ${JSON.stringify(req.name)}`);
            break;
          }
          this.optionReply(option, P.REP_INFO, P.encodeInfoExport(backend.size, TRANSMISSION_FLAGS));
          // Sent even when not requested (the spec allows it); only enforced when requested with GO.
          this.optionReply(
            option,
            P.REP_INFO,
            P.encodeInfoBlockSize(this.cfg.minimumBlockSize, this.cfg.preferredBlockSize, this.cfg.maximumPayload),
          );
          if (req.requests.includes(P.INFO_NAME)) this.optionReply(option, P.REP_INFO, P.encodeInfoName(req.name));
          this.optionReply(option, P.REP_ACK);
          if (option === P.OPT_GO) {
            const agreed = req.requests.includes(P.INFO_BLOCK_SIZE);
            this.startTransmission(req.name, backend, agreed ? this.cfg.minimumBlockSize : 1);
            return;
          }
          break;
        }
        default:
          // STRUCTURED_REPLY, meta contexts, extended headers and anything unknown.
          this.optionError(option, P.REP_ERR_UNSUP, `option ${option} is not supported`);
      }
    }
  }

  /**
   * Upgrades the connection to TLS after NBD_OPT_STARTTLS was acknowledged: a TLS server handshake
   * on the accepted socket that requires a client certificate signed by `tls.ca` (node's tls.Server
   * does the verification: the socket is handed to it as a new connection). Resolves once the
   * client is authenticated, with the option haggling going on over TLS; rejects (the connection
   * is then closed) when the handshake fails or the certificate is refused.
   */
  private startTls(tls: NbdTls): Promise<void> {
    const raw = this.socket;
    raw.off('data', this.onHandshakeData);
    raw.off('end', this.onEnd);
    return new Promise((resolve, reject) => {
      const server = createTlsServer(
        {
          cert: tls.cert,
          key: tls.key,
          ca: tls.ca,
          requestCert: true,
          rejectUnauthorized: true,
          minVersion: 'TLSv1.2',
          // The NBD handshake timer (still running) bounds it too.
          handshakeTimeout: this.cfg.handshakeTimeoutMs,
        },
        (secure: TLSSocket) => {
          this.secured = true;
          this.socket = secure;
          secure.on('data', this.onHandshakeData);
          secure.on('end', this.onEnd);
          secure.on('error', (err: NodeJS.ErrnoException) => {
            if (err.code !== 'ECONNRESET' && err.code !== 'EPIPE')
              this.cfg.log(`nbd ${this.remote}: TLS socket error: ${err.message}`);
          });
          secure.on('close', this.onClose);
          resolve();
        },
      );
      server.on('tlsClientError', (err: Error) => {
        raw.destroy();
        reject(new ProtocolError(`TLS handshake refused: ${err.message}`));
      });
      server.emit('connection', raw);
    });
  }

  /** The export lookup; its failure is returned (and logged), so one bad lookup costs one option. */
  private async lookup(name: string): Promise<BlockBackend | undefined | Error> {
    try {
      return await this.cfg.exports(name);
    } catch (err) {
      const e = err instanceof Error ? err : new Error(String(err));
      this.cfg.log(`nbd ${this.remote}: looking up export ${JSON.stringify(name)} failed: ${e.message}`);
      return e;
    }
  }

  private startTransmission(name: string, backend: BlockBackend, align: number): void {
    clearTimeout(this.handshakeTimer);
    this.handshakeTimer = undefined;
    this.exportName = name;
    this.backend = backend;
    this.io = this.cfg.ioStats?.(name);
    this.size = backend.size;
    this.align = align;
    this.phase = 'transmission';
    this.socket.off('data', this.onHandshakeData);
    this.socket.on('data', this.onData);
    for (const chunk of this.reader.rest()) this.onData(chunk);
  }

  // ---- transmission: parsing ----------------------------------------------------------------

  private onData = (chunk: Buffer): void => {
    let pos = 0;
    const n = chunk.length;
    while (pos < n) {
      switch (this.state) {
        case Parse.Header: {
          if (this.hdrFill === 0 && n - pos >= P.REQUEST_HEADER_SIZE) {
            this.request(chunk, pos);
            pos += P.REQUEST_HEADER_SIZE;
          } else {
            const k = Math.min(P.REQUEST_HEADER_SIZE - this.hdrFill, n - pos);
            chunk.copy(this.hdr, this.hdrFill, pos, pos + k);
            this.hdrFill += k;
            pos += k;
            if (this.hdrFill === P.REQUEST_HEADER_SIZE) {
              this.hdrFill = 0;
              this.request(this.hdr, 0);
            }
          }
          break;
        }
        case Parse.Payload: {
          const need = this.cur.length - this.payloadFill;
          if (this.payloadFill === 0 && n - pos >= need) {
            // The whole payload is in this chunk: no copy.
            const data = chunk.subarray(pos, pos + need);
            pos += need;
            this.state = Parse.Header;
            this.dispatchWrite(data);
          } else {
            // Spanning chunks: kept as views, joined only if the backend cannot take parts.
            const k = Math.min(need, n - pos);
            this.payload.push(chunk.subarray(pos, pos + k));
            this.payloadFill += k;
            pos += k;
            if (this.payloadFill === this.cur.length) {
              const parts = this.payload;
              this.payload = [];
              this.payloadFill = 0;
              this.state = Parse.Header;
              this.dispatchWrite(parts);
            }
          }
          break;
        }
        case Parse.Discard: {
          const k = Math.min(this.skip, n - pos);
          this.skip -= k;
          pos += k;
          if (this.skip === 0) {
            this.state = Parse.Header;
            this.reply(this.cur.hi, this.cur.lo, this.cur.error);
          }
          break;
        }
        case Parse.Stopped:
          return;
      }
    }
    this.throttle();
  };

  /** Parses one request header at `b[at..at+28]` and starts it (or waits for its payload). */
  private request(b: Buffer, at: number): void {
    if (b.readUInt32BE(at) !== P.REQUEST_MAGIC) {
      this.cfg.log(`nbd ${this.remote}: bad request magic 0x${b.readUInt32BE(at).toString(16)}; closing`);
      this.state = Parse.Stopped;
      this.socket.destroy();
      return;
    }
    const flags = b.readUInt16BE(at + 4);
    const type = b.readUInt16BE(at + 6);
    const hi = b.readUInt32BE(at + 8);
    const lo = b.readUInt32BE(at + 12);
    const offHi = b.readUInt32BE(at + 16);
    const offLo = b.readUInt32BE(at + 20);
    const length = b.readUInt32BE(at + 24);
    // Offsets past 2^53 are out of range for any export; keep the number exact below that.
    const offset = offHi >= 0x200000 ? Number.MAX_SAFE_INTEGER : offHi * 0x100000000 + offLo;

    if (type === P.CMD_DISC) {
      this.state = Parse.Stopped;
      this.endWhenIdle();
      return;
    }

    const error = this.validate(type, flags, offset, offLo, length);
    if (error !== 0 && this.rejected++ === 0) {
      this.cfg.log(
        `nbd ${this.remote}: refused ${P.commandName(type)} flags 0x${flags.toString(16)} at ${offHi > 0 ? `${offHi}*2^32+${offLo}` : offLo}+${length}` +
          ` with error ${error} (export size ${this.size}, alignment ${this.align})` +
          `; further refusals on this connection are not logged`,
      );
    }
    if (type === P.CMD_WRITE) {
      const c = this.cur;
      c.flags = flags;
      c.hi = hi;
      c.lo = lo;
      c.offset = offset;
      c.length = length;
      c.error = error;
      if (error !== 0) {
        // Read past the payload without keeping it, then answer: the stream stays in step.
        if (length === 0) this.reply(hi, lo, error);
        else {
          this.skip = length;
          this.state = Parse.Discard;
        }
      } else if (length === 0) {
        this.reply(hi, lo, 0);
      } else {
        this.payloadFill = 0;
        this.state = Parse.Payload;
      }
      return;
    }
    if (error !== 0) {
      this.reply(hi, lo, error);
      return;
    }

    const backend = this.backend!;
    const fua = (flags & P.CMD_FLAG_FUA) !== 0;
    switch (type) {
      case P.CMD_READ:
        if (length === 0) {
          this.reply(hi, lo, 0, EMPTY);
          return;
        }
        this.start(hi, lo, length, () => backend.read(offset, length), length, IO_READ);
        return;
      case P.CMD_FLUSH:
        this.start(hi, lo, 0, () => backend.flush());
        return;
      case P.CMD_TRIM:
        if (length === 0) {
          this.reply(hi, lo, 0);
          return;
        }
        this.start(
          hi,
          lo,
          0,
          fua ? () => backend.trim(offset, length).then(() => backend.flush()) : () => backend.trim(offset, length),
        );
        return;
      case P.CMD_WRITE_ZEROES:
        // NBD_CMD_FLAG_NO_HOLE: the range must stay allocated, not just read as zeroes.
        if (length === 0) {
          this.reply(hi, lo, 0);
          return;
        }
        this.start(hi, lo, 0, () => backend.writeZeroes(offset, length, fua, (flags & P.CMD_FLAG_NO_HOLE) !== 0));
        return;
    }
  }

  /** 0 when the request may go to the backend, else the NBD error to answer with. */
  private validate(type: number, flags: number, offset: number, offLo: number, length: number): number {
    let allowed = P.CMD_FLAG_FUA; // valid on every command once SEND_FUA is advertised
    switch (type) {
      case P.CMD_READ:
      case P.CMD_WRITE:
      case P.CMD_TRIM:
      case P.CMD_FLUSH:
        break;
      case P.CMD_WRITE_ZEROES:
        allowed |= P.CMD_FLAG_NO_HOLE;
        break;
      default:
        return P.EINVAL; // unknown command (CACHE and BLOCK_STATUS were never advertised)
    }
    if (flags & ~allowed) return P.EINVAL;
    if (type === P.CMD_FLUSH) return offset === 0 && length === 0 ? 0 : P.EINVAL;
    if ((type === P.CMD_READ || type === P.CMD_WRITE) && length > this.cfg.maximumPayload) return P.EINVAL;
    if (((offLo | length) & (this.align - 1)) !== 0) return P.EINVAL;
    if (offset + length > this.size) return type === P.CMD_WRITE || type === P.CMD_WRITE_ZEROES ? P.ENOSPC : P.EINVAL;
    return 0;
  }

  private dispatchWrite(data: Buffer | Buffer[]): void {
    const { hi, lo, offset, flags, length } = this.cur;
    const backend = this.backend!;
    const fua = (flags & P.CMD_FLAG_FUA) !== 0;
    if (Buffer.isBuffer(data)) this.start(hi, lo, length, () => backend.write(offset, data, fua), -1, IO_WRITE);
    else this.start(hi, lo, length, () => writePartsTo(backend, offset, data, fua), -1, IO_WRITE);
  }

  // ---- transmission: completion ---------------------------------------------------------------

  /** Runs `op` and answers with its outcome; `io`: counted as a READ or WRITE of `bytes` when it succeeds. */
  private start(
    hi: number,
    lo: number,
    bytes: number,
    op: () => Promise<Buffer | void>,
    readLength = -1,
    io = IO_NONE,
  ): void {
    const stats = io === IO_NONE ? undefined : this.io;
    const t0 = stats ? performance.now() : 0;
    this.inflight++;
    this.inflightBytes += bytes;
    let p: Promise<Buffer | void>;
    try {
      p = op();
    } catch (err) {
      p = Promise.reject(err);
    }
    p.then(
      (result) => {
        if (readLength >= 0 && (!Buffer.isBuffer(result) || result.length !== readLength)) {
          this.cfg.log(
            `nbd ${this.remote}: backend read returned ${Buffer.isBuffer(result) ? result.length : typeof result} bytes, wanted ${readLength}`,
          );
          this.done(bytes, hi, lo, P.EIO);
        } else {
          if (stats) {
            if (io === IO_READ) stats.read(bytes, performance.now() - t0);
            else stats.write(bytes, performance.now() - t0);
          }
          this.done(bytes, hi, lo, 0, readLength >= 0 ? (result as Buffer) : undefined);
        }
      },
      (err: unknown) => {
        const name = err instanceof BlockError ? err.errno : (err as NodeJS.ErrnoException | undefined)?.code;
        if (!(err instanceof BlockError))
          this.cfg.log(`nbd ${this.remote}: backend error: ${(err as Error)?.message ?? String(err)}`);
        this.done(bytes, hi, lo, P.nbdErrno(name));
      },
    );
  }

  private done(bytes: number, hi: number, lo: number, error: number, data?: Buffer): void {
    this.inflight--;
    this.inflightBytes -= bytes;
    this.reply(hi, lo, error, error === 0 ? data : undefined);
    if (this.state === Parse.Stopped) this.endWhenIdle();
    else if (this.paused) this.throttle();
  }

  private reply(hi: number, lo: number, error: number, data?: Buffer): void {
    if (this.phase === 'closed' || this.socket.destroyed || !this.socket.writable) return;
    const s = this.socket;
    if (!this.corked) {
      // Replies completing in the same turn of the event loop (its poll phase) leave in one writev.
      this.corked = true;
      s.cork();
      setImmediate(this.uncork);
    }
    s.write(P.encodeSimpleReply(error, hi, lo));
    if (data && data.length > 0) s.write(data);
  }

  private uncork = (): void => {
    this.corked = false;
    this.socket.uncork();
  };

  /** Stops reading while too much is in flight or waiting to be sent; resumes below the limits. */
  private throttle(): void {
    if (this.state === Parse.Stopped || this.phase !== 'transmission') return;
    const backlog = this.socket.writableLength >= this.cfg.maxInflightBytes;
    if (backlog && !this.waitingDrain) {
      this.waitingDrain = true;
      this.socket.once('drain', this.onDrain);
    }
    const busy = backlog || this.inflight >= this.cfg.maxInflight || this.inflightBytes >= this.cfg.maxInflightBytes;
    if (busy !== this.paused) {
      this.paused = busy;
      if (busy) this.socket.pause();
      else this.socket.resume();
    }
  }

  private onDrain = (): void => {
    this.waitingDrain = false;
    this.throttle();
  };

  /** After NBD_CMD_DISC, end of input or shutdown: answer what is in flight, then close. */
  private endWhenIdle(): void {
    if (this.phase === 'transmission') this.phase = 'ending';
    if (this.inflight === 0 && this.phase === 'ending') {
      this.socket.end(); // end() also sends anything still corked
      this.closeTimer ??= setTimeout(() => this.socket.destroy(), 5000);
    }
  }
}
