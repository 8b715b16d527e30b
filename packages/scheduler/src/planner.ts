// One scheduling pass over a ClusterState: what every volume needs, decided in three phases so
// that the result is a fixpoint (applying the decisions and deciding again yields nothing):
//
//   1. cleanup, every volume: remove replicas whose disk is gone, replicas whose replacement runs,
//      failed replicas no longer needed, replicas over the count. Removals only free resources,
//      so they all happen before any placement looks at the disks.
//   2. fill, every volume in name order: repoint rebuilds whose source stopped, rebuild failed
//      replicas in place (a failed replica comes back no other way), or, when their node will
//      not take them or the rebuild backoff bars it, replace them after
//      replica-replenishment-wait-interval; place what is missing, then at most
//      one move per volume: eviction, else data locality, else auto-balance. Placements only
//      consume resources, so a volume that could not be placed stays unplaceable for the rest of
//      the pass.
//   4. offline engines (offline.ts), every volume: a detached one whose replicas rebuild gets an
//      engine without a frontend; one whose offline engine has nothing left to do is detached.
//   3. explain, every volume that could not get a placement: re-run the failed placement against
//      the final view, so the reasons it records are the ones the next pass would find, and skip it
//      when the state already records the same VolumeUnschedulable. A volume the state records as
//      unschedulable that has nothing blocked any more (a failed replica reused, the count lowered,
//      a node back) is declared schedulable, unless a placement of this pass clears the record.
//
// Pure: the clock is an argument, ids derive from the state's seq, ties break by id.
import type { ClusterState, Settings, VolumeState } from '@cairn/metadata';
import type { Decision, PlaceDecision, UnschedulableDecision } from './decision.js';
import type { Limits, NotPlaced, Placed, PlacementRequest } from './place.js';
import { limitsOf, place, rejectDisk, rejectNode, tallyText } from './place.js';
import { Note, Reason, REMOVE_REASON_BY_TRIGGER, RemoveReason, Trigger } from './reasons.js';
import type { CandidateRejection } from './decision.js';
import { renameHolders, wordRejections } from './rejection.js';
import { Usage } from './usage.js';
import { offlineDecisions, restorePending, restoreSlots } from './offline.js';
import type { RestoreSlots } from './offline.js';
import type { Rep, VolumeWork } from './volume.js';
import {
  active,
  alive,
  backedOff,
  balanceCandidates,
  cmp,
  pickExtra,
  pickLocalityVictim,
  pickSource,
  replacementOf,
  repOf,
  sources,
  staying,
  toOther,
  unavailable,
  workOf,
} from './volume.js';

/** What a pass decided, and when the same state must be decided again if nothing else happens. */
export interface Schedule {
  decisions: Decision[];
  /**
   * The earliest time (ms) at which a failed replica's replica-replenishment-wait-interval runs out
   * and the decisions for the unchanged state would differ; null when nothing is waiting.
   */
  wakeAtMs: number | null;
}

const SPACE: ReadonlySet<string> = new Set([Reason.InsufficientSpace, Reason.OverProvisioned]);

/** A replica a drain forecast could not move, and why (every candidate in the events' words). */
export interface EvictionBlocked {
  replicaId: string;
  nodeId: string;
  diskId: string;
  summary: string;
  candidates: CandidateRejection[];
}

/**
 * A scheduling pass's working view: the state (read only), the settings, and the per-disk usage
 * that the pass's own decisions update. `decide()` makes a fresh one per call. A caller may keep
 * one across calls (the benchmark does) only if it applies every decision it returns, and nothing
 * else, to the state before the next call: the usage is not re-read. Its API is the decide*
 * methods and, for drain forecasts, forecastEvictions; everything else is private.
 */
export class Planner {
  private readonly usage: Usage;
  private readonly limits: Limits;
  private readonly ids = new Set<string>();
  private wakeAt: number | null = null;

  constructor(
    private readonly state: ClusterState,
    private readonly settings: Settings,
  ) {
    this.limits = limitsOf(settings);
    this.usage = new Usage(state, this.limits.minimalAvailablePct, this.limits.overProvisioningPct);
  }

