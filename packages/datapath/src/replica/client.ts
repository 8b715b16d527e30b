// ReplicaClient: one authenticated connection to one replica on a ReplicaServer, offering the
// Replica API. Requests are pipelined (each gets an id; replies may come back in any order) and
// requests issued together leave in one write (output-batcher.ts). When the connection dies (closed, reset,
// an unparsable reply, or no reply for requestTimeoutMs while requests are outstanding) every
// request under way fails at once with BlockError('EIO'), as does every later one, and `closed`
// resolves: the engine drops the replica and reports it. The client presents its engine's
// attachment epoch in HELLO (fence.ts); once the replica has admitted a newer one, requests fail
// with FencedError (ESTALE), and a HELLO with an older one is refused the same way.
import { connect as netConnect } from 'node:net';
import type { Socket } from 'node:net';
import { BlockError, joinParts, partsLength } from '../block.js';
import type { ExtentList, NewLayer, Replica, ReplicaInfo, SnapshotInfo } from './api.js';
import { MAX_HASH_RANGE } from './block-hash.js';
import { newNonce, NONCE_BYTES, proof, PROOF_BYTES, proofMatches } from './auth.js';
import { FrameReader } from './frame-reader.js';
import { OutputBatcher } from './output-batcher.js';
import { connectTls } from './tls.js';
import type { ReplicaTls } from './tls.js';
import {
  decodeExtents,
  encodeHello,
  encodeLayerWrite,
  encodeRequest,
  errorOf,
  FLAG_FUA,
  FLAG_MORE,
  FLAG_NO_HOLE,
  MAX_IO_BYTES,
  Op,
  PROTOCOL_VERSION,
  REPLY_HEADER_BYTES,
  replyPayloadLength,
  Status,
} from './protocol.js';
import type { OpCode } from './protocol.js';

export interface ReplicaClientOptions {
  /** Connecting and authenticating must finish within this (default 5 s). */
  connectTimeoutMs?: number;
  /** Outstanding requests with no reply at all for this long mean a dead connection (default 30 s; 0: never). */
  requestTimeoutMs?: number;
  /**
   * The attachment epoch of the engine this connection serves (fence.ts): the replica admits it
   * (refusing it, FencedError, when it has admitted a newer one). 0 (default): no claim; once the
   * replica has admitted any epoch, such a connection reads only frozen layers and info.
   */
  epoch?: number;
  /**
   * Connect with TLS (tls.ts): the server must present a certificate from `tls.ca` that names
   * `servername` (the replica's node id), and this client presents `tls.cert`. A client given TLS
   * never falls back to plaintext. Absent: plaintext.
   */
  tls?: ReplicaTls & { servername: string };
}

interface Pending {
  resolve: (payload: Buffer) => void;
  reject: (err: Error) => void;
}

/** Largest range one TRIM / WRITE_ZEROES / *_RANGES request covers (its length field is a u32). */
const MAX_RANGE_BYTES = 2 ** 31;

export class ReplicaClient implements Replica {
  private readonly pending = new Map<number, Pending>();
  private readonly reader: FrameReader;
  private nextId = 1;
  private readonly out: OutputBatcher;
  private dead: BlockError | null = null;
  private closing = false;
  private lastProgress = Date.now();
  private watchdog: NodeJS.Timeout | null = null;
  private greeted: ((payload: Buffer) => void) | null = null;
  private drained: (() => void) | null = null;
  private closingDone: Promise<void> | null = null;
  private currentSize = 0;
  private resolveClosed!: (err: BlockError) => void;
  /** Resolves with the reason when the connection is gone (EIO: lost; ESHUTDOWN: closed by us). */
  readonly closed: Promise<BlockError>;

  private constructor(
    private readonly socket: Socket,
    readonly address: string,
    readonly replicaId: string,
  ) {
    this.closed = new Promise((r) => {
      this.resolveClosed = r;
    });
    // Soonest when the replica had nothing to do, fewest writes while it is busy (output-batcher.ts).
    this.out = new OutputBatcher(socket, () => (this.pending.size <= 1 ? 'tick' : 'turn'));
    this.reader = new FrameReader(REPLY_HEADER_BYTES, replyPayloadLength, (h, at, p) => this.onReply(h, at, p));
    socket.setNoDelay(true);
    socket.setKeepAlive(true, 10_000);
    socket.on('data', (chunk: Buffer) => {
      try {
        this.reader.push(chunk);
      } catch (err) {
        this.fail(err instanceof Error ? err.message : String(err));
      }
    });
    socket.on('error', (err) => this.fail(err.message));
    socket.on('end', () => this.fail('connection closed by the server'));
    socket.on('close', () => this.fail('connection closed'));
  }

