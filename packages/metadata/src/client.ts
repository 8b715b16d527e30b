// One place that opens an etcd client with the fault handling the control plane expects:
// every unary call has a deadline, failed hosts are skipped for a while, and watch streams
// reconnect quickly (the subscriber resumes by seq on its own; see subscribe.ts).
//
// It is also the one place that says how cairn proves itself to etcd (etcd-auth.ts sets etcd up to
// ask): TLS that verifies the server against the cluster CA and presents a client certificate, and
// with it either the certificate's common name as the etcd user (etcd's --client-cert-auth, what
// `cairn up` and deploy/ use: one credential, nothing to send in clear) or a user and password
// (an etcd set up by someone else).
import { readFileSync } from 'node:fs';
import { Etcd3 } from 'etcd3';
import { ExponentialBackoff } from 'cockatiel';

/** How a client proves itself to etcd: all optional; none of it is plain http without auth. */
export interface EtcdCredentials {
  /** PEM CA bundle that signs the etcd servers' certificates: with it, https and a verified server. */
  ca?: Buffer;
  /** PEM client certificate (chain) and its key: mutual TLS; with etcd's --client-cert-auth its CN is the user. */
  cert?: Buffer;
  key?: Buffer;
  /** etcd user and password (etcd's Authenticate); the password travels inside TLS only. */
  user?: string;
  password?: string;
}

/** The same as files, as `cairn manager --etcd-ca --etcd-cert --etcd-key --etcd-user --etcd-password-file` take them. */
export interface EtcdCredentialFiles {
  ca?: string;
  cert?: string;
  key?: string;
  user?: string;
  passwordFile?: string;
}

export interface EtcdClientOptions extends EtcdCredentials {
  /** Deadline of each unary call, ms. */
  callTimeoutMs?: number;
}

/**
 * Reads credential files into EtcdCredentials, checking what goes together: a certificate with its
 * key, a user with a password, and a password or certificate only over TLS (with a CA).
 */
export function readEtcdCredentials(f: EtcdCredentialFiles): EtcdCredentials {
  if (Boolean(f.cert) !== Boolean(f.key)) throw new Error('--etcd-cert and --etcd-key go together');
  if (Boolean(f.user) !== Boolean(f.passwordFile)) throw new Error('--etcd-user and --etcd-password-file go together');
  if ((f.cert || f.user) && !f.ca)
    throw new Error('etcd credentials need --etcd-ca: a certificate or password is only sent over TLS');
  const c: EtcdCredentials = {};
  if (f.ca) c.ca = readFileSync(f.ca);
  if (f.cert) c.cert = readFileSync(f.cert);
  if (f.key) c.key = readFileSync(f.key);
  if (f.user) {
    c.user = f.user;
    c.password = readFileSync(f.passwordFile!, 'utf8').replace(/\r?\n$/, '');
  }
  return c;
}

/**
 * The endpoints as URLs (a bare host:port gets https:// with TLS, http:// without). An endpoint
 * whose scheme disagrees with the credentials is refused: grpc-js picks TLS from the credentials,
 * not the URL, so an https:// endpoint without a CA would be dialled in clear (and http:// with
 * one over TLS); the flags are wrong, and saying so beats guessing.
 */
export function etcdHosts(endpoints: string[] | string, tls: boolean): string[] {
  const hosts = (Array.isArray(endpoints) ? endpoints : endpoints.split(','))
    .map((h) => h.trim())
    .filter(Boolean)
    .map((h) => (/^https?:\/\//.test(h) ? h : `${tls ? 'https' : 'http'}://${h}`));
  if (hosts.length === 0) throw new TypeError('no etcd endpoints given');
  const mismatch = hosts.find((h) => h.startsWith('https://') !== tls);
  if (mismatch)
    throw new TypeError(
      tls
        ? `etcd endpoint ${mismatch} is http:// but a CA was given (use https://)`
        : `etcd endpoint ${mismatch} is https:// but no CA was given (--etcd-ca)`,
    );
  return hosts;
}

export function openEtcd(endpoints: string[] | string, opts: EtcdClientOptions = {}): Etcd3 {
  if (Boolean(opts.cert) !== Boolean(opts.key))
    throw new TypeError('an etcd client certificate needs its key (and the key its certificate)');
  if (opts.user !== undefined && opts.password === undefined)
    throw new TypeError(`etcd user ${opts.user} needs a password`);
  if ((opts.cert || opts.user !== undefined) && !opts.ca)
    throw new TypeError('etcd credentials are only sent over TLS: give the CA (ca) too');
  const hosts = etcdHosts(endpoints, Boolean(opts.ca));
  const timeout = opts.callTimeoutMs ?? 5000;
  return new Etcd3({
    hosts,
    dialTimeout: 3000,
    ...(opts.ca
      ? {
          credentials: {
            rootCertificate: opts.ca,
            ...(opts.cert ? { certChain: opts.cert, privateKey: opts.key! } : {}),
          },
        }
      : {}),
    ...(opts.user !== undefined ? { auth: { username: opts.user, password: opts.password! } } : {}),
    // A page of the log or a snapshot chunk can exceed gRPC's default 4 MiB receive limit.
    grpcOptions: { 'grpc.max_receive_message_length': 128 * 1024 * 1024 },
    defaultCallOptions: (ctx) => (ctx.isStream ? {} : { deadline: Date.now() + timeout }),
    faultHandling: { watchBackoff: new ExponentialBackoff({ initialDelay: 50, maxDelay: 1000 }).next() },
  });
}
