// The short demo `npm start` runs after `cairn up`: create a 3-replica volume through the admin
// API, wait for the leader's scheduler to place it, and show where each replica went and the
// events (with their recorded reasons) that put it there.
import { formatSize } from '@cairn/api';
import type { Volume__Output } from '@cairn/api';
import { clusterApi } from './cluster-file.js';
import type { ClusterFile } from './cluster-file.js';

export async function runDemo(c: ClusterFile, name = 'demo-vol'): Promise<void> {
  const api = clusterApi(c, 10_000);
  try {
    console.log(`\ndemo: cairn volume create ${name} --size 1Gi --replicas 3`);
    await api.createVolume({ name, size: 2 ** 30, numberOfReplicas: 3 });
    let v: Volume__Output | null = null;
    for (let i = 0; i < 100; i++) {
      v = await api.getVolume({ name });
      if (v.replicas.filter((r) => r.state === 'running').length >= 3 || v.unschedulable) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    if (!v) throw new Error('the demo volume did not appear');
    const zoneOf = new Map(c.nodes.map((x) => [x.id, x.zone]));
    console.log(
      `volume ${v.name}: ${formatSize(v.size)}, ${v.numberOfReplicas} replicas` +
        `, robustness ${v.robustness}${v.unschedulable ? `, unschedulable: ${v.unschedulable}` : ''}`,
    );
    for (const r of v.replicas)
      console.log(`  replica ${r.id} on ${r.node} (${zoneOf.get(r.node) ?? '?'}) disk ${r.disk}: ${r.state}`);
    const why = await api.explainVolume({ name });
    console.log('\nthe events that placed it (cairn audit explain demo-vol):');
    for (const l of why.lines)
      console.log(`  seq ${String(l.seq).padStart(3)}  ${l.replicaId ? l.replicaId + ': ' : ''}${l.text}`);
    console.log(`\ndemo: cairn volume attach ${name} --node node-1`);
    await api.attachVolume({ name, nodeId: 'node-1' });
    for (let i = 0; i < 100; i++) {
      v = await api.getVolume({ name });
      if (v.endpoint) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    console.log(
      v.endpoint
        ? `served as ${v.endpoint}: try "nbdinfo ${v.endpoint}" or "nbdcopy FILE ${v.endpoint}"`
        : 'not attached yet (see the logs)',
    );
  } finally {
    api.close();
  }
}
