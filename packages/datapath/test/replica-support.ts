// Helpers for the replica suites: scratch directories, recognisable data, a volume's bytes.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export async function scratch(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'cairn-replica-'));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** `length` bytes that depend on `seed` and position, never all zero. */
export function pattern(length: number, seed: number): Buffer {
  const b = Buffer.allocUnsafe(length);
  let x = (seed * 2654435761) >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    b[i] = (x & 0xff) | 1;
  }
  return b;
}

export const KiB = 1024;
export const MiB = 1024 * KiB;

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
