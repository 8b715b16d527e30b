// Test helpers for the NBD frontend: a tiny raw NBD client over Buffers (to send what real
// clients never would), backends that record or delay calls, and a child-process runner.
import { spawn } from 'node:child_process';
import { connect, createServer } from 'node:net';
import type { Socket } from 'node:net';
import { nbd as P } from '../src/index.js';
import type { BlockBackend } from '../src/index.js';

export interface OptionReply {
  option: number;
  type: number;
  data: Buffer;
}
export interface Reply {
  error: number;
  handle: bigint;
  data?: Buffer;
}

/** A raw NBD client: every byte it sends is spelled out by the test. */
export class RawClient {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private waiter: { n: number; resolve: (b: Buffer) => void; reject: (e: Error) => void } | undefined;
  private ended = false;
  readonly closed: Promise<void>;
  /** Lengths of reads in flight by handle, to know which replies carry data. */
  private readonly reads = new Map<bigint, number>();
  private nextHandle = 1n;

  private constructor(readonly socket: Socket) {
    socket.on('data', (c: Buffer) => {
      this.chunks.push(c);
      this.buffered += c.length;
      this.pump();
    });
    socket.on('error', () => {});
    this.closed = new Promise((resolve) =>
      socket.on('close', () => {
        this.ended = true;
        const w = this.waiter;
        this.waiter = undefined;
        w?.reject(new Error(`connection closed with ${this.buffered} bytes buffered, ${w.n} wanted`));
        resolve();
      }),
    );
  }

  static connect(port: number): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const s = connect(port, '127.0.0.1', () => {
        s.off('error', reject);
        resolve(new RawClient(s));
      });
      s.once('error', reject);
    });
  }

  /** Connects, handshakes and enters transmission with NBD_OPT_GO (asking for block sizes unless told not to). */
  static async open(port: number, name: string, infos: number[] = [P.INFO_BLOCK_SIZE]): Promise<RawClient> {
    const c = await RawClient.connect(port);
    await c.greet();
    const r = await c.go(name, infos);
    if (r.final.type !== P.REP_ACK) throw new Error(`GO ${name}: reply type 0x${r.final.type.toString(16)}`);
    return c;
  }

  /** A client over an already connected socket (e.g. a TLS socket after NBD_OPT_STARTTLS). */
  static over(socket: Socket): RawClient {
    return new RawClient(socket);
  }

  get isClosed(): boolean {
    return this.ended;
  }

  write(b: Buffer): void {
    this.socket.write(b);
  }

  read(n: number, timeoutMs = 5000): Promise<Buffer> {
    if (this.buffered >= n) return Promise.resolve(this.take(n));
    if (this.ended)
      return Promise.reject(new Error(`connection closed with ${this.buffered} bytes buffered, ${n} wanted`));
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => {
        this.waiter = undefined;
        reject(new Error(`timed out waiting for ${n} bytes`));
      }, timeoutMs);
      this.waiter = {
        n,
        resolve: (b) => {
          clearTimeout(t);
          resolve(b);
        },
        reject: (e) => {
          clearTimeout(t);
          reject(e);
        },
      };
    });
  }

  /** Reads the greeting and answers with client flags. */
  async greet(clientFlags = P.FLAG_C_FIXED_NEWSTYLE | P.FLAG_C_NO_ZEROES): Promise<number> {
    const g = await this.read(18);
    if (g.readBigUInt64BE(0) !== P.NBDMAGIC || g.readBigUInt64BE(8) !== P.IHAVEOPT) throw new Error('bad greeting');
    const b = Buffer.alloc(4);
    b.writeUInt32BE(clientFlags, 0);
    this.write(b);
    return g.readUInt16BE(16);
  }

  option(option: number, data: Buffer = Buffer.alloc(0)): void {
    const h = Buffer.alloc(16);
    h.writeBigUInt64BE(P.IHAVEOPT, 0);
    h.writeUInt32BE(option, 8);
    h.writeUInt32BE(data.length, 12);
    this.write(Buffer.concat([h, data]));
  }

  async optionReply(): Promise<OptionReply> {
    const h = await this.read(20);
    if (h.readBigUInt64BE(0) !== P.REPLY_MAGIC) throw new Error('bad option reply magic');
    const len = h.readUInt32BE(16);
    return { option: h.readUInt32BE(8), type: h.readUInt32BE(12), data: len ? await this.read(len) : Buffer.alloc(0) };
  }

  /** Option replies up to and including the final one (ACK or an error). */
  async optionReplies(): Promise<{ infos: OptionReply[]; final: OptionReply }> {
    const infos: OptionReply[] = [];
    for (;;) {
      const r = await this.optionReply();
      if (r.type === P.REP_INFO || r.type === P.REP_SERVER) infos.push(r);
      else return { infos, final: r };
    }
  }

  static infoData(name: string, infos: number[]): Buffer {
    const n = Buffer.from(name);
    const b = Buffer.alloc(6 + n.length + 2 * infos.length);
    b.writeUInt32BE(n.length, 0);
    n.copy(b, 4);
    b.writeUInt16BE(infos.length, 4 + n.length);
    infos.forEach((t, i) => b.writeUInt16BE(t, 6 + n.length + 2 * i));
    return b;
  }

  go(
    name: string,
    infos: number[] = [P.INFO_BLOCK_SIZE],
    option = P.OPT_GO,
  ): Promise<{ infos: OptionReply[]; final: OptionReply }> {
    this.option(option, RawClient.infoData(name, infos));
    return this.optionReplies();
  }

  /** Sends a request; returns its handle. */
  send(
    type: number,
    offset: bigint | number,
    length: number,
    opts: { flags?: number; payload?: Buffer; handle?: bigint } = {},
  ): bigint {
    const handle = opts.handle ?? this.nextHandle++;
    if (type === P.CMD_READ) this.reads.set(handle, length);
    const h = P.encodeRequest(type, opts.flags ?? 0, handle, offset, length);
    this.write(opts.payload ? Buffer.concat([h, opts.payload]) : h);
    return handle;
  }

  async reply(): Promise<Reply> {
    const h = await this.read(16);
    if (h.readUInt32BE(0) !== P.SIMPLE_REPLY_MAGIC)
      throw new Error(`bad reply magic 0x${h.readUInt32BE(0).toString(16)}`);
    const error = h.readUInt32BE(4);
    const handle = h.readBigUInt64BE(8);
    const len = this.reads.get(handle);
    this.reads.delete(handle);
    if (error === 0 && len !== undefined && len > 0) return { error, handle, data: await this.read(len) };
    return { error, handle };
  }

  /** Sends one request and waits for its reply (nothing else may be in flight). */
  async call(
    type: number,
    offset: bigint | number,
    length: number,
    opts: { flags?: number; payload?: Buffer } = {},
  ): Promise<Reply> {
    const handle = this.send(type, offset, length, opts);
    const r = await this.reply();
    if (r.handle !== handle) throw new Error(`reply for handle ${r.handle}, wanted ${handle}`);
    return r;
  }

  async writeAt(offset: number, data: Buffer, flags = 0): Promise<number> {
    return (await this.call(P.CMD_WRITE, offset, data.length, { payload: data, flags })).error;
  }

  async readAt(offset: number, length: number): Promise<Buffer> {
    const r = await this.call(P.CMD_READ, offset, length);
    if (r.error !== 0) throw new Error(`read ${offset}+${length}: error ${r.error}`);
    return r.data ?? Buffer.alloc(0);
  }

  /** NBD_CMD_DISC, then wait for the server to close. */
  async disconnect(): Promise<void> {
    this.send(P.CMD_DISC, 0, 0);
    await this.closed;
  }

  destroy(): void {
    this.socket.destroy();
  }

  private pump(): void {
    const w = this.waiter;
    if (w && this.buffered >= w.n) {
      this.waiter = undefined;
      w.resolve(this.take(w.n));
    }
  }

  private take(n: number): Buffer {
    const all = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks);
    this.chunks = n < all.length ? [all.subarray(n)] : [];
    this.buffered -= n;
    return all.subarray(0, n);
  }
}