  /** Connects to the replica `replicaId` at `address` ("host:port", "[v6]:port") and authenticates. */
  static async connect(
    address: string,
    replicaId: string,
    secret: string,
    opts: ReplicaClientOptions = {},
  ): Promise<ReplicaClient> {
    const { host, port } = parseAddress(address);
    const socket = opts.tls ? connectTls(host, port, opts.tls, opts.tls.servername) : netConnect({ host, port });
    const client = new ReplicaClient(socket, address, replicaId);
    const timeoutMs = opts.connectTimeoutMs ?? 5000;
    const timer = setTimeout(() => client.fail(`no connection within ${timeoutMs} ms`), timeoutMs);
    try {
      const greeting = await Promise.race([
        new Promise<Buffer>((resolve) => {
          client.greeted = resolve;
        }),
        client.closed.then((err) => {
          throw err;
        }),
      ]);
      if (greeting.length < 4 + NONCE_BYTES || greeting.readUInt32LE(0) !== PROTOCOL_VERSION) {
        throw new BlockError('EIO', `${address}: not a cairn replica server (or another protocol version)`);
      }
      const challenge = greeting.subarray(4, 4 + NONCE_BYTES);
      const nonce = newNonce();
      const epoch = opts.epoch ?? 0;
      if (!Number.isSafeInteger(epoch) || epoch < 0) throw new BlockError('EINVAL', `bad epoch ${epoch}`);
      const reply = await client.request(
        Op.HELLO,
        0,
        0,
        0,
        encodeHello({ nonce, proof: proof('client', secret, challenge, nonce, replicaId), epoch, replicaId }),
      );
      if (!proofMatches(proof('server', secret, challenge, nonce, replicaId), reply.subarray(0, PROOF_BYTES))) {
        throw new BlockError('EPERM', `${address}: the server does not know replica ${replicaId}'s secret`);
      }
      client.currentSize = (JSON.parse(reply.subarray(PROOF_BYTES).toString('utf8')) as ReplicaInfo).size;
    } catch (err) {
      client.fail('handshake failed');
      throw err;
    } finally {
      clearTimeout(timer);
    }
    const timeout = opts.requestTimeoutMs ?? 30_000;
    if (timeout > 0) {
      client.watchdog = setInterval(
        () => {
          if (client.pending.size > 0 && Date.now() - client.lastProgress > timeout)
            client.fail(`no reply for ${timeout} ms`);
        },
        Math.min(1000, timeout / 4),
      );
      client.watchdog.unref();
    }
    return client;
  }

  get size(): number {
    return this.currentSize;
  }

  get isOpen(): boolean {
    return this.dead === null && !this.closing;
  }

  /** Requests sent and not yet answered. */
  get inflight(): number {
    return this.pending.size;
  }

  // ---- the data path ----

  read(offset: number, length: number): Promise<Buffer> {
    return this.chunkedRead(Op.READ, offset, length);
  }

  async write(offset: number, data: Buffer, fua = false): Promise<void> {
    if (data.length <= MAX_IO_BYTES) {
      await this.request(Op.WRITE, fua ? FLAG_FUA : 0, offset, data.length, data);
      return;
    }
    const parts: Promise<Buffer>[] = [];
    for (let at = 0; at < data.length; at += MAX_IO_BYTES) {
      const part = data.subarray(at, at + MAX_IO_BYTES);
      parts.push(this.request(Op.WRITE, 0, offset + at, part.length, part));
    }
    await Promise.all(parts);
    if (fua) await this.flush();
  }

  /** write() of the parts joined; they go to the socket as they are (see BlockBackend). */
  async writeParts(offset: number, parts: Buffer[], fua = false): Promise<void> {
    const length = partsLength(parts);
    if (parts.length === 1 || length > MAX_IO_BYTES) return this.write(offset, joinParts(parts), fua);
    await this.request(Op.WRITE, fua ? FLAG_FUA : 0, offset, length, parts);
  }

  async flush(): Promise<void> {
    await this.request(Op.FLUSH, 0, 0, 0);
  }

  trim(offset: number, length: number): Promise<void> {
    return this.chunkedRange(Op.TRIM, 0, offset, length);
  }

  writeZeroes(offset: number, length: number, fua = false, keepAllocated = false): Promise<void> {
    return this.chunkedRange(
      Op.WRITE_ZEROES,
      (fua ? FLAG_FUA : 0) | (keepAllocated ? FLAG_NO_HOLE : 0),
      offset,
      length,
    );
  }

  // ---- control ----

  async info(): Promise<ReplicaInfo> {
    const info = parse<ReplicaInfo>(await this.request(Op.INFO, 0, 0, 0));
    this.currentSize = info.size;
    return info;
  }

  async snapshot(name: string): Promise<SnapshotInfo> {
    return parse<SnapshotInfo>(await this.request(Op.SNAPSHOT_CREATE, 0, 0, 0, Buffer.from(name, 'utf8')));
  }

