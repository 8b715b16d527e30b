// A TCP proxy in front of one ReplicaServer, for the engine suites: what the engine sends to the
// replica can be held (a slow or stalled replica: the bytes wait in the proxy, nothing is lost)
// and released, and every connection can be cut (the replica's node dies mid-request).
// Replies from the replica are always forwarded.
import { connect, createServer } from 'node:net';
import type { Server, Socket } from 'node:net';

export class Valve {
  private server: Server | null = null;
  private readonly pairs = new Set<{ client: Socket; upstream: Socket; queue: Buffer[] }>();
  private holding = false;
  /** Bytes from the engine waiting in the proxy now. */
  heldBytes = 0;
  /** Bytes forwarded to the replica so far. */
  forwardedBytes = 0;
  address = '';

  constructor(private readonly upstream: string) {}

  async listen(): Promise<string> {
    const [host, port] = this.upstream.split(':') as [string, string];
    const server = createServer((client) => {
      const upstream = connect({ host, port: Number(port) });
      const pair = { client, upstream, queue: [] as Buffer[] };
      this.pairs.add(pair);
      const end = () => {
        client.destroy();
        upstream.destroy();
        this.pairs.delete(pair);
      };
      client.on('error', end).on('close', end);
      upstream.on('error', end).on('close', end);
      upstream.on('data', (d: Buffer) => client.write(d));
      client.on('data', (d: Buffer) => {
        if (this.holding) {
          pair.queue.push(d);
          this.heldBytes += d.length;
        } else {
          this.forwardedBytes += d.length;
          upstream.write(d);
        }
      });
    });
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', () => resolve()));
    this.server = server;
    this.address = `127.0.0.1:${(server.address() as { port: number }).port}`;
    return this.address;
  }

  /** From now on, what the engine sends waits in the proxy. */
  hold(): void {
    this.holding = true;
  }

  /** Forwards what was held, in order, and everything after it. */
  release(): void {
    this.holding = false;
    for (const p of this.pairs) {
      for (const d of p.queue) {
        this.forwardedBytes += d.length;
        p.upstream.write(d);
      }
      p.queue = [];
    }
    this.heldBytes = 0;
  }

  /** Destroys every connection through the proxy (held bytes are lost, as with a dead node). */
  cut(): void {
    for (const p of this.pairs) {
      p.client.destroy();
      p.upstream.destroy();
    }
    this.pairs.clear();
    this.heldBytes = 0;
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }
}

/** Polls `cond` until it holds; fails after `ms` with a message naming what was awaited. */
export async function until(what: string, cond: () => boolean | Promise<boolean>, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
