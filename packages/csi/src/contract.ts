// What the Controller and Node services agree on, and what the deploy/ manifests and
// StorageClasses refer to: topology keys, StorageClass parameters (Longhorn's names), the keys of
// publish_context and volume_context, and the id formats.

/** Topology segment of a node's zone (Kubernetes' well-known zone label carries the same value). */
export const TOPOLOGY_ZONE_KEY = 'topology.cairn.io/zone';
/** Topology segment naming the node (kubelet's hostname label). */
export const TOPOLOGY_HOSTNAME_KEY = 'kubernetes.io/hostname';

/** StorageClass parameters, with Longhorn's names (fromBackup comes with backups). */
export const STORAGE_CLASS_PARAMETERS = [
  'numberOfReplicas', 'staleReplicaTimeout', 'dataLocality', 'diskSelector', 'nodeSelector',
  'replicaAutoBalance', 'fsType', 'mkfsParams',
] as const;
export type StorageClassParameter = (typeof STORAGE_CLASS_PARAMETERS)[number];

/** publish_context keys ControllerPublishVolume sets and NodeStageVolume reads. */
export const PUBLISH_CONTEXT = {
  /** nbd://host:port/VOLUME: the engine's NBD export on the node it was published to. */
  nbdUrl: 'nbdUrl',
  /** The filesystem to make when the device has none, and mkfs's extra parameters. */
  fsType: 'fsType',
  mkfsParams: 'mkfsParams',
  /** "true" when ControllerPublishVolume was asked for a read-only publish (absent otherwise). */
  readonly: 'readonly',
} as const;

/** A CSI snapshot id is "VOLUME@SNAPSHOT", as the snapshot's read-only NBD export is named. */
export function snapshotId(volume: string, snapshot: string): string {
  return `${volume}@${snapshot}`;
}

export function parseSnapshotId(id: string): { volume: string; snapshot: string } | null {
  const at = id.indexOf('@');
  if (at <= 0 || at === id.length - 1 || id.indexOf('@', at + 1) >= 0) return null;
  return { volume: id.slice(0, at), snapshot: id.slice(at + 1) };
}
