// Thin wrappers around the programs and kernel interfaces the Node service drives: mount, umount,
// losetup, nbdfuse, fusermount3, nbd-client, blkid, mkfs, resize2fs, xfs_growfs, nbdinfo, statfs.
// No decisions here (node-plan.ts makes them); each function does one thing and says what failed.
import { spawn } from 'node:child_process';
import { accessSync, closeSync, constants, existsSync, openSync, readdirSync, readFileSync } from 'node:fs';
import { readFile, statfs } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { nbdClientArgs, parseBlkid, parseMountInfo } from './node-plan.js';
import type { MountEntry } from './node-plan.js';

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs a program to completion; never throws for a non-zero exit. After timeoutMs it is killed and
 * the result (code 124) returned at once: a process stuck in the kernel on a dead device (D state)
 * may never exit, and the caller must not hang with it.
 */
export function run(cmd: string, args: string[], timeoutMs = 60_000): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let done = false;
    const finish = (code: number): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    };
    child.stdout.on('data', (d: Buffer) => {
      stdout += d;
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d;
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      stderr += `\n(killed after ${timeoutMs} ms)`;
      finish(124);
    }, timeoutMs);
    child.on('error', (e) => {
      stderr += e.message;
      finish(127);
    });
    child.on('close', (code) => finish(code ?? 1));
  });
}

/**
 * fstrim -v on a mounted filesystem (the filesystem-trim recurring job, run by the node agent on a
 * volume this service staged); its output says the bytes trimmed.
 */
export function fstrim(path: string, timeoutMs: number): Promise<RunResult> {
  return run('fstrim', ['-v', path], timeoutMs);
}

/** Runs a program; a non-zero exit is an Error naming the command and its stderr. */
export async function must(cmd: string, args: string[], timeoutMs = 60_000): Promise<string> {
  const r = await run(cmd, args, timeoutMs);
  if (r.code !== 0) throw new Error(`${cmd} ${args.join(' ')}: exit ${r.code}: ${(r.stderr || r.stdout).trim()}`);
  return r.stdout;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function mounts(): Promise<MountEntry[]> {
  return parseMountInfo(await readFile('/proc/self/mountinfo', 'utf8'));
}

/** Mounts; an error names the source and target but not the options (mount_flags may be sensitive). */
export async function mount(
  source: string,
  target: string,
  o: { type?: string; options?: string[]; bind?: boolean } = {},
): Promise<void> {
  const args = [
    ...(o.bind ? ['--bind'] : []),
    ...(o.type ? ['-t', o.type] : []),
    ...(o.options?.length ? ['-o', o.options.join(',')] : []),
    source,
    target,
  ];
  const r = await run('mount', args);
  if (r.code !== 0) {
    const flags =
      (o.bind ? '--bind ' : '') +
      (o.type ? `-t ${o.type} ` : '') +
      (o.options?.length ? `(${o.options.length} option(s)) ` : '');
    const what = `mount ${flags}${source} ${target}`;
    throw new Error(`${what}: exit ${r.code}: ${r.stderr.trim()}`);
  }
}

/** Makes an existing bind mount read-only (a bind mount takes `ro` only through a remount). */
export async function remountBindReadOnly(target: string): Promise<void> {
  await must('mount', ['-o', 'remount,bind,ro', target]);
}

/** Unmounts `target`; a busy mount is retried for a moment (a loop release or a stat may hold it). */
export async function umount(target: string): Promise<void> {
  for (let i = 0; ; i++) {
    const r = await run('umount', [target]);
    if (r.code === 0) return;
    if (i >= 20 || !/busy/i.test(r.stderr)) throw new Error(`umount ${target}: ${r.stderr.trim()}`);
    await sleep(100);
  }
}

/** Attaches a loop device to `file` (read-only if asked) and returns its path. */
export async function losetupAttach(file: string, readOnly = false): Promise<string> {
  return (await must('losetup', ['-f', '--show', ...(readOnly ? ['-r'] : []), file])).trim();
}

/** The backing file of /dev/loopN, or null when it has none (detached). */
export function loopBackingFile(device: string): string | null {
  try {
    return readFileSync(`/sys/block/${basename(device)}/loop/backing_file`, 'utf8').trim();
  } catch {
    return null;
  }
}

/** Loop devices whose backing file is `file`. */
export function loopsOf(file: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync('/sys/block')) {
    if (name.startsWith('loop') && loopBackingFile(name) === file) out.push(`/dev/${name}`);
  }
  return out;
}

export async function losetupDetach(device: string): Promise<void> {
  const r = await run('losetup', ['-d', device]);
  if (r.code !== 0 && loopBackingFile(device) !== null) throw new Error(`losetup -d ${device}: ${r.stderr.trim()}`);
}

/** Re-reads a loop device's capacity from its backing file. */
export async function losetupRefresh(device: string): Promise<void> {
  await must('losetup', ['-c', device]);
}

export async function deviceBytes(device: string): Promise<number> {
  return Number((await must('blockdev', ['--getsize64', device])).trim());
}

/** The size of an NBD export as a new connection sees it now. */
export async function exportBytes(url: string): Promise<number> {
  return Number((await must('nbdinfo', ['--size', url], 20_000)).trim());
}

export async function blkid(device: string): Promise<{ type?: string; ptType?: string }> {
  const r = await run('blkid', ['-p', '-o', 'export', device]);
  if (r.code === 2) return {}; // nothing found
  if (r.code !== 0) throw new Error(`blkid ${device}: exit ${r.code}: ${r.stderr.trim()}`);
  return parseBlkid(r.stdout);
}

