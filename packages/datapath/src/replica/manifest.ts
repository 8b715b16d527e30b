// replica.json: the volume's size and its chain of layers, oldest first, the live head last. It is
// written on creation and changes only on snapshot, snapshot deletion and resize, always replaced
// atomically (write a temporary file, fsync, rename, fsync the directory): the rename is the
// commit point of each.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { openFile, renameFile, syncDir, writeFully } from './file-io.js';

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
  /** The highest attachment epoch admitted (fence.ts); absent: none yet. */
  epoch?: number;
}

export const MANIFEST = 'replica.json';

export async function readManifest(dir: string): Promise<Manifest> {
  const m = JSON.parse(await readFile(join(dir, MANIFEST), 'utf8')) as Manifest;
  if (
    m.format !== 1 ||
    !Number.isSafeInteger(m.size) ||
    !Array.isArray(m.layers) ||
    m.layers.length === 0 ||
    m.layers.at(-1)!.name !== null
  ) {
    throw new Error(`${join(dir, MANIFEST)}: not a replica manifest`);
  }
  return m;
}

/** Replaces the manifest durably; `inline`: its opens, write and rename on this thread while fast (metaCall). */
export async function writeManifest(dir: string, m: Manifest, inline = true): Promise<void> {
  const tmp = join(dir, `${MANIFEST}.tmp`);
  const f = await openFile(tmp, 'w', inline);
  try {
    await writeFully(f, Buffer.from(JSON.stringify(m, null, 1) + '\n'), 0, inline);
    await f.sync();
  } finally {
    await f.close();
  }
  await renameFile(tmp, join(dir, MANIFEST), inline);
  await syncDir(dir, inline);
}
