// The NBD server: listens on unix sockets or TCP (listen.ts says where it may: loopback in clear,
// any other address only with TLS required) and runs one NbdConnection per client. Exports are looked up by
// name on every NBD_OPT_GO / NBD_OPT_INFO / NBD_OPT_EXPORT_NAME, so the caller can add and remove
// volumes while the server runs. Any number of connections may serve the same export at once
// (CAN_MULTI_CONN is advertised): the backends handle concurrency. NBD has no authentication, so
// what anyone reaching the port may cost is capped: open connections and connections still in the
// handshake (one more is closed as soon as it is accepted), the handshake's time and buffered
// bytes, and per connection the requests and bytes in flight. Defaults: NBD_LIMITS.
import { chmod, lstat, mkdir, unlink } from 'node:fs/promises';
import { connect, createServer } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';
import { dirname } from 'node:path';
import { NbdConnection } from './connection.js';
import type { ConnectionSettings, ExportIoStats, ExportList, ExportLookup } from './connection.js';
import { checkNbdListen, NbdListenRefused } from './listen.js';
import type { NbdTls } from './listen.js';

export interface NbdServerOptions {
  /** Export name -> backend (undefined: no such export). Called on every connection's handshake. */
  exports: ExportLookup;
  /** Names for NBD_OPT_LIST; without it, listing is refused with NBD_REP_ERR_POLICY. */
  list?: ExportList;
  /** Where each export's READs and WRITEs are counted (../metrics.ts); absent: nothing is counted. */
  ioStats?: ExportIoStats;
  log?: (line: string) => void;
  /**
   * Minimum block size advertised in NBD_INFO_BLOCK_SIZE (default 512). Enforced (EINVAL) only on
   * connections whose NBD_OPT_GO asked for NBD_INFO_BLOCK_SIZE; others get the spec's default of 1.
   */
  minimumBlockSize?: number;
  /** Preferred block size advertised (default 4096). */
  preferredBlockSize?: number;
  /** Largest READ/WRITE payload accepted and advertised (default 32 MiB). */
  maximumPayload?: number;
  /** A client that has not finished its handshake by then is disconnected (default 10 s). */
  handshakeTimeoutMs?: number;
  /** Per connection: stop reading new requests while this many are in flight (default 256). */
  maxInflight?: number;
  /** Per connection: stop reading while this many payload bytes are in flight or unsent (default 64 MiB). */
  maxInflightBytes?: number;
  /** Open connections; one more is closed as soon as it is accepted (default 256). */
  maxConnections?: number;
  /** Open connections still in the handshake; one more is closed as soon as it is accepted (default 64). */
  maxHandshaking?: number;
}

/** The defaults of NbdServerOptions' limits, in one place. */
export const NBD_LIMITS = {
  /** A client that has not finished its handshake by then is disconnected. */
  handshakeTimeoutMs: 10_000,
  /** Requests in flight per connection before it stops reading. */
  maxInflight: 256,
  /** Payload bytes in flight or unsent per connection before it stops reading (plus one request's payload). */
  maxInflightBytes: 64 * 1024 * 1024,
  /** Option data a client may send: an export name (4 KiB at most) and a list of info types fit. */
  maxOptionLength: 64 * 1024,
  /** Open connections per server: the kernel client holds one per nbd device (more with multi-conn). */
  maxConnections: 256,
  /** Open connections still in the handshake per server. */
  maxHandshaking: 64,
} as const;

const pow2 = (n: number): boolean => Number.isInteger(n) && n > 0 && (n & (n - 1)) === 0;

export class NbdServer {
  private readonly cfg: ConnectionSettings;
  private readonly servers = new Set<Server>();
  private readonly open = new Set<NbdConnection>();
  private readonly waiters = new Set<() => void>();
  private accepted = 0;
  private refusedCount = 0;
  private readonly maxConnections: number;
  private readonly maxHandshaking: number;
  private closing = false;

  constructor(opts: NbdServerOptions) {
    const minimumBlockSize = opts.minimumBlockSize ?? 512;
    const preferredBlockSize = opts.preferredBlockSize ?? 4096;
    const maximumPayload = opts.maximumPayload ?? 32 * 1024 * 1024;
    if (!pow2(minimumBlockSize) || minimumBlockSize > 65536)
      throw new Error(`minimumBlockSize ${minimumBlockSize}: a power of 2 up to 65536`);
    if (!pow2(preferredBlockSize) || preferredBlockSize < Math.max(minimumBlockSize, 512)) {
      throw new Error(`preferredBlockSize ${preferredBlockSize}: a power of 2, at least 512 and the minimum`);
    }
    if (!Number.isInteger(maximumPayload) || maximumPayload < preferredBlockSize || maximumPayload > 0xffffffff) {
      throw new Error(`maximumPayload ${maximumPayload}: at least the preferred block size`);
    }
    this.cfg = {
      exports: opts.exports,
      list: opts.list,
      log: opts.log ?? (() => {}),
      minimumBlockSize,
      preferredBlockSize,
      maximumPayload,
      handshakeTimeoutMs: opts.handshakeTimeoutMs ?? NBD_LIMITS.handshakeTimeoutMs,
      maxInflight: opts.maxInflight ?? NBD_LIMITS.maxInflight,
      maxInflightBytes: opts.maxInflightBytes ?? NBD_LIMITS.maxInflightBytes,
      maxOptionLength: NBD_LIMITS.maxOptionLength,
      ioStats: opts.ioStats,
    };
    this.maxConnections = opts.maxConnections ?? NBD_LIMITS.maxConnections;
    this.maxHandshaking = opts.maxHandshaking ?? NBD_LIMITS.maxHandshaking;
  }

