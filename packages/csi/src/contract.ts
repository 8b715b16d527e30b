// What the Controller and Node services agree on, and what the deploy/ manifests and
// StorageClasses refer to: topology keys, StorageClass parameters (Longhorn's names), the keys of
// publish_context and volume_context, and the id formats.

/** Topology segment of a node's zone (Kubernetes' well-known zone label carries the same value). */
export const TOPOLOGY_ZONE_KEY = 'topology.cairn.io/zone';
/** Topology segment naming the node (kubelet's hostname label). */
export const TOPOLOGY_HOSTNAME_KEY = 'kubernetes.io/hostname';

/**
 * StorageClass parameters cairn acts on, with Longhorn's names and values. fromBackup is among them
 * because it is read: empty is fine, a backup URL is refused until backups exist.
 */
export const STORAGE_CLASS_PARAMETERS_ACTED_ON = [
  'numberOfReplicas',
  'staleReplicaTimeout',
  'dataLocality',
  'diskSelector',
  'nodeSelector',
  'replicaAutoBalance',
  'fsType',
  'mkfsParams',
  'replicaSoftAntiAffinity',
  'replicaZoneSoftAntiAffinity',
  'replicaDiskSoftAntiAffinity',
  'fromBackup',
  // Recurring jobs: the selector's jobs and groups become volume labels; the inline list's jobs are created if absent.
  'recurringJobSelector',
  'recurringJobs',
] as const;

/**
 * Longhorn's other StorageClass parameters: accepted so that a Longhorn StorageClass works with
 * only its provisioner changed, checked as Longhorn checks them, and reported as without effect
 * (on the volume, and as a Warning on the PVC) unless the value asks for what cairn does anyway.
 * The list: every parameter in Longhorn's docs (0.8 to 1.13: storage-class-parameters.md and the
 * StorageClasses in its pages, including the old names recurringJobs, baseImage, backingImageURL,
 * backendStoreDriver and the docs' spellings backingImageName and freezeFSForSnapshot), its
 * examples/ and Helm chart, and what its CSI driver reads from a StorageClass (ublk*, nvmeTcp*,
 * volumeTopology, storageCapacityMode). Not here: share, exclusive and dataSource, which Longhorn's
 * driver sets itself from the request.
 */
export const STORAGE_CLASS_PARAMETERS_WITHOUT_EFFECT = [
  'backupTargetName',
  'backupBlockSize',
  'migratable',
  'encrypted',
  'nfsOptions',
  'shareManagerNodeSelector',
  'shareManagerTolerations',
  'dataEngine',
  'backendStoreDriver',
  'frontend',
  'ublkNumberOfQueue',
  'ublkQueueDepth',
  'nvmeTcpNrIoQueues',
  'dataLayout.type',
  'dataLayout.mode',
  'dataLayout.dataChunks',
  'dataLayout.parityChunks',
  'dataLayout.stripSizeKB',
  'disableRevisionCounter',
  'unmapMarkSnapChainRemoved',
  'freezeFilesystemForSnapshot',
  'freezeFSForSnapshot',
  'cloneMode',
  'strictTopology',
  'volumeTopology',
  'storageCapacityMode',
  'backingImage',
  'backingImageName',
  'backingImageChecksum',
  'backingImageDataSourceType',
  'backingImageDataSourceParameters',
  'backingImageMinNumberOfCopies',
  'backingImageNodeSelector',
  'backingImageDiskSelector',
  'backingImageURL',
  'baseImage',
] as const;

/**
 * Every StorageClass parameter cairn takes (besides the provisioner's csi.storage.k8s.io/* keys).
 * Any other key is refused: it is a typo, which would otherwise be silently ignored.
 */
export const STORAGE_CLASS_PARAMETERS = [
  ...STORAGE_CLASS_PARAMETERS_ACTED_ON,
  ...STORAGE_CLASS_PARAMETERS_WITHOUT_EFFECT,
] as const;
export type StorageClassParameter = (typeof STORAGE_CLASS_PARAMETERS)[number];

// The CSI spec's string rule (128 bytes, no control characters) is @cairn/schema's vocabulary.
export { hasControlCharacters, MAX_CSI_STRING_BYTES } from '@cairn/schema';

/** publish_context keys ControllerPublishVolume sets and NodeStageVolume reads. */
export const PUBLISH_CONTEXT = {
  /**
   * The engine's NBD export on the node it was published to, as a libnbd URI: by default
   * nbd+unix:///VOLUME?socket=PATH (the agent's unix socket, reachable only on that node by root),
   * nbd://127.0.0.1:PORT/VOLUME on loopback, or nbds://HOST:PORT/VOLUME where TLS is required.
   */
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
