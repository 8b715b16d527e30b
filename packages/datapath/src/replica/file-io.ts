// Positional reads and writes that finish the job (a write may transfer fewer bytes than asked),
// and an fsync of a directory so that created, renamed and removed names are durable. The data
// path calls fs.read/fs.write with callbacks on the file's descriptor: a good deal cheaper per
// 4 KiB operation than the FileHandle promise methods.
//
// Inline I/O: a buffered pread/pwrite that the page cache serves takes a few microseconds, while
// handing it to libuv's thread pool and back costs several times that in CPU (a queue, a thread
// wake-up, an async notification, a callback) and is most of what a 4 KiB request costs. So small
// data-path I/O (`inline`, up to INLINE_MAX_BYTES) runs on the calling thread while it stays fast.
// Each descriptor keeps a moving average of how long its inline calls take; when it goes over
// SLOW_MS (reads the page cache misses, writes held up by dirty-page throttling: the disk is
// being waited for), that descriptor's I/O goes back to the thread pool for BACKOFF_MS, so a slow
// disk costs the event loop a few stalls per interval, not one per request. An average (of capped
// samples) rather than one slow call, so that the odd preemption on a busy machine does not count
// as a slow disk.
//
// Write pieces: writes go to the kernel in pieces of at most WRITE_PIECE_BYTES. The page cache
// sizes its folios by the write that creates them, and on ext4 with large folios a later 4 KiB
// overwrite costs in proportion to the size of the folio it lands in (ext4_block_write_begin
// walks all of its blocks): after 1 MiB writes a random 4 KiB overwrite took ~28 us of CPU, after
// 64 KiB ones ~8 us. Volumes are typically filled sequentially and then overwritten at random.
//
// Metadata calls (open, close, mkdir, ftruncate, rename, a small write) follow the same bargain
// (metaCall): on the calling thread while they stay fast, else through the thread pool. Creating a
// replica store is a dozen of them plus two fsyncs and a share of one (syncDirShared), and a node
// makes hundreds of stores at once when volumes are created in bulk; through the thread pool each
// one cost several times its own work. The fsyncs always go to the pool.
// Files are held by descriptor (FileRef), not FileHandle: a FileHandle can only be made by an
// asynchronous open, and its promise methods are the per-call overhead this avoids.
import {
  chmod,
  chmodSync,
  close,
  closeSync,
  fchmod,
  fchmodSync,
  fdatasync,
  fsync,
  ftruncate,
  ftruncateSync,
  mkdir,
  mkdirSync,
  open,
  openSync,
  read,
  readSync,
  rename,
  renameSync,
  write,
  writeSync,
  writev,
  writevSync,
} from 'node:fs';
import { resolve } from 'node:path';

export const INLINE_MAX_BYTES = 1024 * 1024;
export const WRITE_PIECE_BYTES = 64 * 1024;
export const SLOW_MS = 1;
export const BACKOFF_MS = 1000;
/** Weight of the newest call in the moving average. */
const ALPHA = 1 / 8;
/** One call counts for at most this much, so that it takes a run of slow calls to offload. */
const CAP_MS = 4 * SLOW_MS;

export interface InlineState {
  /** Moving average of inline call durations, ms. */
  average: number;
  /** Until when this descriptor's I/O goes to the thread pool (0: not offloaded). */
  offloadUntil: number;
}

/** Folds one inline call of `tookMs`, finished at `now`, into `st`: offloads when the average is over SLOW_MS. */
export function recordInline(st: InlineState, tookMs: number, now: number): void {
  st.average += (Math.min(tookMs, CAP_MS) - st.average) * ALPHA;
  if (st.average > SLOW_MS) {
    st.offloadUntil = now + BACKOFF_MS;
    st.average = 0;
  }
}

/** Whether I/O under `st` may run inline at `now` (clears an expired offload). */
export function inlineAllowed(st: InlineState, now: number): boolean {
  if (st.offloadUntil === 0) return true;
  if (now < st.offloadUntil) return false;
  st.offloadUntil = 0;
  return true;
}

const states = new Map<number, InlineState>();

/** Inline state of metadata calls (one for the process: they all wait on the same filesystem journal). */
const metaState: InlineState = { average: 0, offloadUntil: 0 };

/**
 * Runs a metadata call: `sync` on the calling thread when `inline` and such calls have stayed fast,
 * else `pooled` (the thread pool). Either way the result, or the error, comes as a promise.
 */
