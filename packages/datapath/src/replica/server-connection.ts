// One client connection to a ReplicaServer: the challenge, HELLO, then requests dispatched to the
// replica's store as they arrive, several at once, each answered when it completes. A malformed
// frame or a request before authentication ends this connection and no other. Before HELLO, a
// frame longer than HELLO can be is refused on its header, before any of its payload is kept
// (limits.ts). HELLO's attachment epoch is admitted into the store (or refused as stale), and every
// request goes through a view bound to it (fence.ts): once the replica admits a newer epoch, this
// connection's writes and live reads fail with ESTALE.
import type { Socket } from 'node:net';
import { BlockError, joinParts, partsLength, writePartsTo } from '../block.js';
import type { NewLayer, Replica } from './api.js';
import { NONCE_BYTES, newNonce, proof, PROOF_BYTES, proofMatches } from './auth.js';
import { fencedView } from './fence.js';
import type { FencedReplica } from './fence.js';
import { FrameReader } from './frame-reader.js';
import { MAX_HELLO_PAYLOAD_BYTES } from './limits.js';
import { OutputBatcher } from './output-batcher.js';
import {
  decodeHello,
  decodeLayerWrite,
  decodeRequest,
  encodeExtents,
  encodeReply,
  FLAG_FUA,
  FLAG_MORE,
  FLAG_NO_HOLE,
  MAX_IO_BYTES,
  Op,
  PROTOCOL_VERSION,
  ProtocolError,
  REQUEST_HEADER_BYTES,
  Status,
  statusOf,
} from './protocol.js';
import type { RequestHeader } from './protocol.js';

export interface ServedReplica {
  id: string;
  volume: string;
  store: FencedReplica;
  secret: string;
}

export interface ConnectionLimits {
  authTimeoutMs: number;
  /** Requests under way at once before the connection stops reading. */
  maxInflight: number;
  /** Reply bytes queued on the socket before the connection stops reading. */
  maxQueuedBytes: number;
}

/** The pieces of a split TRIM or WRITE_ZEROES received so far (FLAG_MORE): [offset, end) and their ids. */
interface Pieces {
  op: number;
  offset: number;
  end: number;
  ids: number[];
}

export class ServerConnection {
  replica: ServedReplica | null = null;
  /** The replica as this connection's epoch sees it (fence.ts); set with `replica`. */
  private view: Replica | null = null;
  /** A HELLO is being answered (its epoch admitted): anything else meanwhile ends the connection. */
  private greeting = false;
  private readonly challenge = newNonce();
  private readonly reader: FrameReader;
  private header: RequestHeader | null = null;
  private inflight = 0;
  private paused = false;
  private readonly out: OutputBatcher;
  private ending = false;
  private authTimer: NodeJS.Timeout | null;
  private pieces: Pieces | null = null;

  constructor(
    private readonly socket: Socket,
    private readonly lookup: (replicaId: string) => ServedReplica | undefined,
    private readonly limits: ConnectionLimits,
  ) {
    this.out = new OutputBatcher(socket, 'turn');
    // Payloads come as the socket chunks they arrived in: a WRITE's go to the store unjoined.
    this.reader = new FrameReader(
      REQUEST_HEADER_BYTES,
      (h, at) => {
        this.header = decodeRequest(h, at);
        if (this.replica === null && this.header.payloadLength > MAX_HELLO_PAYLOAD_BYTES) {
          throw new ProtocolError(`frame of ${this.header.payloadLength} bytes before HELLO`);
        }
        return this.header.payloadLength;
      },
      () => undefined,
      (_h, _at, parts) => this.onFrame(this.header!, parts),
    );
    socket.setNoDelay(true);
    socket.setKeepAlive(true, 10_000);
    socket.on('data', (chunk: Buffer) => {
      if (this.ending) return;
      try {
        this.reader.push(chunk);
      } catch {
        this.destroy(); // malformed frame
      }
    });
    socket.on('drain', () => this.updateFlow());
    socket.on('error', () => {});
    this.authTimer = setTimeout(() => this.destroy(), limits.authTimeoutMs);
    this.authTimer.unref();
    const greeting = Buffer.alloc(4 + NONCE_BYTES);
    greeting.writeUInt32LE(PROTOCOL_VERSION, 0);
    this.challenge.copy(greeting, 4);
    this.send(0, Status.OK, greeting);
  }

  /** True once HELLO has proved the secret. */
  get authenticated(): boolean {
    return this.replica !== null;
  }

  destroy(): void {
    this.ending = true;
    if (this.authTimer) clearTimeout(this.authTimer);
    this.socket.destroy();
  }