  async deleteSnapshot(name: string): Promise<void> {
    await this.request(Op.SNAPSHOT_DELETE, 0, 0, 0, Buffer.from(name, 'utf8'));
  }

  async listSnapshots(): Promise<SnapshotInfo[]> {
    return parse<SnapshotInfo[]>(await this.request(Op.SNAPSHOT_LIST, 0, 0, 0));
  }

  readSnapshot(name: string, offset: number, length: number): Promise<Buffer> {
    return this.chunkedRead(Op.READ_SNAPSHOT, offset, length, Buffer.from(name, 'utf8'));
  }

  /** One request covers at most 2 GiB of the window: continue from `end`. */
  allocatedRanges(offset: number, length: number, snapshot?: string, limit?: number): Promise<ExtentList> {
    return this.ranges(Op.ALLOCATED_RANGES, offset, length, snapshot ?? '', limit);
  }

  /** One request covers at most 2 GiB of the window: continue from `end`. */
  layerRanges(layer: string | null, offset: number, length: number, limit?: number): Promise<ExtentList> {
    return this.ranges(Op.LAYER_RANGES, offset, length, layer ?? '', limit);
  }

  async resize(newSize: number): Promise<void> {
    await this.request(Op.RESIZE, 0, newSize, 0);
    this.currentSize = newSize;
  }

  async beginRebuild(): Promise<void> {
    await this.request(Op.REBUILD_BEGIN, 0, 0, 0);
  }

  async endRebuild(revision: number): Promise<void> {
    await this.request(Op.REBUILD_END, 0, revision, 0);
  }

  async markEngine(open: boolean): Promise<void> {
    await this.request(Op.ENGINE_MARK, 0, open ? 1 : 0, 0);
  }

  async listLayers(): Promise<SnapshotInfo[]> {
    return parse<SnapshotInfo[]>(await this.request(Op.LAYER_LIST, 0, 0, 0));
  }

  async insertSnapshot(layer: NewLayer, below: string | null): Promise<SnapshotInfo> {
    return parse<SnapshotInfo>(
      await this.request(Op.SNAPSHOT_INSERT, 0, 0, 0, Buffer.from(JSON.stringify({ layer, below }))),
    );
  }

  /** Split into requests of at most 64 MiB of volume each. */
  async hashBlocks(layer: string | null, offset: number, length: number): Promise<Buffer> {
    const name = Buffer.from(layer ?? '', 'utf8');
    const parts: Promise<Buffer>[] = [];
    for (let at = 0; at < length || (at === 0 && length === 0); at += MAX_HASH_RANGE) {
      parts.push(this.request(Op.HASH_BLOCKS, 0, offset + at, Math.min(MAX_HASH_RANGE, length - at), name));
      if (length === 0) break;
    }
    return parts.length === 1 ? parts[0]! : Buffer.concat(await Promise.all(parts));
  }

  async writeLayer(layer: string, offset: number, data: Buffer): Promise<void> {
    const parts: Promise<Buffer>[] = [];
    for (let at = 0; at < data.length || (at === 0 && data.length === 0); at += MAX_IO_BYTES) {
      const part = data.subarray(at, at + MAX_IO_BYTES);
      parts.push(this.request(Op.WRITE_LAYER, 0, offset + at, part.length, encodeLayerWrite(layer, part)));
      if (data.length === 0) break;
    }
    await Promise.all(parts);
  }

  zeroLayer(layer: string, offset: number, length: number): Promise<void> {
    return this.chunkedNamed(Op.ZERO_LAYER, offset, length, Buffer.from(layer, 'utf8'));
  }

  /**
   * Lets the requests under way finish, then closes the connection (the replica stays served).
   * Every caller gets the same promise: an engine closing a member while that member's failed
   * rebuild closes it too must not leave one of them waiting for ever.
   */
  close(): Promise<void> {
    this.closingDone ??= this.closeOnce();
    return this.closingDone;
  }

  private async closeOnce(): Promise<void> {
    if (this.dead) return;
    this.closing = true;
    if (this.pending.size > 0)
      await new Promise<void>((r) => {
        this.drained = r;
      });
    this.socket.end();
    this.fail('closed', 'ESHUTDOWN');
  }

  // ---- internals ----