export function metaCall<T>(inline: boolean, sync: () => T, pooled: () => Promise<T>): Promise<T> {
  if (!inline || !inlineAllowed(metaState, performance.now())) return pooled();
  const started = performance.now();
  try {
    return Promise.resolve(sync());
  } catch (e) {
    return Promise.reject(e);
  } finally {
    noteInline(metaState, started);
  }
}

/** Node's callback style as a promise. */
function pooled<T = void>(start: (done: (err: NodeJS.ErrnoException | null, value?: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => start((err, value) => (err ? reject(err) : resolve(value as T))));
}

/**
 * An open file, by descriptor. Closed explicitly: nothing closes it on garbage collection. Its
 * fsyncs always go through the thread pool (they wait for the disk).
 */
export class FileRef {
  constructor(
    readonly fd: number,
    private readonly inline = true,
  ) {}

  datasync(): Promise<void> {
    return pooled((k) => fdatasync(this.fd, k));
  }

  sync(): Promise<void> {
    return pooled((k) => fsync(this.fd, k));
  }

  truncate(length: number): Promise<void> {
    return metaCall(
      this.inline,
      () => ftruncateSync(this.fd, length),
      () => pooled((k) => ftruncate(this.fd, length, k)),
    );
  }

  close(): Promise<void> {
    forgetInline(this.fd);
    return metaCall(
      this.inline,
      () => closeSync(this.fd),
      () => pooled((k) => close(this.fd, k)),
    );
  }
}

/**
 * A replica's files hold a tenant's data and its directories name its volumes: only the agent
 * (their owner) may read them. Set on every file and directory this module creates, then set again
 * with chmod so a umask can neither widen nor narrow them.
 */
export const FILE_MODE = 0o600;
export const DIR_MODE = 0o700;

/** Opens `path` with `flags` ('r+', 'wx+', ...); inline when `inline` allows (see metaCall). A file it creates is FILE_MODE. */
export function openFile(path: string, flags: string, inline = true): Promise<FileRef> {
  const creates = /[wxa]/.test(flags);
  return metaCall(
    inline,
    () => {
      const fd = openSync(path, flags, FILE_MODE);
      if (creates) fchmodSync(fd, FILE_MODE);
      return new FileRef(fd, inline);
    },
    () =>
      pooled<number>((k) => open(path, flags, FILE_MODE, k)).then(async (fd) => {
        if (creates) await pooled((k) => fchmod(fd, FILE_MODE, k));
        return new FileRef(fd, inline);
      }),
  );
}

/** The directories `mkdir -p dir` made, given the first one it made: that one and each below it down to `dir`. */
function madeDirs(first: string | undefined, dir: string): string[] {
  if (first === undefined) return [];
  const out = [resolve(first)];
  const rest = resolve(dir)
    .slice(resolve(first).length)
    .split('/')
    .filter((p) => p !== '');
  for (const p of rest) out.push(`${out[out.length - 1]!}/${p}`);
  return out;
}

/** mkdir -p, each directory it makes DIR_MODE; resolves to the first directory it made, undefined when `dir` was there already. */
export function makeDir(dir: string, inline = true): Promise<string | undefined> {
  return metaCall(
    inline,
    () => {
      const first = mkdirSync(dir, { recursive: true, mode: DIR_MODE });
      for (const d of madeDirs(first, dir)) chmodSync(d, DIR_MODE);
      return first;
    },
    () =>
      pooled<string | undefined>((k) => mkdir(dir, { recursive: true, mode: DIR_MODE }, k)).then(async (first) => {
        for (const d of madeDirs(first, dir)) await pooled((k) => chmod(d, DIR_MODE, k));
        return first;
      }),
  );
}

export function renameFile(from: string, to: string, inline = true): Promise<void> {
  return metaCall(
    inline,
    () => renameSync(from, to),
    () => pooled((k) => rename(from, to, k)),
  );
}

/** The inline state of `fd` when I/O of `length` bytes may run inline now, else undefined. */
function inlineState(fd: number, length: number): InlineState | undefined {
  if (length > INLINE_MAX_BYTES) return undefined;
  let st = states.get(fd);
  if (st === undefined) {
    st = { average: 0, offloadUntil: 0 };
    states.set(fd, st);
  }
  if (st.offloadUntil !== 0 && !inlineAllowed(st, performance.now())) return undefined;
  return st;
}

/** Records an inline call of `pieces` syscalls that began at `started` (the average is per syscall). */
function noteInline(st: InlineState, started: number, pieces = 1): void {
  const now = performance.now();
  recordInline(st, (now - started) / pieces, now);
}

/** Forgets `fd`'s inline state (it is being closed; the number may be reused). */
export function forgetInline(fd: number): void {
  states.delete(fd);
}

function readAt(fd: number, buf: Uint8Array, at: number, length: number, position: number): Promise<number> {
  return new Promise((resolve, reject) => {
    read(fd, buf, at, length, position, (err, n) => (err ? reject(err) : resolve(n)));
  });
}

function writeAt(fd: number, buf: Uint8Array, at: number, length: number, position: number): Promise<number> {
  return new Promise((resolve, reject) => {
    write(fd, buf, at, length, position, (err, n) => (err ? reject(err) : resolve(n)));
  });
}

/**
 * Reads up to `length` bytes at `position` into `buf` at `at`; bytes past the end of file stay as
 * they were. With `inline`, a small read may run on the calling thread (see above).
 */
export async function readFully(
  fh: { readonly fd: number },
  buf: Uint8Array,
  at: number,
  length: number,
  position: number,
  inline = false,
): Promise<void> {
  const fd = fh.fd;
  let done = 0;
  const st = inline ? inlineState(fd, length) : undefined;
  if (st) {
    const started = performance.now();
    try {
      while (done < length) {
        const n = readSync(fd, buf, at + done, length - done, position + done);
        if (n === 0) return;
        done += n;
      }
      return;
    } finally {
      noteInline(st, started, Math.ceil(length / WRITE_PIECE_BYTES));
    }
  }
  while (done < length) {
    const n = await readAt(fd, buf, at + done, length - done, position + done);
    if (n === 0) return;
    done += n;
  }
}

/** Writes `buf[from, to)` at `position + from` with one syscall and its continuations, on this thread. */
function writeRangeSync(fd: number, buf: Uint8Array, from: number, to: number, position: number): void {
  for (let done = from; done < to;) {
    const n = writeSync(fd, buf, done, to - done, position + done);
    if (n === 0) throw Object.assign(new Error('write made no progress'), { code: 'EIO' });
    done += n;
  }
}

/** The same through the thread pool. */
async function writeRange(fd: number, buf: Uint8Array, from: number, to: number, position: number): Promise<void> {
  for (let done = from; done < to;) {
    const n = await writeAt(fd, buf, done, to - done, position + done);
    if (n === 0) throw Object.assign(new Error('write made no progress'), { code: 'EIO' });
    done += n;
  }
}

/**
 * Writes all of `buf` at `position`, in pieces of at most WRITE_PIECE_BYTES (see above). With
 * `inline`, a write of up to INLINE_MAX_BYTES may run on the calling thread (see above).
 */
export async function writeFully(
  fh: { readonly fd: number },
  buf: Uint8Array,
  position: number,
  inline = false,
): Promise<void> {
  const fd = fh.fd;
  const length = buf.length;
  const st = inline ? inlineState(fd, length) : undefined;
  if (st) {
    const started = performance.now();
    let pieces = 0;
    try {
      for (let at = 0; at < length; at += WRITE_PIECE_BYTES, pieces++)
        writeRangeSync(fd, buf, at, Math.min(length, at + WRITE_PIECE_BYTES), position);
    } finally {
      noteInline(st, started, Math.max(1, pieces));
    }
    return;
  }
  if (length <= WRITE_PIECE_BYTES) return writeRange(fd, buf, 0, length, position);
  const parts: Promise<void>[] = [];
  for (let at = 0; at < length; at += WRITE_PIECE_BYTES)
    parts.push(writeRange(fd, buf, at, Math.min(length, at + WRITE_PIECE_BYTES), position));
  await Promise.all(parts);
}

/**
 * Groups `parts` (consecutive, to be written one after the other) into runs of at most
 * WRITE_PIECE_BYTES, cutting a part where a run must end: each run is one pwritev, so the kernel
 * sees the same 64 KiB pieces writeFully makes (see above), in a fraction of the syscalls.
 */
export function pieceRuns(parts: Uint8Array[]): Uint8Array[][] {
  const runs: Uint8Array[][] = [];
  let run: Uint8Array[] = [];
  let room = WRITE_PIECE_BYTES;
  for (let p of parts) {
    while (p.length > 0) {
      const take = Math.min(room, p.length);
      run.push(take === p.length ? p : p.subarray(0, take));
      p = p.subarray(take);
      room -= take;
      if (room === 0) {
        runs.push(run);
        run = [];
        room = WRITE_PIECE_BYTES;
      }
    }
  }
  if (run.length > 0) runs.push(run);
  return runs;
}

function runLength(run: Uint8Array[]): number {
  let n = 0;
  for (const b of run) n += b.length;
  return n;
}

/** The bytes of `run` from `done` on, as buffers (after a short pwritev). */
function restOf(run: Uint8Array[], done: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const b of run) {
    if (done >= b.length) {
      done -= b.length;
      continue;
    }
    out.push(done > 0 ? b.subarray(done) : b);
    done = 0;
  }
  return out;
}

