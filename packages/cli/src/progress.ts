// What the CLI prints about long work (rebuilds, restores, data-source copies, backups, `cairn up`'s
// steps), decided from successive readings and nothing else. Pure: the clock is passed in, the
// answer is data (lines for a log, bar states for a terminal); progress-view.ts draws it.
//
// Why a plan apart from the drawing: a terminal gets live bars (redrawn in place), anything else
// gets plain lines, one per milestone, at a bounded rate: a line when a task is first seen, when its
// percentage enters a new step (every 10% by default), at most one "still at N%" line per quiet
// period when it does not move (or has no percentage, like a data-source copy), and one line when it
// ends (done with its time, or failed with the reason). A log of a one-hour rebuild stays a dozen
// lines; the same rules decide both outputs, so the bars and the lines never disagree.

/** One task's state at one poll. `percent` null: the work reports no figure (only started/ended). */
export interface Reading {
  /** Stable for the task's life (e.g. "rebuild/r-2"): how successive readings are matched. */
  key: string;
  /** What the task is, for people: "rebuilding replica r-2 on node-3". */
  label: string;
  state: 'running' | 'done' | 'failed';
  percent: number | null;
  /** With 'failed': why. */
  detail?: string;
}

/** A task as a terminal draws it. */
export interface BarState {
  key: string;
  label: string;
  state: 'running' | 'done' | 'failed';
  /** 0..100; null for work without a figure (drawn as an empty bar with its elapsed time). */
  percent: number | null;
  /** What follows the bar: "40%", "done in 12.3 s", "failed: reason". */
  status: string;
  elapsedMs: number;
}

export interface Frame {
  /** Plain lines to print now (without newlines), in order. */
  lines: string[];
  /** Every task seen so far, in the order first seen (ended ones keep their final state). */
  bars: BarState[];
}

export interface PlanOptions {
  /** A line each time the percentage enters a new step of this many points (default 10). */
  stepPercent?: number;
  /** A line after this long without one, for a task that is still running (default 10 s). */
  quietMs?: number;
}

interface Task {
  key: string;
  label: string;
  state: Reading['state'];
  percent: number | null;
  detail: string;
  startedMs: number;
  endedMs: number;
  lastLineMs: number;
  /** The step of the last line printed for it (-1: none yet). */
  step: number;
}

/** "0.4 s", "12.3 s", "2 min 5 s", "1 h 2 min". */
export function elapsed(ms: number): string {
  const s = Math.max(0, ms) / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${Math.floor(s % 60)} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

const clampPercent = (p: number | null): number | null =>
  p === null || !Number.isFinite(p) ? null : Math.min(100, Math.max(0, Math.floor(p)));

function statusOf(t: Task, now: number): string {
  if (t.state === 'done') return `done in ${elapsed(t.endedMs - t.startedMs)}`;
  if (t.state === 'failed') return `failed${t.detail ? `: ${t.detail}` : ''}`;
  return t.percent === null ? `running for ${elapsed(now - t.startedMs)}` : `${t.percent}%`;
}

/**
 * Turns readings into lines and bar states. Feed it every poll's readings (`next`); a task missing
 * from a poll is left as it was (a view of a volume may drop a replica that finished), and a task
 * first seen already done or failed is not news: nothing is said about work never seen running.
 */
export class ProgressPlan {
  private readonly tasks = new Map<string, Task>();
  private readonly stepPercent: number;
  private readonly quietMs: number;

  constructor(o: PlanOptions = {}) {
    this.stepPercent = o.stepPercent ?? 10;
    this.quietMs = o.quietMs ?? 10_000;
  }

  next(now: number, readings: readonly Reading[]): Frame {
    const lines: string[] = [];
    for (const r of readings) {
      const percent = clampPercent(r.percent);
      let t = this.tasks.get(r.key);
      if (t && t.state !== 'running' && r.state === 'running') {
        // The same key running again (a second rebuild of a replica): a new task.
        this.tasks.delete(r.key);
        t = undefined;
      }
      if (!t) {
        if (r.state !== 'running') continue;
        t = {
          key: r.key,
          label: r.label,
          state: 'running',
          percent,
          detail: '',
          startedMs: now,
          endedMs: 0,
          lastLineMs: now,
          step: this.stepOf(percent),
        };
        this.tasks.set(r.key, t);
        lines.push(`${t.label}: ${percent === null ? 'started' : `${percent}%`}`);
        continue;
      }
      if (t.state !== 'running') continue;
      t.label = r.label;
      if (r.state !== 'running') {
        t.state = r.state;
        t.detail = r.detail ?? '';
        t.endedMs = now;
        if (r.state === 'done') t.percent = 100;
        lines.push(`${t.label}: ${statusOf(t, now)}`);
        continue;
      }
      // A figure never goes back on screen: a later poll answered by a manager that heard less.
      if (percent !== null && (t.percent === null || percent > t.percent)) t.percent = percent;
      const step = this.stepOf(t.percent);
      if (step > t.step) {
        t.step = step;
        t.lastLineMs = now;
        lines.push(`${t.label}: ${t.percent}%`);
      } else if (now - t.lastLineMs >= this.quietMs) {
        t.lastLineMs = now;
        lines.push(
          `${t.label}: ${t.percent === null ? 'still running' : `still at ${t.percent}%`} after ${elapsed(now - t.startedMs)}`,
        );
      }
    }
    return { lines, bars: this.bars(now) };
  }

  /** Whether any task seen is still running. */
  get running(): boolean {
    return [...this.tasks.values()].some((t) => t.state === 'running');
  }

  private bars(now: number): BarState[] {
    return [...this.tasks.values()].map((t) => ({
      key: t.key,
      label: t.label,
      state: t.state,
      percent: t.percent,
      status: statusOf(t, now),
      elapsedMs: (t.state === 'running' ? now : t.endedMs) - t.startedMs,
    }));
  }

  private stepOf(percent: number | null): number {
    return percent === null ? 0 : Math.floor(percent / this.stepPercent);
  }
}

/** One line for a finished step of `cairn up`: "etcd (1 member): done (0.8 s)". */
export function stepLine(label: string, outcome: { ok: true } | { ok: false; error: string }, ms: number): string {
  return outcome.ok ? `${label}: done (${elapsed(ms)})` : `${label}: failed after ${elapsed(ms)}: ${outcome.error}`;
}
