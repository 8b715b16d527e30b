// Original file: cairn/events/v1/events.proto

import type { VolumeSpec as _cairn_events_v1_VolumeSpec, VolumeSpec__Output as _cairn_events_v1_VolumeSpec__Output } from '../../../cairn/events/v1/VolumeSpec.js';
import type { KubernetesRef as _cairn_events_v1_KubernetesRef, KubernetesRef__Output as _cairn_events_v1_KubernetesRef__Output } from '../../../cairn/events/v1/KubernetesRef.js';
import type { UnsupportedParameter as _cairn_events_v1_UnsupportedParameter, UnsupportedParameter__Output as _cairn_events_v1_UnsupportedParameter__Output } from '../../../cairn/events/v1/UnsupportedParameter.js';

export interface VolumeCreated {
  'name'?: (string);
  'spec'?: (_cairn_events_v1_VolumeSpec | null);
  /**
   * Longhorn's dataSource, as requested: "snap://VOLUME/SNAPSHOT" or "vol://VOLUME"; empty for an
   * empty volume. The volume starts as a copy of snapshot source_snapshot of volume source_volume:
   * for "vol://" a snapshot of the source taken in the same append, so the copy is the source's
   * data at creation. Until a VolumeDataSourceCopied, the engine copies it before it serves.
   */
  'dataSource'?: (string);
  'sourceVolume'?: (string);
  'sourceSnapshot'?: (string);
  /**
   * The name the container orchestrator gave CSI CreateVolume (any string of up to 128 bytes: the
   * CO's idempotency key), when the volume was made through CSI; empty otherwise. The volume's own
   * name is the CSI volume_id, derived from it when it is not a valid cairn name.
   */
  'csiName'?: (string);
  /**
   * The PersistentVolumeClaim (and PersistentVolume) it was provisioned for, from the
   * provisioner's csi.storage.k8s.io/pvc/* and pv/name parameters; absent when not known.
   */
  'kubernetes'?: (_cairn_events_v1_KubernetesRef | null);
  /**
   * StorageClass parameters that were accepted but that cairn does not act on (Longhorn knobs
   * cairn has no equivalent of yet): recorded so the volume's events say so, and reported as a
   * Warning event on the PVC. Never silently dropped.
   */
  'unsupportedParameters'?: (_cairn_events_v1_UnsupportedParameter)[];
  /**
   * Restore (H-restore): the volume starts as the data of this backup (its URL, Longhorn's form
   * s3://BUCKET@REGION/PREFIX?backup=NAME&volume=VOL or file:///PATH?backup=...). Its engine
   * restores it, without a frontend, before anyone may attach it (VolumeRestoreCompleted).
   */
  'fromBackup'?: (string);
  /**
   * A DR (standby) volume: it follows the newest backup of the backup's volume in the target
   * (VolumeRestoreRequested for each), cannot be attached, and becomes a normal volume on
   * VolumeActivated.
   */
  'standby'?: (boolean);
}

export interface VolumeCreated__Output {
  'name': (string);
  'spec': (_cairn_events_v1_VolumeSpec__Output | null);
  /**
   * Longhorn's dataSource, as requested: "snap://VOLUME/SNAPSHOT" or "vol://VOLUME"; empty for an
   * empty volume. The volume starts as a copy of snapshot source_snapshot of volume source_volume:
   * for "vol://" a snapshot of the source taken in the same append, so the copy is the source's
   * data at creation. Until a VolumeDataSourceCopied, the engine copies it before it serves.
   */
  'dataSource': (string);
  'sourceVolume': (string);
  'sourceSnapshot': (string);
  /**
   * The name the container orchestrator gave CSI CreateVolume (any string of up to 128 bytes: the
   * CO's idempotency key), when the volume was made through CSI; empty otherwise. The volume's own
   * name is the CSI volume_id, derived from it when it is not a valid cairn name.
   */
  'csiName': (string);
  /**
   * The PersistentVolumeClaim (and PersistentVolume) it was provisioned for, from the
   * provisioner's csi.storage.k8s.io/pvc/* and pv/name parameters; absent when not known.
   */
  'kubernetes': (_cairn_events_v1_KubernetesRef__Output | null);
  /**
   * StorageClass parameters that were accepted but that cairn does not act on (Longhorn knobs
   * cairn has no equivalent of yet): recorded so the volume's events say so, and reported as a
   * Warning event on the PVC. Never silently dropped.
   */
  'unsupportedParameters': (_cairn_events_v1_UnsupportedParameter__Output)[];
  /**
   * Restore (H-restore): the volume starts as the data of this backup (its URL, Longhorn's form
   * s3://BUCKET@REGION/PREFIX?backup=NAME&volume=VOL or file:///PATH?backup=...). Its engine
   * restores it, without a frontend, before anyone may attach it (VolumeRestoreCompleted).
   */
  'fromBackup': (string);
  /**
   * A DR (standby) volume: it follows the newest backup of the backup's volume in the target
   * (VolumeRestoreRequested for each), cannot be attached, and becomes a normal volume on
   * VolumeActivated.
   */
  'standby': (boolean);
}
