// The request and answer types of a generated gRPC client's unary methods, by the method's proto
// name, so that a test's `call('GetVolume', ...)` is typed as GetVolume is. proto-loader's client
// interfaces declare each unary method four times (with and without metadata and options); the
// last overload, (argument, callback), is the one a conditional type infers from, and it names
// both types. Streaming methods return a stream, not a ClientUnaryCall, and are left out.
import type { CallOptions, ClientUnaryCall, requestCallback } from '@grpc/grpc-js';
import type { AdminClient } from '@cairn/api';
import type { EventEnvelope__Output } from '@cairn/schema/events';
import type { ControllerClient, CsiClient, CsiService, IdentityClient, NodeClient } from '@cairn/csi';

type Unary<F> = F extends (argument: infer Req, callback: requestCallback<infer Res>) => ClientUnaryCall
  ? { req: Req; res: Res }
  : never;

/** The unary methods of client type C (proto names: `GetVolume`, not `getVolume`). */
export type UnaryMethod<C> = {
  [M in keyof C & string]: M extends Capitalize<M> ? ([Unary<C[M]>] extends [never] ? never : M) : never;
}[keyof C & string];
export type RequestOf<C, M extends UnaryMethod<C>> = Unary<C[M]>['req'];
export type ResponseOf<C, M extends UnaryMethod<C>> = Unary<C[M]>['res'];

export type AdminMethod = UnaryMethod<AdminClient>;
export type AdminRequest<M extends AdminMethod> = RequestOf<AdminClient, M>;
export type AdminResponse<M extends AdminMethod> = ResponseOf<AdminClient, M>;

/** One unary call with a deadline; resolves with the answer, rejects with the gRPC error. */
export function callUnary<C extends object, M extends UnaryMethod<C>>(
  client: C,
  method: M,
  req: RequestOf<C, M>,
  timeoutMs: number,
): Promise<ResponseOf<C, M>> {
  return callUnaryUnchecked(client, method, req as object, timeoutMs) as Promise<ResponseOf<C, M>>;
}

/**
 * callUnary where the request is not typed by its method: a table of calls to different methods
 * (requests the server must refuse, say), whose rows one type cannot pair up.
 */
export function callUnaryUnchecked<C extends object>(
  client: C,
  method: UnaryMethod<C>,
  req: object,
  timeoutMs: number,
): Promise<unknown> {
  // Every unary method also has the (argument, options, callback) overload called here.
  const fn = client[method] as unknown as (
    argument: object,
    options: CallOptions,
    callback: requestCallback<unknown>,
  ) => ClientUnaryCall;
  return new Promise((resolve, reject) =>
    fn.call(client, req, { deadline: Date.now() + timeoutMs }, (e, r) => (e ? reject(e) : resolve(r))),
  );
}

/** callUnary on the admin API. */
export const callAdmin = <M extends AdminMethod>(
  client: AdminClient,
  method: M,
  req: AdminRequest<M>,
  timeoutMs: number,
): Promise<AdminResponse<M>> => callUnary(client, method, req, timeoutMs);

/** callUnaryUnchecked on the admin API. */
export const callAdminUnchecked = (
  client: AdminClient,
  method: AdminMethod,
  req: object,
  timeoutMs: number,
): Promise<unknown> => callUnaryUnchecked(client, method, req, timeoutMs);

interface CsiClients {
  Identity: IdentityClient;
  Controller: ControllerClient;
  Node: NodeClient;
}
export type CsiMethod<S extends CsiService> = UnaryMethod<CsiClients[S]>;
export type CsiRequest<S extends CsiService, M extends CsiMethod<S>> = RequestOf<CsiClients[S], M>;
export type CsiResponse<S extends CsiService, M extends CsiMethod<S>> = ResponseOf<CsiClients[S], M>;

/** CsiClient.call with the request and answer typed by service and method. */
export function csiCall<S extends CsiService, M extends CsiMethod<S>>(
  client: CsiClient,
  service: S,
  method: M,
  req: CsiRequest<S, M>,
): Promise<CsiResponse<S, M>> {
  return client.call<CsiResponse<S, M>>(service, method, req as object);
}

/**
 * The fields of an event's payload, whichever it is, for a test that reads a field several payload
 * types share (`name`, `volume`, ...) without a switch over the payload types.
 */
export function payloadFields(e: EventEnvelope__Output): Record<string, unknown> {
  return { ...(e.payload ? e[e.payload] : undefined) };
}
