// The CSI Node service, served by each node agent on --csi-socket next to Identity.
// (Being built for issue 6: only Identity is served so far.)
import { csiProto } from './proto.js';
import { identityHandlers } from './identity.js';
import { serveUnix } from './server.js';
import type { UnixServer } from './server.js';
import type { Log } from './errors.js';

export interface NodeServiceOptions {
  /** Unix socket path to serve on. */
  socket: string;
  nodeId: string;
  zone: string;
  /** Directory for the node service's own state (which volume is staged where, nbdfuse mounts). */
  stateDir: string;
  log: Log;
}

export async function startNodeService(o: NodeServiceOptions): Promise<UnixServer> {
  const proto = csiProto();
  return serveUnix(o.socket, (server) => {
    server.addService(proto.csi.v1.Identity.service, identityHandlers({ controller: false, log: o.log, ready: async () => true }));
  });
}
