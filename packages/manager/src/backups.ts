// Backups, the pure part: what a request appends, which node runs a backup (the leader's
// decision), what a node's report of one appends, what a node is assigned, how a backup looks to
// users. No I/O here: backup-service.ts reads the target and etcd and appends what these decide.
//
// A backup's life in the log: BackupRequested (an admin) -> BackupAssigned (the leader: a node
// holding a running replica of the volume, under backup-concurrent-limit per node) ->
// BackupStarted (that node) -> BackupCompleted (the node, once the cfg is in the target; the
// manager checks it is there before it appends) or BackupFailed (the node's error, or the
// leader's: the node went down, the replica or the snapshot went). The data goes from the
// node's own replica store to the target, never through a manager.
import { createHash } from 'node:crypto';
import type { BackupAssignment, Backup__Output } from '@cairn/api';
import type { BackupRecord, CairnEvent, ClusterState, EventDraft, VolumeState } from '@cairn/metadata';
import { backupsInFlight, replicasOf, restoreBlocksAttach } from '@cairn/metadata';
import { CommandError } from './errors.js';
import { checkName, requireVolume } from './commands.js';

/** The admin RPCs backup-service.ts serves. */
export type BackupRpc =
  'SetBackupTarget' | 'GetBackupTarget' | 'CreateBackup' | 'GetBackup' | 'ListBackups' | 'DeleteBackup';

/** The name of a backup: from the request id when there is one (a retried call is the same backup), else from the seq. */
export function backupName(requestId: string, seq: number): string {
  return requestId
    ? `backup-${createHash('sha256').update(requestId).digest('hex').slice(0, 16)}`
    : `backup-${seq + 1}`;
}

export interface CreateBackup {
  volume: string;
  /** The snapshot to back up; '' takes a new one named after the backup. */
  snapshot: string;
  name: string;
  labels: Record<string, string>;
}

const LABEL_KEY_RE = /^[A-Za-z0-9]([A-Za-z0-9._/-]{0,251}[A-Za-z0-9])?$/;

/**
 * `cairn backup create`: the snapshot (made here when none is named, in the same append) and the
 * request. Refused by name: an unknown volume or snapshot (NOT_FOUND), no target set or a volume
 * still copying its data source (FAILED_PRECONDITION). The same name again with the same snapshot
 * is the same backup (nothing appended).
 */
export function createBackupDrafts(
  s: ClusterState,
  r: CreateBackup,
  urlOf: (target: string, volume: string, name: string) => string,
): EventDraft[] {
  if (!r.volume) throw CommandError.invalid('volume is required');
  const v = requireVolume(s, r.volume);
  // A volume still restoring (or a standby one) holds part of its data: a backup would keep that part.
  const restoring = restoreBlocksAttach(v);
  if (restoring) throw CommandError.precondition(`cannot back up: ${restoring}`);
  const target = s.settings['backup-target'];
  if (!target) throw CommandError.precondition('no backup target is set: set one with "cairn backup target set URL"');
  checkName('name', r.name);
  for (const [k, val] of Object.entries(r.labels)) {
    if (!LABEL_KEY_RE.test(k) || val.length > 256)
      throw CommandError.invalid(
        `labels: "${k}" is not a valid label (key: letters, digits, '-', '.', '_', '/'; value up to 256 characters)`,
      );
  }
  const snapshot = r.snapshot || r.name;
  const existing = v.backups?.[r.name];
  if (existing) {
    if (existing.snapshot === snapshot) return [];
    throw CommandError.exists(`backup "${r.name}" of volume "${r.volume}" exists, of snapshot "${existing.snapshot}"`);
  }
  const out: EventDraft[] = [];
  if (r.snapshot) {
    if (!v.snapshots.has(r.snapshot))
      throw CommandError.notFound(`volume "${r.volume}" has no snapshot "${r.snapshot}"`);
  } else {
    checkName('snapshot', snapshot);
    if (v.dataSource && !v.dataSource.copied) {
      throw CommandError.precondition(
        `volume "${r.volume}" is still copying its data source (${v.dataSource.uri}): back it up once the copy is complete`,
      );
    }
    if (!v.snapshots.has(snapshot))
      out.push({ snapshotCreated: { volume: r.volume, name: snapshot, size: v.spec.size } });
  }
  out.push({
    backupRequested: {
      volume: r.volume,
      name: r.name,
      snapshot,
      target,
      url: urlOf(target, r.volume, r.name),
      labels: r.labels,
    },
  });
  return out;
}

