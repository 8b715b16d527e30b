// Original file: cairn/events/v1/events.proto

/**
 * A per-volume override of an anti-affinity setting (Longhorn's replicaSoftAntiAffinity,
 * replicaZoneSoftAntiAffinity, replicaDiskSoftAntiAffinity).
 */
export const AntiAffinityOverride = {
  ANTI_AFFINITY_DEFAULT: 'ANTI_AFFINITY_DEFAULT',
  ANTI_AFFINITY_ENABLED: 'ANTI_AFFINITY_ENABLED',
  ANTI_AFFINITY_DISABLED: 'ANTI_AFFINITY_DISABLED',
} as const;

/**
 * A per-volume override of an anti-affinity setting (Longhorn's replicaSoftAntiAffinity,
 * replicaZoneSoftAntiAffinity, replicaDiskSoftAntiAffinity).
 */
export type AntiAffinityOverride =
  | 'ANTI_AFFINITY_DEFAULT'
  | 0
  | 'ANTI_AFFINITY_ENABLED'
  | 1
  | 'ANTI_AFFINITY_DISABLED'
  | 2

/**
 * A per-volume override of an anti-affinity setting (Longhorn's replicaSoftAntiAffinity,
 * replicaZoneSoftAntiAffinity, replicaDiskSoftAntiAffinity).
 */
export type AntiAffinityOverride__Output = typeof AntiAffinityOverride[keyof typeof AntiAffinityOverride]
