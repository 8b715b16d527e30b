// The CSI Controller service, served by the manager on --csi-socket next to Identity.
// (Being built for issue 6: only Identity is served so far.)
import { csiProto } from './proto.js';
import { identityHandlers } from './identity.js';
import { serveUnix } from './server.js';
import type { UnixServer } from './server.js';
import type { Log } from './errors.js';

export interface ControllerServiceOptions {
  /** Unix socket path to serve on. */
  socket: string;
  /** The admin API of the manager this runs in (the controller is a client of it). */
  admin: { endpoint: string; token: string; ca?: Buffer };
  log: Log;
}

export async function startControllerService(o: ControllerServiceOptions): Promise<UnixServer> {
  const proto = csiProto();
  return serveUnix(o.socket, (server) => {
    server.addService(proto.csi.v1.Identity.service, identityHandlers({ controller: true, log: o.log, ready: async () => true }));
  });
}
