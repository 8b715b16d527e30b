// The server side of flood.test.ts in its own process, so that its RSS is the servers' own:
//   node flood-child.js DIR SIZE
// a replica store in DIR served by a ReplicaServer, and an NbdServer whose export "vol" is a
// ReplicaClient authenticated to that server (the path an attached volume's I/O takes). Prints
// {"replicaPort", "nbdPort"}; answers every IPC message with {rss, peakRss, refused}, peakRss being
// the highest RSS sampled every 20 ms since the last message asked to reset it.
import { NbdServer, ReplicaClient, ReplicaServer, ReplicaStore } from '../src/index.js';

const [dir, size] = process.argv.slice(2);
const SECRET = 'flood-secret';
const store = await ReplicaStore.openOrCreate(dir!, Number(size));
const replicas = new ReplicaServer();
replicas.addReplica('r1', 'vol', store, SECRET);
const { port: replicaPort } = await replicas.listen(0, '127.0.0.1');
const backend = await ReplicaClient.connect(`127.0.0.1:${replicaPort}`, 'r1', SECRET);
const nbd = new NbdServer({ exports: (n) => (n === 'vol' ? backend : undefined) });
const { port: nbdPort } = await nbd.listen(0, '127.0.0.1');

let peakRss = process.memoryUsage().rss;
setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
}, 20).unref();
process.on('message', (m: { reset?: boolean }) => {
  const rss = process.memoryUsage().rss;
  peakRss = Math.max(peakRss, rss);
  process.send!({ rss, peakRss, refused: { replica: replicas.refused, nbd: nbd.refused } });
  if (m.reset) peakRss = rss;
});
process.on('disconnect', () => process.exit(0));
process.stdout.write(JSON.stringify({ replicaPort, nbdPort }) + '\n');
