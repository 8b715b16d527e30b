// What one reconcile pass of the agent's datapath changes, decided from plain data: the node's
// assignments against what runs here. No I/O and no clock of its own (the time is an argument):
// datapath.ts applies a plan through the replica runner (replica-runner.ts) and the engine runner
// (engine-runner.ts), which do the file, network and report work.
import type { EngineAssignment__Output, ReplicaAssignment__Output } from '@cairn/api';

/**
 * New replicas' stores are created this many at a time, side by side, and each group is reported
 * running as soon as it serves. Store creation (file creation and its fsyncs) dominates when many
 * volumes are placed at once: a group overlaps those waits, while a small group keeps the first
 * replicas of a create storm from waiting for the last, and bounds the files opened at once.
 */
export const CREATE_BATCH = 8;

/** How long an engine waits for its volume's placed replicas to serve before opening without them. */
export const ENGINE_WAIT_MS = 5000;

/** The replica side of a pass, over the replicas it looks at. */
export interface ReplicaPlan {
  /** Replicas that run here but are assigned no more: stop serving, delete their data. */
  remove: string[];
  /** Assigned replicas with no store open here, in groups of at most CREATE_BATCH, id order. */
  create: ReplicaAssignment__Output[][];
  /** Assigned replicas whose store is open: brought in line with their assignment. */
  update: ReplicaAssignment__Output[];
}

/**
 * Splits the replicas a pass looks at (`look`: id and assignment, undefined when the node is not
 * assigned it any more; in id order) by what is to be done, given the ids of the replicas whose
 * store is open here.
 */
export function planReplicas(
  look: readonly (readonly [string, ReplicaAssignment__Output | undefined])[],
  open: ReadonlySet<string>,
): ReplicaPlan {
  const remove = look.filter(([id, r]) => !r && open.has(id)).map(([id]) => id);
  const wanted = look.flatMap(([, r]) => (r ? [r] : []));
  const fresh = wanted.filter((r) => !open.has(r.replicaId));
  const create: ReplicaAssignment__Output[][] = [];
  for (let i = 0; i < fresh.length; i += CREATE_BATCH) create.push(fresh.slice(i, i + CREATE_BATCH));
  return { remove, create, update: wanted.filter((r) => open.has(r.replicaId)) };
}

/** The replicas to look at: all (those open and those assigned) after a whole push, else those touched and those left to retry. */
export function replicasToLook(
  assigned: ReadonlyMap<string, ReplicaAssignment__Output>,
  open: Iterable<string>,
  touched: ReadonlySet<string> | null,
  retry: Iterable<string>,
): (readonly [string, ReplicaAssignment__Output | undefined])[] {
  const ids = touched === null ? new Set([...open, ...assigned.keys()]) : new Set([...touched, ...retry]);
  return [...ids].sort().map((id) => [id, assigned.get(id)] as const);
}

/** What a replica runner last did for a replica, as far as deciding the next step goes. */
export interface ReplicaMarks {
  /** The assignment last applied in full, as its key (assignmentKey). */
  applied?: string;
  /** The assignment object it was applied from: pushes fold deltas in, so an unchanged replica is the same object. */
  appliedFrom?: object;
  /** The assignment object it was last reported running for. */
  reportedFrom?: object;
}

/** What a replica's assignment asks of its store: the fields that, changed, need work. */
export const assignmentKey = (r: ReplicaAssignment__Output): string =>
  `${r.size}|${r.attached}|${r.state}|${r.snapshots.join(',')}`;

/**
 * What an open replica needs: 'none' (its assignment is the one applied or reported for),
 * 'same' (a new object with the applied content: remember it, nothing to do) or 'apply'.
 */
export function replicaStep(r: ReplicaAssignment__Output, marks: ReplicaMarks): 'none' | 'same' | 'apply' {
  if (marks.appliedFrom === r || marks.reportedFrom === r) return 'none';
  return marks.applied === assignmentKey(r) ? 'same' : 'apply';
}

