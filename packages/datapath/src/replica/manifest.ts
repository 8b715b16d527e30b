// replica.json: the volume's size and its chain of layers, oldest first, the live head last. It
// changes only on snapshot, snapshot deletion and resize, and is replaced atomically (write a
// temporary file, fsync, rename, fsync the directory): the rename is the commit point of each.
import { open, readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { syncDir } from './file-io.js';

export interface ManifestLayer {
  id: number;
  /** The snapshot's name; null for the live head. */
  name: string | null;
  /** Snapshots: when taken, the revision and size then. */
  createdAt?: string;
  revision?: number;
  size?: number;
}

export interface Manifest {
  format: 1;
  size: number;
  nextId: number;
  layers: ManifestLayer[];
}

export const MANIFEST = 'replica.json';

export async function readManifest(dir: string): Promise<Manifest> {
  const m = JSON.parse(await readFile(join(dir, MANIFEST), 'utf8')) as Manifest;
  if (m.format !== 1 || !Number.isSafeInteger(m.size) || !Array.isArray(m.layers) || m.layers.length === 0
    || m.layers.at(-1)!.name !== null) {
    throw new Error(`${join(dir, MANIFEST)}: not a replica manifest`);
  }
  return m;
}

export async function writeManifest(dir: string, m: Manifest): Promise<void> {
  const tmp = join(dir, `${MANIFEST}.tmp`);
  const fh = await open(tmp, 'w');
  try {
    await fh.writeFile(JSON.stringify(m, null, 1) + '\n');
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, join(dir, MANIFEST));
  await syncDir(dir);
}
