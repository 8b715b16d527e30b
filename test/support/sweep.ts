// Cleanup for suites that stage volumes on this host: whatever a failed test left under its
// directory (mounts, loop devices, nbdfuse processes) is removed, so the next suite starts clean.
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Leaves no mounts, loop devices or nbdfuse processes under `dir` behind, even when a test failed. */
export async function sweep(dir: string): Promise<void> {
  const points = readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((l) => l.split(' ')[4] ?? '')
    .filter((m) => m.startsWith(dir));
  for (const m of points.reverse()) await run('umount', ['-l', m]).catch(() => undefined);
  const { stdout } = await run('losetup', ['-a', '-O', 'NAME,BACK-FILE', '--noheadings', '--raw']).catch(() => ({
    stdout: '',
  }));
  for (const line of stdout.split('\n')) {
    const [dev, file] = line.split(' ');
    if (dev && file?.startsWith(dir)) await run('losetup', ['-d', dev]).catch(() => undefined);
  }
  for (const p of readdirSync('/proc').filter((x) => /^\d+$/.test(x))) {
    try {
      const cmd = readFileSync(`/proc/${p}/cmdline`, 'utf8');
      if (cmd.startsWith('nbdfuse') && cmd.includes(dir)) process.kill(Number(p), 'SIGKILL');
    } catch {
      /* gone */
    }
  }
}