function writevAt(fd: number, bufs: Uint8Array[], position: number): Promise<number> {
  return new Promise((resolve, reject) => {
    writev(fd, bufs as NodeJS.ArrayBufferView[], position, (err, n) => (err ? reject(err) : resolve(n)));
  });
}

/**
 * Writes `parts` one after the other at `position`: one pwritev per run of at most
 * WRITE_PIECE_BYTES (pieceRuns), on this thread when `inline` allows (as writeFully), else
 * through the thread pool, the runs at once. A payload that arrived in several socket chunks
 * costs one syscall per 64 KiB instead of one per chunk.
 */
export async function writePartsFully(
  fh: { readonly fd: number },
  parts: Uint8Array[],
  position: number,
  inline = false,
): Promise<void> {
  const fd = fh.fd;
  const runs = pieceRuns(parts);
  let length = 0;
  for (const r of runs) length += runLength(r);
  const st = inline ? inlineState(fd, length) : undefined;
  if (st) {
    const started = performance.now();
    try {
      let at = position;
      for (const run of runs) {
        const n = runLength(run);
        for (let done = 0; done < n;) {
          const k = writevSync(fd, (done === 0 ? run : restOf(run, done)) as NodeJS.ArrayBufferView[], at + done);
          if (k === 0) throw Object.assign(new Error('write made no progress'), { code: 'EIO' });
          done += k;
        }
        at += n;
      }
    } finally {
      noteInline(st, started, Math.max(1, runs.length));
    }
    return;
  }
  const writes: Promise<void>[] = [];
  let at = position;
  for (const run of runs) {
    const n = runLength(run);
    const start = at;
    writes.push(
      (async () => {
        for (let done = 0; done < n;) {
          const k = await writevAt(fd, done === 0 ? run : restOf(run, done), start + done);
          if (k === 0) throw Object.assign(new Error('write made no progress'), { code: 'EIO' });
          done += k;
        }
      })(),
    );
    at += n;
  }
  await Promise.all(writes);
}

