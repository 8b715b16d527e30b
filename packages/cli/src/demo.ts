// `cairn demo`: the event-sourced control plane on one machine, in a few seconds. Starts etcd as a
// child process, appends the events a small cluster would produce, follows the log into the
// projected state, prints it, and checks that a replay from seq 1 gives the same state hash.
import { parseArgs } from 'node:util';
import { mkdirSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  draft, emptyState, EtcdCluster, EventLog, LeaderElection, LiveProjection, openEtcd, replay, SnapshotStore, stateHash,
  volumeRobustness,
} from '@cairn/metadata';

export async function demo(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { dir: { type: 'string', default: '.cairn/demo' } } });
  const dir = resolve(values.dir!);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  console.log(`starting etcd (data in ${dir}) ...`);
  const etcd = await EtcdCluster.start({ dir, members: 1 });
  const client = openEtcd(etcd.endpoints);
  try {
    const log = new EventLog(client, { actor: 'cairn-demo' });
    const snapshots = new SnapshotStore(client);
    const live = await LiveProjection.open(log, { snapshots, snapshotEvery: 10 });
    const election = new LeaderElection(client, { id: 'demo-manager', ttlSeconds: 5 });
    const fence = await election.campaign();
    console.log(`etcd at ${etcd.endpoints.join(',')}; this process leads (fence ${fence.key}@${fence.createRevision})\n`);

    const zones = ['zone-a', 'zone-b', 'zone-c'];
    for (let i = 1; i <= 3; i++) {
      await log.append([
        draft.nodeRegistered(`node-${i}`, { zone: zones[i - 1]!, address: `127.0.0.1:${9500 + i}` }),
        draft.diskAdded(`node-${i}`, 'disk-1', { path: `${dir}/node-${i}/disk-1`, maximum: 100 * 2 ** 30, available: 90 * 2 ** 30 }),
      ], { actor: `node/node-${i}` });
    }
    await log.append([draft.volumeCreated('demo-vol', { size: 2 ** 30, numberOfReplicas: 3 })], { actor: 'admin', cause: 'req-demo-1' });
    // The placement a leader would decide (the scheduler package makes these decisions).
    const placed = await log.append([1, 2, 3].map((i) => ({
      replicaScheduled: { replicaId: `demo-vol-r${i}`, volume: 'demo-vol', nodeId: `node-${i}`, diskId: 'disk-1', trigger: 'new', notes: ['one replica per zone'] },
    })), { fence, actor: 'manager/demo-manager', cause: 'seq:7' });
    await log.append([1, 2, 3].map((i) => ({ replicaRunning: { replicaId: `demo-vol-r${i}`, address: `127.0.0.1:${9600 + i}` } })), { actor: 'node/node-1' });
    await live.waitFor(placed.lastSeq + 3);

    console.log('the log:');
    for (const ev of await log.read(1)) console.log(`  ${String(ev.seq).padStart(3)}  ${ev.actor.padEnd(22)} ${ev.payload}`);
    const v = live.state.volumes.get('demo-vol')!;
    console.log(`\nvolume demo-vol: ${v.spec.size / 2 ** 30} GiB, ${v.spec.numberOfReplicas} replicas, robustness ${volumeRobustness(live.state, v)}`);
    for (const r of live.state.replicas.values()) {
      const node = live.state.nodes.get(r.nodeId)!;
      console.log(`  replica ${r.id} on ${r.nodeId} (${node.zone}) disk ${r.diskId}: ${r.mode}`);
    }
    const liveHash = stateHash(live.state);
    const replayed = stateHash(replay(emptyState(), await log.read(1)));
    console.log(`\nstate hash at seq ${live.state.seq}: ${liveHash}`);
    console.log(`replay from seq 1:       ${replayed} ${replayed === liveHash ? '(equal)' : '(DIFFERENT)'}`);
    live.close();
    await election.resign();
    return replayed === liveHash ? 0 : 1;
  } finally {
    client.close();
    await etcd.stop();
  }
}
