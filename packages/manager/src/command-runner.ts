// The command runner: every change a manager makes on a caller's behalf (the admin API, node
// reports, backup reports) goes through its one runner, which validates a command on the projected
// state, appends its events after exactly that state and answers from the state once they are
// applied. Commands that queue up while an append is in flight go together in the next append.
import type { ClusterState, EventDraft, EventLog, LiveProjection } from '@cairn/metadata';
import {
  applyEvent,
  ConflictError,
  MAX_EVENTS_PER_APPEND,
  overlayState,
  decodeEvent,
  encodeEvent,
  SCHEMA_VERSION,
} from '@cairn/metadata';

/**
 * Runs commands: validate on the current state, append after exactly that state, retry on
 * conflict. Commands that queue up while an append is in flight go together in the next append:
 * each is validated on the state as the ones before it in the batch leave it (applied to a scratch
 * copy-on-write overlay), so a batch is exactly what running them one by one would have appended, in one etcd
 * transaction instead of one per command. One runner per manager (built with its context; the
 * admin, node-facing and backup calls share it), so its own commands never conflict with each other.
 */
export class CommandRunner {
  private queue: Pending[] = [];
  private draining = false;

  constructor(private readonly ctx: { log: EventLog; projection: LiveProjection }) {}

  /** Runs `command` (pure: the state in, events out, or a CommandError) and resolves with `answer` of the state after its events. */
  run<T>(actor: string, command: (s: ClusterState) => EventDraft[], answer: (s: ClusterState) => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ actor, command, answer, resolve: resolve as (v: unknown) => void, reject });
      if (!this.draining) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.draining = true;
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, MAX_BATCH);
        // Whatever goes wrong, every caller gets an answer (a settled promise is left as it is).
        await this.runBatch(batch).catch((e: unknown) => {
          for (const p of batch) p.reject(e);
        });
      }
    } finally {
      this.draining = false;
    }
  }

  private async runBatch(batch: Pending[]): Promise<void> {
    const { projection, log } = this.ctx;
    let todo = batch;
    for (let attempt = 0; todo.length > 0; attempt++) {
      const base = projection.state;
      let scratch: ClusterState | null = null;
      const taken: { p: Pending; drafts: EventDraft[] }[] = [];
      let events = 0;
      let i = 0;
      for (; i < todo.length; i++) {
        const p = todo[i]!;
        let drafts: EventDraft[];
        try {
          drafts = p.command(scratch ?? base);
        } catch (e) {
          p.reject(e);
          continue;
        }
        if (events > 0 && events + drafts.length > MAX_EVENTS_PER_APPEND) break; // the rest go next
        // Later commands of the batch see this one's events (on a copy: the live state is the log's).
        if (drafts.length > 0 && i < todo.length - 1) {
          scratch ??= overlayState(base); // copy-on-write: the live state stays the log's
          try {
            for (const d of drafts) {
              const seq = scratch.seq + 1;
              applyEvent(
                scratch,
                decodeEvent(
                  encodeEvent({ ...d, seq, timeMs: Date.now(), actor: p.actor, schemaVersion: SCHEMA_VERSION }),
                  seq,
                ),
              );
            }
          } catch (e) {
            // Events the projection could not apply must never reach the log; the scratch copy is
            // spoilt, so the commands after this one go in the next batch.
            p.reject(e);
            i++;
            break;
          }
        }
        taken.push({ p, drafts: drafts.map((d) => ({ ...d, actor: d.actor || p.actor })) });
        events += drafts.length;
      }
      const rest = todo.slice(i);
      const all = taken.flatMap((t) => t.drafts);
      if (all.length === 0) {
        for (const t of taken) settle(t.p, () => t.p.answer(projection.state));
        todo = rest;
        continue;
      }
      try {
        const r = await log.append(all, { expectedSeq: base.seq });
        await projection.waitFor(r.lastSeq);
        for (const t of taken) settle(t.p, () => t.p.answer(projection.state));
        todo = rest;
        attempt = -1;
      } catch (e) {
        if (!(e instanceof ConflictError) || attempt >= MAX_CONFLICT_RETRIES) {
          for (const t of taken) t.p.reject(e);
          todo = rest;
          attempt = -1;
          continue;
        }
        // Another writer (the reconciler, another manager) went first: decide again on its state.
        await projection.waitFor(e.actualSeq);
        todo = [...taken.map((t) => t.p), ...rest];
      }
    }
  }
}

interface Pending {
  actor: string;
  command: (s: ClusterState) => EventDraft[];
  answer: (s: ClusterState) => unknown;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
}

/** Commands taken into one append (their events stay within the log's MAX_EVENTS_PER_APPEND). */
const MAX_BATCH = 64;
/** Appends retried on a conflict before the commands fail with it. */
const MAX_CONFLICT_RETRIES = 20;

function settle(p: Pending, answer: () => unknown): void {
  try {
    p.resolve(answer());
  } catch (e) {
    p.reject(e);
  }
}
