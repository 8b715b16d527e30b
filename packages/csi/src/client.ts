// A small promise-based client of a CSI socket, for tests, `cairn` tooling and debugging: each
// call names its service and method as the spec spells them.
import * as grpc from '@grpc/grpc-js';
import { csiProto } from './proto.js';

export type CsiService = 'Identity' | 'Controller' | 'Node';

export class CsiClient {
  private readonly clients: Record<CsiService, grpc.Client>;

  /** endpoint: unix:///path (as `cairn status -o json` prints it). */
  constructor(
    readonly endpoint: string,
    private readonly timeoutMs = 120_000,
  ) {
    const v1 = csiProto().csi.v1;
    const creds = grpc.credentials.createInsecure();
    this.clients = {
      Identity: new v1.Identity(endpoint, creds),
      Controller: new v1.Controller(endpoint, creds),
      Node: new v1.Node(endpoint, creds),
    };
  }

  call<Res = Record<string, unknown>>(service: CsiService, method: string, req: object = {}): Promise<Res> {
    const client = this.clients[service] as unknown as Record<
      string,
      (req: object, opts: grpc.CallOptions, cb: (e: grpc.ServiceError | null, r?: Res) => void) => unknown
    >;
    const fn = client[method];
    if (typeof fn !== 'function') return Promise.reject(new Error(`${service} has no method ${method}`));
    return new Promise((ok, fail) =>
      fn.call(client, req, { deadline: Date.now() + this.timeoutMs }, (e, r) => (e ? fail(e) : ok(r as Res))),
    );
  }

  close(): void {
    for (const c of Object.values(this.clients)) c.close();
  }
}
