// Original file: cairn/admin/v1/admin.proto

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
}
