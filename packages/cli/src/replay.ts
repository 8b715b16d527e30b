// The audit export format and its offline replay. An export is JSON lines, one event a line, in
// seq order from seq 1: each line is the event as decoded (EventEnvelope with camelCase fields,
// int64 as numbers, enums as their names, `payload` naming the set field), without null fields.
// A replay re-encodes every line with the event codec and decodes it again, so it applies exactly
// what the managers' projection applies (and refuses unknown types or schema versions by seq),
// then folds the events with applyEvent from an empty state: no etcd, no manager. The export
// carries each event's chain hash, but the offline replay cannot check the chain: the hash is over
// the bytes the log stored, which a decoded event does not give back (`cairn audit verify` checks
// it on the managers, against the log itself).
import { applyEvent, decodeEvent, emptyState, encodeEvent, MetadataError, stateHash } from '@cairn/metadata';
import type { CairnEvent, ClusterState, EventEnvelope } from '@cairn/metadata';
import { CliError } from './errors.js';

/**
 * Null fields are left out; the chain hash (bytes, which JSON.stringify would spell as an array of
 * numbers) is written in base64, which the event codec reads back, and left out when empty.
 */
const dropNulls = (k: string, v: unknown): unknown => {
  if (k === 'chainHash') {
    const data = (v as { data?: number[] } | null)?.data;
    return data?.length ? Buffer.from(data).toString('base64') : undefined;
  }
  return v === null ? undefined : v;
};

/** One line of an export (with the newline). */
export function exportLine(ev: CairnEvent): string {
  return JSON.stringify(ev, dropNulls) + '\n';
}

/** Checks an event received for export: it must be the next seq and of a type this build knows. */
export function checkExportEvent(ev: CairnEvent, expectedSeq: number): void {
  if (ev.seq !== expectedSeq)
    throw new CliError(`the log stream skipped from seq ${expectedSeq - 1} to ${ev.seq}; export aborted`);
  if (!ev.payload)
    throw new CliError(`event at seq ${ev.seq} has a type this cairn does not know; upgrade cairn to export this log`);
}

export interface ReplayResult {
  seq: number;
  hash: string;
  /** Events applied. */
  events: number;
  state: ClusterState;
}

/**
 * Replays an export line by line. `source` names the file in errors ("FILE:LINE: ...").
 * `toSeq` stops after that seq (the state as it was then); lines after it are not read.
 */
export class Replayer {
  private state = emptyState();
  private applied = 0;
  private done = false;

  constructor(
    private readonly source: string,
    private readonly toSeq = Infinity,
  ) {}

  /** Feeds one line (1-based number for errors). Returns false once toSeq is reached. */
  push(line: string, lineNo: number): boolean {
    if (this.done) return false;
    if (line.trim() === '') return true;
    const where = `${this.source}:${lineNo}`;
    let obj: unknown;
    try {
      obj = JSON.parse(line);
    } catch (e) {
      throw new CliError(`${where}: not valid JSON: ${(e as Error).message}`);
    }
    if (obj === null || typeof obj !== 'object' || Array.isArray(obj))
      throw new CliError(`${where}: not an event object`);
    const seq = (obj as { seq?: unknown }).seq;
    if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 1)
      throw new CliError(`${where}: no valid "seq"`);
    if (seq !== this.state.seq + 1) {
      throw new CliError(
        this.state.seq === 0
          ? `${where}: the export starts at seq ${seq}; a replay needs the log from seq 1 (cairn audit export)`
          : `${where}: seq ${seq} follows seq ${this.state.seq}; the export has a gap or is out of order`,
      );
    }
    let ev: CairnEvent;
    try {
      ev = decodeEvent(encodeEvent(obj as EventEnvelope), seq);
      applyEvent(this.state, ev);
    } catch (e) {
      if (e instanceof MetadataError) throw new CliError(`${where}: ${e.message}`, { cause: e });
      throw new CliError(`${where}: cannot read the event at seq ${seq}: ${(e as Error).message}`, { cause: e });
    }
    this.applied++;
    if (this.state.seq >= this.toSeq) this.done = true;
    return !this.done;
  }

  result(): ReplayResult {
    if (this.toSeq !== Infinity && this.state.seq < this.toSeq) {
      throw new CliError(`${this.source}: ends at seq ${this.state.seq}, before seq ${this.toSeq}`);
    }
    return { seq: this.state.seq, hash: stateHash(this.state), events: this.applied, state: this.state };
  }
}

/** Replays a whole export held in memory. */
export function replayText(text: string, source = 'export', toSeq = Infinity): ReplayResult {
  const r = new Replayer(source, toSeq);
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) if (!r.push(lines[i]!, i + 1)) break;
  return r.result();
}