  private onFrame(r: RequestHeader, parts: Buffer[]): void {
    if (this.ending) return;
    if (this.replica === null) {
      if (this.greeting)
        this.destroy(); // nothing may follow HELLO before its answer
      else if (r.op === Op.HELLO) this.hello(r, joinParts(parts));
      else this.refuse(r.id, Status.EPERM, 'authenticate with HELLO first');
      return;
    }
    // A piece of a split request is not under way until its last piece arrives: counted then, so
    // that a trim of a huge volume (more pieces than maxInflight) cannot stop the reading it needs.
    const whole = this.gather(r);
    if (whole === null) return; // a piece: answered with the last one
    this.inflight += whole.ids.length;
    this.updateFlow();
    this.dispatch(this.view!, whole.request, parts)
      .then(
        (reply) => {
          for (const id of whole.ids) this.send(id, Status.OK, reply);
        },
        (err: unknown) => {
          const message = Buffer.from(err instanceof Error ? err.message : String(err));
          for (const id of whole.ids) this.send(id, statusOf(err), message);
        },
      )
      .then(() => {
        this.inflight -= whole.ids.length;
        this.updateFlow();
      });
  }

  /**
   * Gathers the pieces of a split TRIM / WRITE_ZEROES (FLAG_MORE, see protocol.ts): null while more
   * are to come, else the request to apply (the whole range when `r` ends a split one) and the ids
   * to answer. A split left unfinished (anything else arrives before its last piece) fails EINVAL.
   */
  private gather(r: RequestHeader): { request: RequestHeader; ids: number[] } | null {
    const p = this.pieces;
    const continues = p !== null && r.op === p.op && r.offset === p.end;
    if (p !== null && !continues) {
      this.pieces = null;
      const message = Buffer.from('split request left unfinished');
      for (const id of p.ids) this.send(id, Status.EINVAL, message);
    }
    const more = (r.flags & FLAG_MORE) !== 0;
    if (more && (r.op === Op.TRIM || r.op === Op.WRITE_ZEROES)) {
      if (continues) {
        p.end += r.length;
        p.ids.push(r.id);
      } else {
        this.pieces = { op: r.op, offset: r.offset, end: r.offset + r.length, ids: [r.id] };
      }
      return null;
    }
    if (!continues) return { request: r, ids: [r.id] };
    this.pieces = null;
    return { request: { ...r, offset: p.offset, length: p.end + r.length - p.offset }, ids: [...p.ids, r.id] };
  }

  private hello(r: RequestHeader, payload: Buffer): void {
    const h = payload.length <= MAX_HELLO_PAYLOAD_BYTES ? decodeHello(payload, NONCE_BYTES, PROOF_BYTES) : null;
    if (!h) {
      this.refuse(r.id, Status.EINVAL, 'malformed HELLO');
      return;
    }
    const replica = this.lookup(h.replicaId);
    if (!replica) {
      this.refuse(r.id, Status.ENOENT, `no replica ${h.replicaId} here`);
      return;
    }
    if (!proofMatches(proof('client', replica.secret, this.challenge, h.nonce, h.replicaId), h.proof)) {
      this.refuse(r.id, Status.EPERM, 'authentication failed');
      return;
    }
    // Authenticated: the deadline no longer applies, but requests wait for the epoch's admission
    // (which waits for older epochs' writes under way to finish).
    if (this.authTimer) clearTimeout(this.authTimer);
    this.authTimer = null;
    this.greeting = true;
    const mine = proof('server', replica.secret, this.challenge, h.nonce, h.replicaId);
    // Epoch 0 claims nothing: such a client (a snapshot reader) never moves the fence.
    (h.epoch > 0 ? replica.store.admitEpoch(h.epoch) : Promise.resolve())
      .then(() => replica.store.info())
      .then(
        (info) => {
          if (this.ending) return;
          if (this.lookup(h.replicaId) !== replica) {
            // removed meanwhile (removeReplica)
            this.refuse(r.id, Status.ENOENT, `no replica ${h.replicaId} here`);
            return;
          }
          this.replica = replica;
          this.view = fencedView(replica.store, h.epoch);
          this.greeting = false;
          this.send(r.id, Status.OK, Buffer.concat([mine, Buffer.from(JSON.stringify(info))]));
        },
        (err: unknown) => this.refuse(r.id, statusOf(err), err instanceof Error ? err.message : String(err)),
      );
  }

