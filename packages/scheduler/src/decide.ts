// The entry points the reconciler calls: one pass over the whole state.
import type { ClusterState, Settings } from '@cairn/metadata';
import type { Decision } from './decision.js';
import type { Schedule } from './planner.js';
import { Planner } from './planner.js';

/**
 * Everything the scheduler would do now, with the time it must look again if nothing changes.
 * Same (state, settings, nowMs), same result; applying the decisions in order and deciding again
 * at the same time yields no decisions.
 */
export function schedule(state: ClusterState, settings: Settings, nowMs: number): Schedule {
  return new Planner(state, settings).decideAll(nowMs);
}

/**
 * A partial pass: what schedule() would decide for these volumes alone, each seen against the
 * whole cluster's disks. The reconciler runs it for the volumes that events touched since the
 * last pass; decisions that hang on other volumes (capacity one of them freed, a balance across
 * volumes) wait for the next full pass.
 */
export function scheduleVolumes(
  state: ClusterState,
  settings: Settings,
  nowMs: number,
  names: Iterable<string>,
): Schedule {
  return new Planner(state, settings).decideSome(names, nowMs);
}

/** The decisions of schedule(), for callers that do not need the wake-up time. */
export function decide(state: ClusterState, settings: Settings, nowMs: number): Decision[] {
  return schedule(state, settings, nowMs).decisions;
}