export interface Call {
  op: string;
  offset?: number;
  length?: number;
  fua?: boolean;
}

/** Wraps a backend: records every call, optionally delays or fails them. */
export class ScriptedBackend implements BlockBackend {
  readonly calls: Call[] = [];
  /** Delay in ms per call (default none); may depend on the call. */
  delay: (c: Call) => number = () => 0;
  /** An error to fail the call with, or undefined. */
  fail: (c: Call) => unknown = () => undefined;

  constructor(readonly inner: BlockBackend) {}
  get size(): number {
    return this.inner.size;
  }

  private async gate(c: Call): Promise<void> {
    this.calls.push(c);
    const ms = this.delay(c);
    if (ms > 0) await new Promise((r) => setTimeout(r, ms));
    const err = this.fail(c);
    if (err !== undefined) throw err;
  }

  async read(offset: number, length: number): Promise<Buffer> {
    await this.gate({ op: 'read', offset, length });
    return this.inner.read(offset, length);
  }
  async write(offset: number, data: Buffer, fua?: boolean): Promise<void> {
    await this.gate({ op: 'write', offset, length: data.length, fua: !!fua });
    return this.inner.write(offset, data, fua);
  }
  async flush(): Promise<void> {
    await this.gate({ op: 'flush' });
    return this.inner.flush();
  }
  async trim(offset: number, length: number): Promise<void> {
    await this.gate({ op: 'trim', offset, length });
    return this.inner.trim(offset, length);
  }
  async writeZeroes(offset: number, length: number, fua?: boolean): Promise<void> {
    await this.gate({ op: 'writeZeroes', offset, length, fua: !!fua });
    return this.inner.writeZeroes(offset, length, fua);
  }
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a program to completion (killed after timeoutMs). */
export function run(cmd: string, args: string[], timeoutMs = 60_000): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    const t = setTimeout(() => {
      stderr += `\n[killed after ${timeoutMs} ms]`;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', (e) => {
      clearTimeout(t);
      reject(e);
    });
    child.on('close', (code) => {
      clearTimeout(t);
      resolve({ code: code ?? -1, stdout, stderr });
    });
  });
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** `p`, or a rejection naming `what` after ms (the timer does not outlive the race). */
export function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out: ${what}`)), ms);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

/** Polls until `cond` holds (or throws after timeoutMs). */
export async function until(cond: () => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

/** A TCP port free on 127.0.0.1 right now. */
export async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}
