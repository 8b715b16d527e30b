// A node agent's replica server in its own process, for the suites that kill it:
//   node replica-server-child.js DIR REPLICA_ID SECRET SIZE
// opens (or creates) the store in DIR, serves it on 127.0.0.1 and prints {"port": N}.
import { ReplicaServer, ReplicaStore } from '../src/index.js';

const [dir, replicaId, secret, size] = process.argv.slice(2);
const store = await ReplicaStore.openOrCreate(dir!, Number(size));
const server = new ReplicaServer();
server.addReplica(replicaId!, 'vol', store, secret!);
const { port } = await server.listen(0, '127.0.0.1');
process.stdout.write(JSON.stringify({ port }) + '\n');