  /**
   * Starts listening on TCP (several listeners are fine); resolves with the bound address. Off
   * loopback `tls` is required (listen.ts): with it, every connection on this listener must
   * upgrade with NBD_OPT_STARTTLS and present a client certificate signed by `tls.ca`.
   */
  listen(port = 0, host = '127.0.0.1', tls?: NbdTls): Promise<AddressInfo> {
    if (this.closing) return Promise.reject(new Error('NbdServer is closed'));
    try {
      checkNbdListen({ kind: 'tcp', host, port, ...(tls ? { tls } : {}) });
    } catch (err) {
      return Promise.reject(err);
    }
    const server = createServer({ allowHalfOpen: true, noDelay: true }, (socket) => this.accept(socket, tls));
    return this.bind(server, (cb) => server.listen(port, host, cb)).then(() => server.address() as AddressInfo);
  }

  /**
   * Starts listening on a unix socket at `path`. Its directory is made (or kept) mode 0700 and the
   * socket 0600, set explicitly whatever the umask: only root and this process's user can connect.
   * A socket file left by a server that is gone is removed first; a path that is not a socket, or
   * a socket someone still answers on, is refused.
   */
  async listenUnix(path: string): Promise<string> {
    if (this.closing) throw new Error('NbdServer is closed');
    checkNbdListen({ kind: 'unix', path });
    const dir = dirname(path);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const d = await lstat(dir);
    if (!d.isDirectory()) throw new NbdListenRefused(`NBD socket directory ${dir} is not a directory`);
    if (d.uid !== process.getuid?.())
      throw new NbdListenRefused(`NBD socket directory ${dir} belongs to uid ${d.uid}, not to this process`);
    await chmod(dir, 0o700);
    const old = await lstat(path).catch((e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') return undefined;
      throw e;
    });
    if (old) {
      if (!old.isSocket()) throw new NbdListenRefused(`NBD socket ${path} exists and is not a socket`);
      if (await answers(path)) throw new NbdListenRefused(`NBD socket ${path} is in use by another server`);
      await unlink(path);
    }
    const server = createServer({ allowHalfOpen: true }, (socket) => this.accept(socket, undefined));
    await this.bind(server, (cb) => server.listen(path, cb));
    // The directory is 0700 already, so nobody else could reach the socket in between.
    await chmod(path, 0o600);
    return path;
  }

  private bind(server: Server, listen: (cb: () => void) => void): Promise<void> {
    this.servers.add(server);
    return new Promise((resolve, reject) => {
      const failed = (err: Error): void => {
        this.servers.delete(server);
        reject(err);
      };
      server.once('error', failed);
      listen(() => {
        server.off('error', failed);
        server.on('error', (err) => this.cfg.log(`nbd: listener error: ${err.message}`));
        resolve();
      });
    });
  }

  /** Addresses of the listeners. */
  addresses(): AddressInfo[] {
    return [...this.servers].map((s) => s.address()).filter((a): a is AddressInfo => !!a && typeof a === 'object');
  }

  /** Open client connections (handshaking or transmitting). */
  get connectionCount(): number {
    return this.open.size;
  }

  /** Connections accepted since the server started. */
  get acceptedCount(): number {
    return this.accepted;
  }

  /** Connections closed on accept because a cap was reached. */
  get refused(): number {
    return this.refusedCount;
  }

  /** Export names of the connections in transmission, one entry per connection. */
  connectedExports(): string[] {
    return [...this.open].flatMap((c) => (c.exportName === undefined ? [] : [c.exportName]));
  }

  /** Resolves once no more than `n` connections are open. */
  waitForConnections(n: number): Promise<void> {
    if (this.open.size <= n) return Promise.resolve();
    return new Promise((resolve) => {
      const check = (): void => {
        if (this.open.size <= n) {
          this.waiters.delete(check);
          resolve();
        }
      };
      this.waiters.add(check);
    });
  }

  /**
   * Ends every connection serving `name` (for a detach): nothing more is read from them, requests
   * in flight are answered (for up to `graceMs`), then they close. Resolves with how many there were.
   */
  async disconnectExport(name: string, graceMs = 2000): Promise<number> {
    const conns = [...this.open].filter((c) => c.exportName === name);
    for (const c of conns) c.shutdown(graceMs);
    await Promise.all(conns.map((c) => c.closed));
    return conns.length;
  }

  /**
   * Closes every listener and connection: handshakes are cut, requests in flight are answered
   * (for up to `graceMs`), then sockets close. Resolves when all are closed.
   */
  async close(graceMs = 2000): Promise<void> {
    this.closing = true;
    const listeners = [...this.servers].map((s) => new Promise<void>((resolve) => s.close(() => resolve())));
    this.servers.clear();
    for (const c of this.open) c.shutdown(graceMs);
    await Promise.all([...listeners, this.waitForConnections(0)]);
  }

  private accept(socket: Socket, tls: NbdTls | undefined): void {
    if (this.closing) {
      socket.destroy();
      return;
    }
    let handshaking = 0;
    for (const c of this.open) if (c.exportName === undefined) handshaking++;
    if (this.open.size >= this.maxConnections || handshaking >= this.maxHandshaking) {
      this.refusedCount++;
      socket.on('error', () => {});
      socket.destroy();
      return;
    }
    this.accepted++;
    const conn = new NbdConnection(
      socket,
      this.cfg,
      (c) => {
        this.open.delete(c);
        for (const w of [...this.waiters]) w();
      },
      tls,
    );
    this.open.add(conn);
  }
}

/** Whether a server answers on the unix socket at `path` (a stale file refuses the connection). */
function answers(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(path);
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}