/** Backups assigned to or running on each node. */
function loadByNode(s: ClusterState): Map<string, number> {
  const load = new Map<string, number>();
  for (const v of s.volumes.values()) {
    if (!v.backups) continue;
    for (const b of backupsInFlight(v))
      if (b.nodeId && b.state !== 'pending') load.set(b.nodeId, (load.get(b.nodeId) ?? 0) + 1);
  }
  return load;
}

/** Why a backup assigned to a node cannot go on there, or null while it can. */
export function assignedTrouble(s: ClusterState, v: VolumeState, b: BackupRecord): string | null {
  if (!v.snapshots.has(b.snapshot)) return `snapshot "${b.snapshot}" was deleted`;
  const node = s.nodes.get(b.nodeId);
  if (!node) return `node "${b.nodeId}" is gone`;
  if (node.down) return `node "${b.nodeId}" is down${node.downReason ? ` (${node.downReason})` : ''}`;
  const r = s.replicas.get(b.replicaId);
  if (!r || r.volume !== v.name) return `replica "${b.replicaId}" was removed`;
  if (r.mode !== 'running')
    return `replica "${b.replicaId}" is ${r.mode}${r.failedReason ? ` (${r.failedReason})` : ''}`;
  return null;
}

/**
 * The leader's decisions about backups (pure, over the projected state): a backup whose node,
 * replica or snapshot went fails with the reason; a pending one goes to the node with the fewest
 * backups among those holding a running replica of the volume (not down), under
 * backup-concurrent-limit per node; none free: it stays pending. Oldest requests first.
 */
export function decideBackups(s: ClusterState): EventDraft[] {
  const out: EventDraft[] = [];
  const load = loadByNode(s);
  const limit = s.settings['backup-concurrent-limit'];
  const pending: { v: VolumeState; b: BackupRecord }[] = [];
  for (const v of s.volumes.values()) {
    if (!v.backups) continue;
    for (const b of backupsInFlight(v)) {
      if (b.state === 'pending') {
        if (!v.snapshots.has(b.snapshot))
          out.push({
            backupFailed: { volume: v.name, name: b.name, nodeId: '', reason: `snapshot "${b.snapshot}" was deleted` },
          });
        else pending.push({ v, b });
        continue;
      }
      const why = assignedTrouble(s, v, b);
      if (why) {
        out.push({ backupFailed: { volume: v.name, name: b.name, nodeId: b.nodeId, reason: why } });
        load.set(b.nodeId, (load.get(b.nodeId) ?? 1) - 1);
      }
    }
  }
  pending.sort((x, y) => x.b.requestedSeq - y.b.requestedSeq);
  for (const { v, b } of pending) {
    const candidates = replicasOf(s, v.name)
      .filter(
        (r) => r.mode === 'running' && r.address && !s.nodes.get(r.nodeId)?.down && (load.get(r.nodeId) ?? 0) < limit,
      )
      .sort(
        (x, y) => (load.get(x.nodeId) ?? 0) - (load.get(y.nodeId) ?? 0) || (x.id < y.id ? -1 : x.id > y.id ? 1 : 0),
      );
    const r = candidates[0];
    if (!r) continue;
    out.push({ backupAssigned: { volume: v.name, name: b.name, nodeId: r.nodeId, replicaId: r.id } });
    load.set(r.nodeId, (load.get(r.nodeId) ?? 0) + 1);
  }
  return out;
}

/** The backups a node runs (assigned to it, or started there), with the target's credentials. */
export function backupAssignments(
  s: ClusterState,
  nodeId: string,
  credentials: Record<string, string>,
): BackupAssignment[] {
  const out: BackupAssignment[] = [];
  for (const v of s.volumes.values()) {
    if (!v.backups) continue;
    for (const b of backupsInFlight(v)) {
      if (b.state === 'pending' || b.nodeId !== nodeId) continue;
      out.push({
        volume: v.name,
        name: b.name,
        snapshot: b.snapshot,
        replicaId: b.replicaId,
        target: b.target,
        url: b.url,
        size: v.snapshots.get(b.snapshot)?.size ?? v.spec.size,
        labels: b.labels,
        credentials,
        state: b.state,
      });
    }
  }
  return out.sort((a, b) => (a.url! < b.url! ? -1 : a.url! > b.url! ? 1 : 0));
}

export interface BackupReportIn {
  volume: string;
  name: string;
  state: string;
  url: string;
  size: number;
  blocks: number;
  uploadedBlocks: number;
  uploadedBytes: number;
  reusedBlocks: number;
  reason: string;
}

