// Audit: the state at a past seq or time, why a volume's replicas are where they are, and whether
// the log holds (its hash chain, every snapshot) and a replay from seq 1 matches the live state.
// Everything here is derived from the log (and snapshots, which are checked by their hash), never
// from a process's memory.
import type { CairnEvent, ClusterState, EventLog, SnapshotStore } from '@cairn/metadata';
import { emptyState, replay, stateHash, canonicalJson, verifyLog } from '@cairn/metadata';
import type { Explanation } from '@cairn/api';
import { CommandError } from './errors.js';
import { explainBackup } from './backups.js';
import { explainJobEvent } from './job-explain.js';

/** The state after `seq`: the newest snapshot at or below it, then the events up to it. */
export async function stateAt(log: EventLog, snapshots: SnapshotStore | null, seq: number): Promise<ClusterState> {
  const base = (snapshots && (await snapshots.loadLatest(seq))) || emptyState();
  if (base.seq < seq) replay(base, await log.read(base.seq + 1, seq));
  return base;
}

/** The seq of the last event at or before `timeMs` (0 when the log starts later). */
export async function seqAtTime(log: EventLog, timeMs: number): Promise<number> {
  // Event times grow with seq (one appender's clock per Txn); binary search over single reads.
  let lo = 0,
    hi = await log.headSeq();
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    const [ev] = await log.read(mid, mid);
    if (ev && ev.timeMs <= timeMs) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

export async function auditState(
  log: EventLog,
  snapshots: SnapshotStore | null,
  headSeq: number,
  atSeq: number,
  atTimeMs: number,
) {
  let seq = atSeq;
  if (atSeq && atTimeMs) throw CommandError.invalid('give atSeq or atTimeMs, not both');
  if (atTimeMs) seq = await seqAtTime(log, atTimeMs);
  else if (!atSeq) seq = headSeq;
  if (seq > headSeq) throw CommandError.invalid(`atSeq ${seq} is beyond the log's head (${headSeq})`);
  const s = await stateAt(log, snapshots, seq);
  return { seq: s.seq, hash: stateHash(s), stateJson: canonicalJson(s) };
}

/**
 * Checks the whole log up to its head (metadata's verifyLog: hash chain, decode, apply, every
 * snapshot against the replay) and compares the replay at the live state's seq with the live
 * state. `projectionError` is why the live projection stopped, if it did.
 *
 * From seq 1 on every call, on purpose (unlike ExplainVolume, which reads through an index): an
 * auditor's verify must not trust what an earlier call (or this process's memory) found. A
 * "verified up to seq N" checkpoint would miss an event rewritten below N after it was checked,
 * which is what it is there to catch, and the replay from genesis is the only
 * thing the live state's hash can be compared with without trusting the projection being checked.
 */
export async function verify(
  log: EventLog,
  snapshots: SnapshotStore | null,
  live: ClusterState,
  projectionError?: unknown,
) {
  const seq = live.seq;
  const liveHash = stateHash(live); // taken now, before the live state moves on
  const r = await verifyLog(log, snapshots, seq);
  const replayHash = r.hashAt;
  const ok = liveHash === replayHash && !r.broken && r.snapshots.every((c) => c.ok) && !projectionError;
  return {
    seq,
    liveHash,
    replayHash,
    ok,
    events: r.checked,
    headSeq: r.headSeq,
    chainFromSeq: r.chainFromSeq,
    brokenSeq: r.broken?.seq ?? 0,
    problem: r.broken?.detail ?? '',
    snapshots: r.snapshots,
    projectionError: projectionError
      ? projectionError instanceof Error
        ? projectionError.message
        : String(projectionError)
      : '',
  };
}

const GiB = 2 ** 30;
const fmt = (b: number): string => (b >= GiB ? `${(b / GiB).toFixed(1)} GiB` : `${(b / 2 ** 20).toFixed(1)} MiB`);

/** One line per fact about a volume, oldest first, from the recorded events and their reasons. */
export function explainEvents(volume: string, events: CairnEvent[]): Explanation[] {
  const replicas = new Set<string>();
  const nodesOfReplicas = new Map<string, string>();
  const out: Explanation[] = [];
  const line = (ev: CairnEvent, text: string, replicaId = ''): void => {
    out.push({ seq: ev.seq, timeMs: ev.timeMs, replicaId, text });
  };
  for (const ev of events) {
    switch (ev.payload) {
      case 'volumeCreated': {
        const p = ev.volumeCreated!;
        if (p.name !== volume) break;
        const s = p.spec!;
        line(
          ev,
          `created by ${ev.actor}: ${fmt(s.size)}, ${s.numberOfReplicas} replicas` +
            `, data locality ${s.dataLocality.replace('DATA_LOCALITY_', '').toLowerCase()}` +
            (s.diskSelector.length ? `, disk selector ${s.diskSelector.join(',')}` : '') +
            (s.nodeSelector.length ? `, node selector ${s.nodeSelector.join(',')}` : '') +
            (p.dataSource
              ? `, as a copy of ${p.dataSource} (snapshot ${p.sourceSnapshot} of volume ${p.sourceVolume})`
              : '') +
            (p.fromBackup
              ? `, restored from backup ${p.fromBackup}${p.standby ? ' as a standby (DR) volume' : ''}`
              : ''),
        );
        break;
      }
      case 'volumeRestoreStarted': {
        const p = ev.volumeRestoreStarted!;
        if (p.name === volume)
          line(
            ev,
            `restore of ${p.backup} started on ${p.nodeId}${p.since ? ` (an increment over ${p.since})` : ' (full)'}`,
          );
        break;
      }
      case 'volumeRestoreCompleted': {
        const p = ev.volumeRestoreCompleted!;
        if (p.name === volume)
          line(ev, `restored ${p.backup} on ${p.nodeId}: ${p.writtenBlocks} blocks written, ${p.zeroedBlocks} zeroed`);
        break;
      }
      case 'volumeRestoreFailed': {
        const p = ev.volumeRestoreFailed!;
        if (p.name === volume) line(ev, `restore of ${p.backup} on ${p.nodeId} failed: ${p.reason}`);
        break;
      }
      case 'volumeRestoreRequested':
        if (ev.volumeRestoreRequested!.name === volume)
          line(ev, `newer backup to follow: ${ev.volumeRestoreRequested!.backup} (by ${ev.actor})`);
        break;
      case 'volumeActivationRequested':
        if (ev.volumeActivationRequested!.name === volume)
          line(ev, `activation requested by ${ev.actor}: the newest backup is restored first`);
        break;
      case 'volumeActivated':
        if (ev.volumeActivated!.name === volume)
          line(ev, `activated at ${ev.volumeActivated!.backup}: a normal volume from here on`);
        break;
      case 'volumeDataSourceCopied':
        if (ev.volumeDataSourceCopied!.name === volume)
          line(
            ev,
            `data source copied by its engine on ${ev.volumeDataSourceCopied!.nodeId}: the source may now be deleted`,
          );
        break;
      case 'volumeUpdated':
        if (ev.volumeUpdated!.name === volume)
          line(ev, `spec updated by ${ev.actor}: ${ev.volumeUpdated!.spec!.numberOfReplicas} replicas`);
        break;
      case 'volumeExpanded':
        if (ev.volumeExpanded!.name === volume) line(ev, `expanded to ${fmt(ev.volumeExpanded!.size)}`);
        break;
      case 'volumeAttachRequested':
        if (ev.volumeAttachRequested!.name === volume)
          line(ev, `attach to ${ev.volumeAttachRequested!.nodeId} requested by ${ev.actor}`);
        break;
      case 'volumeAttached':
        if (ev.volumeAttached!.name === volume)
          line(ev, `attached on ${ev.volumeAttached!.nodeId} at ${ev.volumeAttached!.endpoint}`);
        break;
      case 'volumeDetached':
        if (ev.volumeDetached!.name === volume) line(ev, `detached from ${ev.volumeDetached!.nodeId}`);
        break;
      case 'volumeUnschedulable': {
        const p = ev.volumeUnschedulable!;
        if (p.name !== volume) break;
        const why = p.candidates.map(
          (c) =>
            `${c.nodeId}${c.diskId ? '/' + c.diskId : ''}: ${c.reasons.join(', ')}${c.detail ? ` (${c.detail})` : ''}`,
        );
        line(ev, `${p.missing} replica(s) could not be placed: ${p.summary}${why.length ? `; ${why.join('; ')}` : ''}`);
        break;
      }
      case 'volumeWaiting':
        if (ev.volumeWaiting!.name === volume)
          line(ev, `its engine on ${ev.volumeWaiting!.nodeId} waits instead of opening: ${ev.volumeWaiting!.reason}`);
        break;
      case 'volumeSchedulable':
        if (ev.volumeSchedulable!.name === volume)
          line(ev, 'nothing blocked any more: the earlier unschedulable decision no longer applies');
        break;
      case 'replicaScheduled': {
        const p = ev.replicaScheduled!;
        if (p.volume !== volume) break;
        replicas.add(p.replicaId);
        nodesOfReplicas.set(p.replicaId, p.nodeId);
        const f = p.figures;
        const figures = f
          ? `; disk had ${fmt(f.storageAvailable)} available of ${fmt(f.storageMaximum)}` +
            `, ${fmt(f.storageScheduled)} scheduled, ${fmt(f.storageReserved)} reserved`
          : '';
        const rejected = p.rejected.length
          ? `; not elsewhere because ${p.rejected.map((c) => `${c.nodeId}${c.diskId ? '/' + c.diskId : ''}: ${c.reasons.join(', ')}`).join('; ')}`
          : '';
        line(
          ev,
          `placed on ${p.nodeId}/${p.diskId} (${p.trigger}${p.replaces ? `, replacing ${p.replaces}` : ''})` +
            `, best of ${p.candidatesConsidered} candidate disk(s), score ${p.score.toFixed(3)}` +
            `${p.notes.length ? `, ${p.notes.join(', ')}` : ''}${figures}${rejected}`,
          p.replicaId,
        );
        break;
      }
      case 'replicaRunning':
        if (replicas.has(ev.replicaRunning!.replicaId))
          line(ev, `running at ${ev.replicaRunning!.address}`, ev.replicaRunning!.replicaId);
        break;
      case 'replicaFailed':
        if (replicas.has(ev.replicaFailed!.replicaId))
          line(ev, `failed: ${ev.replicaFailed!.reason}`, ev.replicaFailed!.replicaId);
        break;
      case 'replicaRebuilding':
        if (replicas.has(ev.replicaRebuilding!.replicaId))
          line(ev, `rebuilding from ${ev.replicaRebuilding!.fromReplicaId}`, ev.replicaRebuilding!.replicaId);
        break;
      case 'replicaRebuilt':
        if (replicas.has(ev.replicaRebuilt!.replicaId))
          line(ev, 'rebuilt: healthy again', ev.replicaRebuilt!.replicaId);
        break;
      case 'replicaRemoved':
        if (replicas.has(ev.replicaRemoved!.replicaId))
          line(ev, `removed: ${ev.replicaRemoved!.reason}`, ev.replicaRemoved!.replicaId);
        break;
      case 'nodeDown': {
        const held = [...nodesOfReplicas]
          .filter(([id, n]) => n === ev.nodeDown!.nodeId && replicas.has(id))
          .map(([id]) => id);
        if (held.length)
          line(ev, `node ${ev.nodeDown!.nodeId} down (${ev.nodeDown!.reason}), holding ${held.join(', ')}`);
        break;
      }
      case 'nodeUp': {
        const held = [...nodesOfReplicas]
          .filter(([id, n]) => n === ev.nodeUp!.nodeId && replicas.has(id))
          .map(([id]) => id);
        if (held.length) line(ev, `node ${ev.nodeUp!.nodeId} up again, holding ${held.join(', ')}`);
        break;
      }
      case 'volumeDeleted':
        if (ev.volumeDeleted!.name === volume) line(ev, `deleted by ${ev.actor}`);
        break;
      case 'volumeAutoAttached': {
        const p = ev.volumeAutoAttached!;
        if (p.name !== volume) break;
        const rejected = p.rejected.length
          ? `; not on ${p.rejected.map((c) => `${c.nodeId}: ${c.reasons.join(', ')}`).join('; ')}`
          : '';
        line(
          ev,
          `attached by the scheduler on ${p.nodeId} without a frontend, for ${p.reason} (rebuilds ${p.replicaIds.join(', ')})${rejected}`,
        );
        break;
      }
      case 'volumeAutoDetached':
        if (ev.volumeAutoDetached!.name === volume)
          line(
            ev,
            `the scheduler's engine on ${ev.volumeAutoDetached!.nodeId} is stopped: ${ev.volumeAutoDetached!.reason}`,
          );
        break;
      case 'volumeSalvaged': {
        const p = ev.volumeSalvaged!;
        if (p.name !== volume) break;
        const figs = p.figures.map(
          (f) =>
            `${f.replicaId} on ${f.nodeId}: ` +
            (f.reported
              ? `revision ${f.revision}${f.cleanShutdown ? ', clean' : ''}${f.rebuilding ? ', rebuild unfinished' : ''}`
              : 'not reported'),
        );
        line(
          ev,
          `salvaged (${p.reason}, by ${ev.actor}): ${p.replicaIds.join(', ')} running again; figures ${figs.join('; ')}`,
        );
        break;
      }
      default: {
        const text = explainJobEvent(volume, ev) ?? explainBackup(volume, ev); // snapshots and recurring jobs; backups
        if (text) line(ev, text);
        break;
      }
    }
  }
  return out;
}
