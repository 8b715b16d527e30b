// Requests that are not a valid protobuf message of their method's type. grpc-js answers a
// request whose deserialization throws with INTERNAL ("Error deserializing request"); the client
// sent bad input, which the APIs answer with INVALID_ARGUMENT. So the deserializer of each method
// is wrapped to hand such a request on as an Undecodable, and the handler is wrapped to refuse it
// before the service's own code ever sees it.
import * as grpc from '@grpc/grpc-js';

/** What a request that failed to decode is handed on as. */
export class Undecodable {
  constructor(readonly reason: string) {}
}

function refusal(path: string, u: Undecodable): Partial<grpc.ServiceError> {
  const reason = u.reason.length > 200 ? `${u.reason.slice(0, 200)}...` : u.reason;
  return {
    code: grpc.status.INVALID_ARGUMENT,
    details: `the request is not a valid message for ${path}: ${reason}`,
    metadata: new grpc.Metadata(),
  };
}

/**
 * server.addService, except that a request that does not decode is refused INVALID_ARGUMENT.
 * Unary and server-streaming methods are covered (the only kinds cairn's protos have); the
 * others are added unchanged.
 */
export function addServiceRefusingUndecodable(
  server: grpc.Server,
  def: grpc.ServiceDefinition,
  impl: grpc.UntypedServiceImplementation,
): void {
  const safeDef: Record<string, grpc.MethodDefinition<unknown, unknown>> = {};
  const safeImpl: grpc.UntypedServiceImplementation = {};
  for (const [name, m] of Object.entries(def) as [
    string,
    grpc.MethodDefinition<unknown, unknown> & { originalName?: string },
  ][]) {
    const key = name in impl ? name : m.originalName && m.originalName in impl ? m.originalName : name;
    const handler = impl[key];
    if (!handler || m.requestStream) {
      safeDef[name] = m;
      if (handler) safeImpl[key] = handler;
      continue;
    }
    safeDef[name] = {
      ...m,
      requestDeserialize: (b: Buffer) => {
        try {
          return m.requestDeserialize(b);
        } catch (e) {
          return new Undecodable(e instanceof Error ? e.message : String(e));
        }
      },
    };
    if (m.responseStream) {
      const h = handler as grpc.handleServerStreamingCall<unknown, unknown>;
      safeImpl[key] = ((call: grpc.ServerWritableStream<unknown, unknown>) => {
        if (call.request instanceof Undecodable) call.emit('error', refusal(m.path, call.request));
        else h(call);
      }) as grpc.handleServerStreamingCall<unknown, unknown>;
    } else {
      const h = handler as grpc.handleUnaryCall<unknown, unknown>;
      safeImpl[key] = ((call: grpc.ServerUnaryCall<unknown, unknown>, cb: grpc.sendUnaryData<unknown>) => {
        if (call.request instanceof Undecodable) cb(refusal(m.path, call.request) as grpc.ServiceError);
        else h(call, cb);
      }) as grpc.handleUnaryCall<unknown, unknown>;
    }
  }
  server.addService(safeDef as grpc.ServiceDefinition, safeImpl);
}
