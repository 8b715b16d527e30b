// cairn settings get [KEY] | set KEY VALUE (Longhorn's setting names)
import type { Setting__Output } from '@cairn/api';
import type { Command, Group } from '../command.js';
import { CliError } from '../errors.js';
import { dash, json, keyValues, table } from '../output.js';

export function settingsTable(ss: Setting__Output[]): string {
  if (ss.length === 0) return 'no settings\n';
  return table(
    ['NAME', 'VALUE', 'DEFAULT'],
    ss.map((s) => [s.name, s.value, s.default]),
  );
}

export function settingDetail(s: Setting__Output): string {
  return keyValues([
    ['name', s.name],
    ['value', s.value],
    ['default', s.default],
    ['range', dash(s.range)],
    ['description', dash(s.description)],
  ]);
}

const get: Command = {
  spec: {
    path: 'settings get',
    args: ['[KEY]'],
    flags: {},
    summary: 'Show every setting, or one with its range and description.',
  },
  aliases: ['ls', 'list'],
  async run(ctx, p) {
    const key = p.args['KEY'];
    const { settings } = await ctx.api().getSettings({ name: key ?? '' });
    if (key === undefined) {
      ctx.print(ctx.format === 'json' ? json(settings) : settingsTable(settings));
      return 0;
    }
    const s = settings.find((x) => x.name === key);
    if (!s) throw new CliError(`not found: no setting "${key}"`);
    ctx.print(ctx.format === 'json' ? json(s) : settingDetail(s));
    return 0;
  },
};

const set: Command = {
  spec: {
    path: 'settings set',
    args: ['KEY', 'VALUE'],
    flags: {},
    summary: 'Change a setting (validated by the manager against its range).',
  },
  async run(ctx, p) {
    const key = p.args['KEY']!;
    const r = await ctx.api().updateSettings({ values: { [key]: p.args['VALUE']! } });
    const s = r.settings.find((x) => x.name === key);
    ctx.print(
      ctx.format === 'json' ? json(s ?? r) : `setting ${key} = ${s?.value ?? p.args['VALUE']!} (seq ${r.seq})\n`,
    );
    return 0;
  },
};

export const settings: Group = {
  name: 'settings',
  summary: 'show and change cluster settings',
  commands: [get, set],
};