  /** Decisions for every volume, in the three phases. */
  decideAll(nowMs: number): Schedule {
    const names = [...this.state.volumes.keys()].sort();
    const works = names.map((n) => this.work(this.state.volumes.get(n)!));
    return this.run(works, nowMs);
  }

  /** Decisions for one volume (the others are not looked at). */
  decideVolume(name: string, nowMs: number): Schedule {
    return this.decideSome([name], nowMs);
  }

  /**
   * Decisions for the named volumes only, in name order, in the same three phases (names the
   * state does not have are skipped). The others are not looked at, but what they hold on the
   * disks counts: the usage is the whole cluster's.
   */
  decideSome(names: Iterable<string>, nowMs: number): Schedule {
    const works: VolumeWork[] = [];
    for (const n of [...new Set(names)].sort()) {
      const v = this.state.volumes.get(n);
      if (v) works.push(this.work(v));
    }
    return this.run(works, nowMs);
  }

  private run(works: VolumeWork[], nowMs: number): Schedule {
    this.wakeAt = null;
    this.ids.clear();
    const out: Decision[] = [];
    for (const w of works) this.cleanup(w, out);
    for (const w of works) this.fill(w, out, nowMs);
    for (const w of works) this.explain(w, out);
    this.offline(works, out);
    return { decisions: out, wakeAtMs: this.wakeAt };
  }

  /**
   * A drain forecast (drain.ts): treats the `draining` nodes as evicting from now on, then moves
   * every active replica of `volume` on them elsewhere, in replica id order, each as if the move
   * before it completed (the moved replica gone, its replacement in place: trigger eviction,
   * `replaces` the one it moves). Moves are accounted in this Planner's view, so the volumes
   * forecast after see them; the rebuild limit is ignored (it paces a real eviction, it does not
   * bar one). A replica with nowhere to go comes back blocked, with every candidate's reasons.
   * A Planner used for forecasts must not decide afterwards: its view is not the state's any more.
   */
  forecastEvictions(
    volume: string,
    draining: ReadonlySet<string>,
  ): { moves: PlaceDecision[]; blocked: EvictionBlocked[] } {
    for (const id of draining) {
      const node = this.usage.byId.get(id);
      if (node) node.drain = true;
    }
    const moves: PlaceDecision[] = [];
    const blocked: EvictionBlocked[] = [];
    const v = this.state.volumes.get(volume);
    if (!v) return { moves, blocked };
    const w = this.work(v);
    const leaving = active(w)
      .filter((r) => draining.has(r.nodeId))
      .sort((a, b) => cmp(a.id, b.id));
    for (const moved of leaving) {
      const res = place(this.usage, this.request(w, staying(w, moved), false), this.limits);
      if (!res.ok) {
        blocked.push({
          replicaId: moved.id,
          nodeId: moved.nodeId,
          diskId: moved.diskId,
          summary: tallyText(res),
          candidates: wordRejections(res.rejected),
        });
        continue;
      }
      const [placement] = this.accept(w, res, Trigger.Eviction, moved, undefined);
      moves.push(placement as PlaceDecision);
      moved.gone = true;
      this.usage.remove(moved);
    }
    return { moves, blocked };
  }

  private work(v: VolumeState): VolumeWork {
    const ids = this.state.replicasByVolume.get(v.name);
    const reps: Rep[] = [];
    if (ids)
      for (const id of ids) {
        const r = this.state.replicas.get(id);
        if (r) reps.push(repOf(r, this.usage));
      }
    reps.sort((a, b) => cmp(a.id, b.id));
    return workOf(v, reps, this.settings);
  }

  // ---- phase 4 ------------------------------------------------------------------------------

