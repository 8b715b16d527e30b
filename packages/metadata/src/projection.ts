// The projection: a pure reducer from events to ClusterState. No clock (an event's own time_ms
// is data), no I/O, no randomness: the same log gives the same state, byte for byte.
//
// For speed the reducer updates the state it is given and returns it (a replay of a million
// events cannot afford a copy of every map per event). A caller that needs the state before an
// event keeps a copy (cloneState). Events about things that no longer exist (a node reporting on
// a replica removed a moment before) are stale, not corrupt: they change nothing, the same way in
// every replay. Event types or settings the reducer does not know stop it with an error naming
// the seq.
import type { CairnEvent } from './events.js';
import { payloadOf } from './events.js';
import { CorruptError, InvalidSettingError, UnknownEventTypeError } from './errors.js';
import { parseSettings } from './settings.js';
import type { CandidateRejection__Output, VolumeCreated__Output, VolumeSpec__Output } from '@cairn/schema/events';
import type {
  AccessMode,
  AntiAffinityOverride,
  BackupRecord,
  ClusterState,
  DataLocality,
  NodeState,
  Rejection,
  ReplicaState,
  VolumeAutoBalance,
  VolumeSpec,
  VolumeState,
} from './state.js';
import { addLoad, replicasOf, setMode } from './state.js';
import { applyRecurringJobEvent, sortedRecord } from './recurring-jobs.js';

const LOCALITY: Record<string, DataLocality> = {
  DATA_LOCALITY_DISABLED: 'disabled',
  DATA_LOCALITY_BEST_EFFORT: 'best-effort',
  DATA_LOCALITY_STRICT_LOCAL: 'strict-local',
};
const AUTO_BALANCE: Record<string, VolumeAutoBalance> = {
  REPLICA_AUTO_BALANCE_IGNORED: 'ignored',
  REPLICA_AUTO_BALANCE_DISABLED: 'disabled',
  REPLICA_AUTO_BALANCE_LEAST_EFFORT: 'least-effort',
  REPLICA_AUTO_BALANCE_BEST_EFFORT: 'best-effort',
};
const ANTI_AFFINITY: Record<string, AntiAffinityOverride> = {
  ANTI_AFFINITY_DEFAULT: 'default',
  ANTI_AFFINITY_ENABLED: 'enabled',
  ANTI_AFFINITY_DISABLED: 'disabled',
};
const ACCESS: Record<string, AccessMode> = { ACCESS_MODE_RWO: 'rwo', ACCESS_MODE_RWX: 'rwx' };

function enumOf<T>(table: Record<string, T>, value: string, seq: number, what: string): T {
  const v = table[value];
  if (v === undefined) throw new UnknownEventTypeError(seq, `${what} ${value}`);
  return v;
}

/** A VolumeCreated's CSI fields, as VolumeState keeps them: only those that are set. */
function csiOrigin(p: VolumeCreated__Output): Pick<VolumeState, 'csiName' | 'kubernetes' | 'unsupportedParameters'> {
  const k = p.kubernetes;
  return {
    ...(p.csiName ? { csiName: p.csiName } : {}),
    ...(k && (k.pvcName || k.pvName)
      ? { kubernetes: { pvcNamespace: k.pvcNamespace, pvcName: k.pvcName, pvName: k.pvName } }
      : {}),
    ...(p.unsupportedParameters.length
      ? { unsupportedParameters: p.unsupportedParameters.map(({ key, value, reason }) => ({ key, value, reason })) }
      : {}),
  };
}

export function specFromEvent(s: VolumeSpec__Output | null, seq: number): VolumeSpec {
  if (!s) throw new CorruptError(seq, 'volume spec missing');
  return {
    size: s.size,
    numberOfReplicas: s.numberOfReplicas,
    dataLocality: enumOf(LOCALITY, s.dataLocality, seq, 'data locality'),
    diskSelector: [...s.diskSelector],
    nodeSelector: [...s.nodeSelector],
    replicaAutoBalance: enumOf(AUTO_BALANCE, s.replicaAutoBalance, seq, 'replica auto balance'),
    staleReplicaTimeout: s.staleReplicaTimeout,
    replicaSoftAntiAffinity: enumOf(ANTI_AFFINITY, s.replicaSoftAntiAffinity, seq, 'anti-affinity'),
    replicaZoneSoftAntiAffinity: enumOf(ANTI_AFFINITY, s.replicaZoneSoftAntiAffinity, seq, 'anti-affinity'),
    replicaDiskSoftAntiAffinity: enumOf(ANTI_AFFINITY, s.replicaDiskSoftAntiAffinity, seq, 'anti-affinity'),
    accessMode: enumOf(ACCESS, s.accessMode, seq, 'access mode'),
    fsType: s.fsType,
    mkfsParams: s.mkfsParams,
    // Only when it has labels: a spec without them is the spec it was before labels.
    ...(Object.keys(s.labels).length ? { labels: sortedRecord(s.labels) } : {}),
  };
}

