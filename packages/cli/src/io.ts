// Where a command's output goes and what it may read of its environment. The `cairn` binary
// passes the process's; tests and in-process callers pass their own and read what was written.

export interface Io {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  env: Record<string, string | undefined>;
  /** The directory relative paths (./.cairn/cluster.json, export files) resolve against. */
  cwd: string;
  /** Aborts a long-running command (`events --follow`); the binary wires it to Ctrl-C. */
  signal?: AbortSignal;
}

export function processIo(signal?: AbortSignal): Io {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    cwd: process.cwd(),
    ...(signal ? { signal } : {}),
  };
}

/** An Io that keeps what was written, for tests and for callers that want the text. */
export function bufferIo(
  o: { env?: Record<string, string | undefined>; cwd?: string; signal?: AbortSignal } = {},
): Io & { out(): string; err(): string } {
  let out = '';
  let err = '';
  return {
    stdout: { write: (t: string) => (out += t) },
    stderr: { write: (t: string) => (err += t) },
    env: o.env ?? {},
    cwd: o.cwd ?? process.cwd(),
    ...(o.signal ? { signal: o.signal } : {}),
    out: () => out,
    err: () => err,
  };
}
