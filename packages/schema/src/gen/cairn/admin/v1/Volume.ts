// Original file: cairn/admin/v1/admin.proto

import type { Replica as _cairn_admin_v1_Replica, Replica__Output as _cairn_admin_v1_Replica__Output } from '../../../cairn/admin/v1/Replica.js';
import type { KubernetesRef as _cairn_admin_v1_KubernetesRef, KubernetesRef__Output as _cairn_admin_v1_KubernetesRef__Output } from '../../../cairn/admin/v1/KubernetesRef.js';
import type { UnsupportedParameter as _cairn_admin_v1_UnsupportedParameter, UnsupportedParameter__Output as _cairn_admin_v1_UnsupportedParameter__Output } from '../../../cairn/admin/v1/UnsupportedParameter.js';
import type { VolumeRestore as _cairn_admin_v1_VolumeRestore, VolumeRestore__Output as _cairn_admin_v1_VolumeRestore__Output } from '../../../cairn/admin/v1/VolumeRestore.js';
import type { Long } from '@grpc/proto-loader';

export interface Volume {
  'name'?: (string);
  'size'?: (number | string | Long);
  /**
   * detached | attaching | attached | detaching
   */
  'state'?: (string);
  /**
   * healthy | degraded | faulted | unknown
   */
  'robustness'?: (string);
  'numberOfReplicas'?: (number);
  'dataLocality'?: (string);
  'attachedTo'?: (string);
  'endpoint'?: (string);
  'replicas'?: (_cairn_admin_v1_Replica)[];
  'diskSelector'?: (string)[];
  'nodeSelector'?: (string)[];
  'replicaAutoBalance'?: (string);
  'staleReplicaTimeout'?: (number);
  /**
   * Why replicas are missing, when the scheduler could not place them.
   */
  'unschedulable'?: (string);
  'createdSeq'?: (number | string | Long);
  'fsType'?: (string);
  'accessMode'?: (string);
  /**
   * The log seq the answer reflects.
   */
  'seq'?: (number | string | Long);
  'replicaSoftAntiAffinity'?: (string);
  'replicaZoneSoftAntiAffinity'?: (string);
  'replicaDiskSoftAntiAffinity'?: (string);
  /**
   * What it was created from (snap://VOLUME/SNAPSHOT or vol://VOLUME), and whether that copy is
   * complete: until it is, the volume attaches but its engine first copies the source.
   */
  'dataSource'?: (string);
  'dataSourceReady'?: (boolean);
  /**
   * mkfs's extra parameters for the first stage (set with fs_type by the CSI driver).
   */
  'mkfsParams'?: (string);
  /**
   * Set while the volume runs an engine without a frontend only to rebuild or evict replicas
   * (offline rebuilding): why ("eviction", "rebuild", ...) and on which node. state and
   * attached_to then still say what users asked for (detached).
   */
  'autoAttachReason'?: (string);
  'autoAttachedNode'?: (string);
  /**
   * Why its engine waits instead of opening (e.g. none of the running replicas is reachable), from
   * the last VolumeWaiting of this attachment; empty when it does not wait.
   */
  'waiting'?: (string);
  /**
   * From CreateVolume through CSI: the CO's name, the PVC, and the parameters accepted without
   * effect (see CreateVolumeRequest).
   */
  'csiName'?: (string);
  'kubernetes'?: (_cairn_admin_v1_KubernetesRef | null);
  'unsupportedParameters'?: (_cairn_admin_v1_UnsupportedParameter)[];
  /**
   * Restore (H-restore): the backup it is (being) restored from, what is restored so far, and how
   * far the current restore is; see VolumeRestore.
   */
  'restore'?: (_cairn_admin_v1_VolumeRestore | null);
  'labels'?: ({[key: string]: string});
  /**
   * The recurring jobs that apply to it (by its labels, or the "default" group), sorted.
   */
  'recurringJobs'?: (string)[];
}

export interface Volume__Output {
  'name': (string);
  'size': (number);
  /**
   * detached | attaching | attached | detaching
   */
  'state': (string);
  /**
   * healthy | degraded | faulted | unknown
   */
  'robustness': (string);
  'numberOfReplicas': (number);
  'dataLocality': (string);
  'attachedTo': (string);
  'endpoint': (string);
  'replicas': (_cairn_admin_v1_Replica__Output)[];
  'diskSelector': (string)[];
  'nodeSelector': (string)[];
  'replicaAutoBalance': (string);
  'staleReplicaTimeout': (number);
  /**
   * Why replicas are missing, when the scheduler could not place them.
   */
  'unschedulable': (string);
  'createdSeq': (number);
  'fsType': (string);
  'accessMode': (string);
  /**
   * The log seq the answer reflects.
   */
  'seq': (number);
  'replicaSoftAntiAffinity': (string);
  'replicaZoneSoftAntiAffinity': (string);
  'replicaDiskSoftAntiAffinity': (string);
  /**
   * What it was created from (snap://VOLUME/SNAPSHOT or vol://VOLUME), and whether that copy is
   * complete: until it is, the volume attaches but its engine first copies the source.
   */
  'dataSource': (string);
  'dataSourceReady': (boolean);
  /**
   * mkfs's extra parameters for the first stage (set with fs_type by the CSI driver).
   */
  'mkfsParams': (string);
  /**
   * Set while the volume runs an engine without a frontend only to rebuild or evict replicas
   * (offline rebuilding): why ("eviction", "rebuild", ...) and on which node. state and
   * attached_to then still say what users asked for (detached).
   */
  'autoAttachReason': (string);
  'autoAttachedNode': (string);
  /**
   * Why its engine waits instead of opening (e.g. none of the running replicas is reachable), from
   * the last VolumeWaiting of this attachment; empty when it does not wait.
   */
  'waiting': (string);
  /**
   * From CreateVolume through CSI: the CO's name, the PVC, and the parameters accepted without
   * effect (see CreateVolumeRequest).
   */
  'csiName': (string);
  'kubernetes': (_cairn_admin_v1_KubernetesRef__Output | null);
  'unsupportedParameters': (_cairn_admin_v1_UnsupportedParameter__Output)[];
  /**
   * Restore (H-restore): the backup it is (being) restored from, what is restored so far, and how
   * far the current restore is; see VolumeRestore.
   */
  'restore': (_cairn_admin_v1_VolumeRestore__Output | null);
  'labels': ({[key: string]: string});
  /**
   * The recurring jobs that apply to it (by its labels, or the "default" group), sorted.
   */
  'recurringJobs': (string)[];
}
