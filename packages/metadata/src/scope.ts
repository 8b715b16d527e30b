// Which volumes an event is about. Consumers that derive something per volume from the state (the
// scheduler's partial passes, the node-facing service's assignment deltas) redo only the volumes
// the events since their last look touched, instead of the whole state on every event.
import type { CairnEvent } from './events.js';
import { payloadOf } from './events.js';
import type { ClusterState } from './state.js';

/**
 * The volumes whose own state the event changed, read against the state right after it was
 * applied; null when its effect is not confined to named volumes (nodes, disks, settings, a
 * replica removed, whose volume the state no longer says): a consumer then looks at everything.
 * Effects through shared resources (capacity a placement took) are not part of a volume's scope:
 * a consumer that decides across volumes must look at everything now and then.
 */
export function volumesTouched(state: ClusterState, ev: CairnEvent): string[] | null {
  switch (ev.payload) {
    case 'volumeCreated':
      return [payloadOf(ev, 'volumeCreated').name];
    case 'volumeUpdated':
      return [payloadOf(ev, 'volumeUpdated').name];
    case 'volumeExpanded':
      return [payloadOf(ev, 'volumeExpanded').name];
    case 'volumeAttachRequested':
      return [payloadOf(ev, 'volumeAttachRequested').name];
    case 'volumeAttached':
      return [payloadOf(ev, 'volumeAttached').name];
    case 'volumeDetachRequested':
      return [payloadOf(ev, 'volumeDetachRequested').name];
    case 'volumeDetached':
      return [payloadOf(ev, 'volumeDetached').name];
    case 'volumeDeleted':
      return [payloadOf(ev, 'volumeDeleted').name];
    case 'volumeUnschedulable':
      return [payloadOf(ev, 'volumeUnschedulable').name];
    case 'volumeSchedulable':
      return [payloadOf(ev, 'volumeSchedulable').name];
    case 'volumeDataSourceCopied':
      return [payloadOf(ev, 'volumeDataSourceCopied').name];
    case 'volumeWaiting':
      return [payloadOf(ev, 'volumeWaiting').name];
    case 'volumeAutoAttached':
      return [payloadOf(ev, 'volumeAutoAttached').name];
    case 'volumeAutoDetached':
      return [payloadOf(ev, 'volumeAutoDetached').name];
    case 'volumeSalvaged':
      return [payloadOf(ev, 'volumeSalvaged').name];
    case 'volumeRestoreStarted':
      return [payloadOf(ev, 'volumeRestoreStarted').name];
    case 'volumeRestoreCompleted':
      return [payloadOf(ev, 'volumeRestoreCompleted').name];
    case 'volumeRestoreFailed':
      return [payloadOf(ev, 'volumeRestoreFailed').name];
    case 'volumeRestoreRequested':
      return [payloadOf(ev, 'volumeRestoreRequested').name];
    case 'volumeActivationRequested':
      return [payloadOf(ev, 'volumeActivationRequested').name];
    case 'volumeActivated':
      return [payloadOf(ev, 'volumeActivated').name];
    case 'snapshotCreated':
      return [payloadOf(ev, 'snapshotCreated').volume];
    case 'snapshotDeleted':
      return [payloadOf(ev, 'snapshotDeleted').volume];
    case 'backupRequested':
      return [payloadOf(ev, 'backupRequested').volume];
    case 'backupAssigned':
      return [payloadOf(ev, 'backupAssigned').volume];
    case 'backupStarted':
      return [payloadOf(ev, 'backupStarted').volume];
    case 'backupCompleted':
      return [payloadOf(ev, 'backupCompleted').volume];
    case 'backupFailed':
      return [payloadOf(ev, 'backupFailed').volume];
    case 'backupDeleted':
      return [payloadOf(ev, 'backupDeleted').volume];
    case 'replicaScheduled':
      return [payloadOf(ev, 'replicaScheduled').volume];
    case 'replicaRunning':
      return replicaVolume(state, payloadOf(ev, 'replicaRunning').replicaId);
    case 'replicaFailed':
      return replicaVolume(state, payloadOf(ev, 'replicaFailed').replicaId);
    case 'replicaRebuilding':
      return replicaVolume(state, payloadOf(ev, 'replicaRebuilding').replicaId);
    case 'replicaRebuilt':
      return replicaVolume(state, payloadOf(ev, 'replicaRebuilt').replicaId);
    // Recurring jobs: a job's definition and run change no volume; a volume's step marks its snapshot.
    case 'recurringJobCreated':
    case 'recurringJobUpdated':
    case 'recurringJobDeleted':
    case 'recurringJobRunStarted':
      return [];
    // A trim requested of a node is the job's run state; the node's report ends it with a VolumeDone.
    case 'recurringJobTrimRequested':
      return [];
    case 'recurringJobVolumeDone':
      return [payloadOf(ev, 'recurringJobVolumeDone').volume];
    default:
      return null;
  }
}

/** A replica's volume; a replica the state does not have changed nothing (the reducer ignores it). */
function replicaVolume(state: ClusterState, replicaId: string): string[] {
  const r = state.replicas.get(replicaId);
  return r ? [r.volume] : [];
}
