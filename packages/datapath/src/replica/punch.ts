// Releasing a trimmed range's space. Node has no fallocate(2), so this runs util-linux's
// `fallocate --punch-hole --keep-size`. Trim only promises that space *may* be released and the
// allocation map already says the blocks read as zeroes, so a failure (or a missing binary, after
// which it is not tried again) costs space, never correctness.
import { execFile } from 'node:child_process';

let available = true;

export function punchHole(path: string, offset: number, length: number): Promise<boolean> {
  if (!available || length <= 0) return Promise.resolve(false);
  return new Promise((resolve) => {
    execFile('fallocate', ['--punch-hole', '--keep-size', '--offset', String(offset), '--length', String(length), path],
      (err) => {
        if (err && (err as NodeJS.ErrnoException).code === 'ENOENT') available = false;
        resolve(!err);
      });
  });
}
