// Longhorn's node-drain-policy carried out the way Longhorn does it: a PodDisruptionBudget
// (minAvailable 1) on a pod of the node, so that an eviction of that pod (what `kubectl drain`
// does) is refused while the node must not go. (The pod is a guard pod of cairn's, not the agent's:
// objects.ts says why.) This file decides which nodes get one; pure: the state, the policy and the
// nodes that have one now in, the node ids that should out. The shell (pdb-reconciler.ts) creates
// and deletes the guards.
//
// A replica is healthy when it runs (mode running) on a node that is not down. A node "holds the
// last healthy replica" of a volume when no other node that is not cordoned holds a healthy one:
// a cordoned node is one being drained, so its replicas are no counterpart. When every holder of a
// volume's healthy replicas is cordoned, one of them keeps its budget (the one that has one now,
// else the first by id), so the others can go and the volume keeps one replica: Longhorn keeps
// the budget of a node unless another node's budget protects a healthy replica of the same volume.
//   block-if-contains-last-replica (default), block-for-eviction-if-contains-last-replica: a budget
//     while the node holds the last healthy replica of some volume. (Longhorn also starts evicting
//     such replicas on its own under the latter; cairn does not: `cairn node update --evict` does,
//     and the budget goes once the replicas have moved.)
//   block-for-eviction: a budget while the node holds any replica at all.
//   allow-if-replica-is-stopped: as the default, counting only attached volumes (a detached
//     volume's replicas are stopped: no engine writes to them).
//   always-allow: no budget.
import type { ClusterState, NodeDrainPolicySetting } from '@cairn/metadata';

export function drainBlockedNodes(
  state: ClusterState,
  policy: NodeDrainPolicySetting,
  current: ReadonlySet<string>,
): string[] {
  const out = new Set<string>();
  if (policy === 'always-allow') return [];
  if (policy === 'block-for-eviction') {
    for (const r of state.replicas.values()) out.add(r.nodeId);
    return [...out].sort();
  }
  const up = (id: string): boolean => {
    const n = state.nodes.get(id);
    return n !== undefined && !n.down;
  };
  const cordoned = (id: string): boolean => state.nodes.get(id)?.cordoned === true;
  for (const v of state.volumes.values()) {
    if (policy === 'allow-if-replica-is-stopped' && v.attachState === 'detached') continue;
    const holders = new Set<string>();
    for (const id of state.replicasByVolume.get(v.name) ?? []) {
      const r = state.replicas.get(id);
      if (r && r.mode === 'running' && up(r.nodeId)) holders.add(r.nodeId);
    }
    if (holders.size === 0) continue;
    const staying = [...holders].filter((n) => !cordoned(n));
    if (staying.length >= 2) continue; // any one node can go: another that stays holds the data
    if (staying.length === 1) {
      out.add(staying[0]!); // the others are being drained: this one is the last
      continue;
    }
    const sorted = [...holders].sort();
    out.add(sorted.find((n) => current.has(n)) ?? sorted[0]!);
  }
  return [...out].sort();
}
