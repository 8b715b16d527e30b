// Builders for event drafts from domain values: the one place that maps the projection's
// friendly values ('best-effort', 'rwo') back to the proto enums. Used by everything that
// appends: the manager's commands, the scheduler's reconciler, tests and benchmarks.
import type { EventDraft } from './events.js';
import type { VolumeSpec as VolumeSpecProto } from '@cairn/schema/events';
import type { VolumeSpec } from './state.js';

const LOCALITY = {
  disabled: 'DATA_LOCALITY_DISABLED',
  'best-effort': 'DATA_LOCALITY_BEST_EFFORT',
  'strict-local': 'DATA_LOCALITY_STRICT_LOCAL',
} as const;
const AUTO_BALANCE = {
  ignored: 'REPLICA_AUTO_BALANCE_IGNORED',
  disabled: 'REPLICA_AUTO_BALANCE_DISABLED',
  'least-effort': 'REPLICA_AUTO_BALANCE_LEAST_EFFORT',
  'best-effort': 'REPLICA_AUTO_BALANCE_BEST_EFFORT',
} as const;
const ANTI = {
  default: 'ANTI_AFFINITY_DEFAULT',
  enabled: 'ANTI_AFFINITY_ENABLED',
  disabled: 'ANTI_AFFINITY_DISABLED',
} as const;
const ACCESS = { rwo: 'ACCESS_MODE_RWO', rwx: 'ACCESS_MODE_RWX' } as const;

/** A volume spec with Longhorn's defaults for everything not given. */
export function volumeSpec(s: Partial<VolumeSpec> & { size: number }): VolumeSpec {
  return {
    numberOfReplicas: 3,
    dataLocality: 'disabled',
    diskSelector: [],
    nodeSelector: [],
    replicaAutoBalance: 'ignored',
    staleReplicaTimeout: 2880,
    replicaSoftAntiAffinity: 'default',
    replicaZoneSoftAntiAffinity: 'default',
    replicaDiskSoftAntiAffinity: 'default',
    accessMode: 'rwo',
    fsType: 'ext4',
    mkfsParams: '',
    ...s,
  };
}

export function volumeSpecToProto(s: VolumeSpec): VolumeSpecProto {
  return {
    size: s.size,
    numberOfReplicas: s.numberOfReplicas,
    dataLocality: LOCALITY[s.dataLocality],
    diskSelector: s.diskSelector,
    nodeSelector: s.nodeSelector,
    replicaAutoBalance: AUTO_BALANCE[s.replicaAutoBalance],
    staleReplicaTimeout: s.staleReplicaTimeout,
    replicaSoftAntiAffinity: ANTI[s.replicaSoftAntiAffinity],
    replicaZoneSoftAntiAffinity: ANTI[s.replicaZoneSoftAntiAffinity],
    replicaDiskSoftAntiAffinity: ANTI[s.replicaDiskSoftAntiAffinity],
    accessMode: ACCESS[s.accessMode],
    fsType: s.fsType,
    mkfsParams: s.mkfsParams,
    labels: s.labels ?? {},
  };
}

export const draft = {
  nodeRegistered: (
    nodeId: string,
    o: { zone?: string; address?: string; tags?: string[]; hostname?: string } = {},
  ): EventDraft => ({
    nodeRegistered: {
      nodeId,
      zone: o.zone ?? '',
      address: o.address ?? '',
      tags: o.tags ?? [],
      hostname: o.hostname ?? nodeId,
    },
  }),
  diskAdded: (
    nodeId: string,
    diskId: string,
    o: {
      path?: string;
      tags?: string[];
      maximum: number;
      available?: number;
      reserved?: number;
      allowScheduling?: boolean;
    },
  ): EventDraft => ({
    diskAdded: {
      nodeId,
      diskId,
      path: o.path ?? `/var/lib/cairn/${diskId}`,
      tags: o.tags ?? [],
      allowScheduling: o.allowScheduling ?? true,
      storageMaximum: o.maximum,
      storageAvailable: o.available ?? o.maximum,
      storageReserved: o.reserved ?? 0,
    },
  }),
  volumeCreated: (name: string, spec: Partial<VolumeSpec> & { size: number }): EventDraft => ({
    volumeCreated: { name, spec: volumeSpecToProto(volumeSpec(spec)) },
  }),
  settingsChanged: (values: Record<string, string>): EventDraft => ({ settingsChanged: { values } }),
};
