// A node agent's replica server in its own process, for the suites that kill it:
//   node replica-server-child.js DIR REPLICA_ID SECRET SIZE
// opens (or creates) the store in DIR, serves it on 127.0.0.1 and prints {"port": N}.
import { ReplicaServer, ReplicaStore } from '../src/index.js';

const [dir, replicaId, secret, size] = process.argv.slice(2);
const store = await ReplicaStore.openOrCreate(dir!, Number(size), {
  inlineIo: process.env.CAIRN_STORE_INLINE_IO !== '0',
});
const server = new ReplicaServer();
server.addReplica(replicaId!, 'vol', store, secret!);
const { port } = await server.listen(0, '127.0.0.1');
process.stdout.write(JSON.stringify({ port }) + '\n');
// A polite stop (engine-bench.ts) exits normally, so that --cpu-prof can write its profile.
process.on('SIGINT', () => process.exit(0));
