// Original file: cairn/admin/v1/admin.proto

import type { KubernetesRef as _cairn_admin_v1_KubernetesRef, KubernetesRef__Output as _cairn_admin_v1_KubernetesRef__Output } from '../../../cairn/admin/v1/KubernetesRef.js';
import type { UnsupportedParameter as _cairn_admin_v1_UnsupportedParameter, UnsupportedParameter__Output as _cairn_admin_v1_UnsupportedParameter__Output } from '../../../cairn/admin/v1/UnsupportedParameter.js';
import type { RecurringJobSelector as _cairn_admin_v1_RecurringJobSelector, RecurringJobSelector__Output as _cairn_admin_v1_RecurringJobSelector__Output } from '../../../cairn/admin/v1/RecurringJobSelector.js';
import type { RecurringJob as _cairn_admin_v1_RecurringJob, RecurringJob__Output as _cairn_admin_v1_RecurringJob__Output } from '../../../cairn/admin/v1/RecurringJob.js';
import type { Long } from '@grpc/proto-loader';

export interface CreateVolumeRequest {
  'name'?: (string);
  /**
   * Bytes.
   */
  'size'?: (number | string | Long);
  /**
   * 0: the default-replica-count setting.
   */
  'numberOfReplicas'?: (number);
  /**
   * disabled | best-effort | strict-local; empty: the default-data-locality setting.
   */
  'dataLocality'?: (string);
  'diskSelector'?: (string)[];
  'nodeSelector'?: (string)[];
  /**
   * ignored | disabled | least-effort | best-effort; empty: ignored (follow the setting).
   */
  'replicaAutoBalance'?: (string);
  /**
   * Minutes; 0: 2880.
   */
  'staleReplicaTimeout'?: (number);
  /**
   * Set by the CSI driver: filesystem and mkfs parameters for the first stage.
   */
  'fsType'?: (string);
  'mkfsParams'?: (string);
  /**
   * rwo | rwx; empty: rwo.
   */
  'accessMode'?: (string);
  /**
   * Per-volume overrides of the anti-affinity settings (Longhorn's replicaSoftAntiAffinity,
   * replicaZoneSoftAntiAffinity, replicaDiskSoftAntiAffinity): default | enabled | disabled.
   */
  'replicaSoftAntiAffinity'?: (string);
  'replicaZoneSoftAntiAffinity'?: (string);
  'replicaDiskSoftAntiAffinity'?: (string);
  /**
   * Longhorn's dataSource: the new volume starts as a copy of "snap://VOLUME/SNAPSHOT" or of
   * "vol://VOLUME" (its data now). Empty: an empty volume.
   */
  'dataSource'?: (string);
  /**
   * Set by the CSI driver: the CO's name for the volume (any string up to 128 bytes; `name` is
   * then the volume id the driver derived from it), the PVC it is for, and the StorageClass
   * parameters accepted without effect. A repeated request with another csi_name for the same
   * name is ALREADY_EXISTS.
   */
  'csiName'?: (string);
  'kubernetes'?: (_cairn_admin_v1_KubernetesRef | null);
  'unsupportedParameters'?: (_cairn_admin_v1_UnsupportedParameter)[];
  /**
   * Restore (H-restore): fill the volume from this backup URL before it may be attached; size 0
   * takes the backup's size (a bigger size is allowed, a smaller one refused).
   */
  'fromBackup'?: (string);
  /**
   * With from_backup: a DR volume that follows the newest backup of that volume until activated.
   */
  'standby'?: (boolean);
  /**
   * The volume's labels; recurring-job.longhorn.io/<job>=enabled and
   * recurring-job-group.longhorn.io/<group>=enabled pick its recurring jobs.
   */
  'labels'?: ({[key: string]: string});
  /**
   * Longhorn's StorageClass recurringJobSelector, parsed: each entry becomes the label above.
   */
  'recurringJobSelector'?: (_cairn_admin_v1_RecurringJobSelector)[];
  /**
   * Longhorn's older inline StorageClass recurringJobs: each job is created when no job of its
   * name exists (an existing one is used as it is), and the volume gets its label.
   */
  'recurringJobs'?: (_cairn_admin_v1_RecurringJob)[];
}

export interface CreateVolumeRequest__Output {
  'name': (string);
  /**
   * Bytes.
   */
  'size': (number);
  /**
   * 0: the default-replica-count setting.
   */
  'numberOfReplicas': (number);
  /**
   * disabled | best-effort | strict-local; empty: the default-data-locality setting.
   */
  'dataLocality': (string);
  'diskSelector': (string)[];
  'nodeSelector': (string)[];
  /**
   * ignored | disabled | least-effort | best-effort; empty: ignored (follow the setting).
   */
  'replicaAutoBalance': (string);
  /**
   * Minutes; 0: 2880.
   */
  'staleReplicaTimeout': (number);
  /**
   * Set by the CSI driver: filesystem and mkfs parameters for the first stage.
   */
  'fsType': (string);
  'mkfsParams': (string);
  /**
   * rwo | rwx; empty: rwo.
   */
  'accessMode': (string);
  /**
   * Per-volume overrides of the anti-affinity settings (Longhorn's replicaSoftAntiAffinity,
   * replicaZoneSoftAntiAffinity, replicaDiskSoftAntiAffinity): default | enabled | disabled.
   */
  'replicaSoftAntiAffinity': (string);
  'replicaZoneSoftAntiAffinity': (string);
  'replicaDiskSoftAntiAffinity': (string);
  /**
   * Longhorn's dataSource: the new volume starts as a copy of "snap://VOLUME/SNAPSHOT" or of
   * "vol://VOLUME" (its data now). Empty: an empty volume.
   */
  'dataSource': (string);
  /**
   * Set by the CSI driver: the CO's name for the volume (any string up to 128 bytes; `name` is
   * then the volume id the driver derived from it), the PVC it is for, and the StorageClass
   * parameters accepted without effect. A repeated request with another csi_name for the same
   * name is ALREADY_EXISTS.
   */
  'csiName': (string);
  'kubernetes': (_cairn_admin_v1_KubernetesRef__Output | null);
  'unsupportedParameters': (_cairn_admin_v1_UnsupportedParameter__Output)[];
  /**
   * Restore (H-restore): fill the volume from this backup URL before it may be attached; size 0
   * takes the backup's size (a bigger size is allowed, a smaller one refused).
   */
  'fromBackup': (string);
  /**
   * With from_backup: a DR volume that follows the newest backup of that volume until activated.
   */
  'standby': (boolean);
  /**
   * The volume's labels; recurring-job.longhorn.io/<job>=enabled and
   * recurring-job-group.longhorn.io/<group>=enabled pick its recurring jobs.
   */
  'labels': ({[key: string]: string});
  /**
   * Longhorn's StorageClass recurringJobSelector, parsed: each entry becomes the label above.
   */
  'recurringJobSelector': (_cairn_admin_v1_RecurringJobSelector__Output)[];
  /**
   * Longhorn's older inline StorageClass recurringJobs: each job is created when no job of its
   * name exists (an existing one is used as it is), and the volume gets its label.
   */
  'recurringJobs': (_cairn_admin_v1_RecurringJob__Output)[];
}
