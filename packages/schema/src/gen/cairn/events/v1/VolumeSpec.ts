// Original file: cairn/events/v1/events.proto

import type { DataLocality as _cairn_events_v1_DataLocality, DataLocality__Output as _cairn_events_v1_DataLocality__Output } from '../../../cairn/events/v1/DataLocality.js';
import type { ReplicaAutoBalance as _cairn_events_v1_ReplicaAutoBalance, ReplicaAutoBalance__Output as _cairn_events_v1_ReplicaAutoBalance__Output } from '../../../cairn/events/v1/ReplicaAutoBalance.js';
import type { AntiAffinityOverride as _cairn_events_v1_AntiAffinityOverride, AntiAffinityOverride__Output as _cairn_events_v1_AntiAffinityOverride__Output } from '../../../cairn/events/v1/AntiAffinityOverride.js';
import type { AccessMode as _cairn_events_v1_AccessMode, AccessMode__Output as _cairn_events_v1_AccessMode__Output } from '../../../cairn/events/v1/AccessMode.js';
import type { Long } from '@grpc/proto-loader';

export interface VolumeSpec {
  'size'?: (number | string | Long);
  'numberOfReplicas'?: (number);
  'dataLocality'?: (_cairn_events_v1_DataLocality);
  'diskSelector'?: (string)[];
  'nodeSelector'?: (string)[];
  'replicaAutoBalance'?: (_cairn_events_v1_ReplicaAutoBalance);
  /**
   * Minutes a failed replica is kept before it is cleaned up (Longhorn's staleReplicaTimeout).
   */
  'staleReplicaTimeout'?: (number);
  'replicaSoftAntiAffinity'?: (_cairn_events_v1_AntiAffinityOverride);
  'replicaZoneSoftAntiAffinity'?: (_cairn_events_v1_AntiAffinityOverride);
  'replicaDiskSoftAntiAffinity'?: (_cairn_events_v1_AntiAffinityOverride);
  'accessMode'?: (_cairn_events_v1_AccessMode);
  /**
   * Filesystem the CSI driver makes on first stage, and its mkfs parameters.
   */
  'fsType'?: (string);
  'mkfsParams'?: (string);
  /**
   * The volume's labels (Longhorn's): recurring-job.longhorn.io/<job>=enabled and
   * recurring-job-group.longhorn.io/<group>=enabled pick its recurring jobs; a volume with
   * neither kind is in the "default" group.
   */
  'labels'?: ({[key: string]: string});
}

export interface VolumeSpec__Output {
  'size': (number);
  'numberOfReplicas': (number);
  'dataLocality': (_cairn_events_v1_DataLocality__Output);
  'diskSelector': (string)[];
  'nodeSelector': (string)[];
  'replicaAutoBalance': (_cairn_events_v1_ReplicaAutoBalance__Output);
  /**
   * Minutes a failed replica is kept before it is cleaned up (Longhorn's staleReplicaTimeout).
   */
  'staleReplicaTimeout': (number);
  'replicaSoftAntiAffinity': (_cairn_events_v1_AntiAffinityOverride__Output);
  'replicaZoneSoftAntiAffinity': (_cairn_events_v1_AntiAffinityOverride__Output);
  'replicaDiskSoftAntiAffinity': (_cairn_events_v1_AntiAffinityOverride__Output);
  'accessMode': (_cairn_events_v1_AccessMode__Output);
  /**
   * Filesystem the CSI driver makes on first stage, and its mkfs parameters.
   */
  'fsType': (string);
  'mkfsParams': (string);
  /**
   * The volume's labels (Longhorn's): recurring-job.longhorn.io/<job>=enabled and
   * recurring-job-group.longhorn.io/<group>=enabled pick its recurring jobs; a volume with
   * neither kind is in the "default" group.
   */
  'labels': ({[key: string]: string});
}