/**
 * Whether an applied replica says where it serves (reports running with its data address): a new
 * one, to become running; one to be rebuilt, whose recorded address the engine waits for; a
 * failed one, which a salvage may make running again. The last two once per process (`announced`):
 * after a restart the replica serves elsewhere.
 */
export function announces(state: string, announced: boolean): boolean {
  return state === 'scheduled' || ((state === 'rebuilding' || state === 'failed') && !announced);
}

/** The engine side of a pass. */
export interface EnginePlan {
  /** Engines running here whose volume is attached here no more. */
  stop: string[];
  /** Volumes detaching whose engine does not run here (it died with an earlier agent): report them detached. */
  detachedAlready: string[];
}

export function planEngines(
  assigned: readonly EngineAssignment__Output[],
  running: Iterable<string>,
  detaching: readonly string[],
): EnginePlan {
  const wanted = new Set(assigned.map((e) => e.volume));
  const runningSet = new Set(running);
  const stop = [...runningSet].filter((v) => !wanted.has(v));
  // An engine stopped by this pass reports its own detach.
  const detachedAlready = detaching.filter((v) => !runningSet.has(v));
  return { stop, detachedAlready };
}

/**
 * Whether an engine that does not run yet may open now:
 * - 'no-running': no replica is recorded running (a new volume's replicas still starting: the
 *   next push says when one runs);
 * - 'wait-copy': the volume is made from a data source or a backup and some replica is merely
 *   placed: the copy reaches only the replicas the engine holds, so every one must serve first;
 * - 'wait-placed': some replica is placed but not serving yet, and the engine has waited less
 *   than ENGINE_WAIT_MS since `waitingSinceMs` (opening on the first alone would leave the others
 *   to be rebuilt in): look again shortly;
 * - 'open': open on the running replicas.
 */
export function engineOpenStep(
  e: EngineAssignment__Output,
  waitingSinceMs: number,
  nowMs: number,
): 'no-running' | 'wait-copy' | 'wait-placed' | 'open' {
  if (!e.replicas.some((r) => r.state === 'running')) return 'no-running';
  const placed = e.replicas.some((r) => r.state === 'scheduled');
  if (!placed) return 'open';
  if (e.source || e.restore) return 'wait-copy';
  return nowMs - waitingSinceMs < ENGINE_WAIT_MS ? 'wait-placed' : 'open';
}

/**
 * What an open engine does about its assigned replicas:
 * - outside: running in the control plane's eyes but never opened by this engine (not running
 *   when it started): it lacks the writes since, so it is reported failed (once) and rebuilt in;
 * - rebuild: the scheduler says rebuilding, it has an address, and the engine is not already
 *   rebuilding it nor has it healthy (assignments that predate the rebuilt report still say
 *   rebuilding: starting again would fail and report a healthy replica failed);
 * - rebuilt: the scheduler says rebuilding and the engine has it healthy: report rebuilt again.
 */
export function engineReplicaPlan(
  replicas: { replicaId: string; state: string; address: string }[],
  modes: Record<string, string>,
  reported: ReadonlySet<string>,
  rebuilding: ReadonlySet<string>,
): { outside: string[]; rebuild: string[]; rebuilt: string[] } {
  const outside = replicas
    .filter((r) => r.state === 'running' && !(r.replicaId in modes) && !reported.has(r.replicaId))
    .map((r) => r.replicaId);
  const rebuild = replicas
    .filter(
      (r) =>
        r.state === 'rebuilding' &&
        r.address &&
        !rebuilding.has(r.replicaId) &&
        modes[r.replicaId] !== 'healthy' &&
        modes[r.replicaId] !== 'rebuilding',
    )
    .map((r) => r.replicaId);
  // Healthy here but still rebuilding there: the rebuilt report is in flight or was lost (a
  // manager gone at that moment); say it again (the manager records it once).
  const rebuilt = replicas
    .filter((r) => r.state === 'rebuilding' && !rebuilding.has(r.replicaId) && modes[r.replicaId] === 'healthy')
    .map((r) => r.replicaId);
  return { outside, rebuild, rebuilt };
}