  /** Offline attaches and detaches, from the state and this pass's decisions for each volume. */
  private offline(works: VolumeWork[], out: Decision[]): void {
    const mine = new Map<string, Decision[]>();
    for (const d of out) {
      let ds = mine.get(d.volume);
      if (!ds) mine.set(d.volume, (ds = []));
      ds.push(d);
    }
    // Restore engines per node, counted once per pass and as this pass attaches more.
    let restores: RestoreSlots | null = null;
    for (const w of works) {
      const v = w.v;
      // Cheap test first: only a detached volume with something rebuilding, or one the scheduler attached, can need one.
      const ds = mine.get(v.name) ?? [];
      if (
        v.autoAttach === '' &&
        !(
          v.attachState === 'detached' &&
          (restorePending(v) || ds.some((d) => d.kind === 'rebuild') || w.reps.some((r) => r.mode === 'rebuilding'))
        )
      )
        continue;
      out.push(...offlineDecisions(this.state, this.settings, v, ds, (restores ??= restoreSlots(this.state))));
    }
  }

  // ---- phase 1 ------------------------------------------------------------------------------

  private remove(w: VolumeWork, r: Rep, reason: RemoveReason, out: Decision[]): void {
    r.gone = true;
    this.usage.remove(r);
    out.push({ kind: 'remove', volume: w.v.name, replicaId: r.id, reason });
  }

  private cleanup(w: VolumeWork, out: Decision[]): void {
    for (const r of w.reps) if (!this.usage.disk(r.nodeId, r.diskId)) this.remove(w, r, RemoveReason.DiskRemoved, out);
    // A replacement that runs retires the replica it replaces (never earlier: no volume drops
    // below its count while a move is under way).
    for (const r of alive(w)) {
      if (!r.replaces || !r.available || r.mode !== 'running') continue;
      const old = alive(w).find((o) => o.id === r.replaces);
      if (old) this.remove(w, old, REMOVE_REASON_BY_TRIGGER[r.trigger as Trigger] ?? RemoveReason.OverCount, out);
    }
    this.dropUnneeded(w, out);
    for (let act = active(w); act.length > w.count; act = active(w)) {
      this.remove(w, pickExtra(w, act, this.usage), RemoveReason.OverCount, out);
    }
    // Removing an extra replacement leaves the replica it replaced unreplaced: it goes too.
    this.dropUnneeded(w, out);
  }

  /** Failed (or unreachable) replicas go once as many replicas run as the count asks. */
  private dropUnneeded(w: VolumeWork, out: Decision[]): void {
    const running = active(w).filter((r) => r.mode === 'running').length;
    if (running >= w.count) for (const r of unavailable(w)) this.remove(w, r, RemoveReason.OverCount, out);
  }

  // ---- phase 2 ------------------------------------------------------------------------------

  private newId(w: VolumeWork): string {
    for (let k = 0; ; k++) {
      const id = `${w.v.name}-r${this.state.seq}-${k}`;
      if (!this.ids.has(id) && !this.state.replicas.has(id)) {
        this.ids.add(id);
        return id;
      }
    }
  }

  private request(w: VolumeWork, others: Rep[], needsRebuild: boolean): PlacementRequest {
    const spec = w.v.spec;
    const best =
      spec.dataLocality === 'best-effort' && w.attached !== '' && !others.some((o) => o.nodeId === w.attached);
    return {
      volume: w.v.name,
      size: spec.size,
      nodeSelector: spec.nodeSelector,
      diskSelector: spec.diskSelector,
      others: others.map(toOther),
      softZone: w.softZone,
      softNode: w.softNode,
      softDisk: w.softDisk,
      needsRebuild,
      strictNode: spec.dataLocality === 'strict-local' ? w.attached : null,
      preferNode: best ? w.attached : null,
    };
  }

