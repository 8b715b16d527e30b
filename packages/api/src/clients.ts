// The manager's gRPC services (admin, node-facing) as grpc-js clients: loaded at run time with
// proto-loader and @cairn/schema's LOADER_OPTIONS, over TLS when a CA is given, with the bearer
// token on every call.
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { LOADER_OPTIONS } from '@cairn/schema';
import type { AdminClient, AdminProto, NodeAgentClient, NodeProto } from '@cairn/schema';

let admin: AdminProto | null = null;
let node: NodeProto | null = null;

export function adminProto(): AdminProto {
  admin ??= grpc.loadPackageDefinition(
    protoLoader.loadSync('cairn/admin/v1/admin.proto', LOADER_OPTIONS),
  ) as unknown as AdminProto;
  return admin;
}

export function nodeProto(): NodeProto {
  node ??= grpc.loadPackageDefinition(
    protoLoader.loadSync('cairn/node/v1/node.proto', LOADER_OPTIONS),
  ) as unknown as NodeProto;
  return node;
}

export interface ClientOptions {
  /**
   * The bearer sent with every call: a fixed token, or a function asked for it on each call (a
   * token that is rotated in place, such as a Kubernetes projected service-account token).
   */
  token?: string | (() => string);
  /** PEM of the CA that signed the manager's certificate; plaintext when absent. */
  tlsCa?: Buffer;
  /** A client certificate and key (PEM) presented to the manager with tlsCa (a node's certificate). */
  tlsCert?: { cert: Buffer; key: Buffer };
  /**
   * The name the manager's certificate must carry, whatever address is dialled (in Kubernetes a
   * pod IP no certificate can know in advance); absent: the address's host.
   */
  tlsServerName?: string;
}

/** Channel options: the TLS name to check, when given. */
function channelOptions(o: ClientOptions): grpc.ChannelOptions {
  return o.tlsCa && o.tlsServerName
    ? { 'grpc.ssl_target_name_override': o.tlsServerName, 'grpc.default_authority': o.tlsServerName }
    : {};
}

/** TLS when a CA is given (the server's certificate is checked against it; never plaintext), else plaintext. */
function channelCredentials(o: ClientOptions): grpc.ChannelCredentials {
  if (!o.tlsCa) return grpc.credentials.createInsecure();
  quietIpServerName();
  return grpc.credentials.createSsl(o.tlsCa, o.tlsCert?.key ?? null, o.tlsCert?.cert ?? null);
}

let quieted = false;
/**
 * grpc-js passes the target's host as the TLS server name, an IP address for `127.0.0.1:7800`;
 * Node does not send an IP as SNI and warns so (DEP0123) on stderr of every CLI command. Nothing
 * is lost: the certificate is still checked against the IP (its IP SANs). This drops that one
 * warning and no other.
 */
function quietIpServerName(): void {
  if (quieted) return;
  quieted = true;
  const emit = process.emitWarning.bind(process) as (...a: unknown[]) => void;
  process.emitWarning = ((warning: unknown, ...rest: unknown[]) => {
    const code = typeof rest[0] === 'object' && rest[0] !== null ? (rest[0] as { code?: string }).code : rest[1];
    if (code === 'DEP0123') return;
    emit(warning, ...rest);
  }) as typeof process.emitWarning;
}

export function adminClient(address: string, o: ClientOptions = {}): AdminClient {
  const Ctor = adminProto().cairn.admin.v1.Admin;
  return new Ctor(address, channelCredentials(o), {
    ...channelOptions(o),
    interceptors: o.token ? [bearerInterceptor(o.token)] : [],
  });
}

export function nodeAgentClient(address: string, o: ClientOptions = {}): NodeAgentClient {
  const Ctor = nodeProto().cairn.node.v1.NodeAgent;
  return new Ctor(address, channelCredentials(o), {
    ...channelOptions(o),
    interceptors: o.token ? [bearerInterceptor(o.token)] : [],
  });
}

/**
 * Adds `authorization: Bearer <token>` to every call (works on plaintext channels too); a function
 * is asked for the token at the start of each call.
 */
export function bearerInterceptor(token: string | (() => string)): grpc.Interceptor {
  return (options, next) =>
    new grpc.InterceptingCall(next(options), {
      start(metadata, listener, nextStart) {
        metadata.set('authorization', `Bearer ${typeof token === 'function' ? token() : token}`);
        nextStart(metadata, listener);
      },
    });
}
