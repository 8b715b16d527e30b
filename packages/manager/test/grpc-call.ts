// Unary gRPC calls typed by the method's proto name: `callUnary(admin, 'GetVolume', ...)` has
// GetVolume's request and answer types, taken from the generated client's last overload
// (argument, callback). The same as test/support/grpc-types.ts, for this package's own tests.
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
  // Every unary method also has the (argument, options, callback) overload called here.
  const fn = client[method] as unknown as (
    argument: RequestOf<C, M>,
    options: CallOptions,
    callback: requestCallback<ResponseOf<C, M>>,
  ) => ClientUnaryCall;
  return new Promise((resolve, reject) =>
    fn.call(client, req, { deadline: Date.now() + timeoutMs }, (e, r) => (e ? reject(e) : resolve(r!))),
  );
}
