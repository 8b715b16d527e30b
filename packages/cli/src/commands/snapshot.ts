// cairn snapshot create VOLUME [NAME] | ls VOLUME | rm VOLUME NAME
import type { Snapshot__Output } from '@cairn/api';
import type { Command, Group } from '../command.js';
import { json, size, table, time } from '../output.js';

export function snapshotsTable(ss: Snapshot__Output[]): string {
  if (ss.length === 0) return 'no snapshots\n';
  return table(
    ['NAME', 'SIZE', 'CREATED', 'SEQ'],
    ss.map((s) => [s.name, size(s.size), time(s.createdMs), String(s.createdSeq)]),
  );
}

const create: Command = {
  spec: {
    path: 'snapshot create',
    args: ['VOLUME', '[NAME]'],
    flags: {},
    summary: 'Take a snapshot of a volume (NAME defaults to one made from the log seq).',
  },
  async run(ctx, p) {
    const s = await ctx.api().createSnapshot({ volume: p.args['VOLUME']!, name: p.args['NAME'] ?? '' });
    ctx.print(
      ctx.format === 'json'
        ? json(s)
        : `snapshot "${s.name}" of volume "${s.volume}" created (${size(s.size)}, seq ${s.createdSeq})\n`,
    );
    return 0;
  },
};

const ls: Command = {
  spec: { path: 'snapshot ls', args: ['VOLUME'], flags: {}, summary: 'List the snapshots of a volume.' },
  aliases: ['list'],
  async run(ctx, p) {
    const { snapshots } = await ctx.api().listSnapshots({ name: p.args['VOLUME']! });
    ctx.print(ctx.format === 'json' ? json(snapshots) : snapshotsTable(snapshots));
    return 0;
  },
};

const rm: Command = {
  spec: { path: 'snapshot rm', args: ['VOLUME', 'NAME'], flags: {}, summary: 'Delete a snapshot (idempotent).' },
  aliases: ['delete'],
  async run(ctx, p) {
    const volume = p.args['VOLUME']!;
    const name = p.args['NAME']!;
    const r = await ctx.api().deleteSnapshot({ volume, name });
    ctx.print(
      ctx.format === 'json'
        ? json(r)
        : r.deleted
          ? `snapshot "${name}" of volume "${volume}" deleted (seq ${r.seq})\n`
          : `volume "${volume}" has no snapshot "${name}"; nothing to delete\n`,
    );
    return 0;
  },
};

export const snapshot: Group = {
  name: 'snapshot',
  summary: 'take, list and delete snapshots of volumes',
  commands: [create, ls, rm],
};
