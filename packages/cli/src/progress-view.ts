// Draws progress.ts's frames: live bars (cli-progress) when the user watches a terminal, plain
// lines otherwise, nothing with -o json. Where it goes and when, in one place:
//   - progress always goes to stderr, so stdout holds only the command's answer;
//   - with -o json there is no progress at all (a program reading the JSON wants no chatter);
//   - bars only when stdout and stderr are both terminals and TERM is not "dumb"; when stdout is a
//     pipe or a file (cairn ... | tee log, CI) the plain lines, without escapes or carriage returns.
import cliProgress from 'cli-progress';
import type { Io } from './io.js';
import type { OutputFormat } from './output.js';
import { ProgressPlan, stepLine } from './progress.js';
import type { BarState, PlanOptions, Reading } from './progress.js';

export interface ProgressView {
  /** The latest readings of every task being watched. */
  update(readings: readonly Reading[]): void;
  /** Leaves the final state on screen; call it once, also when the command fails. */
  stop(): void;
}

const isTty = (s: unknown): boolean => (s as { isTTY?: boolean }).isTTY === true;

export type ProgressMode = 'bars' | 'lines' | 'off';

export function progressMode(io: Io, format: OutputFormat): ProgressMode {
  if (format === 'json') return 'off';
  return isTty(io.stdout) && isTty(io.stderr) && io.env['TERM'] !== 'dumb' ? 'bars' : 'lines';
}

export function progressView(io: Io, format: OutputFormat, o: PlanOptions & { now?: () => number } = {}): ProgressView {
  const mode = progressMode(io, format);
  const plan = new ProgressPlan(o);
  const now = o.now ?? Date.now;
  if (mode === 'off') return { update: () => undefined, stop: () => undefined };
  if (mode === 'lines') {
    return {
      update(readings) {
        for (const l of plan.next(now(), readings).lines) io.stderr.write(l + '\n');
      },
      stop: () => undefined,
    };
  }
  return barView(io, plan, now);
}

function barView(io: Io, plan: ProgressPlan, now: () => number): ProgressView {
  const multi = new cliProgress.MultiBar(
    {
      stream: io.stderr as NodeJS.WritableStream,
      format: '{label} [{bar}] {status}',
      barsize: 20,
      hideCursor: true,
      clearOnComplete: false,
      stopOnComplete: false,
      gracefulExit: false,
      fps: 8,
    },
    cliProgress.Presets.shades_classic,
  );
  const bars = new Map<string, cliProgress.SingleBar>();
  let stopped = false;
  // Ctrl-C: leave the bars as they were and give the cursor back, then die of the signal as the
  // command would without bars (cli-progress's own gracefulExit stops the bars but keeps running).
  const onSignal = (sig: NodeJS.Signals) => {
    stop();
    process.kill(process.pid, sig);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  function stop(): void {
    if (stopped) return;
    stopped = true;
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
    // Nothing drawn (no long work seen): nothing to finish, not even a newline.
    if (bars.size > 0) multi.stop();
  }
  const draw = (states: BarState[]) => {
    const width = Math.max(0, ...states.map((s) => s.label.length));
    for (const s of states) {
      const payload = { label: s.label.padEnd(width), status: s.status };
      const value = s.percent ?? 0;
      const bar = bars.get(s.key);
      if (bar) bar.update(value, payload);
      else bars.set(s.key, multi.create(100, value, payload));
    }
  };
  return {
    update(readings) {
      if (!stopped) draw(plan.next(now(), readings).bars);
    },
    stop,
  };
}

/**
 * Runs one start-up step of `cairn up` and prints its line when it ends: "etcd (1 member): done
 * (0.8 s)" or "...: failed after 2.0 s: why" (then throws on). Plain lines in every mode: a step's
 * line is its outcome, there is nothing to redraw.
 */
export async function step<T>(
  write: (line: string) => void,
  label: string,
  fn: () => Promise<T>,
  now: () => number = Date.now,
): Promise<T> {
  const started = now();
  try {
    const v = await fn();
    write(stepLine(label, { ok: true }, now() - started));
    return v;
  } catch (e) {
    write(stepLine(label, { ok: false, error: (e as Error).message }, now() - started));
    throw e;
  }
}
