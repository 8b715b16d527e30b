// cairn disk add|ls|update|rm
import type { AddDiskRequest, Disk__Output, UpdateDiskRequest } from '@cairn/api';
import { flagBool, flagList, flagSize, flagString } from '../args.js';
import type { Parsed } from '../args.js';
import type { Command, Group } from '../command.js';
import { CliError, UsageError } from '../errors.js';
import { json, list, ordered, size, table, yesNo } from '../output.js';

// ---- requests (pure) ---------------------------------------------------------------------------

export function addDiskRequest(p: Parsed): AddDiskRequest {
  const cmd = 'disk add';
  const req: AddDiskRequest = { nodeId: p.args['NODE']!, path: p.args['PATH']! };
  const id = flagString(p, 'id', cmd);
  if (id !== undefined) req.diskId = id;
  const tags = flagList(p, 'tags');
  if (tags) req.tags = tags;
  const reserved = flagSize(p, 'reserved', cmd);
  if (reserved !== undefined) req.storageReserved = reserved;
  const maximum = flagSize(p, 'maximum', cmd);
  if (maximum !== undefined) req.storageMaximum = maximum;
  const available = flagSize(p, 'available', cmd);
  if (available !== undefined) req.storageAvailable = available;
  if (maximum !== undefined && available !== undefined && available > maximum) {
    throw new UsageError('--available must not be more than --maximum', cmd);
  }
  return req;
}

export function updateDiskRequest(p: Parsed): UpdateDiskRequest {
  const cmd = 'disk update';
  const req: UpdateDiskRequest = { nodeId: p.args['NODE']!, diskId: p.args['DISK']! };
  const tags = flagList(p, 'tags');
  if (tags) req.tags = { values: tags };
  const sched = flagBool(p, 'allow-scheduling', cmd);
  if (sched !== undefined) req.allowScheduling = sched;
  const evict = flagBool(p, 'evict', cmd);
  if (evict !== undefined) req.evictionRequested = evict;
  const reserved = flagSize(p, 'reserved', cmd);
  if (reserved !== undefined) req.storageReserved = reserved;
  if (Object.keys(req).length === 2)
    throw new UsageError(
      'nothing to update: give at least one of --tags, --allow-scheduling, --evict, --reserved',
      cmd,
    );
  return req;
}

// ---- output (pure) -----------------------------------------------------------------------------

const DISK_KEYS = ['nodeId', 'diskId', 'path', 'tags'] as const;
export const diskJson = (d: Disk__Output): Disk__Output => ordered(d, DISK_KEYS);

export function disksTable(ds: Disk__Output[]): string {
  if (ds.length === 0) return 'no disks\n';
  return table(
    [
      'NODE',
      'DISK',
      'PATH',
      'TAGS',
      'SCHEDULABLE',
      'EVICTING',
      'MAXIMUM',
      'AVAILABLE',
      'RESERVED',
      'SCHEDULED',
      'REPLICAS',
    ],
    ds.map((d) => [
      d.nodeId,
      d.diskId,
      d.path,
      list(d.tags),
      yesNo(d.allowScheduling),
      yesNo(d.evictionRequested),
      size(d.storageMaximum),
      size(d.storageAvailable),
      size(d.storageReserved),
      size(d.storageScheduled),
      String(d.replicas),
    ]),
  );
}

function diskLine(verb: string, d: Disk__Output): string {
  return (
    `disk "${d.diskId}" on node "${d.nodeId}" ${verb}: ${d.path}, ${size(d.storageMaximum)} maximum, ${size(d.storageReserved)} reserved, ` +
    `tags ${list(d.tags)}, scheduling ${d.allowScheduling ? 'allowed' : 'disabled'}${d.evictionRequested ? ', eviction requested' : ''}\n`
  );
}

// ---- commands ----------------------------------------------------------------------------------

const DISK_FLAGS = {
  tags: { type: 'string', value: 'TAG,TAG', help: 'the disk\'s tags ("" clears on update)' },
  reserved: { type: 'string', value: 'SIZE', help: 'space kept free for other uses, e.g. 10Gi' },
} as const;

const add: Command = {
  spec: {
    path: 'disk add',
    args: ['NODE', 'PATH'],
    summary: 'Add a disk (a directory on the node) for replicas.',
    flags: {
      ...DISK_FLAGS,
      id: { type: 'string', value: 'DISK', help: "the disk's id (default: derived from the path)" },
      maximum: { type: 'string', value: 'SIZE', help: 'capacity to assume (default: what the node agent measures)' },
      available: {
        type: 'string',
        value: 'SIZE',
        help: 'free space to assume (default: what the node agent measures)',
      },
    },
  },
  async run(ctx, p) {
    const req = addDiskRequest(p);
    const d = await ctx.api().addDisk(req);
    ctx.print(ctx.format === 'json' ? json(diskJson(d)) : diskLine('added', d));
    return 0;
  },
};

const ls: Command = {
  spec: { path: 'disk ls', args: ['[NODE]'], flags: {}, summary: 'List the disks of every node, or of one.' },
  aliases: ['list'],
  async run(ctx, p) {
    const only = p.args['NODE'];
    const { nodes } = await ctx.api().listNodes();
    if (only !== undefined && !nodes.some((n) => n.id === only))
      throw new CliError(`not found: node "${only}" does not exist`);
    const disks = nodes.filter((n) => only === undefined || n.id === only).flatMap((n) => n.disks);
    ctx.print(ctx.format === 'json' ? json(disks.map(diskJson)) : disksTable(disks));
    return 0;
  },
};

const update: Command = {
  spec: {
    path: 'disk update',
    args: ['NODE', 'DISK'],
    summary: "Change a disk's tags, scheduling, eviction or reserved space; only the flags given change.",
    flags: {
      ...DISK_FLAGS,
      'allow-scheduling': {
        type: 'string',
        value: 'true|false',
        help: 'whether new replicas may be placed on the disk',
      },
      evict: { type: 'string', value: 'true|false', help: 'move every replica off the disk, one at a time' },
    },
  },
  async run(ctx, p) {
    const req = updateDiskRequest(p);
    const d = await ctx.api().updateDisk(req);
    ctx.print(ctx.format === 'json' ? json(diskJson(d)) : diskLine('updated', d));
    return 0;
  },
};

const rm: Command = {
  spec: { path: 'disk rm', args: ['NODE', 'DISK'], flags: {}, summary: 'Remove a disk from a node (idempotent).' },
  aliases: ['delete'],
  async run(ctx, p) {
    const nodeId = p.args['NODE']!;
    const diskId = p.args['DISK']!;
    const r = await ctx.api().removeDisk({ nodeId, diskId });
    ctx.print(
      ctx.format === 'json'
        ? json(r)
        : r.deleted
          ? `disk "${diskId}" removed from node "${nodeId}" (seq ${r.seq})\n`
          : `disk "${diskId}" is not on node "${nodeId}"; nothing to remove\n`,
    );
    return 0;
  },
};

export const disk: Group = {
  name: 'disk',
  summary: 'add, list, change and remove the disks of nodes',
  commands: [add, ls, update, rm],
};
