// verifyLog: the whole log, from seq 1 to the head, checked as `cairn audit verify` reports it:
// every event decodes, follows the one before it in the hash chain (chain.ts) and applies; every
// snapshot manifest names the chain hash the log carries at its seq and the state hash a replay
// reaches there. It reads the log a page at a time, pinned to one etcd revision, and replays as
// it goes, so memory stays at one page and one state however long the log is.
import type { ChainHash } from './chain.js';
import { followChain } from './chain.js';
import type { CairnEvent } from './events.js';
import { storedBytes } from './events.js';
import type { EventLog } from './log.js';
import type { SnapshotManifest, SnapshotStore } from './snapshots.js';
import type { ClusterState } from './state.js';
import { emptyState } from './state.js';
import { applyEvent } from './projection.js';
import { stateHash } from './canonical.js';
import { readPage } from './subscribe.js';

export interface SnapshotCheck {
  seq: number;
  ok: boolean;
  /** What was found wrong, or why it could not be checked. */
  detail: string;
}

export interface LogReport {
  /** The head when the walk began; events after it are not looked at. */
  headSeq: number;
  /** Events read, decoded, checked and applied. */
  checked: number;
  /** The first seq that carries a chain hash (0: none does; the log predates the chain). */
  chainFromSeq: number;
  /** The first event that does not hold (decode, chain or apply), or null when all do. */
  broken: { seq: number; detail: string } | null;
  snapshots: SnapshotCheck[];
  /** stateHash of the replay right after `hashAtSeq` (when given and reached), else ''. */
  hashAt: string;
  /** The replayed state: after the head, or after the last event before the break. */
  state: ClusterState;
}

const PAGE = 1000;

/**
 * Walks the log from seq 1 to its head. `hashAtSeq`: also take the replay's state hash after that
 * seq (what `audit verify` compares with the live state). Never throws for what it finds in the
 * log: a problem is reported with its seq; etcd errors are thrown.
 */
export async function verifyLog(log: EventLog, snapshots: SnapshotStore | null, hashAtSeq = 0): Promise<LogReport> {
  // Manifests first, then the head: a snapshot is written after its seq is in the log, so every
  // manifest listed is at or below the head read after it.
  const manifests = new Map<number, SnapshotManifest>();
  for (const m of snapshots ? await snapshots.list() : []) manifests.set(m.seq, m);
  const headSeq = await log.headSeq();
  const pending: Promise<SnapshotCheck | null>[] = [];
  const state = emptyState();
  let chain: ChainHash = null;
  let chainFromSeq = 0;
  let broken: LogReport['broken'] = null;
  let hashAt = hashAtSeq === 0 ? stateHash(state) : '';
  let next = 1;
  let revision: string | undefined;

  const check = (ev: CairnEvent): void => {
    const bytes = storedBytes(ev)!;
    chain = followChain(chain, ev, bytes);
    if (chain && chainFromSeq === 0) chainFromSeq = ev.seq;
    applyEvent(state, ev);
    if (ev.seq === hashAtSeq) hashAt = stateHash(state);
    const m = manifests.get(ev.seq);
    if (m) pending.push(checkSnapshot(m, state, chain, snapshots!));
  };

  while (next <= headSeq && !broken) {
    const page = await readPage(log.client, log.keys, next, Math.min(PAGE, headSeq - next + 1), revision);
    revision ??= page.revision;
    for (const ev of page.events) {
      if (ev.seq !== next) {
        broken = { seq: next, detail: `missing from the log (the next stored event is seq ${ev.seq})` };
        break;
      }
      try {
        check(ev);
      } catch (e) {
        broken = { seq: ev.seq, detail: (e as Error).message };
        break;
      }
      next++;
    }
    if (broken) break;
    if (page.corrupt) broken = { seq: next, detail: page.corrupt.message };
    else if (page.events.length === 0) broken = { seq: next, detail: 'missing from the log' };
  }
  const checks = (await Promise.all(pending)).filter((c): c is SnapshotCheck => c !== null);
  for (const m of manifests.values()) {
    if (m.seq >= next)
      checks.push({
        seq: m.seq,
        ok: false,
        detail: broken ? `not checked: after the break at seq ${broken.seq}` : 'beyond the head of the log',
      });
  }
  checks.sort((a, b) => a.seq - b.seq);
  return { headSeq, checked: next - 1, chainFromSeq, broken, snapshots: checks, hashAt, state };
}

/**
 * A snapshot against the replay at its seq: its manifest names the replay's state hash and the
 * chain hash the log carries there, and its stored state has that hash. The replay's hash is
 * taken now; the stored state is read meanwhile. Null: the snapshot was pruned during the check.
 */
async function checkSnapshot(
  m: SnapshotManifest,
  state: ClusterState,
  chain: ChainHash,
  snapshots: SnapshotStore,
): Promise<SnapshotCheck | null> {
  const problems: string[] = [];
  const hash = stateHash(state);
  const stored = snapshots.read(m).then(
    (s) => stateHash(s),
    async (e: unknown) => {
      // Pruned meanwhile (a newer snapshot was written): gone, not bad.
      if (!(await snapshots.list()).some((x) => x.seq === m.seq)) return null;
      return `unreadable (${(e as Error).message})`;
    },
  );
  if (hash !== m.hash) problems.push(`its manifest's state hash ${m.hash} is not the replay's ${hash}`);
  const logged = chain?.toString('hex');
  if (m.chain !== undefined && m.chain !== logged)
    problems.push(`its chain hash ${m.chain} is not the log's ${logged ?? '(none)'}`);
  if (m.chain === undefined && logged !== undefined)
    problems.push('it records no chain hash, but the log has one at its seq');
  const storedHash = await stored;
  if (storedHash === null) return null;
  if (storedHash !== hash) problems.push(`its stored state hashes to ${storedHash}, not the replay's ${hash}`);
  return { seq: m.seq, ok: problems.length === 0, detail: problems.join('; ') };
}