  /** Answers with an error and closes the connection once the answer is out. */
  private refuse(id: number, status: number, message: string): void {
    this.send(id, status, Buffer.from(message));
    this.ending = true;
    this.out.end();
    setTimeout(() => this.socket.destroy(), 1000).unref();
  }

  private async dispatch(store: Replica, r: RequestHeader, parts: Buffer[]): Promise<Buffer | undefined> {
    const fua = (r.flags & FLAG_FUA) !== 0;
    if ((r.flags & FLAG_MORE) !== 0) throw new BlockError('EINVAL', 'FLAG_MORE is only for TRIM and WRITE_ZEROES');
    if (r.op === Op.WRITE) {
      if (r.length !== partsLength(parts)) throw new BlockError('EINVAL', 'WRITE length differs from its payload');
      await writePartsTo(store, r.offset, parts, fua);
      return undefined;
    }
    const payload = joinParts(parts);
    switch (r.op) {
      case Op.READ:
        checkIo(r.length);
        return store.read(r.offset, r.length);
      case Op.FLUSH:
        await store.flush();
        return undefined;
      case Op.TRIM:
        await store.trim(r.offset, r.length);
        return undefined;
      case Op.WRITE_ZEROES:
        await store.writeZeroes(r.offset, r.length, fua, (r.flags & FLAG_NO_HOLE) !== 0);
        return undefined;
      case Op.INFO:
        return json(await store.info());
      case Op.SNAPSHOT_CREATE:
        return json(await store.snapshot(payload.toString('utf8')));
      case Op.SNAPSHOT_DELETE:
        await store.deleteSnapshot(payload.toString('utf8'));
        return undefined;
      case Op.SNAPSHOT_LIST:
        return json(await store.listSnapshots());
      case Op.READ_SNAPSHOT:
        checkIo(r.length);
        return store.readSnapshot(payload.toString('utf8'), r.offset, r.length);
      case Op.ALLOCATED_RANGES:
        return encodeExtents(
          await store.allocatedRanges(r.offset, r.length, payload.length ? payload.toString('utf8') : undefined),
        );
      case Op.LAYER_RANGES:
        return encodeExtents(
          await store.layerRanges(payload.length ? payload.toString('utf8') : null, r.offset, r.length),
        );
      case Op.RESIZE:
        await store.resize(r.offset);
        return undefined;
      case Op.REBUILD_BEGIN:
        await store.beginRebuild();
        return undefined;
      case Op.REBUILD_END:
        await store.endRebuild(r.offset);
        return undefined;
      case Op.LAYER_LIST:
        return json(await store.listLayers());
      case Op.SNAPSHOT_INSERT: {
        const req = JSON.parse(payload.toString('utf8')) as { layer: NewLayer; below: string | null };
        return json(await store.insertSnapshot(req.layer, req.below ?? null));
      }
      case Op.HASH_BLOCKS:
        return store.hashBlocks(payload.length ? payload.toString('utf8') : null, r.offset, r.length);
      case Op.WRITE_LAYER: {
        const { name, data } = decodeLayerWrite(payload);
        if (data.length !== r.length) throw new BlockError('EINVAL', 'WRITE_LAYER length differs from its data');
        await store.writeLayer(name, r.offset, data);
        return undefined;
      }
      case Op.ZERO_LAYER:
        await store.zeroLayer(payload.toString('utf8'), r.offset, r.length);
        return undefined;
      case Op.ENGINE_MARK:
        await store.markEngine(r.offset === 1);
        return undefined;
      case Op.HELLO:
        throw new BlockError('EINVAL', 'already authenticated');
      default:
        throw new BlockError('EINVAL', `unknown op ${r.op}`);
    }
  }

  /** Queues a reply; replies produced in one tick leave in one write. */
  private send(id: number, status: number, payload?: Buffer): void {
    if (this.socket.destroyed) return;
    this.out.push(encodeReply(id, status, payload?.length ?? 0));
    if (payload && payload.length > 0) this.out.push(payload);
  }

  /** Stops reading while too much is under way or queued, resumes when it has gone down. */
  private updateFlow(): void {
    const busy = this.inflight >= this.limits.maxInflight || this.socket.writableLength > this.limits.maxQueuedBytes;
    if (busy && !this.paused) {
      this.paused = true;
      this.socket.pause();
    } else if (!busy && this.paused) {
      this.paused = false;
      this.socket.resume();
    }
  }
}

function checkIo(length: number): void {
  if (length > MAX_IO_BYTES) throw new BlockError('EINVAL', `I/O of ${length} bytes is over ${MAX_IO_BYTES}`);
}

const json = (v: unknown): Buffer => Buffer.from(JSON.stringify(v));