  /** Accounts a placement in the view and returns its decision (and its rebuild, if any). */
  private accept(
    w: VolumeWork,
    res: Placed,
    trigger: Trigger,
    replaces: Rep | null,
    source: Rep | undefined,
  ): Decision[] {
    const chosen = res.disk;
    const id = this.newId(w);
    const rep: Rep = {
      id,
      nodeId: chosen.node.id,
      diskId: chosen.disk.id,
      zone: chosen.node.zone,
      mode: source ? 'rebuilding' : 'scheduled',
      trigger,
      replaces: replaces?.id ?? '',
      size: w.v.spec.size,
      address: '',
      rebuildFrom: source?.id ?? '',
      failedAtMs: 0,
      failures: 0,
      available: true,
      evicting: chosen.node.node.evictionRequested || chosen.node.drain || chosen.disk.evictionRequested,
      gone: false,
    };
    w.reps.push(rep);
    this.usage.add(rep.nodeId, rep.diskId, rep.size, source !== undefined);
    const placement: PlaceDecision = {
      kind: 'place',
      volume: w.v.name,
      replicaId: id,
      nodeId: rep.nodeId,
      diskId: rep.diskId,
      trigger,
      replaces: rep.replaces,
      figures: res.figures,
      score: res.score,
      candidatesConsidered: res.considered,
      notes: replaces && backedOff(replaces) ? [...res.notes, Note.RebuildBackoff] : res.notes,
      rejected: wordRejections(res.rejected),
    };
    return source
      ? [placement, { kind: 'rebuild', volume: w.v.name, replicaId: id, fromReplicaId: source.id }]
      : [placement];
  }

  /** Appends placements (and their rebuilds) to the pass's output. */
  private emit(w: VolumeWork, out: Decision[], ds: Decision[]): void {
    if (ds.some((d) => d.kind === 'place')) w.placed = true;
    out.push(...ds);
  }

  private unaccept(w: VolumeWork, id: string): void {
    const i = w.reps.findIndex((r) => r.id === id);
    const [r] = w.reps.splice(i, 1);
    this.usage.remove(r!);
  }

  /**
   * A failed replica can be rebuilt in place: its node and disk would take it now, space aside,
   * and it has not failed too often since its last rebuild (the rebuild backoff). Rebuilding it is
   * the only way it comes back: its own 'running' report does not make it healthy.
   */
  private reusable(w: VolumeWork, failed: Rep): boolean {
    if (failed.mode !== 'failed' || backedOff(failed)) return false;
    const node = this.usage.byId.get(failed.nodeId);
    const disk = node?.diskById.get(failed.diskId);
    if (!node || !disk || node.node.down) return false;
    // Judged against the replicas that stay beside it: not the one it replaces, if it is a
    // replacement (which may sit on that replica's node).
    const req = this.request(
      w,
      staying(w, failed).filter((o) => o.id !== failed.replaces),
      false,
    );
    if (rejectNode(node, req, this.limits)) return false;
    const diskRejection = rejectDisk(this.usage, disk, req, this.limits);
    return !diskRejection || diskRejection.findings.every((f) => SPACE.has(f.reason));
  }

  private wake(t: number): void {
    if (this.wakeAt === null || t < this.wakeAt) this.wakeAt = t;
  }

  /**
   * What a volume needs placed: its missing replicas, else at most one move. A volume that could
   * not get what it needs is left `blocked` for phase 3 to explain.
   */
  private fill(w: VolumeWork, out: Decision[], nowMs: number): void {
    if (w.v.spec.dataLocality === 'strict-local' && w.attached === '' && alive(w).length === 0) {
      w.checked = 'all'; // it needs nothing until it is attached
      return;
    }
    const running = sources(w);
    this.repointRebuilds(w, running, out);
    // Data exists but no replica runs: the volume is faulted. Nothing can be copied, and a failed
    // replica comes back only through a rebuild, which needs a running source: the volume stays
    // as it is until it is salvaged (not the scheduler's call) or a replica on a node that was
    // down, never reported failed, runs again.
    if (w.hasRun && running.length === 0) return;

    w.checked = 'count';
    if (w.count - active(w).length > 0) {
      this.fillDeficit(w, out, nowMs);
      return;
    }
    const act = active(w);
    if (act.some((r) => r.mode !== 'running')) return; // moves wait until the volume is whole
    const moving = alive(w).some((r) => r.replaces && r.available && alive(w).some((o) => o.id === r.replaces));
    if (moving) return;
    w.checked = 'all';
    // At most one move per volume, the first step that has one to make (or is blocked) wins.
    if (this.evict(w, act, out)) return;
    if (this.moveToAttached(w, act, out)) return;
    this.rebalance(w, act, out);
  }

