// TLS for replica traffic: the only place a replica connection's socket becomes encrypted.
//
// Why TLS under the per-volume HMAC handshake (auth.ts) rather than instead of it: TLS with the
// cluster CA says *which node* is at the other end (encryption and integrity of every frame, and
// no replica address can be pointed at another node's server: the engine checks the server's
// certificate names the node the replica belongs to); HELLO's proof says the peer may use *this
// volume*. Both sides present a node certificate: a peer without one from the cluster CA is
// refused before it can send a byte of HELLO.
//
// Node's tls (OpenSSL) does the work; TLS 1.3 only (AEAD ciphers, no renegotiation).
import { connect as tlsConnect, createSecureContext, createServer as createTlsServer } from 'node:tls';
import type { SecureContext, Server as TlsServer, TLSSocket } from 'node:tls';

/** What a node presents and checks on replica connections: PEM of the cluster CA, its certificate and key. */
export interface ReplicaTls {
  ca: string | Buffer;
  cert: string | Buffer;
  key: string | Buffer;
}

const MIN_VERSION = 'TLSv1.3' as const;

/** One client secure context per ReplicaTls, made once (parsing keys per connection would cost as much as a handshake). */
const contexts = new WeakMap<ReplicaTls, SecureContext>();
function contextOf(t: ReplicaTls): SecureContext {
  let c = contexts.get(t);
  if (!c) {
    c = createSecureContext({ ca: t.ca, cert: t.cert, key: t.key, minVersion: MIN_VERSION });
    contexts.set(t, c);
  }
  return c;
}

/**
 * The TLS side of a ReplicaServer. The ReplicaServer accepts TCP itself (its caps apply before a
 * handshake costs anything) and hands each socket over with `server.emit('connection', socket)`;
 * `onSecure` gets the encrypted socket once the handshake is done and the client's certificate
 * checked against the CA. A failed handshake (plaintext client, no or foreign certificate, too
 * slow) only destroys its socket.
 */
export function replicaTlsServer(
  t: ReplicaTls,
  handshakeTimeoutMs: number,
  onSecure: (s: TLSSocket) => void,
): TlsServer {
  const server = createTlsServer({
    ca: t.ca,
    cert: t.cert,
    key: t.key,
    requestCert: true,
    rejectUnauthorized: true,
    handshakeTimeout: handshakeTimeoutMs,
    minVersion: MIN_VERSION,
  });
  server.on('secureConnection', onSecure);
  server.on('tlsClientError', (_err, s) => s.destroy());
  return server;
}

/**
 * Connects with TLS to `host:port`, checking the server's certificate against the CA and that it
 * names `servername` (the node id the replica is assigned to: a node certificate carries its id as
 * a DNS name), whatever address the replica was reached at (a proxy, a NAT, another node's IP).
 */
export function connectTls(host: string, port: number, t: ReplicaTls, servername: string): TLSSocket {
  return tlsConnect({
    host,
    port,
    secureContext: contextOf(t),
    servername,
    rejectUnauthorized: true,
    minVersion: MIN_VERSION,
  });
}
