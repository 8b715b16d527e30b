// cairn backup target [set URL [--credential-file F]] | create VOLUME [--snapshot S] [--wait] |
// ls [VOLUME] | get URL | rm URL
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Backup__Output, BackupTarget__Output } from '@cairn/api';
import type { Command, Context, Group } from '../command.js';
import { UsageError } from '../errors.js';
import { dash, json, keyValues, size, table, time, yesNo } from '../output.js';
import { backupReading } from '../progress-readings.js';
import { progressView } from '../progress-view.js';

/**
 * A credential file: KEY=VALUE lines (blank lines and # comments skipped, optional quotes,
 * optional `export`) or a JSON object, with Longhorn's names (AWS_ACCESS_KEY_ID,
 * AWS_SECRET_ACCESS_KEY, AWS_ENDPOINTS). The manager checks the values; errors never quote them.
 */
export function parseCredentialText(text: string, file: string): Record<string, string> {
  const t = text.trim();
  const out: Record<string, string> = {};
  if (t.startsWith('{')) {
    let o: unknown;
    try {
      o = JSON.parse(t);
    } catch {
      throw new UsageError(`--credential-file ${file}: not valid JSON`, 'backup target');
    }
    for (const [k, v] of Object.entries(o as Record<string, unknown>)) {
      if (typeof v !== 'string')
        throw new UsageError(`--credential-file ${file}: ${k} is not a string`, 'backup target');
      out[k] = v;
    }
    return out;
  }
  t.split(/\r?\n/).forEach((line, i) => {
    const l = line.trim();
    if (!l || l.startsWith('#')) return;
    const m = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(l);
    if (!m) throw new UsageError(`--credential-file ${file}: line ${i + 1} is not KEY=VALUE`, 'backup target');
    let v = m[2]!;
    if (v.length >= 2 && (v[0] === '"' || v[0] === "'") && v.endsWith(v[0])) v = v.slice(1, -1);
    out[m[1]!] = v;
  });
  return out;
}

function targetText(t: BackupTarget__Output): string {
  if (!t.url) return 'no backup target set (cairn backup target set s3://BUCKET@REGION/PATH | file:///PATH)\n';
  return keyValues([
    ['target', t.url],
    ['credentials', t.credentialsSet ? 'set' : 'none'],
    ['credential secret', dash(t.credentialSecret)],
    ['reachable', t.checkedMs ? yesNo(t.reachable) : 'not probed yet'],
    ['checked', time(Number(t.checkedMs))],
    ...(t.error ? [['error', t.error] as [string, string]] : []),
  ]);
}

/** The fields every program can count on first ({name, volume, snapshot, url, state, size, progress}). */
export function backupJson(b: Backup__Output): object {
  const { name, volume, snapshot, url, state, size: bytes, progress, ...rest } = b;
  return { name, volume, snapshot, url, state, size: Number(bytes), progress, ...rest };
}

export function backupsTable(bs: Backup__Output[]): string {
  if (bs.length === 0) return 'no backups\n';
  return table(
    ['NAME', 'VOLUME', 'SNAPSHOT', 'STATE', 'PROGRESS', 'SIZE', 'CREATED', 'URL'],
    bs.map((b) => [
      b.name,
      b.volume,
      b.snapshot,
      b.state + (b.error ? ` (${b.error})` : ''),
      `${b.progress}%`,
      size(Number(b.size)),
      time(Number(b.createdMs)),
      b.url,
    ]),
  );
}

function backupText(b: Backup__Output): string {
  return keyValues([
    ['name', b.name],
    ['volume', b.volume],
    ['snapshot', b.snapshot],
    ['url', b.url],
    ['state', b.state],
    ['progress', `${b.progress}%`],
    ['size', size(Number(b.size))],
    ['blocks', String(b.blocks)],
    ['uploaded', `${b.uploadedBlocks} blocks, ${size(Number(b.uploadedBytes))}`],
    ['node', dash(b.nodeId)],
    ['created', time(Number(b.createdMs))],
    ...(b.error ? [['error', b.error] as [string, string]] : []),
  ]);
}

