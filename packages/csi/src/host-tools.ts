// The programs `cairn node` runs on its host, and the Debian package that provides each: the one
// list the image's run stage (Dockerfile) must cover. Only the CSI Node service runs programs
// (node.ts, through node-os.ts): the agent, engines, replicas and NBD server are in-process, and
// fallocate is the datapath's N-API addon. The filesystem tools are derived from node-plan.ts's
// FS_TYPES and its command builders, so a new filesystem cannot be supported without its package.
// test/image.test.ts checks this list against the programs node-os.ts and node.ts run, against the
// Dockerfile, and against `dpkg -S` on the test machine.
import { DEFAULT_FS_TYPE, FS_TYPES } from '@cairn/schema';
import type { FsType } from '@cairn/schema';
import { growFsCommand, mkfsCommand, offlineGrowCommands } from './node-plan.js';

/** When a node runs the program: on every volume's path, or only for a filesystem or the kernel NBD client. */
export type HostToolUse = 'always' | 'kernel-nbd' | `fsType:${FsType}`;

export interface HostTool {
  /** The program, as node-os.ts / node.ts spawn it (found on PATH). */
  readonly command: string;
  /** The Debian (bookworm) package that installs it. */
  readonly debianPackage: string;
  readonly use: HostToolUse;
  readonly why: string;
}

/** The programs every staged volume may need (the nbdfuse path is the default device path). */
const DEVICE_TOOLS: readonly HostTool[] = [
  {
    command: 'nbdfuse',
    debianPackage: 'libnbd-bin',
    use: 'always',
    why: "serves the engine's NBD export as a file, the default device path",
  },
  {
    command: 'fusermount3',
    debianPackage: 'fuse3',
    use: 'always',
    why: "unmounts nbdfuse's FUSE mount, which stops it",
  },
  { command: 'nbdinfo', debianPackage: 'libnbd-bin', use: 'always', why: "the export's size, for NodeExpandVolume" },
  {
    command: 'losetup',
    debianPackage: 'mount',
    use: 'always',
    why: 'a loop device over the nbdfuse file, and snapshot devices',
  },
  { command: 'mount', debianPackage: 'mount', use: 'always', why: 'staging and publish (bind) mounts' },
  { command: 'umount', debianPackage: 'mount', use: 'always', why: 'unstage and unpublish' },
  { command: 'blkid', debianPackage: 'util-linux', use: 'always', why: 'whether a device already has a filesystem' },
  { command: 'blockdev', debianPackage: 'util-linux', use: 'always', why: "a device's size" },
  {
    command: 'dd',
    debianPackage: 'coreutils',
    use: 'always',
    why: 'a direct read that probes whether a device answers',
  },
  {
    command: 'fstrim',
    debianPackage: 'util-linux',
    use: 'always',
    why: 'the filesystem-trim recurring job, on a staged filesystem (run by the node agent)',
  },
  {
    command: 'nbd-client',
    debianPackage: 'nbd-client',
    use: 'kernel-nbd',
    why: 'the kernel NBD client, where /dev/nbd* exists',
  },
];

/** The Debian package of each filesystem's tools. */
const FS_PACKAGES: Record<FsType, string> = { ext4: 'e2fsprogs', xfs: 'xfsprogs' };

function fsTools(): HostTool[] {
  const out: HostTool[] = [];
  for (const fs of FS_TYPES) {
    const use: HostToolUse = `fsType:${fs}`;
    const debianPackage = FS_PACKAGES[fs];
    out.push({ command: mkfsCommand(fs, [], '/dev/X')[0], debianPackage, use, why: `makes ${fs} on first stage` });
    out.push({
      command: growFsCommand(fs, '/dev/X', '/m')[0],
      debianPackage,
      use,
      why: `grows ${fs} (NodeExpandVolume)`,
    });
    for (const [command] of offlineGrowCommands(fs, '/dev/X') ?? [])
      out.push({ command, debianPackage, use, why: `grows ${fs} offline` });
  }
  return out;
}

/** Every program `cairn node` runs, once each (a program two filesystems share is listed once). */
export const HOST_TOOLS: readonly HostTool[] = [...DEVICE_TOOLS, ...fsTools()].filter(
  (t, i, all) => all.findIndex((u) => u.command === t.command) === i,
);

/** The Debian packages that provide HOST_TOOLS, sorted. */
export function hostToolPackages(): string[] {
  return [...new Set(HOST_TOOLS.map((t) => t.debianPackage))].sort();
}

/** The programs of the nbdfuse device path, not needed where the kernel's NBD client serves. */
const NBDFUSE_PATH = new Set(['nbdfuse', 'fusermount3']);

/**
 * What the Node service cannot work without (its Probe names what is missing): the programs of
 * its device path (kernel NBD client or nbdfuse) and of the default filesystem. Other
 * filesystems' tools are needed only by volumes that ask for them.
 */
export function requiredPrograms(kernelNbd: boolean): string[] {
  return HOST_TOOLS.filter((t) => {
    if (t.use === 'always') return !(kernelNbd && NBDFUSE_PATH.has(t.command));
    if (t.use === 'kernel-nbd') return kernelNbd;
    return t.use === `fsType:${DEFAULT_FS_TYPE}`;
  }).map((t) => t.command);
}
