// The CSI view of the admin API's volumes and snapshots: pure functions from admin messages to
// CSI messages. A volume's volume_context comes from the volume itself, so CreateVolume,
// ListVolumes and ControllerGetVolume always report the same one (the spec requires it).
import { formatSize } from '@cairn/api';
import type { Snapshot__Output as AdminSnapshot, Volume__Output as AdminVolume } from '@cairn/api';
import { PUBLISH_CONTEXT, snapshotId } from './contract.js';
import { DEFAULT_FS_TYPE } from '@cairn/schema';
import { contentSourceOf } from './controller-params.js';
import type { Snapshot, Topology, Volume, VolumeCondition, VolumeContentSource } from './types.js';

/** volume_context: what NodeStageVolume needs to make the file system (and what the CO caches). */
export function volumeContext(v: AdminVolume): Record<string, string> {
  return {
    [PUBLISH_CONTEXT.fsType]: v.fsType || DEFAULT_FS_TYPE,
    ...(v.mkfsParams ? { [PUBLISH_CONTEXT.mkfsParams]: v.mkfsParams } : {}),
  };
}

/**
 * A CSI Volume. content_source comes from the volume's data_source; `requested` is the
 * CreateVolume request's own, used when the manager does not report one.
 */
export function csiVolume(
  v: AdminVolume,
  topology: Topology[] | null = null,
  requested: VolumeContentSource | null = null,
): Volume {
  const source = contentSourceOf(v.dataSource) ?? requested;
  return {
    capacityBytes: v.size,
    volumeId: v.name,
    volumeContext: volumeContext(v),
    ...(source ? { contentSource: source } : {}),
    ...(topology ? { accessibleTopology: topology } : {}),
  };
}

/** The nodes a volume is controller-published on: the node its engine runs (or is starting) on. */
export function publishedNodes(v: AdminVolume): string[] {
  return v.attachedTo && (v.state === 'attached' || v.state === 'attaching') ? [v.attachedTo] : [];
}

/**
 * The volume's condition, from the manager's robustness: abnormal when degraded or faulted, or
 * when replicas could not be scheduled; the message says which replicas failed and why.
 */
export function volumeCondition(v: AdminVolume): VolumeCondition {
  const running = v.replicas.filter((r) => r.state === 'running').length;
  const want = v.numberOfReplicas;
  const failed = v.replicas
    .filter((r) => r.state === 'failed')
    .map((r) => `replica ${r.id} on ${r.node} failed${r.failedReason ? `: ${r.failedReason}` : ''}`);
  const rebuilding = v.replicas
    .filter((r) => r.state === 'rebuilding')
    .map((r) => `replica ${r.id} on ${r.node} rebuilding (${r.rebuildProgress}%)`);
  const missing = want - v.replicas.filter((r) => r.state !== 'failed').length;
  const details = [
    ...failed,
    ...rebuilding,
    ...(v.unschedulable ? [`${missing > 0 ? `${missing} replica(s) ` : ''}unschedulable: ${v.unschedulable}`] : []),
  ];
  const tail = details.length ? `; ${details.join('; ')}` : '';
  switch (v.robustness) {
    case 'healthy':
      return { abnormal: false, message: `healthy: ${running}/${want} replicas running` };
    case 'degraded':
      return { abnormal: true, message: `degraded: ${running}/${want} replicas running${tail}` };
    case 'faulted':
      return { abnormal: true, message: `faulted: no replica running${tail}` };
    default:
      // No replica has reported yet: normal right after creation, unless they cannot be placed.
      if (v.unschedulable) return { abnormal: true, message: `no replica running${tail}` };
      return { abnormal: false, message: `starting: ${running}/${want} replicas running${tail}` };
  }
}

/** A CSI Snapshot: id VOLUME@SNAPSHOT; ready as soon as the manager lists it (it is cut in the log). */
export function csiSnapshot(s: AdminSnapshot): Snapshot {
  const ms = s.createdMs;
  return {
    sizeBytes: s.size,
    snapshotId: snapshotId(s.volume, s.name),
    sourceVolumeId: s.volume,
    creationTime: { seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1_000_000 },
    readyToUse: true,
  };
}

export function describeVolume(v: AdminVolume): string {
  return `volume "${v.name}" (${formatSize(v.size)}, ${v.numberOfReplicas} replicas)`;
}
