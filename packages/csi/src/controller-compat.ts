// Idempotent CreateVolume: whether a volume that already has the requested name answers the
// request, or why not (the spec's ALREADY_EXISTS). Pure.
import type { Volume__Output } from '@cairn/api';
import { DEFAULT_FS_TYPE } from '@cairn/schema';
import { dataSourceOf, rangeAdmits } from './controller-params.js';
import type { ContentSource } from './controller-params.js';
import type { VolumeParams } from './storage-class.js';
import type { CapacityRange__Output } from './types.js';

export interface CreateAsk {
  range: CapacityRange__Output | null;
  params: VolumeParams;
  /** The file system the request names (parameter or capability); null when it names none. */
  fsType: string | null;
  source: ContentSource | null;
  /** The StorageClass's fromBackup ('' for none). */
  fromBackup?: string;
}

/**
 * Why an existing volume does not answer a CreateVolume (ALREADY_EXISTS), or null when it does.
 * Only what the request states is compared: a parameter it leaves out is whatever the volume has.
 */
export function incompatibility(v: Volume__Output, req: CreateAsk): string | null {
  if (!rangeAdmits(req.range, v.size))
    return `its size ${v.size} is outside capacity_range [${req.range?.requiredBytes ?? 0}, ${req.range?.limitBytes || 'no limit'}]`;
  const p = req.params;
  const diff = (what: string, have: unknown, want: unknown): string | null =>
    JSON.stringify(have) === JSON.stringify(want)
      ? null
      : `${what} is ${JSON.stringify(have)}, requested ${JSON.stringify(want)}`;
  const checks = [
    p.numberOfReplicas !== undefined ? diff('numberOfReplicas', v.numberOfReplicas, p.numberOfReplicas) : null,
    p.dataLocality !== undefined ? diff('dataLocality', v.dataLocality, p.dataLocality) : null,
    p.diskSelector !== undefined ? diff('diskSelector', v.diskSelector, p.diskSelector) : null,
    p.nodeSelector !== undefined ? diff('nodeSelector', v.nodeSelector, p.nodeSelector) : null,
    p.replicaAutoBalance !== undefined ? diff('replicaAutoBalance', v.replicaAutoBalance, p.replicaAutoBalance) : null,
    p.staleReplicaTimeout !== undefined
      ? diff('staleReplicaTimeout', v.staleReplicaTimeout, p.staleReplicaTimeout)
      : null,
    req.fsType !== null ? diff('fsType', v.fsType || DEFAULT_FS_TYPE, req.fsType) : null,
    p.mkfsParams !== undefined ? diff('mkfsParams', v.mkfsParams, p.mkfsParams) : null,
    p.replicaSoftAntiAffinity !== undefined
      ? diff('replicaSoftAntiAffinity', v.replicaSoftAntiAffinity, p.replicaSoftAntiAffinity)
      : null,
    p.replicaZoneSoftAntiAffinity !== undefined
      ? diff('replicaZoneSoftAntiAffinity', v.replicaZoneSoftAntiAffinity, p.replicaZoneSoftAntiAffinity)
      : null,
    p.replicaDiskSoftAntiAffinity !== undefined
      ? diff('replicaDiskSoftAntiAffinity', v.replicaDiskSoftAntiAffinity, p.replicaDiskSoftAntiAffinity)
      : null,
    diff('volume_content_source', v.dataSource, req.source ? dataSourceOf(req.source) : ''),
    diff('fromBackup', v.restore?.backup ?? '', req.fromBackup ?? ''),
  ];
  return checks.find((c) => c !== null) ?? null;
}
