// A gRPC server on a unix socket, where the Kubernetes sidecars (and kubelet) reach CSI drivers.
import { mkdirSync, rmSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { addServiceRefusingUndecodable, GRPC_SERVER_OPTIONS } from '@cairn/api';

export interface UnixServer {
  /** unix:///absolute/path */
  endpoint: string;
  close(): Promise<void>;
}

/** Binds a fresh server to PATH (a stale socket file there is removed; anything else is an error). */
export async function serveUnix(path: string, register: (server: grpc.Server) => void): Promise<UnixServer> {
  const abs = resolve(path);
  if (Buffer.byteLength(abs) > 107)
    throw new Error(`--csi-socket ${abs}: a unix socket path must be at most 107 bytes`);
  mkdirSync(dirname(abs), { recursive: true });
  try {
    if (statSync(abs).isSocket()) rmSync(abs);
    else throw new Error(`--csi-socket ${abs}: exists and is not a socket`);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  const server = new grpc.Server(GRPC_SERVER_OPTIONS);
  // Every service added here refuses a request that does not decode with INVALID_ARGUMENT
  // (grpc-js alone answers INTERNAL), whichever service registers it.
  const addService = server.addService.bind(server);
  server.addService = (def, impl) => addServiceRefusingUndecodable({ addService } as grpc.Server, def, impl);
  register(server);
  const endpoint = `unix://${abs}`;
  await new Promise<void>((ok, fail) =>
    server.bindAsync(endpoint, grpc.ServerCredentials.createInsecure(), (e) => (e ? fail(e) : ok())),
  );
  return {
    endpoint,
    close: () =>
      new Promise<void>((ok) => {
        server.tryShutdown(() => {
          rmSync(abs, { force: true });
          ok();
        });
        setTimeout(() => server.forceShutdown(), 2000).unref();
      }),
  };
}
