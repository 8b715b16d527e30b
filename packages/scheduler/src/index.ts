// @cairn/scheduler: the pure core that decides where replicas go and why. See README.md.
export * from './reasons.js';
export * from './decision.js';
export { decide, schedule, scheduleVolumes } from './decide.js';
export { Planner } from './planner.js';
export type { Schedule } from './planner.js';
export { planDrain } from './drain.js';
export type { DrainPlan, DrainBlocked } from './drain.js';
export { MAX_REJECTIONS } from './place.js';
export {
  AutoAttachReason,
  AutoDetachReason,
  chooseEngineNode,
  offlineDecisions,
  restorePending,
  restoreSlots,
} from './offline.js';
export * from './salvage.js';