/**
 * What a node's reports of its backups append: started, completed, failed, each once, and only
 * from the node the backup is assigned to (another node's report is refused). A report about a
 * backup that ended or went is stale: nothing. `progress` reports append nothing.
 */
export function backupReportDrafts(s: ClusterState, nodeId: string, reports: BackupReportIn[]): EventDraft[] {
  const out: EventDraft[] = [];
  for (const r of reports) {
    const b = s.volumes.get(r.volume)?.backups?.[r.name];
    if (!b || (b.state !== 'assigned' && b.state !== 'running')) continue;
    if (b.nodeId !== nodeId)
      throw CommandError.precondition(
        `backup "${r.name}" of volume "${r.volume}" is assigned to node "${b.nodeId}", not "${nodeId}"`,
      );
    switch (r.state) {
      case 'progress':
        break;
      case 'started':
        if (b.state === 'assigned') out.push({ backupStarted: { volume: r.volume, name: r.name, nodeId } });
        break;
      case 'completed':
        out.push({
          backupCompleted: {
            volume: r.volume,
            name: r.name,
            nodeId,
            url: b.url,
            size: r.size,
            blocks: r.blocks,
            uploadedBlocks: r.uploadedBlocks,
            uploadedBytes: r.uploadedBytes,
            reusedBlocks: r.reusedBlocks,
          },
        });
        break;
      case 'failed':
        out.push({
          backupFailed: {
            volume: r.volume,
            name: r.name,
            nodeId,
            reason: (r.reason || 'reported failed').slice(0, 1000),
          },
        });
        break;
      default:
        throw CommandError.invalid(
          `backups.state "${r.state}" is not valid: use progress, started, completed or failed`,
        );
    }
  }
  return out;
}

/**
 * How a backup recorded in the log looks to users (progress: the node's last report while it
 * runs). Until it completes, its size is the snapshot's (`s`: the state, when at hand).
 */
export function recordView(volume: string, b: BackupRecord, progress: number, s?: ClusterState): Backup__Output {
  return {
    name: b.name,
    volume,
    snapshot: b.snapshot,
    url: b.url,
    state: b.state,
    size: b.size || (s?.volumes.get(volume)?.snapshots.get(b.snapshot)?.size ?? 0),
    nodeId: b.nodeId,
    error: b.error,
    progress: b.state === 'completed' ? 100 : b.state === 'running' ? progress : 0,
    createdMs: b.requestedMs,
    blocks: b.blocks,
    uploadedBlocks: b.uploadedBlocks,
    uploadedBytes: b.uploadedBytes,
    labels: b.labels,
  };
}

/** The line `cairn audit explain VOLUME` gives a backup event of that volume (null: not a backup event of it). */
export function explainBackup(volume: string, ev: CairnEvent): string | null {
  const by = ev.actor;
  switch (ev.payload) {
    case 'backupRequested': {
      const p = ev.backupRequested!;
      return p.volume === volume ? `backup ${p.name} of snapshot ${p.snapshot} requested by ${by}, to ${p.url}` : null;
    }
    case 'backupAssigned': {
      const p = ev.backupAssigned!;
      return p.volume === volume ? `backup ${p.name} assigned to ${p.nodeId} (its replica ${p.replicaId})` : null;
    }
    case 'backupStarted': {
      const p = ev.backupStarted!;
      return p.volume === volume ? `backup ${p.name} started on ${p.nodeId}` : null;
    }
    case 'backupCompleted': {
      const p = ev.backupCompleted!;
      return p.volume === volume
        ? `backup ${p.name} completed on ${p.nodeId}: ${p.blocks} blocks, ${p.uploadedBlocks} uploaded (${p.uploadedBytes} bytes), ${p.reusedBlocks} reused`
        : null;
    }
    case 'backupFailed': {
      const p = ev.backupFailed!;
      return p.volume === volume ? `backup ${p.name} failed${p.nodeId ? ` on ${p.nodeId}` : ''}: ${p.reason}` : null;
    }
    case 'backupDeleted': {
      const p = ev.backupDeleted!;
      return p.volume === volume ? `backup ${p.name} removed by ${by} (${p.removedBlocks} blocks freed)` : null;
    }
    default:
      return null;
  }
}

/** A backup recorded in the log, by url. */
export function findRecord(s: ClusterState, url: string): { volume: string; record: BackupRecord } | null {
  for (const v of s.volumes.values()) {
    if (!v.backups) continue;
    for (const b of Object.values(v.backups)) if (b.url === url) return { volume: v.name, record: b };
  }
  return null;
}
