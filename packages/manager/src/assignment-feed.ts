// What one node's WatchAssignments stream pushes next, kept per stream (pure: the node-facing
// service feeds it the projection's events and asks it for the next push).
//
// A push used to be the node's whole truth, computed from the whole state on every change: at a
// thousand replicas per node that was most of the manager's CPU under a create storm, and the
// agent decoded it all again each time. Now the feed remembers what it last sent for each
// replica, and after each event looks again only at the volumes that event touched (all of
// them after a node, disk or settings event, or a removal); a stream that asked for deltas gets
// just the replicas that changed and the ids of those gone. Engines (few: the volumes attached
// to the node) and detaching are computed whole each push and sent when they change, as are the
// backups and filesystem trims the node runs.
import type {
  Assignments,
  BackupAssignment,
  EngineAssignment,
  ReplicaAssignment,
  RestoreCredentials,
  TrimAssignment,
} from '@cairn/api';
import type { CairnEvent, ClusterState, ReplicaState } from '@cairn/metadata';
import { pendingTrimsOf, replicasOf, restoreSince, volumesTouched } from '@cairn/metadata';
import { restorePending } from '@cairn/scheduler';

/** The backup target's credentials for a backup URL (restores.ts), sent only with that volume's engine; null: none. */
export type RestoreCredentialsOf = (backupUrl: string) => RestoreCredentials | null;

const byCodePoint = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** One replica's assignment for the node that holds it. */
export function replicaAssignment(
  s: ClusterState,
  r: ReplicaState,
  secret: (volume: string) => string,
): ReplicaAssignment {
  const v = s.volumes.get(r.volume);
  return {
    replicaId: r.id,
    volume: r.volume,
    diskId: r.diskId,
    diskPath: s.nodes.get(r.nodeId)?.disks.get(r.diskId)?.path ?? '',
    size: r.size,
    state: r.mode,
    rebuildFrom: r.rebuildFrom,
    secret: secret(r.volume),
    snapshots: [...(v?.snapshots.keys() ?? [])].sort(),
    attached: (v?.attachState ?? 'detached') !== 'detached',
  };
}

/**
 * The engines a node runs (volumes attached or attaching there) and the volumes it is detaching.
 * `among`: the names of the volumes attached to the node, when the caller keeps them (else every
 * volume is looked at).
 */
export function enginesFor(
  s: ClusterState,
  nodeId: string,
  secret: (volume: string) => string,
  among?: Iterable<string>,
  credentials: RestoreCredentialsOf = () => null,
): { engines: EngineAssignment[]; detaching: string[] } {
  const engines: EngineAssignment[] = [];
  const detaching: string[] = [];
  const volumes = among ? [...among].flatMap((name) => s.volumes.get(name) ?? []) : s.volumes.values();
  for (const v of volumes) {
    if (v.attachedTo !== nodeId) continue;
    if (v.attachState === 'detaching') {
      detaching.push(v.name);
      continue;
    }
    // A volume being detached has no engine any more: the node stops it and reports it detached.
    if (v.attachState !== 'attaching' && v.attachState !== 'attached') continue;
    const ids = [...(s.replicasByVolume.get(v.name) ?? [])].sort(byCodePoint);
    const engineReplica = (r: ReplicaState) => ({
      // The address the replica's own node reported once it served it: empty until then, so
      // an engine never connects to a replica that does not exist yet.
      replicaId: r.id,
      nodeId: r.nodeId,
      address: r.address,
      state: r.mode,
      rebuildFrom: r.rebuildFrom,
    });
    const src = v.dataSource;
    engines.push({
      volume: v.name,
      size: v.spec.size,
      replicaIds: ids,
      secret: secret(v.name),
      snapshots: [...v.snapshots.keys()].sort(),
      replicas: ids.map((id) => s.replicas.get(id)!).map(engineReplica),
      // Until the copy is recorded: the source snapshot and where it can be read (the source
      // volume's running replicas, with that volume's secret).
      // An engine the scheduler started for an offline rebuild serves no export (Longhorn attaches
      // such a volume "without activating the frontend").
      noFrontend: v.autoAttach !== '',
      // What the engine shows its replicas: they refuse engines of older attachments (fencing).
      epoch: v.attachEpoch ?? 0,
      source:
        src && !src.copied
          ? {
              volume: src.volume,
              snapshot: src.snapshot,
              secret: secret(src.volume),
              replicas: replicasOf(s, src.volume)
                .filter((r) => r.mode === 'running' && r.address)
                .sort((a, b) => byCodePoint(a.id, b.id))
                .map(engineReplica),
            }
          : null,
      // A backup to restore (restores.ts): the engine restores it before anything else.
      restore:
        v.restore && restorePending(v)
          ? { backup: v.restore.backup, since: restoreSince(v.restore), credentials: credentials(v.restore.backup) }
          : null,
    });
  }
  engines.sort((a, b) => byCodePoint(a.volume!, b.volume!));
  detaching.sort(byCodePoint);
  return { engines, detaching };
}

/** The filesystem trims a node runs: those requested of it, of volumes attached there. */
export function trimsFor(s: ClusterState, nodeId: string): TrimAssignment[] {
  return pendingTrimsOf(s, nodeId).filter((t) => {
    const v = s.volumes.get(t.volume);
    return v?.attachedTo === nodeId && v.attachState === 'attached';
  });
}

