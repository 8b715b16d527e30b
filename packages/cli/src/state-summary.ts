// A projected ClusterState in a few lines for people (audit state, audit replay), and as JSON.
import { replicasOf, toCanonical, volumeRobustness } from '@cairn/metadata';
import type { ClusterState } from '@cairn/metadata';
import { keyValues, list, size, table } from './output.js';

export function stateSummary(state: ClusterState, hash: string, extra: [string, string][] = []): string {
  const nodes = [...state.nodes.values()].sort((a, b) => a.id.localeCompare(b.id));
  const volumes = [...state.volumes.values()].sort((a, b) => a.name.localeCompare(b.name));
  const replicas = [...state.replicas.values()];
  let out = keyValues([
    ['seq', String(state.seq)],
    ['hash', hash],
    ...extra,
    ['nodes', `${nodes.length} (${nodes.filter((n) => !n.down).length} up)`],
    ['volumes', String(volumes.length)],
    ['replicas', `${replicas.length} (${replicas.filter((r) => r.mode === 'running').length} running)`],
  ]);
  if (nodes.length) {
    out +=
      '\n' +
      table(
        ['NODE', 'ZONE', 'STATE', 'SCHEDULABLE', 'DISKS', 'REPLICAS'],
        nodes.map((n) => [
          n.id,
          n.zone || '-',
          n.down ? 'down' : 'up',
          n.allowScheduling && !n.evictionRequested ? 'yes' : 'no',
          String(n.disks.size),
          String(replicas.filter((r) => r.nodeId === n.id).length),
        ]),
      );
  }
  if (volumes.length) {
    out +=
      '\n' +
      table(
        ['VOLUME', 'SIZE', 'STATE', 'ROBUSTNESS', 'REPLICAS', 'NODES'],
        volumes.map((v) => {
          const rs = replicasOf(state, v.name);
          return [
            v.name,
            size(v.spec.size),
            v.attachedTo ? `${v.attachState} (${v.attachedTo})` : v.attachState,
            volumeRobustness(state, v),
            `${rs.length}/${v.spec.numberOfReplicas}`,
            list([...new Set(rs.map((r) => r.nodeId))].sort()),
          ];
        }),
      );
  }
  return out;
}

/** {seq, hash, state}: the state in its canonical form (what the hash is taken over). */
export function stateJson(state: ClusterState, hash: string, extra: Record<string, unknown> = {}): unknown {
  return { seq: state.seq, hash, ...extra, state: toCanonical(state) };
}
