// Shared by the backup suites: the CLI against a test cluster, block objects in a target, a
// restore into memory (what a backup holds, by sha256), a file written through an NBD export.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import * as assert from 'uvu/assert';
import { restoreBackup } from '@cairn/backup';
import type { BackupStore } from '@cairn/backup';
import type { TestCluster } from './cluster.js';

const run = promisify(execFile);

export const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

/** `cairn ARGS --cluster DIR/cluster.json`. */
export async function cairnOn(
  c: TestCluster,
  ...args: string[]
): Promise<{ code: number; stdout: string; stderr: string }> {
  return c.cairn([...args, '--cluster', join(c.dir, 'cluster.json')]);
}

/** The same, which must succeed; its stdout. */
export async function cairnOk(c: TestCluster, ...args: string[]): Promise<string> {
  const r = await cairnOn(c, ...args);
  assert.is(r.code, 0, `cairn ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** The block objects in a target. */
export async function blocks(store: BackupStore): Promise<string[]> {
  return (await store.list('backupstore/')).filter((k) => k.endsWith('.blk')).sort();
}

/** The delta objects in a target (an incremental's changed 4 KiB pages of a block). */
export async function deltas(store: BackupStore): Promise<string[]> {
  return (await store.list('backupstore/')).filter((k) => k.endsWith('.dlt')).sort();
}

/** Restores a backup into memory; the sha256 of what it holds. */
export async function restoredSha(store: BackupStore, url: string, size: number): Promise<string> {
  const buf = Buffer.alloc(size);
  await restoreBackup(store, url, {
    size,
    write: async (offset: number, data: Buffer) => {
      data.copy(buf, offset);
    },
    flush: async () => undefined,
  });
  return sha(buf);
}

/** Writes `data` from offset 0 through the export `uri` (nbdcopy), by way of a file in the cluster's dir. */
export async function writeThrough(c: TestCluster, uri: string, data: Buffer, file: string): Promise<void> {
  writeFileSync(join(c.dir, file), data);
  await run('nbdcopy', [join(c.dir, file), uri], { timeout: 120_000 });
}
