// Planning a drain: where every replica on a set of nodes would go if those nodes were evicted,
// as if each move completed before the next (the way eviction proceeds, one replica per volume at
// a time). It is a forecast for an operator ("can I take these 10 nodes out?"), not a decision:
// nothing here is appended, and the rebuild limit, which paces the real eviction, is ignored.
import type { ClusterState, Settings } from '@cairn/metadata';
import type { CandidateRejection, PlaceDecision } from './decision.js';
import { tallyText } from './place.js';
import { Planner } from './planner.js';
import { Trigger } from './reasons.js';
import { active, cmp, staying } from './volume.js';

export interface DrainBlocked {
  volume: string;
  replicaId: string;
  nodeId: string;
  diskId: string;
  summary: string;
  candidates: CandidateRejection[];
}

export interface DrainPlan {
  /** Replicas found on the drained nodes. */
  replicas: number;
  /** One placement per replica that can move, trigger 'eviction', `replaces` the one it moves. */
  moves: PlaceDecision[];
  /** Replicas that have nowhere to go, with every candidate's reasons. */
  blocked: DrainBlocked[];
}

export function planDrain(state: ClusterState, settings: Settings, nodeIds: readonly string[]): DrainPlan {
  const p = new Planner(state, settings);
  const drained = new Set(nodeIds);
  for (const id of drained) {
    const n = p.usage.byId.get(id);
    if (n) n.drain = true;
  }
  const volumes = new Set<string>();
  let replicas = 0;
  for (const r of state.replicas.values()) {
    if (!drained.has(r.nodeId)) continue;
    replicas++;
    volumes.add(r.volume);
  }
  const moves: PlaceDecision[] = [];
  const blocked: DrainBlocked[] = [];
  for (const name of [...volumes].sort()) {
    const v = state.volumes.get(name);
    if (!v) continue;
    const w = p.work(v);
    const leaving = active(w).filter((r) => drained.has(r.nodeId)).sort((a, b) => cmp(a.id, b.id));
    for (const x of leaving) {
      const req = p.request(w, staying(w, x), false);
      const res = p.place(req);
      if (!res.ok) {
        blocked.push({ volume: name, replicaId: x.id, nodeId: x.nodeId, diskId: x.diskId, summary: tallyText(res), candidates: res.rejected });
        continue;
      }
      const [d] = p.accept(w, res, Trigger.Eviction, x, undefined);
      moves.push(d as PlaceDecision);
      x.gone = true;
      p.usage.remove(x);
    }
  }
  return { replicas, moves, blocked };
}