  /** A rebuild whose source stopped running is pointed at another running replica. */
  private repointRebuilds(w: VolumeWork, running: Rep[], out: Decision[]): void {
    if (running.length === 0) return;
    for (const r of alive(w)) {
      if (r.available && r.mode === 'rebuilding' && !running.some((s) => s.id === r.rebuildFrom)) {
        const source = pickSource(w)!;
        r.rebuildFrom = source.id;
        out.push({ kind: 'rebuild', volume: w.v.name, replicaId: r.id, fromReplicaId: source.id });
      }
    }
  }

  /** Eviction: one replica per volume at a time; the old one stays until the new one runs. False: nothing evicts. */
  private evict(w: VolumeWork, act: Rep[], out: Decision[]): boolean {
    const evicted = act.find((r) => r.evicting);
    if (!evicted) return false;
    const request = (): PlacementRequest => this.request(w, staying(w, evicted), true);
    const res = place(this.usage, request(), this.limits);
    if (res.ok) this.emit(w, out, this.accept(w, res, Trigger.Eviction, evicted, pickSource(w)));
    else {
      w.blocked = {
        lead: `replica ${evicted.id} cannot be evicted from ${evicted.nodeId}/${evicted.diskId}`,
        missing: 0,
        first: res,
        rerun: () => this.placeOrNull(request()),
      };
    }
    return true;
  }

  /**
   * Data locality: a replica on the attached node, moved there once the volume is whole. False:
   * no move wanted, or a best-effort one that does not fit (auto-balance may move instead).
   */
  private moveToAttached(w: VolumeWork, act: Rep[], out: Decision[]): boolean {
    const locality = w.v.spec.dataLocality;
    if (locality === 'disabled' || w.attached === '' || act.some((r) => r.nodeId === w.attached)) return false;
    const victim = locality === 'strict-local' ? act[0]! : pickLocalityVictim(w, act, this.usage);
    const req = this.request(w, staying(w, victim), true);
    if (locality === 'best-effort') req.onlyNode = w.attached;
    const res = place(this.usage, req, this.limits);
    if (res.ok) {
      this.emit(w, out, this.accept(w, res, Trigger.DataLocality, victim, pickSource(w)));
      return true;
    }
    if (locality !== 'strict-local') return false;
    w.blocked = {
      lead: `replica ${victim.id} cannot move to attached node ${w.attached}`,
      missing: 0,
      first: res,
      rerun: () => this.placeOrNull(this.request(w, staying(w, victim), true)),
    };
    return true;
  }

  /** Auto-balance: at most one move that makes the volume's spread strictly more even. */
  private rebalance(w: VolumeWork, act: Rep[], out: Decision[]): void {
    if (w.autoBalance === 'disabled' || act.length !== w.count) return;
    for (const candidate of balanceCandidates(w, act, this.usage)) {
      const req = this.request(w, staying(w, candidate.rep), true);
      req.restrict = candidate.restrict;
      const res = place(this.usage, req, this.limits);
      if (!res.ok) continue;
      // Candidates turned down only for not evening the spread are this step's own choice, not a rejection worth recording.
      res.rejected = res.rejected.filter(
        (r) => !(r.findings.length === 1 && r.findings[0]!.reason === Reason.NoBalanceGain),
      );
      this.emit(w, out, this.accept(w, res, Trigger.Rebalance, candidate.rep, pickSource(w)));
      return;
    }
  }

  /**
   * Missing replicas: failed ones rebuilt in place where they can be, the others waited for or
   * replaced, then new ones for what is still missing.
   */
  private fillDeficit(w: VolumeWork, out: Decision[], nowMs: number): void {
    const isInitial = alive(w).length === 0;
    const source = pickSource(w);
    // Failed replicas that keep a slot of the deficit without being active: waiting for a rebuild
    // slot, waiting out replica-replenishment-wait-interval, or to be replaced.
    const held: Rep[] = [];
    // What is still missing, counted again after every step: rebuilding a failed replacement in
    // place retires the replica it replaces, which then holds no slot.
    const missing = (): number => w.count - active(w).length - held.filter((h) => !replacementOf(w, h)).length;
    const notReused = this.reuseFailed(w, source, held, missing, out);
    const needed = this.replaceFailed(w, notReused, held, missing, nowMs);
    for (let k = missing(); k > 0; k--) needed.push(null);
    this.placeNeeded(w, needed, source, isInitial, out);
  }

