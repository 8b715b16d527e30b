// A StorageClass's parameters as CreateVolume receives them, split into what each part is for:
// the volume's own settings (Longhorn's names, acted on), the parameters accepted without effect
// (reported, never silently dropped), the PVC the provisioner says the volume is for, and a
// fromBackup. Pure: returns the parts or throws a CsiError naming the parameter that is wrong.
import { parseParameters } from './controller-params.js';
import type { VolumeParams } from './controller-params.js';

/** A parameter accepted without effect, and why it has none (recorded on the volume, warned on the PVC). */
export interface UnsupportedParameter {
  key: string;
  value: string;
  reason: string;
}

/** The PVC and PV the external-provisioner names (with --extra-create-metadata). */
export interface KubernetesRef {
  pvcNamespace: string;
  pvcName: string;
  pvName: string;
}

export interface StorageClassRequest {
  /** What the volume is created with. */
  volume: VolumeParams;
  /** Accepted, not acted on. */
  unsupported: UnsupportedParameter[];
  /** null when the provisioner passed none of csi.storage.k8s.io/pvc/name, pvc/namespace, pv/name. */
  kubernetes: KubernetesRef | null;
  /** Longhorn's fromBackup; '' when absent or empty. */
  fromBackup: string;
}

/** The provisioner's own keys (external-provisioner --extra-create-metadata). */
export const PROVISIONER_KEYS = {
  pvcName: 'csi.storage.k8s.io/pvc/name',
  pvcNamespace: 'csi.storage.k8s.io/pvc/namespace',
  pvName: 'csi.storage.k8s.io/pv/name',
} as const;

/** Splits CreateVolume's parameters into their parts. */
export function parseStorageClass(params: Record<string, string>): StorageClassRequest {
  const pvcName = params[PROVISIONER_KEYS.pvcName] ?? '';
  const pvcNamespace = params[PROVISIONER_KEYS.pvcNamespace] ?? '';
  const pvName = params[PROVISIONER_KEYS.pvName] ?? '';
  return {
    volume: parseParameters(params),
    unsupported: [],
    kubernetes: pvcName || pvName ? { pvcNamespace, pvcName, pvName } : null,
    fromBackup: '',
  };
}
