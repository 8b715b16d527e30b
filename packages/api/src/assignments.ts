// Assignment pushes on a WatchAssignments stream that asked for deltas: the first is whole, each
// later one names only the replicas new or changed and the ids of those gone (engines and
// detaching are always whole). An agent folds each push into what it had to get the whole truth
// again. Pure; the manager's tests fold its pushes the same way an agent does.
import type { Assignments__Output, ReplicaAssignment__Output } from '@cairn/schema/types';

export type { Assignments__Output } from '@cairn/schema/types';

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
  const replicas = [...byId.values()].sort((x, y) =>
    x.replicaId < y.replicaId ? -1 : x.replicaId > y.replicaId ? 1 : 0,
  );
  return { ...a, replicas, delta: false, removedReplicas: [] };
}

export type { ReplicaAssignment__Output } from '@cairn/schema/types';

/**
 * Folds push `a` into `held` (the replica assignments by id after the pushes before it; null on a
 * new stream) in place, in O(push) where mergeAssignments is O(all replicas): what an agent with
 * a thousand replicas does on every push. A whole push replaces everything; a delta sets the
 * replicas it names and deletes those gone. Returns the map and the ids the push touched (null
 * after a whole push: any of them may have changed). A delta with nothing before it is refused.
 */
export function foldAssignments(
  held: Map<string, ReplicaAssignment__Output> | null,
  a: Assignments__Output,
): { replicas: Map<string, ReplicaAssignment__Output>; touched: Set<string> | null } {
  if (!a.delta) return { replicas: new Map(a.replicas.map((r) => [r.replicaId, r])), touched: null };
  if (!held) throw new Error(`a delta push (seq ${a.seq}) came with no whole push before it`);
  const touched = new Set<string>();
  for (const id of a.removedReplicas) {
    held.delete(id);
    touched.add(id);
  }
  for (const r of a.replicas) {
    held.set(r.replicaId, r);
    touched.add(r.replicaId);
  }
  return { replicas: held, touched };
}