  /**
   * The failed replicas that can be rebuilt in place (oldest failure first; reuse is preferred over
   * a replica that must wait or be replaced) are: rebuilt when their node has a rebuild slot, else
   * `held` until one frees up. Returns the failed replicas it could not reuse, in the same order.
   */
  private reuseFailed(
    w: VolumeWork,
    source: Rep | undefined,
    held: Rep[],
    missing: () => number,
    out: Decision[],
  ): Rep[] {
    const failed = unavailable(w).sort((a, b) => a.failedAtMs - b.failedAtMs || cmp(a.id, b.id));
    const notReused: Rep[] = [];
    for (const f of failed) {
      if (missing() <= 0) break;
      if (replacementOf(w, f)) continue;
      if (!source || !this.reusable(w, f)) {
        notReused.push(f);
        continue;
      }
      const node = this.usage.byId.get(f.nodeId)!;
      if (node.rebuilding >= this.limits.rebuildLimit) {
        held.push(f);
        continue;
      }
      node.rebuilding++;
      f.mode = 'rebuilding';
      f.available = true;
      f.rebuildFrom = source.id;
      out.push({ kind: 'rebuild', volume: w.v.name, replicaId: f.id, fromReplicaId: source.id });
    }
    return notReused;
  }

  /**
   * Failed replicas not rebuilt in place keep their slot (`held`): within
   * replica-replenishment-wait-interval they wait (the node may come back; the pass asks to be
   * woken when the wait ends); after it, or when backed off, a new replica replaces them. Returns
   * the ones to replace.
   */
  private replaceFailed(
    w: VolumeWork,
    failed: Rep[],
    held: Rep[],
    missing: () => number,
    nowMs: number,
  ): (Rep | null)[] {
    const waitMs = this.settings['replica-replenishment-wait-interval'] * 1000;
    const toReplace: (Rep | null)[] = [];
    for (const f of failed) {
      if (missing() <= 0) break;
      if (replacementOf(w, f)) continue;
      held.push(f);
      const waitEndsMs = f.failedAtMs + waitMs;
      if (nowMs < waitEndsMs) this.wake(waitEndsMs);
      else toReplace.push(f);
    }
    return toReplace;
  }

  /**
   * Places a replica for each entry of `needed` (null: a new one, else the failed replica it
   * replaces). A new volume is all or nothing unless allow-volume-creation-with-degraded-
   * availability: then a failure undoes the placements that fitted. A failure is left `blocked`.
   */
  private placeNeeded(
    w: VolumeWork,
    needed: (Rep | null)[],
    source: Rep | undefined,
    isInitial: boolean,
    out: Decision[],
  ): void {
    const allOrNothing = isInitial && !this.settings['allow-volume-creation-with-degraded-availability'];
    const attempt = this.attempt(w, needed, source);
    if (attempt.fail && allOrNothing) {
      // Phase 3 runs the whole attempt again against the final view to explain it.
      for (const d of attempt.placed) if (d.kind === 'place') this.unaccept(w, d.replicaId);
      w.blocked = {
        lead: `${replicas(w.count)} cannot all be placed (allow-volume-creation-with-degraded-availability is false)`,
        missing: w.count,
        first: attempt.fail,
        rerun: () => this.tentative(w, needed, source),
      };
      return;
    }
    this.emit(w, out, attempt.placed);
    const fail = attempt.fail;
    if (!fail) return;
    const why =
      fail.replaces && backedOff(fail.replaces)
        ? ` (replacing ${fail.replaces.id}, not rebuilt again after ${fail.replaces.failures} failures since its last rebuild)`
        : '';
    w.blocked = {
      lead: `${attempt.missing} of ${replicas(w.count)} cannot be placed${why}`,
      missing: attempt.missing,
      first: fail,
      rerun: () => this.placeOrNull(this.request(w, staying(w, fail.replaces), source !== undefined)),
    };
  }