const target: Command = {
  spec: {
    path: 'backup target',
    args: ['[ACTION]', '[URL]'],
    flags: {
      'credential-file': {
        type: 'string',
        value: 'FILE',
        help: 'KEY=VALUE lines (or JSON): AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_ENDPOINTS',
      },
      'clear-credentials': { type: 'boolean', help: 'forget the stored credentials' },
    },
    summary:
      'Show the backup target, or set it: "backup target set URL" (s3://BUCKET@REGION/PATH or file:///PATH; "" unsets).',
  },
  async run(ctx, p) {
    const action = p.args['ACTION'];
    if (action === undefined) {
      const t = await ctx.api().getBackupTarget();
      ctx.print(ctx.format === 'json' ? json(t) : targetText(t));
      return 0;
    }
    if (action !== 'set')
      throw new UsageError(
        `"${action}": use "cairn backup target" to show it or "cairn backup target set URL"`,
        'backup target',
      );
    const url = p.args['URL'];
    if (url === undefined)
      throw new UsageError(
        'backup target set needs the URL (s3://BUCKET@REGION/PATH or file:///PATH; "" unsets it)',
        'backup target',
      );
    const file = p.flags['credential-file'];
    let credentials: Record<string, string> = {};
    if (typeof file === 'string') {
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch (e) {
        throw new UsageError(`--credential-file ${file}: ${(e as Error).message}`, 'backup target');
      }
      credentials = parseCredentialText(text, file);
    }
    const t = await ctx
      .api()
      .setBackupTarget({ url, credentials, clearCredentials: p.flags['clear-credentials'] === true });
    ctx.print(ctx.format === 'json' ? json(t) : targetText(t));
    return 0;
  },
};

/** Polls the backup until it completed or failed, drawing its progress on stderr (progress-view.ts). */
async function waitFor(ctx: Context, b: Backup__Output): Promise<Backup__Output> {
  const view = progressView(ctx.io, ctx.format);
  try {
    for (let cur = b; ;) {
      view.update([backupReading(cur)]);
      if (cur.state === 'completed' || cur.state === 'failed') return cur;
      await new Promise((r) => setTimeout(r, 250));
      cur = await ctx.api().getBackup({ url: b.url });
    }
  } finally {
    view.stop();
  }
}

const create: Command = {
  spec: {
    path: 'backup create',
    args: ['VOLUME'],
    flags: {
      snapshot: {
        type: 'string',
        value: 'NAME',
        help: 'the snapshot to back up (default: a new one, named after the backup)',
      },
      wait: {
        type: 'boolean',
        help: 'wait until the backup completed or failed (exit 1 when it failed), showing its progress on stderr',
      },
    },
    summary: 'Back up a snapshot of a volume to the backup target (incremental against its previous backup).',
  },
  async run(ctx, p) {
    const snapshot = typeof p.flags['snapshot'] === 'string' ? p.flags['snapshot'] : '';
    let b = await ctx.api().createBackup({ volume: p.args['VOLUME']!, snapshot, requestId: randomUUID(), labels: {} });
    if (p.flags['wait']) b = await waitFor(ctx, b);
    ctx.print(
      ctx.format === 'json'
        ? json(backupJson(b))
        : p.flags['wait']
          ? backupText(b)
          : `backup "${b.name}" of volume "${b.volume}" (snapshot "${b.snapshot}") requested: ${b.url}\n`,
    );
    return b.state === 'failed' ? 1 : 0;
  },
};

const ls: Command = {
  spec: {
    path: 'backup ls',
    args: ['[VOLUME]'],
    flags: {},
    summary: 'List the backups in the target (of one volume, or all), and those in progress or failed.',
  },
  aliases: ['list'],
  async run(ctx, p) {
    const { backups } = await ctx.api().listBackups({ volume: p.args['VOLUME'] ?? '' });
    ctx.print(ctx.format === 'json' ? json(backups.map(backupJson)) : backupsTable(backups));
    return 0;
  },
};

const get: Command = {
  spec: { path: 'backup get', args: ['URL'], flags: {}, summary: 'Show one backup (its URL, as backup ls prints it).' },
  async run(ctx, p) {
    const b = await ctx.api().getBackup({ url: p.args['URL']! });
    ctx.print(ctx.format === 'json' ? json(backupJson(b)) : backupText(b));
    return 0;
  },
};

const rm: Command = {
  spec: {
    path: 'backup rm',
    args: ['URL'],
    flags: {},
    summary: 'Remove a backup from the target, and the blocks no other backup of its volume uses.',
  },
  aliases: ['delete'],
  async run(ctx, p) {
    const url = p.args['URL']!;
    const r = await ctx.api().deleteBackup({ url });
    ctx.print(
      ctx.format === 'json'
        ? json(r)
        : r.deleted
          ? `backup ${url} removed (${r.removedBlocks} blocks freed, seq ${r.seq})\n`
          : `no backup ${url}; nothing to remove\n`,
    );
    return 0;
  },
};

export const backup: Group = {
  name: 'backup',
  summary: 'the backup target, and backups of volumes to it',
  commands: [target, create, ls, get, rm],
};
