// CreateSnapshot's parameters: a VolumeSnapshotClass's, as the external-snapshotter passes them.
// Longhorn's classes say `type: snap` (a snapshot kept in the volume's replicas, which is what a
// cairn snapshot is), `type: bak` (a backup in a backup target, with `backupMode`) or `type: bi`
// (a backing image); the snapshotter adds its own csi.storage.k8s.io/volumesnapshot/* keys with
// --extra-create-metadata. Pure: returns nothing or throws a CsiError naming the parameter.
import { failedPrecondition, invalid } from './errors.js';

/** The external-snapshotter's own keys: skipped. */
const SNAPSHOTTER_PREFIX = 'csi.storage.k8s.io/';
export const SNAPSHOT_CLASS_PARAMETERS = ['type', 'backupMode'] as const;

export function checkSnapshotParameters(params: Record<string, string>): void {
  const type = (params['type'] ?? 'snap').trim();
  for (const k of Object.keys(params)) {
    if (k.startsWith(SNAPSHOTTER_PREFIX)) continue;
    if (!(SNAPSHOT_CLASS_PARAMETERS as readonly string[]).includes(k)) {
      throw invalid(
        `parameter ${k} is not known: cairn's VolumeSnapshotClass parameters are ${SNAPSHOT_CLASS_PARAMETERS.join(', ')}`,
      );
    }
  }
  switch (type) {
    case 'snap':
      if (params['backupMode'] !== undefined)
        throw invalid('parameter backupMode applies to type bak (a backup), not to type snap');
      return;
    case 'bak':
      // A backup needs a backup target: the cluster lacks one, so retrying cannot help.
      throw failedPrecondition(
        'parameter type bak asks for a backup: no backup target is configured in this cluster' +
          ' (a CSI snapshot of type bak is not built; take a type snap snapshot and back it up with cairn backup create)',
      );
    case 'bi':
      throw invalid('parameter type bi (a backing image) is not supported: cairn has no backing images; use type snap');
    default:
      throw invalid(
        `parameter type "${params['type']}" is not valid: use snap (cairn snapshots live in the volume's replicas)`,
      );
  }
}