  /** Places what is needed in order, accounting each placement; notes the first that fails. */
  private attempt(
    w: VolumeWork,
    needed: (Rep | null)[],
    source: Rep | undefined,
  ): { placed: Decision[]; fail: (NotPlaced & { replaces: Rep | null }) | null; missing: number } {
    const trigger = source ? Trigger.Rebuild : Trigger.New;
    const placed: Decision[] = [];
    let fail: (NotPlaced & { replaces: Rep | null }) | null = null;
    let missing = 0;
    for (const replaces of needed) {
      const res = place(this.usage, this.request(w, staying(w, replaces), source !== undefined), this.limits);
      if (res.ok) placed.push(...this.accept(w, res, trigger, replaces, source));
      else {
        missing++;
        fail ??= { ...res, replaces };
      }
    }
    return { placed, fail, missing };
  }

  /**
   * An all-or-nothing attempt made and undone, for its explanation: the replicas that fitted are
   * named "(tentative N)", since their ids never reach the log.
   */
  private tentative(w: VolumeWork, needed: (Rep | null)[], source: Rep | undefined): NotPlaced | null {
    const { placed, fail } = this.attempt(w, needed, source);
    const ghosts = new Map<string, string>();
    for (const d of placed) {
      if (d.kind !== 'place') continue;
      this.unaccept(w, d.replicaId);
      this.ids.delete(d.replicaId);
      ghosts.set(d.replicaId, `(tentative ${ghosts.size + 1})`);
    }
    if (!fail) return null;
    return { ...fail, rejected: fail.rejected.map((r) => renameHolders(r, ghosts)) };
  }

  private placeOrNull(req: PlacementRequest): NotPlaced | null {
    const res = place(this.usage, req, this.limits);
    return res.ok ? null : res;
  }

  // ---- phase 3 ------------------------------------------------------------------------------

  private explain(w: VolumeWork, out: Decision[]): void {
    const b = w.blocked;
    if (!b) {
      if (resolved(w)) out.push({ kind: 'schedulable', volume: w.v.name });
      return;
    }
    // Later volumes only consumed resources, so the attempt fails again, now with the reasons the
    // next pass would find; should it fit after all, the reasons it failed with stand.
    const res = b.rerun() ?? b.first;
    const d: UnschedulableDecision = {
      kind: 'unschedulable',
      volume: w.v.name,
      missing: b.missing,
      summary: `${b.lead}: ${tallyText(res)}`,
      candidates: wordRejections(res.rejected),
    };
    // A placement in this pass clears the recorded one, so then it must be said again.
    if (w.placed || !sameRecord(w.v, d)) out.push(d);
  }
}

const replicas = (n: number): string => `${n} replica${n === 1 ? '' : 's'}`;

/**
 * The state records the volume unschedulable, yet this pass, which found nothing blocked, has
 * looked at what the record is about: missing replicas (missing > 0) once the replica count was
 * decided, a blocked move (missing 0) only once moves were. A placement of this pass clears the
 * record by itself (ReplicaScheduled), so then nothing needs saying.
 */
function resolved(w: VolumeWork): boolean {
  const u = w.v.unschedulable;
  if (!u || w.placed) return false;
  return w.checked === 'all' || (w.checked === 'count' && u.missing > 0);
}

/** The state already records this very decision: appending it again would say nothing new. */
function sameRecord(v: VolumeState, d: UnschedulableDecision): boolean {
  const u = v.unschedulable;
  if (!u || u.missing !== d.missing || u.summary !== d.summary || u.candidates.length !== d.candidates.length)
    return false;
  return u.candidates.every((c, i) => {
    const e = d.candidates[i]!;
    return (
      c.nodeId === e.nodeId &&
      c.diskId === e.diskId &&
      c.detail === e.detail &&
      c.reasons.length === e.reasons.length &&
      c.reasons.every((r, j) => r === e.reasons[j])
    );
  });
}