/** Per directory: the fsync under way, and the one queued to start after it. */
const dirSyncs = new Map<string, { running: Promise<void> | null; queued: Promise<void> | null }>();

/**
 * An fsync of `dir` shared by concurrent callers (group commit): each caller is served by a sync
 * that starts after it called. One that arrives while a sync runs waits for the next, which then
 * serves everyone who arrived meanwhile: a node creating eight stores at once makes their entries
 * in the parent directory durable with one or two syncs, not eight.
 */
export function syncDirShared(dir: string, inline = true): Promise<void> {
  let st = dirSyncs.get(dir);
  if (!st) dirSyncs.set(dir, (st = { running: null, queued: null }));
  const state = st;
  const run = (): Promise<void> => {
    const p: Promise<void> = syncDir(dir, inline).finally(() => {
      if (state.running === p) state.running = null;
      if (!state.running && !state.queued) dirSyncs.delete(dir);
    });
    state.running = p;
    return p;
  };
  if (state.queued) return state.queued;
  if (!state.running) return run();
  state.queued = state.running
    .then(
      () => undefined,
      () => undefined,
    )
    .then(() => {
      state.queued = null;
      return run();
    });
  return state.queued;
}

export async function syncDir(dir: string, inline = true): Promise<void> {
  const d = await openFile(dir, 'r', inline);
  try {
    await d.sync();
  } finally {
    await d.close();
  }
}