function rejections(cs: CandidateRejection__Output[]): Rejection[] {
  return cs.map((c) => ({ nodeId: c.nodeId, diskId: c.diskId, reasons: [...c.reasons], detail: c.detail }));
}

function removeReplica(state: ClusterState, r: ReplicaState): void {
  addLoad(state, r, -1);
  state.replicas.delete(r.id);
  const ids = state.replicasByVolume.get(r.volume);
  if (ids) {
    ids.delete(r.id);
    if (ids.size === 0) state.replicasByVolume.delete(r.volume);
  }
}

/**
 * Applies one event. Events must come in seq order without gaps: state.seq + 1 is the only seq
 * accepted, so a replay that skipped or repeated an event fails loudly instead of diverging.
 */
export function applyEvent(state: ClusterState, ev: CairnEvent): ClusterState {
  const seq = ev.seq;
  if (seq !== state.seq + 1) throw new CorruptError(seq, `out of order: projection is at seq ${state.seq}`);
  const t = ev.timeMs;
  switch (ev.payload) {
    case 'nodeRegistered': {
      const p = payloadOf(ev, 'nodeRegistered');
      const existing = state.nodes.get(p.nodeId);
      if (existing) {
        // A node agent that registers again (a restart) refreshes where it is, keeps its spec.
        existing.address = p.address;
        existing.zone = p.zone;
        existing.hostname = p.hostname;
      } else {
        const node: NodeState = {
          id: p.nodeId,
          address: p.address,
          zone: p.zone,
          hostname: p.hostname,
          tags: [...p.tags],
          allowScheduling: true,
          evictionRequested: false,
          cordoned: false,
          down: false,
          downReason: '',
          downSinceMs: 0,
          disks: new Map(),
        };
        state.nodes.set(p.nodeId, node);
      }
      break;
    }
    case 'nodeUpdated': {
      const p = payloadOf(ev, 'nodeUpdated');
      const n = state.nodes.get(p.nodeId);
      if (n) {
        n.allowScheduling = p.allowScheduling;
        n.evictionRequested = p.evictionRequested;
        n.tags = [...p.tags];
        n.cordoned = p.cordoned;
      }
      break;
    }
    case 'nodeDown': {
      const p = payloadOf(ev, 'nodeDown');
      const n = state.nodes.get(p.nodeId);
      if (n && !n.down) {
        n.down = true;
        n.downReason = p.reason;
        n.downSinceMs = t;
      }
      break;
    }
    case 'nodeUp': {
      const n = state.nodes.get(payloadOf(ev, 'nodeUp').nodeId);
      if (n) {
        n.down = false;
        n.downReason = '';
        n.downSinceMs = 0;
      }
      break;
    }
    case 'diskAdded': {
      const p = payloadOf(ev, 'diskAdded');
      const n = state.nodes.get(p.nodeId);
      if (n && !n.disks.has(p.diskId)) {
        n.disks.set(p.diskId, {
          id: p.diskId,
          nodeId: p.nodeId,
          path: p.path,
          tags: [...p.tags],
          allowScheduling: p.allowScheduling,
          evictionRequested: false,
          storageMaximum: p.storageMaximum,
          storageAvailable: p.storageAvailable,
          storageReserved: p.storageReserved,
        });
      }
      break;
    }
    case 'diskUpdated': {
      const p = payloadOf(ev, 'diskUpdated');
      const d = state.nodes.get(p.nodeId)?.disks.get(p.diskId);
      if (d) {
        d.tags = [...p.tags];
        d.allowScheduling = p.allowScheduling;
        d.evictionRequested = p.evictionRequested;
        d.storageReserved = p.storageReserved;
        d.storageMaximum = p.storageMaximum;
        d.storageAvailable = p.storageAvailable;
      }
      break;
    }
    case 'diskRemoved': {
      const p = payloadOf(ev, 'diskRemoved');
      state.nodes.get(p.nodeId)?.disks.delete(p.diskId);
      break;
    }
    case 'volumeCreated': {
      const p = payloadOf(ev, 'volumeCreated');
      if (!state.volumes.has(p.name)) {
        state.volumes.set(p.name, {
          name: p.name,
          spec: specFromEvent(p.spec, seq),
          createdSeq: seq,
          attachState: 'detached',
          attachedTo: '',
          endpoint: '',
          unschedulable: null,
          snapshots: new Map(),
          dataSource: p.dataSource
            ? { uri: p.dataSource, volume: p.sourceVolume, snapshot: p.sourceSnapshot, copied: false }
            : null,
          autoAttach: '',
          pendingAttach: '',
          ...csiOrigin(p),
          ...(p.fromBackup
            ? {
                restore: {
                  from: p.fromBackup,
                  backup: p.fromBackup,
                  restored: '',
                  started: '',
                  standby: p.standby,
                  activating: false,
                  error: '',
                },
              }
            : {}),
        });
      }
      break;
    }
    case 'volumeUpdated': {
      const p = payloadOf(ev, 'volumeUpdated');
      const v = state.volumes.get(p.name);
      if (v) v.spec = { ...specFromEvent(p.spec, seq), size: v.spec.size };
      break;
    }
    case 'volumeExpanded': {
      const p = payloadOf(ev, 'volumeExpanded');
      const v = state.volumes.get(p.name);
      if (v && p.size > v.spec.size) {
        v.spec.size = p.size;
        for (const r of replicasOf(state, p.name)) {
          addLoad(state, r, -1);
          r.size = p.size;
          addLoad(state, r, 1);
        }
      }
      break;
    }
    case 'volumeAttachRequested': {
      const p = payloadOf(ev, 'volumeAttachRequested');
      const v = state.volumes.get(p.name);
      if (!v) break;
      delete v.waiting;
      // A user attach takes over an offline engine: on its node, the engine gets its frontend
      // (nothing restarts); elsewhere, the engine is stopped first and the attach proceeds on
      // the VolumeDetached. Either way the attach is the user's from here on.
      const offline = v.autoAttach !== '' && v.attachState !== 'detached';
      v.autoAttach = '';
      // (An offline engine whose node is down went with it: nothing to stop, attach at once.)
      const engineNode = state.nodes.get(v.attachedTo);
      if (offline && engineNode && !engineNode.down && (v.attachedTo !== p.nodeId || v.attachState === 'detaching')) {
        v.attachState = 'detaching';
        v.pendingAttach = p.nodeId;
        break;
      }
      // A new attachment gets a new epoch; the engine already running there (a repeat, or an
      // offline engine given its frontend) keeps its own.
      if (v.attachedTo !== p.nodeId || v.attachState === 'detached' || v.attachState === 'detaching')
        v.attachEpoch = seq;
      v.attachState = 'attaching';
      v.attachedTo = p.nodeId;
      v.endpoint = '';
      break;
    }
    case 'volumeAttached': {
      const p = payloadOf(ev, 'volumeAttached');
      const v = state.volumes.get(p.name);
      if (v) {
        if (v.attachedTo !== p.nodeId) v.attachEpoch = seq;
        v.attachState = 'attached';
        v.attachedTo = p.nodeId;
        v.endpoint = p.endpoint;
        delete v.waiting;
      }
      break;
    }
    case 'volumeDetachRequested': {
      const v = state.volumes.get(payloadOf(ev, 'volumeDetachRequested').name);
      if (v && v.attachState !== 'detached') v.attachState = 'detaching';
      if (v) {
        delete v.waiting;
        v.pendingAttach = ''; // a user attach waiting for the offline engine to stop is called off
      }
      break;
    }
    case 'volumeWaiting': {
      const p = payloadOf(ev, 'volumeWaiting');
      const v = state.volumes.get(p.name);
      if (v && v.attachState === 'attaching' && v.attachedTo === p.nodeId)
        v.waiting = { nodeId: p.nodeId, reason: p.reason, seq };
      break;
    }
    case 'volumeDetached': {
      const v = state.volumes.get(payloadOf(ev, 'volumeDetached').name);
      if (v) {
        v.autoAttach = '';
        v.endpoint = '';
        delete v.waiting;
        if (v.pendingAttach) {
          // The offline engine is gone: the user attach that waited for it proceeds.
          v.attachState = 'attaching';
          v.attachedTo = v.pendingAttach;
          v.attachEpoch = seq;
          v.pendingAttach = '';
        } else {
          v.attachState = 'detached';
          v.attachedTo = '';
        }
      }
      break;
    }
    case 'volumeDeleted': {
      const name = payloadOf(ev, 'volumeDeleted').name;
      for (const r of replicasOf(state, name)) removeReplica(state, r);
      state.volumes.delete(name);
      break;
    }
    case 'volumeUnschedulable': {
      const p = payloadOf(ev, 'volumeUnschedulable');
      const v = state.volumes.get(p.name);
      if (v) v.unschedulable = { seq, missing: p.missing, summary: p.summary, candidates: rejections(p.candidates) };
      break;
    }
    case 'volumeSchedulable': {
      const v = state.volumes.get(payloadOf(ev, 'volumeSchedulable').name);
      if (v) v.unschedulable = null;
      break;
    }
    case 'replicaScheduled': {
      const p = payloadOf(ev, 'replicaScheduled');
      const v = state.volumes.get(p.volume);
      if (v && !state.replicas.has(p.replicaId)) {
        const r: ReplicaState = {
          id: p.replicaId,
          volume: p.volume,
          nodeId: p.nodeId,
          diskId: p.diskId,
          mode: 'scheduled',
          size: v.spec.size,
          address: '',
          trigger: p.trigger,
          replaces: p.replaces,
          scheduledSeq: seq,
          failedAtMs: 0,
          failedReason: '',
          rebuildFrom: '',
          failures: 0,
        };
        state.replicas.set(p.replicaId, r);
        addLoad(state, r, 1);
        let ids = state.replicasByVolume.get(p.volume);
        if (!ids) state.replicasByVolume.set(p.volume, (ids = new Set()));
        ids.add(p.replicaId);
        v.unschedulable = null;
      }
      break;
    }
    case 'replicaRunning': {
      const p = payloadOf(ev, 'replicaRunning');
      const r = state.replicas.get(p.replicaId);
      // Only a new replica turns running this way. One being rebuilt turns healthy through
      // ReplicaRebuilt; a failed one may have missed writes, so it comes back only through a
      // rebuild the scheduler decides. For those, the report only records where it serves.
      if (r && r.mode === 'scheduled') {
        setMode(state, r, 'running');
        r.address = p.address;
      } else if (r) {
        r.address = p.address;
      }
      break;
    }
    case 'replicaFailed': {
      const p = payloadOf(ev, 'replicaFailed');
      const r = state.replicas.get(p.replicaId);
      if (r) {
        setMode(state, r, 'failed');
        r.failedAtMs = t;
        r.failedReason = p.reason;
        r.rebuildFrom = '';
        r.failures++;
      }
      break;
    }
    case 'replicaRebuilding': {
      const p = payloadOf(ev, 'replicaRebuilding');
      const r = state.replicas.get(p.replicaId);
      if (r) {
        setMode(state, r, 'rebuilding');
        r.rebuildFrom = p.fromReplicaId;
      }
      break;
    }
    case 'replicaRebuilt': {
      const r = state.replicas.get(payloadOf(ev, 'replicaRebuilt').replicaId);
      if (r && r.mode === 'rebuilding') {
        setMode(state, r, 'running');
        r.rebuildFrom = '';
        r.failedAtMs = 0;
        r.failedReason = '';
        r.failures = 0;
      }
      break;
    }
    case 'replicaRemoved': {
      const r = state.replicas.get(payloadOf(ev, 'replicaRemoved').replicaId);
      if (r) removeReplica(state, r);
      break;
    }
    case 'settingsChanged': {
      const p = payloadOf(ev, 'settingsChanged');
      try {
        Object.assign(state.settings, parseSettings(p.values));
      } catch (e) {
        if (e instanceof InvalidSettingError) throw new CorruptError(seq, e.message);
        throw e;
      }
      break;
    }
    case 'snapshotCreated': {
      const p = payloadOf(ev, 'snapshotCreated');
      const v = state.volumes.get(p.volume);
      if (v && !v.snapshots.has(p.name))
        v.snapshots.set(p.name, { name: p.name, size: p.size, createdSeq: seq, createdMs: t });
      break;
    }
    case 'snapshotDeleted': {
      const p = payloadOf(ev, 'snapshotDeleted');
      state.volumes.get(p.volume)?.snapshots.delete(p.name);
      break;
    }
    case 'volumeDataSourceCopied': {
      const v = state.volumes.get(payloadOf(ev, 'volumeDataSourceCopied').name);
      if (v?.dataSource) v.dataSource.copied = true;
      break;
    }
    case 'volumeRestoreStarted': {
      const p = payloadOf(ev, 'volumeRestoreStarted');
      const r = state.volumes.get(p.name)?.restore;
      if (r) {
        r.started = p.backup;
        if (r.backup === p.backup) r.error = '';
      }
      break;
    }
    case 'volumeRestoreCompleted': {
      const p = payloadOf(ev, 'volumeRestoreCompleted');
      const r = state.volumes.get(p.name)?.restore;
      // An older backup completed (a standby volume found a newer one meanwhile) is still what its
      // replicas hold: the next increment starts from it.
      if (r) {
        r.restored = p.backup;
        if (r.backup === p.backup) r.error = '';
      }
      break;
    }
    case 'volumeRestoreFailed': {
      const p = payloadOf(ev, 'volumeRestoreFailed');
      const r = state.volumes.get(p.name)?.restore;
      if (r && r.backup === p.backup) r.error = p.reason || 'restore failed';
      break;
    }
    case 'volumeRestoreRequested': {
      const p = payloadOf(ev, 'volumeRestoreRequested');
      const r = state.volumes.get(p.name)?.restore;
      if (r && r.backup !== p.backup) {
        r.backup = p.backup;
        r.error = '';
      }
      break;
    }
    case 'volumeActivationRequested': {
      const r = state.volumes.get(payloadOf(ev, 'volumeActivationRequested').name)?.restore;
      if (r && r.standby) r.activating = true;
      break;
    }
    case 'volumeActivated': {
      const r = state.volumes.get(payloadOf(ev, 'volumeActivated').name)?.restore;
      if (r) {
        r.standby = false;
        r.activating = false;
      }
      break;
    }
    case 'volumeAutoAttached': {
      const p = payloadOf(ev, 'volumeAutoAttached');
      const v = state.volumes.get(p.name);
      // Only a detached volume: a user attach that came first wins (the decision is stale).
      if (v && v.attachState === 'detached') {
        v.attachState = 'attaching';
        v.attachedTo = p.nodeId;
        v.attachEpoch = seq;
        v.endpoint = '';
        v.autoAttach = p.reason || 'rebuild';
      }
      break;
    }
    case 'volumeAutoDetached': {
      const v = state.volumes.get(payloadOf(ev, 'volumeAutoDetached').name);
      if (!v || !v.autoAttach || v.attachState === 'detached') break;
      const node = state.nodes.get(v.attachedTo);
      if (node && !node.down) {
        v.attachState = 'detaching';
        break;
      }
      // Its node is down: the engine went with it and no node is left to report it stopped.
      v.attachState = 'detached';
      v.attachedTo = '';
      v.endpoint = '';
      v.autoAttach = '';
      break;
    }
    case 'volumeSalvaged': {
      const p = payloadOf(ev, 'volumeSalvaged');
      // The chosen failed replicas are healthy again (they hold the newest data there is); the
      // others stay failed and are rebuilt from them.
      for (const id of p.replicaIds) {
        const r = state.replicas.get(id);
        if (!r || r.volume !== p.name || r.mode !== 'failed') continue;
        setMode(state, r, 'running');
        r.failedAtMs = 0;
        r.failedReason = '';
        r.rebuildFrom = '';
        r.failures = 0;
      }
      break;
    }
    case 'backupRequested':
    case 'backupAssigned':
    case 'backupStarted':
    case 'backupCompleted':
    case 'backupFailed':
    case 'backupDeleted':
      applyBackupEvent(state, ev);
      break;
    default:
      if (!applyRecurringJobEvent(state, ev)) throw new UnknownEventTypeError(seq, String(ev.payload));
  }
  state.seq = seq;
  return state;
}

