// Planning a drain: where every replica on a set of nodes would go if those nodes were evicted,
// as if each move completed before the next (the way eviction proceeds, one replica per volume at
// a time). It is a forecast for an operator ("can I take these 10 nodes out?"), not a decision:
// nothing here is appended, and the rebuild limit, which paces the real eviction, is ignored.
import type { ClusterState, Settings } from '@cairn/metadata';
import type { PlaceDecision } from './decision.js';
import type { EvictionBlocked } from './planner.js';
import { Planner } from './planner.js';

export interface DrainBlocked extends EvictionBlocked {
  volume: string;
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
  const planner = new Planner(state, settings);
  const drained = new Set(nodeIds);
  const volumes = new Set<string>();
  let replicas = 0;
  for (const r of state.replicas.values()) {
    if (!drained.has(r.nodeId)) continue;
    replicas++;
    volumes.add(r.volume);
  }
  const moves: PlaceDecision[] = [];
  const blocked: DrainBlocked[] = [];
  for (const volume of [...volumes].sort()) {
    const forecast = planner.forecastEvictions(volume, drained);
    moves.push(...forecast.moves);
    blocked.push(...forecast.blocked.map((b) => ({ volume, ...b })));
  }
  return { replicas, moves, blocked };
}
