// A TCP proxy in front of one node agent's data (replica) port: the loopback stand-in for that
// node's data network. The agent advertises the proxy's address (cairn node --data-advertise), so
// every engine on another node reaches the node's replicas only through here.
// - forwarding: each accepted connection is piped to the agent's real port;
// - cut():  every connection through the proxy is destroyed at once (what the engine sees of a
//   partition: the connection dies, its requests fail) and new connections are accepted and then
//   held, never forwarded, never answered (a black hole: the client's own timeouts must fire);
// - cut({ refuse: true }): the same, but new connections are closed at once instead of held (a
//   link that answers with a reset: clients fail fast instead of waiting for their timeouts);
// - heal(): forwarding again; the connections held during the cut are dropped (their clients have
//   given up on them by then), new ones are forwarded.
// The control plane (heartbeats to the manager over gRPC) does not pass here: a data-only partition.
import { connect, createServer } from 'node:net';
import type { Server, Socket } from 'node:net';

export class DataProxy {
  private server: Server | null = null;
  private readonly live = new Set<Socket>();
  private readonly held = new Set<Socket>();
  private cutNow = false;
  private refusing = false;
  port = 0;
  /** Connections destroyed by cut(), and accepted and held while cut, in total (the suite prints them). */
  destroyed = 0;
  blackholed = 0;

  constructor(
    private readonly upstreamPort: number,
    private readonly host = '127.0.0.1',
  ) {}

  async listen(port = 0): Promise<number> {
    const server = createServer((client) => this.accept(client));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, this.host, () => resolve());
    });
    this.server = server;
    this.port = (server.address() as { port: number }).port;
    return this.port;
  }

  get address(): string {
    return `${this.host}:${this.port}`;
  }

  get isCut(): boolean {
    return this.cutNow;
  }

  private accept(client: Socket): void {
    client.on('error', () => undefined);
    if (this.cutNow && this.refusing) {
      client.destroy();
      return;
    }
    if (this.cutNow) {
      // Accepted, never forwarded: whatever the client sends goes nowhere.
      this.blackholed++;
      this.held.add(client);
      client.on('close', () => this.held.delete(client));
      client.resume();
      return;
    }
    const upstream = connect(this.upstreamPort, this.host);
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
    client.on('close', () => {
      upstream.destroy();
      this.live.delete(client);
      this.live.delete(upstream);
    });
    upstream.on('close', () => client.destroy());
    this.live.add(client);
    this.live.add(upstream);
    client.pipe(upstream);
    upstream.pipe(client);
  }

  cut(o: { refuse?: boolean } = {}): void {
    this.cutNow = true;
    this.refusing = o.refuse ?? false;
    this.destroyed += this.live.size / 2; // a client socket and its upstream each
    for (const s of this.live) s.destroy();
    this.live.clear();
  }

  heal(): void {
    this.cutNow = false;
    for (const s of this.held) s.destroy();
    this.held.clear();
  }

  async close(): Promise<void> {
    this.cut();
    this.heal();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
