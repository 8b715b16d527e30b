// Assignment pushes on a WatchAssignments stream that asked for deltas: the first is whole, each
// later one names only the replicas new or changed and the ids of those gone (engines and
// detaching are always whole). An agent folds each push into what it had to get the whole truth
// again. Pure; the manager's tests fold its pushes the same way an agent does.
import type { Assignments__Output } from './gen/cairn/node/v1/Assignments.js';

export type { Assignments__Output } from './gen/cairn/node/v1/Assignments.js';

/**
 * The whole assignments after push `a`, given the whole ones before it (null on a new stream).
 * Replicas come out sorted by id, as a whole push has them. A delta with nothing before it is
 * refused: the stream lost its start, and the agent must open a new one.
 */
export function mergeAssignments(prev: Assignments__Output | null, a: Assignments__Output): Assignments__Output {
  if (!a.delta) return { ...a, delta: false, removedReplicas: [] };
  if (!prev) throw new Error(`a delta push (seq ${a.seq}) came with no whole push before it`);
  const byId = new Map(prev.replicas.map((r) => [r.replicaId, r]));
  for (const id of a.removedReplicas) byId.delete(id);
  for (const r of a.replicas) byId.set(r.replicaId, r);
  const replicas = [...byId.values()].sort((x, y) => (x.replicaId < y.replicaId ? -1 : x.replicaId > y.replicaId ? 1 : 0));
  return { ...a, replicas, delta: false, removedReplicas: [] };
}
