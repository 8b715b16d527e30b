// Unary gRPC calls typed by the method's proto name, for callers that hold a generated callback
// client and pick the method at run time (the tests' call('GetVolume', ...) helpers): the request
// and answer types come from the client's declaration. proto-loader's client interfaces declare
// each unary method four times (with and without metadata and options); the last overload,
// (argument, callback), is the one a conditional type infers from, and it names both types.
// Streaming methods return a stream, not a ClientUnaryCall, and are left out. Code that knows its
// method calls the promise client (admin-client.ts) instead.
import type { CallOptions, ClientUnaryCall, requestCallback } from '@grpc/grpc-js';

type Unary<F> = F extends (argument: infer Req, callback: requestCallback<infer Res>) => ClientUnaryCall
  ? { req: Req; res: Res }
  : never;

/** The unary methods of client type C (proto names: `GetVolume`, not `getVolume`). */
export type UnaryMethod<C> = {
  [M in keyof C & string]: M extends Capitalize<M> ? ([Unary<C[M]>] extends [never] ? never : M) : never;
}[keyof C & string];
export type RequestOf<C, M extends UnaryMethod<C>> = Unary<C[M]>['req'];
export type ResponseOf<C, M extends UnaryMethod<C>> = Unary<C[M]>['res'];

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
