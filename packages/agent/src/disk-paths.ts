// Where the agent may keep replica data: only under the disks it was started with (`--disk PATH`).
// An assignment names its replica's disk by path and its directory by replica id, both from the
// manager; a manager that is wrong or not ours must not make the agent create, write or `rm -rf`
// anything else (/var/lib/kubelet, /etc). So the directory is DISK/replicas/ID for a DISK given
// at start and an ID that is one plain name, and, on the host, neither DISK/replicas nor the
// replica's directory may be a symlink (or a mount trick) that leads out of the disk.
import { realpath } from 'node:fs/promises';
import { resolve, sep } from 'node:path';

/** A replica id is one path component: no '/', not '.' or '..', nothing that reads as an option. */
const REPLICA_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,252}$/;

/** Whether `path` is `root` or below it (both absolute and normalised): '/disk-1evil' is not under '/disk-1'. */
export function isInside(root: string, path: string): boolean {
  const r = resolve(root);
  const p = resolve(path);
  return p === r || p.startsWith(r.endsWith(sep) ? r : r + sep);
}

/** An assignment that would put replica data outside this node's disks. */
export class PlaceRefused extends Error {}

export type ReplicaPlace = { dir: string; disk: string } | { refused: string };

/**
 * The directory of replica `replicaId` on the disk at `diskPath`, or why it is refused: the disk
 * must be one of `disks` (the agent's own, compared normalised) and the id one plain name. Pure:
 * symlinks on the host are confineReplicaDir's job.
 */
export function replicaPlace(disks: readonly string[], diskPath: string, replicaId: string): ReplicaPlace {
  if (!REPLICA_ID.test(replicaId) || replicaId === '.' || replicaId === '..') {
    return { refused: `replica id ${JSON.stringify(replicaId)} is not a plain name` };
  }
  if (!diskPath.startsWith('/')) return { refused: `disk path ${JSON.stringify(diskPath)} is not absolute` };
  const disk = disks.map((d) => resolve(d)).find((d) => d === resolve(diskPath));
  if (disk === undefined)
    return { refused: `disk path ${JSON.stringify(diskPath)} is not one of this node's disks (${disks.join(', ')})` };
  const dir = resolve(disk, 'replicas', replicaId);
  if (!isInside(resolve(disk, 'replicas'), dir) || dir === resolve(disk, 'replicas'))
    return { refused: `replica directory ${dir} is not under ${disk}/replicas` };
  return { dir, disk };
}

async function realpathIfThere(p: string): Promise<string | undefined> {
  try {
    return await realpath(p);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

/**
 * replicaPlace, then the host: DISK/replicas and the replica's directory, where they exist, must
 * resolve (symlinks followed) inside the disk's own real path. Resolves to the directory; throws
 * PlaceRefused saying why it is refused (an I/O error as itself).
 */
export async function confineReplicaDir(
  disks: readonly string[],
  diskPath: string,
  replicaId: string,
): Promise<string> {
  const place = replicaPlace(disks, diskPath, replicaId);
  if ('refused' in place) throw new PlaceRefused(place.refused);
  const disk = await realpath(place.disk);
  const replicas = await realpathIfThere(resolve(place.disk, 'replicas'));
  if (replicas !== undefined && replicas !== resolve(disk, 'replicas'))
    throw new PlaceRefused(`${place.disk}/replicas leads to ${replicas}, outside the disk`);
  const dir = await realpathIfThere(place.dir);
  if (dir !== undefined && dir !== resolve(disk, 'replicas', replicaId))
    throw new PlaceRefused(`${place.dir} leads to ${dir}, outside the disk`);
  return place.dir;
}