/** Ended backups (completed or failed) a volume keeps in the state; older ones are dropped (the target keeps the completed). */
export const BACKUP_RECORDS_KEPT = 20;

/**
 * The backup events. A volume's backups are replaced, never changed in place (copies of the
 * volume share the record). Events about a backup that is not where they expect it are stale.
 */
function applyBackupEvent(state: ClusterState, ev: CairnEvent): void {
  const seq = ev.seq;
  const set = (
    volume: string,
    name: string,
    change: (b: BackupRecord | undefined, v: VolumeState) => BackupRecord | null | undefined,
  ): void => {
    const v = state.volumes.get(volume);
    if (!v) return;
    const next = change(v.backups?.[name], v);
    if (next === undefined) return;
    const all = { ...(v.backups ?? {}) };
    if (next === null) delete all[name];
    else all[name] = next;
    // Ended records beyond the newest BACKUP_RECORDS_KEPT go (by request seq): the log stays bounded in what it keeps.
    const ended = Object.values(all)
      .filter((b) => b.state === 'completed' || b.state === 'failed')
      .sort((a, b) => b.requestedSeq - a.requestedSeq);
    for (const b of ended.slice(BACKUP_RECORDS_KEPT)) delete all[b.name];
    if (Object.keys(all).length) v.backups = all;
    else delete v.backups;
  };
  switch (ev.payload) {
    case 'backupRequested': {
      const p = payloadOf(ev, 'backupRequested');
      set(p.volume, p.name, (b) =>
        b
          ? undefined
          : {
              name: p.name,
              snapshot: p.snapshot,
              target: p.target,
              url: p.url,
              state: 'pending',
              labels: { ...p.labels },
              nodeId: '',
              replicaId: '',
              requestedSeq: seq,
              requestedMs: ev.timeMs,
              finishedMs: 0,
              error: '',
              size: 0,
              blocks: 0,
              uploadedBlocks: 0,
              uploadedBytes: 0,
            },
      );
      break;
    }
    case 'backupAssigned': {
      const p = payloadOf(ev, 'backupAssigned');
      set(p.volume, p.name, (b) =>
        b?.state === 'pending' ? { ...b, state: 'assigned', nodeId: p.nodeId, replicaId: p.replicaId } : undefined,
      );
      break;
    }
    case 'backupStarted': {
      const p = payloadOf(ev, 'backupStarted');
      set(p.volume, p.name, (b) =>
        b?.state === 'assigned' && b.nodeId === p.nodeId ? { ...b, state: 'running' } : undefined,
      );
      break;
    }
    case 'backupCompleted': {
      const p = payloadOf(ev, 'backupCompleted');
      set(p.volume, p.name, (b) =>
        b && b.state !== 'completed' && b.state !== 'failed'
          ? {
              ...b,
              state: 'completed',
              nodeId: p.nodeId,
              url: p.url || b.url,
              finishedMs: ev.timeMs,
              error: '',
              size: p.size,
              blocks: p.blocks,
              uploadedBlocks: p.uploadedBlocks,
              uploadedBytes: p.uploadedBytes,
            }
          : undefined,
      );
      break;
    }
    case 'backupFailed': {
      const p = payloadOf(ev, 'backupFailed');
      set(p.volume, p.name, (b) =>
        b && b.state !== 'completed' && b.state !== 'failed'
          ? { ...b, state: 'failed', finishedMs: ev.timeMs, error: p.reason }
          : undefined,
      );
      break;
    }
    case 'backupDeleted': {
      const p = payloadOf(ev, 'backupDeleted');
      set(p.volume, p.name, (b) => (b ? null : undefined));
      break;
    }
    default:
      throw new UnknownEventTypeError(seq, String(ev.payload));
  }
}

/** Applies events in order. */
export function replay(state: ClusterState, events: Iterable<CairnEvent>): ClusterState {
  for (const ev of events) applyEvent(state, ev);
  return state;
}
