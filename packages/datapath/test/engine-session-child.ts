// An engine in its own process, for the suite that kills it mid-writes (engine-session.test.ts):
//   node engine-session-child.js SECRET ID=ADDRESS...
// opens an Engine over the replicas, prints "open", then writes 4 KiB blocks one after another
// without flushing, printing "acked N" after each acknowledged one, until it is killed.
import { Engine, ReplicaClient } from '../src/index.js';

const [secret, ...members] = process.argv.slice(2);
const replicas = await Promise.all(
  members.map(async (m) => {
    const [id, address] = m.split('=') as [string, string];
    return { id, local: false, replica: await ReplicaClient.connect(address, id, secret!) };
  }),
);
const engine = await Engine.open('vol', replicas);
process.stdout.write('open\n');
const block = Buffer.alloc(4096);
for (let n = 1; ; n++) {
  block.fill(n & 0xff);
  await engine.write(((n * 7) % 1024) * 4096, block);
  process.stdout.write(`acked ${n}\n`);
}
