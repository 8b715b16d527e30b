// ReplicaServer: the TCP endpoint of a node agent's replicas. One server serves every replica on
// the node; a connection names its replica in HELLO and proves it holds that volume's secret. The
// server does not own the stores: removeReplica cuts the replica's connections, and closing the
// store is its owner's job. Wire format: protocol.ts. What a peer may cost it: limits.ts. With
// `tls`, every connection is TLS first (tls.ts) and HELLO runs inside it.
import { createServer } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';
import type { Server as TlsServer } from 'node:tls';
import { ReplicaError } from './api.js';
import type { FencedReplica } from './fence.js';
import { AUTH_TIMEOUT_MS, MAX_CONNECTIONS, MAX_INFLIGHT, MAX_QUEUED_BYTES, MAX_UNAUTHENTICATED } from './limits.js';
import { ServerConnection } from './server-connection.js';
import type { ConnectionLimits, ServedReplica } from './server-connection.js';
import { replicaTlsServer } from './tls.js';
import type { ReplicaTls } from './tls.js';

/** Defaults: limits.ts. */
export interface ReplicaServerOptions {
  /** A connection that has not authenticated by then is closed. */
  authTimeoutMs?: number;
  /** Requests under way per connection before it stops reading. */
  maxInflight?: number;
  /** Reply bytes queued per connection before it stops reading. */
  maxQueuedBytes?: number;
  /** Open connections; one more is closed as soon as it is accepted. */
  maxConnections?: number;
  /** Open connections that have not completed HELLO; one more is closed as soon as it is accepted. */
  maxUnauthenticated?: number;
  /**
   * Serve TLS (1.3, this node's certificate) and require a client certificate from the same CA.
   * Absent: plaintext, as in tests that run a server and client in one process.
   */
  tls?: ReplicaTls;
}

export class ReplicaServer {
  private readonly replicas = new Map<string, ServedReplica>();
  private readonly connections = new Set<ServerConnection>();
  private readonly limits: ConnectionLimits;
  private readonly maxConnections: number;
  private readonly maxUnauthenticated: number;
  private refusedCount = 0;
  private server: Server | null = null;
  /** With `tls`: the TLS side sockets are handed to after the caps (tls.ts). */
  private readonly tls: TlsServer | null;
  /** Accepted sockets still in the TLS handshake, by remote address: unauthenticated, counted against the same cap. */
  private readonly handshaking = new Map<string, Socket>();

  constructor(opts: ReplicaServerOptions = {}) {
    this.limits = {
      authTimeoutMs: opts.authTimeoutMs ?? AUTH_TIMEOUT_MS,
      maxInflight: opts.maxInflight ?? MAX_INFLIGHT,
      maxQueuedBytes: opts.maxQueuedBytes ?? MAX_QUEUED_BYTES,
    };
    this.maxConnections = opts.maxConnections ?? MAX_CONNECTIONS;
    this.maxUnauthenticated = opts.maxUnauthenticated ?? MAX_UNAUTHENTICATED;
    this.tls = opts.tls
      ? replicaTlsServer(opts.tls, this.limits.authTimeoutMs, (s) => {
          this.handshaking.delete(peerOf(s));
          if (this.server) this.accept(s);
          else s.destroy();
        })
      : null;
  }

  /** Open connections, and how many of them have not authenticated. */
  get connectionCount(): { open: number; unauthenticated: number } {
    let unauthenticated = 0;
    for (const c of this.connections) if (!c.authenticated) unauthenticated++;
    return {
      open: this.connections.size + this.handshaking.size,
      unauthenticated: unauthenticated + this.handshaking.size,
    };
  }

  /** Connections closed on accept because a cap was reached, since the server started. */
  get refused(): number {
    return this.refusedCount;
  }

  /** Serves `store` as `replicaId` (of `volume`) to clients that know `secret`, fenced by attachment epoch (fence.ts). */
  addReplica(replicaId: string, volume: string, store: FencedReplica, secret: string): void {
    if (this.replicas.has(replicaId)) throw new ReplicaError('EEXIST', `replica ${replicaId} is already served`);
    if (!secret) throw new Error(`replica ${replicaId}: empty secret`);
    this.replicas.set(replicaId, { id: replicaId, volume, store, secret });
  }

  /** Stops serving a replica and closes its connections; false when it was not served. */
  removeReplica(replicaId: string): boolean {
    const r = this.replicas.get(replicaId);
    if (!r) return false;
    this.replicas.delete(replicaId);
    for (const c of this.connections) if (c.replica === r) c.destroy();
    return true;
  }

  replicaIds(): string[] {
    return [...this.replicas.keys()];
  }

  /** Listens on `port` (0: any free port) and `host`; resolves with the address bound. */
  listen(port = 0, host = '0.0.0.0'): Promise<{ host: string; port: number }> {
    if (this.server) return Promise.reject(new Error('already listening'));
    const server = createServer((socket) => this.admit(socket));
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        const a = server.address() as AddressInfo;
        resolve({ host: a.address, port: a.port });
      });
    });
  }

  get port(): number | undefined {
    return (this.server?.address() as AddressInfo | null)?.port;
  }

  /** Stops listening and closes every connection. */
  async close(): Promise<void> {
    const server = this.server;
    this.server = null;
    for (const c of this.connections) c.destroy();
    this.connections.clear();
    for (const s of this.handshaking.values()) s.destroy();
    this.handshaking.clear();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** A new TCP connection: refused over a cap, else served (after the TLS handshake, with `tls`). */
  private admit(socket: Socket): void {
    const { open, unauthenticated } = this.connectionCount;
    if (open >= this.maxConnections || unauthenticated >= this.maxUnauthenticated) {
      this.refusedCount++;
      socket.on('error', () => {});
      socket.destroy();
      return;
    }
    if (!this.tls) {
      this.accept(socket);
      return;
    }
    const peer = peerOf(socket);
    this.handshaking.set(peer, socket);
    socket.once('close', () => {
      if (this.handshaking.get(peer) === socket) this.handshaking.delete(peer);
    });
    this.tls.emit('connection', socket);
  }

  private accept(socket: Socket): void {
    const c = new ServerConnection(socket, (id) => this.replicas.get(id), this.limits);
    this.connections.add(c);
    socket.on('close', () => this.connections.delete(c));
  }
}

/** A TCP connection's remote end: what identifies it on one listener, before and after TLS. */
function peerOf(s: Socket): string {
  return `${s.remoteAddress}:${s.remotePort}`;
}