/** Everything a node runs, whole (what the first push of a stream says). */
export function assignmentsFor(
  s: ClusterState,
  nodeId: string,
  secret: (volume: string) => string,
  credentials?: RestoreCredentialsOf,
): Assignments {
  const replicas: ReplicaAssignment[] = [];
  for (const r of s.replicas.values()) if (r.nodeId === nodeId) replicas.push(replicaAssignment(s, r, secret));
  replicas.sort((a, b) => byCodePoint(a.replicaId!, b.replicaId!));
  return {
    seq: s.seq,
    replicas,
    ...enginesFor(s, nodeId, secret, undefined, credentials),
    delta: false,
    removedReplicas: [],
    backups: [],
    trims: trimsFor(s, nodeId),
  };
}

interface Sent {
  volume: string;
  /** The assignment as last pushed, and its JSON (what a change is compared by). */
  assignment: ReplicaAssignment;
  json: string;
}

export class AssignmentFeed {
  private readonly sent = new Map<string, Sent>();
  private readonly sentByVolume = new Map<string, Set<string>>();
  private dirty = new Set<string>();
  private dirtyAll = true;
  private first = true;
  private lastEngines = '';
  /** The volumes attached to this node (in any attach state), kept like the replicas: the node's engines come from them. */
  private attached = new Set<string>();

  constructor(
    readonly nodeId: string,
    private readonly secret: (volume: string) => string,
    readonly deltas: boolean,
    /** The backups the node runs (backup-service.ts), whole in every push like the engines. */
    private readonly backups: (s: ClusterState, nodeId: string) => BackupAssignment[] = () => [],
    /** The backup target's credentials, sent with an engine that restores (restores.ts). */
    private readonly credentials?: RestoreCredentialsOf,
  ) {}

  /** Notes what an applied event touched (call after every event, in order). */
  touch(s: ClusterState, ev: CairnEvent): void {
    if (this.dirtyAll) return;
    const t = volumesTouched(s, ev);
    if (t === null) this.dirtyAll = true;
    else for (const v of t) this.dirty.add(v);
  }

  /** The push to send now, or null when nothing this node runs changed since the last one. */
  next(s: ClusterState): Assignments | null {
    const changed: ReplicaAssignment[] = [];
    const removed: string[] = [];
    const look = (r: ReplicaState, seen: Set<string>): void => {
      seen.add(r.id);
      const a = replicaAssignment(s, r, this.secret);
      const json = JSON.stringify(a);
      const before = this.sent.get(r.id);
      if (before?.json === json) return;
      if (!before) this.index(r.volume).add(r.id);
      this.sent.set(r.id, { volume: r.volume, assignment: a, json });
      changed.push(a);
    };
    const drop = (id: string): void => {
      const before = this.sent.get(id)!;
      this.sent.delete(id);
      const ids = this.sentByVolume.get(before.volume);
      ids?.delete(id);
      if (ids?.size === 0) this.sentByVolume.delete(before.volume);
      removed.push(id);
    };
    if (this.dirtyAll) {
      const seen = new Set<string>();
      for (const r of s.replicas.values()) if (r.nodeId === this.nodeId) look(r, seen);
      for (const id of [...this.sent.keys()]) if (!seen.has(id)) drop(id);
      this.attached = new Set();
      for (const v of s.volumes.values()) if (v.attachedTo === this.nodeId) this.attached.add(v.name);
    } else {
      for (const volume of this.dirty) {
        const seen = new Set<string>();
        for (const r of replicasOf(s, volume)) if (r.nodeId === this.nodeId) look(r, seen);
        for (const id of [...(this.sentByVolume.get(volume) ?? [])]) if (!seen.has(id)) drop(id);
        if (s.volumes.get(volume)?.attachedTo === this.nodeId) this.attached.add(volume);
        else this.attached.delete(volume);
      }
    }
    this.dirty = new Set();
    this.dirtyAll = false;
    // Each engine is computed whole every push (its replicas, its data source's): only which
    // volumes are attached here is kept from push to push (at 10,000 volumes a scan of them all
    // per push and node was most of a push's cost).
    const { engines, detaching } = enginesFor(s, this.nodeId, this.secret, this.attached, this.credentials);
    const backups = this.backups(s, this.nodeId);
    const trims = trimsFor(s, this.nodeId);
    const enginesJson = JSON.stringify([engines, detaching, backups, trims]);
    const first = this.first;
    if (!first && changed.length === 0 && removed.length === 0 && enginesJson === this.lastEngines) return null;
    this.first = false;
    this.lastEngines = enginesJson;
    if (this.deltas && !first) {
      changed.sort((a, b) => byCodePoint(a.replicaId!, b.replicaId!));
      return {
        seq: s.seq,
        replicas: changed,
        engines,
        detaching,
        delta: true,
        removedReplicas: removed.sort(byCodePoint),
        backups,
        trims,
      };
    }
    const replicas = [...this.sent.values()]
      .map((x) => x.assignment)
      .sort((a, b) => byCodePoint(a.replicaId!, b.replicaId!));
    return { seq: s.seq, replicas, engines, detaching, delta: false, removedReplicas: [], backups, trims };
  }

  private index(volume: string): Set<string> {
    let ids = this.sentByVolume.get(volume);
    if (!ids) this.sentByVolume.set(volume, (ids = new Set()));
    return ids;
  }
}