  private request(
    op: OpCode,
    flags: number,
    offset: number,
    length: number,
    payload?: Buffer | Buffer[],
  ): Promise<Buffer> {
    if (this.closing) return Promise.reject(new BlockError('ESHUTDOWN', `replica ${this.replicaId}: client closed`));
    if (this.dead) return Promise.reject(new BlockError('EIO', this.dead.message));
    if (
      !Number.isSafeInteger(offset) ||
      offset < 0 ||
      !Number.isInteger(length) ||
      length < 0 ||
      length > 0xffff_ffff
    ) {
      return Promise.reject(new BlockError('EINVAL', `bad range ${offset}+${length}`));
    }
    let id = this.nextId;
    while (this.pending.has(id)) id = (id + 1) >>> 0 || 1;
    this.nextId = (id + 1) >>> 0 || 1;
    return new Promise<Buffer>((resolve, reject) => {
      if (this.pending.size === 0) this.lastProgress = Date.now();
      this.pending.set(id, { resolve, reject });
      if (payload === undefined) {
        this.out.push(encodeRequest(op, flags, id, offset, length, 0));
      } else if (Buffer.isBuffer(payload)) {
        this.out.push(encodeRequest(op, flags, id, offset, length, payload.length));
        if (payload.length > 0) this.out.push(payload);
      } else {
        this.out.push(encodeRequest(op, flags, id, offset, length, partsLength(payload)));
        for (const p of payload) if (p.length > 0) this.out.push(p);
      }
    });
  }

  private onReply(h: Buffer, at: number, payload: Buffer): void {
    const id = h.readUInt32LE(at + 4);
    const status = h.readUInt32LE(at + 8);
    if (this.greeted) {
      const greeted = this.greeted;
      this.greeted = null;
      greeted(payload);
      return;
    }
    const p = this.pending.get(id);
    if (!p) throw new Error(`reply to unknown request ${id}`);
    this.pending.delete(id);
    this.lastProgress = Date.now();
    if (status === Status.OK) p.resolve(payload);
    else p.reject(errorOf(status, `replica ${this.replicaId}: ${payload.toString('utf8')}`));
    if (this.pending.size === 0 && this.drained) {
      this.drained();
      this.drained = null;
    }
  }

  private fail(reason: string, errno: 'EIO' | 'ESHUTDOWN' = 'EIO'): void {
    if (this.dead) return;
    const err = new BlockError(errno, `replica ${this.replicaId} at ${this.address}: ${reason}`);
    this.dead = new BlockError('EIO', err.message);
    if (this.watchdog) clearInterval(this.watchdog);
    const pending = [...this.pending.values()];
    this.pending.clear();
    for (const p of pending) p.reject(new BlockError('EIO', err.message));
    this.drained?.();
    this.socket.destroy();
    this.resolveClosed(err);
  }

  private async chunkedRead(op: OpCode, offset: number, length: number, name?: Buffer): Promise<Buffer> {
    if (length <= MAX_IO_BYTES) return this.request(op, 0, offset, length, name);
    const parts: Promise<Buffer>[] = [];
    for (let at = 0; at < length; at += MAX_IO_BYTES) {
      parts.push(this.request(op, 0, offset + at, Math.min(MAX_IO_BYTES, length - at), name));
    }
    return Buffer.concat(await Promise.all(parts));
  }

  /**
   * A TRIM or WRITE_ZEROES as pieces of at most 2 GiB, sent back to back (one loop, so nothing
   * else comes between them on the socket): every piece but the last carries FLAG_MORE, and the
   * server applies them as one store call, as a local store would (one revision bump).
   */
  private async chunkedRange(op: OpCode, flags: number, offset: number, length: number): Promise<void> {
    const parts: Promise<Buffer>[] = [];
    let at = 0;
    do {
      const n = Math.min(MAX_RANGE_BYTES, length - at);
      parts.push(this.request(op, at + n < length ? flags | FLAG_MORE : flags, offset + at, n));
      at += n;
    } while (at < length);
    await Promise.all(parts);
  }

  private async chunkedNamed(op: OpCode, offset: number, length: number, name: Buffer): Promise<void> {
    const parts: Promise<Buffer>[] = [];
    let at = 0;
    do {
      const n = Math.min(MAX_RANGE_BYTES, length - at);
      parts.push(this.request(op, 0, offset + at, n, name));
      at += n;
    } while (at < length);
    await Promise.all(parts);
  }

  private async ranges(op: OpCode, offset: number, length: number, name: string, limit?: number): Promise<ExtentList> {
    const list = decodeExtents(
      await this.request(op, 0, offset, Math.min(length, MAX_RANGE_BYTES), Buffer.from(name, 'utf8')),
    );
    if (limit !== undefined && list.extents.length > limit) {
      return { extents: list.extents.slice(0, limit), end: list.extents[limit]!.offset };
    }
    return list;
  }
}

function parse<T>(b: Buffer): T {
  return JSON.parse(b.toString('utf8')) as T;
}

export function parseAddress(address: string): { host: string; port: number } {
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(address) ?? /^([^:]+):(\d+)$/.exec(address);
  if (!m) throw new BlockError('EINVAL', `bad replica address ${JSON.stringify(address)} (want host:port)`);
  return { host: m[1]!, port: Number(m[2]) };
}