export function pidAlive(pid: number | undefined): boolean {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    // A zombie (our own exited child not reaped yet) counts as gone.
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/** The command line of a process, or null when there is none. */
export function pidCommand(pid: number): string | null {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
  } catch {
    return null;
  }
}

/**
 * Starts nbdfuse serving `url` as the file `${fuseDir}/disk`, detached in its own session so it
 * outlives the agent (a restarted agent finds it by the recorded pid); resolves with its pid once
 * it is serving (its -P pid file appears). stderr goes to `logFile`.
 */
export async function startNbdfuse(
  url: string,
  fuseDir: string,
  pidFile: string,
  logFile: string,
  timeoutMs = 20_000,
): Promise<number> {
  const log = openSync(logFile, 'a');
  const child = spawn('nbdfuse', ['-P', pidFile, `${fuseDir}/disk`, url], {
    detached: true,
    stdio: ['ignore', 'ignore', log],
  });
  closeSync(log);
  let exited: number | null = null;
  child.on('exit', (code) => {
    exited = code ?? 1;
  });
  child.on('error', () => {
    exited = 127;
  });
  child.unref();
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (existsSync(pidFile)) {
      const pid = Number(readFileSync(pidFile, 'utf8').trim());
      if (pid > 0) return pid;
    }
    if (exited !== null) break;
    await sleep(50);
  }
  if (exited === null) child.kill('SIGKILL');
  let why = '';
  try {
    why = readFileSync(logFile, 'utf8').trim().split('\n').slice(-3).join('; ');
  } catch {
    /* no log */
  }
  throw new Error(
    `nbdfuse ${url}: ${exited === null ? `not serving after ${timeoutMs} ms` : `exited ${exited}`}${why ? `: ${why}` : ''}`,
  );
}

/** Unmounts nbdfuse's FUSE mount (which makes it exit) and waits for the process to be gone. */
export async function stopNbdfuse(fuseDir: string, pid: number | undefined, isMounted: boolean): Promise<void> {
  if (isMounted) {
    for (let i = 0; ; i++) {
      const r = await run('fusermount3', ['-u', fuseDir]);
      if (r.code === 0) break;
      if (i >= 30) throw new Error(`fusermount3 -u ${fuseDir}: ${r.stderr.trim()}`);
      await sleep(100); // a just-detached loop device releases the file asynchronously
    }
  }
  if (pid && isNbdfuse(pid)) {
    for (let i = 0; i < 50 && pidAlive(pid); i++) await sleep(100);
    if (pidAlive(pid)) process.kill(pid, 'SIGKILL');
  }
}

/** Whether `pid` is an nbdfuse process (pids are reused: never signal a stranger). */
export function isNbdfuse(pid: number): boolean {
  const cmd = pidCommand(pid);
  return cmd !== null && /(^|\/)nbdfuse( |$)/.test(cmd);
}

/** /dev/nbd* exists and nbd-client is installed: the kernel's NBD client can be used. */
export async function kernelNbdAvailable(): Promise<boolean> {
  if (!existsSync('/dev/nbd0')) return false;
  return (await run('nbd-client', ['-h'], 5000)).code !== 127;
}

/** The first /dev/nbdN not connected (no pid in sysfs). */
export function freeNbdDevice(): string {
  for (let n = 0; existsSync(`/dev/nbd${n}`); n++) {
    if (!existsSync(`/sys/block/nbd${n}/pid`)) return `/dev/nbd${n}`;
  }
  throw new Error('no free /dev/nbd device');
}

/**
 * Connects /dev/nbdN to nbd://host:port/name with nbd-client (netlink by default: the kernel keeps
 * the connection, nbd-client exits). Untested here: this machine has no nbd module.
 */
export async function nbdClientConnect(url: string, device: string): Promise<void> {
  await must('nbd-client', nbdClientArgs(url, device));
}

export async function nbdClientDisconnect(device: string): Promise<void> {
  if (existsSync(`/sys/block/${basename(device)}/pid`)) await must('nbd-client', ['-d', device]);
}

export async function statfsOf(
  path: string,
): Promise<{ bsize: number; blocks: number; bfree: number; bavail: number; files: number; ffree: number }> {
  const s = await statfs(path);
  return { bsize: s.bsize, blocks: s.blocks, bfree: s.bfree, bavail: s.bavail, files: s.files, ffree: s.ffree };
}

/** Reads the first 4 KiB of a device, bypassing the page cache: null when it answers, else why not. */
export async function probeRead(device: string, timeoutMs = 5000): Promise<string | null> {
  const r = await run(
    'dd',
    [`if=${device}`, 'of=/dev/null', 'bs=4096', 'count=1', 'iflag=direct', 'status=none'],
    timeoutMs,
  );
  return r.code === 0 ? null : `reading ${device} failed: ${r.stderr.trim() || `exit ${r.code}`}`;
}

/** The programs of `names` found nowhere on PATH (as spawn would look them up). */
export function missingPrograms(names: string[], path = process.env['PATH'] ?? ''): string[] {
  const dirs = path.split(':').filter(Boolean);
  return names.filter(
    (name) =>
      !dirs.some((d) => {
        try {
          accessSync(join(d, name), constants.X_OK);
          return true;
        } catch {
          return false;
        }
      }),
  );
}
