// Where an NBD server may listen, and the URI a client uses to reach an export there. NBD has no
// authentication of its own: whoever reaches the listener reads and writes every export on it.
// So the rule, in one place: a unix socket (reachable only through its 0700 directory, i.e. by
// root and the server's own user) or a loopback address serve in clear; any other address only
// with TLS required on every connection (NBD_OPT_STARTTLS, FORCEDTLS mode) and a client
// certificate signed by the given CA. The checks here are pure; server.ts does the I/O.
import { isIP } from 'node:net';

/** PEM material of a TLS listener: its certificate and key, and the CA that signs its clients' certificates. */
export interface NbdTls {
  cert: string | Buffer;
  key: string | Buffer;
  ca: string | Buffer;
}

/** Where a server listens: a unix socket, or a TCP address (TLS required off loopback). */
export type NbdListen = { kind: 'unix'; path: string } | { kind: 'tcp'; host: string; port: number; tls?: NbdTls };

/** A listen address refused by the rule above (or malformed). */
export class NbdListenRefused extends Error {
  override readonly name = 'NbdListenRefused';
}

/** Longest unix socket path (sun_path is 108 bytes with its terminating NUL on Linux). */
export const MAX_SOCKET_PATH = 107;

/** True for a literal loopback address: 127.0.0.0/8 or ::1 (names are not trusted: they resolve elsewhere). */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '');
  if (isIP(h) === 4) return h.startsWith('127.');
  if (isIP(h) === 6) return h === '::1' || h === '0:0:0:0:0:0:0:1' || /^::ffff:127\./i.test(h);
  return false;
}

/** Throws NbdListenRefused unless `l` may be listened on (see the header). */
export function checkNbdListen(l: NbdListen): void {
  if (l.kind === 'unix') {
    if (!l.path.startsWith('/'))
      throw new NbdListenRefused(`NBD socket ${JSON.stringify(l.path)}: the path must be absolute`);
    if (Buffer.byteLength(l.path) > MAX_SOCKET_PATH)
      throw new NbdListenRefused(`NBD socket ${JSON.stringify(l.path)}: longer than ${MAX_SOCKET_PATH} bytes`);
    return;
  }
  if (!Number.isInteger(l.port) || l.port < 0 || l.port > 65535)
    throw new NbdListenRefused(`NBD port ${l.port}: not a port number`);
  if (!l.tls && !isLoopback(l.host)) {
    throw new NbdListenRefused(
      `NBD on ${l.host}: a non-loopback address is served only with TLS` +
        ` (a certificate, its key and the CA of the clients); without, listen on a unix socket or 127.0.0.1`,
    );
  }
}

/** Parses `HOST:PORT` (`[v6]:PORT` for IPv6) for an NBD TCP listener. */
export function parseNbdListen(flag: string, tls?: NbdTls): NbdListen {
  const m = /^(\[[0-9a-fA-F:.]+\]|[^\s:[\]]+):(\d{1,5})$/.exec(flag);
  if (!m) throw new NbdListenRefused(`NBD listen address must be HOST:PORT, got ${JSON.stringify(flag)}`);
  const l: NbdListen = {
    kind: 'tcp',
    host: m[1]!.replace(/^\[|\]$/g, ''),
    port: Number(m[2]),
    ...(tls ? { tls } : {}),
  };
  checkNbdListen(l);
  return l;
}

/** Percent-encodes a URI component, keeping '/' (a socket path stays readable). */
const encodePath = (s: string): string => encodeURIComponent(s).replace(/%2F/g, '/');

/**
 * The libnbd URI of `exportName` on a bound listener: `nbd+unix:///NAME?socket=PATH` for a unix
 * socket, `nbds://HOST:PORT/NAME` where TLS is required, else `nbd://HOST:PORT/NAME`.
 */
export function nbdUri(l: NbdListen, boundPort: number, exportName: string): string {
  const name = encodePath(exportName);
  if (l.kind === 'unix') return `nbd+unix:///${name}?socket=${encodePath(l.path)}`;
  const host = isIP(l.host) === 6 ? `[${l.host}]` : l.host;
  return `${l.tls ? 'nbds' : 'nbd'}://${host}:${boundPort}/${name}`;
}
