// The admin and CSI calls of the end-to-end tests, typed by the method's proto name (the generic
// part, callUnary and its types, is @cairn/api's unary-calls.ts).
import type { AdminClient, RequestOf, ResponseOf, UnaryMethod } from '@cairn/api';
import { callUnary, callUnaryUnchecked } from '@cairn/api';
import type { EventEnvelope__Output } from '@cairn/schema/events';
import type { ControllerClient, CsiClient, CsiService, IdentityClient, NodeClient } from '@cairn/csi';

export { callUnary, callUnaryUnchecked };
export type { RequestOf, ResponseOf, UnaryMethod };

export type AdminMethod = UnaryMethod<AdminClient>;
export type AdminRequest<M extends AdminMethod> = RequestOf<AdminClient, M>;
export type AdminResponse<M extends AdminMethod> = ResponseOf<AdminClient, M>;

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
