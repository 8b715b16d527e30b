// cairn job create NAME --task T --cron EXPR --retain N [--concurrency N] [--group G]... [--label K=V]...
//           | update NAME [flags] | ls | get NAME | rm NAME
// Recurring jobs (Longhorn's RecurringJob): the leading manager runs each at its cron's fire times
// on the volumes its labels pick (volume create/update --label).
import type { RecurringJob, RecurringJob__Output, UpdateRecurringJobRequest } from '@cairn/api';
import { RECURRING_JOB_TASKS } from '@cairn/schema';
import { flagInt, flagValues, requireFlag } from '../args.js';
import type { FlagSpec, Parsed } from '../args.js';
import type { Command, Group } from '../command.js';
import { UsageError } from '../errors.js';
import { json, keyValues, list, ordered, table, time } from '../output.js';

/** "K=V" flags as a record; an empty value is allowed (K=), a missing "=" is not. */
export function labelFlags(p: Parsed, flag: string, cmd: string): Record<string, string> | undefined {
  const vs = p.lists?.[flag] ?? (typeof p.flags[flag] === 'string' ? [p.flags[flag] as string] : undefined);
  if (!vs) return undefined;
  const out: Record<string, string> = {};
  for (const v of vs) {
    const i = v.indexOf('=');
    if (i <= 0) throw new UsageError(`--${flag} "${v}" is not KEY=VALUE`, cmd);
    out[v.slice(0, i)] = v.slice(i + 1);
  }
  return out;
}

const JOB_FLAGS: Record<string, FlagSpec> = {
  task: { type: 'string', value: RECURRING_JOB_TASKS.join('|'), help: 'what each run does on each volume' },
  cron: {
    type: 'string',
    value: 'EXPR',
    help: 'when it runs: 5 fields (minute first) or 6 (seconds first), UTC; e.g. "0 */6 * * *"',
  },
  retain: { type: 'string', value: 'N', help: 'snapshots (backups) of this job kept per volume, 0-100' },
  concurrency: { type: 'string', value: 'N', help: 'volumes of one run done at a time (default 1)' },
  group: {
    type: 'string',
    value: 'GROUP',
    multiple: true,
    help: 'a group the job is in (repeat, or a,b); "default" takes volumes without job labels',
  },
  label: { type: 'string', value: 'K=V', multiple: true, help: 'a label for what the job makes (repeat)' },
};

export function createJobRequest(p: Parsed): RecurringJob {
  const cmd = 'job create';
  const retain = flagInt(p, 'retain', { min: 0, command: cmd });
  if (retain === undefined) throw new UsageError('--retain is required (e.g. --retain 3)', cmd);
  return {
    name: p.args['NAME']!,
    task: requireFlag(p, 'task', cmd, 'snapshot'),
    cron: requireFlag(p, 'cron', cmd, '"0 */6 * * *"'),
    retain,
    concurrency: flagInt(p, 'concurrency', { min: 1, command: cmd }) ?? 1,
    groups: flagValues(p, 'group') ?? [],
    labels: labelFlags(p, 'label', cmd) ?? {},
  };
}

export function updateJobRequest(p: Parsed): UpdateRecurringJobRequest {
  const cmd = 'job update';
  const req: UpdateRecurringJobRequest = { name: p.args['NAME']! };
  const task = p.flags['task'];
  if (typeof task === 'string') req.task = task;
  const cron = p.flags['cron'];
  if (typeof cron === 'string') req.cron = cron;
  const retain = flagInt(p, 'retain', { min: 0, command: cmd });
  if (retain !== undefined) req.retain = retain;
  const concurrency = flagInt(p, 'concurrency', { min: 1, command: cmd });
  if (concurrency !== undefined) req.concurrency = concurrency;
  const groups = flagValues(p, 'group');
  if (groups) req.groups = { values: groups };
  const labels = labelFlags(p, 'label', cmd);
  if (labels) req.labels = { labels };
  if (Object.keys(req).length === 1)
    throw new UsageError(
      `nothing to update: give at least one of ${Object.keys(JOB_FLAGS)
        .map((f) => `--${f}`)
        .join(', ')}`,
      cmd,
    );
  return req;
}

const JOB_KEYS = ['name', 'task', 'cron', 'retain', 'concurrency', 'groups', 'labels'] as const;
const jobJson = (j: RecurringJob__Output): RecurringJob__Output => ordered(j, JOB_KEYS);

export function jobsTable(js: RecurringJob__Output[]): string {
  if (js.length === 0) return 'no recurring jobs\n';
  return table(
    ['NAME', 'TASK', 'CRON', 'RETAIN', 'CONCURRENCY', 'GROUPS', 'VOLUMES', 'LAST RUN', 'NEXT RUN'],
    js.map((j) => [
      j.name,
      j.task,
      j.cron,
      String(j.retain),
      String(j.concurrency),
      list(j.groups),
      String(j.volumes.length),
      j.lastFireMs ? time(j.lastFireMs) : '-',
      j.nextFireMs ? time(j.nextFireMs) : '-',
    ]),
  );
}

export function jobDetail(j: RecurringJob__Output): string {
  const labels = Object.entries(j.labels).map(([k, v]) => `${k}=${v}`);
  return keyValues([
    ['name', j.name],
    ['task', j.task],
    ['cron', `${j.cron} (UTC)`],
    ['retain', String(j.retain)],
    ['concurrency', String(j.concurrency)],
    ['groups', list(j.groups)],
    ['labels', list(labels)],
    ['volumes', list(j.volumes)],
    ['last run', j.lastFireMs ? time(j.lastFireMs) : '-'],
    ['next run', j.nextFireMs ? time(j.nextFireMs) : '-'],
    ['running on', j.pending.length ? `${j.pending.join(',')} (not done yet)` : '-'],
    ['created at seq', String(j.createdSeq)],
  ]);
}

const create: Command = {
  spec: {
    path: 'job create',
    args: ['NAME'],
    flags: {
      ...JOB_FLAGS,
      task: { ...JOB_FLAGS['task']!, required: true },
      cron: { ...JOB_FLAGS['cron']!, required: true },
      retain: { ...JOB_FLAGS['retain']!, required: true },
    },
    summary: 'Create a recurring job (idempotent: the same definition again returns the job).',
    notes:
      'Volumes pick jobs by label: recurring-job.longhorn.io/NAME=enabled, or recurring-job-group.longhorn.io/GROUP=enabled;\n' +
      'a volume with neither kind of label is in the "default" group (volume create/update --label).',
  },
  async run(ctx, p) {
    const j = await ctx.api().createRecurringJob(createJobRequest(p));
    ctx.print(
      ctx.format === 'json'
        ? json(jobJson(j))
        : `recurring job "${j.name}" created: ${j.task} at "${j.cron}", retain ${j.retain}, ${j.volumes.length} volume(s) now\n`,
    );
    return 0;
  },
};

const update: Command = {
  spec: {
    path: 'job update',
    args: ['NAME'],
    flags: JOB_FLAGS,
    summary: 'Change a recurring job; only the flags given change (--group and --label replace the lists).',
  },
  async run(ctx, p) {
    const j = await ctx.api().updateRecurringJob(updateJobRequest(p));
    ctx.print(
      ctx.format === 'json'
        ? json(jobJson(j))
        : `recurring job "${j.name}" updated: ${j.task} at "${j.cron}", retain ${j.retain}\n`,
    );
    return 0;
  },
};

const ls: Command = {
  spec: { path: 'job ls', args: [], flags: {}, summary: 'List recurring jobs.' },
  aliases: ['list'],
  async run(ctx) {
    const { jobs } = await ctx.api().listRecurringJobs();
    ctx.print(ctx.format === 'json' ? json(jobs.map(jobJson)) : jobsTable(jobs));
    return 0;
  },
};

const get: Command = {
  spec: {
    path: 'job get',
    args: ['NAME'],
    flags: {},
    summary: 'Show a recurring job: its definition, volumes, last and next run.',
  },
  async run(ctx, p) {
    const j = await ctx.api().getRecurringJob({ name: p.args['NAME']! });
    ctx.print(ctx.format === 'json' ? json(jobJson(j)) : jobDetail(j));
    return 0;
  },
};

const rm: Command = {
  spec: {
    path: 'job rm',
    args: ['NAME'],
    flags: {},
    summary: 'Delete a recurring job (idempotent); the snapshots it made stay.',
  },
  aliases: ['delete'],
  async run(ctx, p) {
    const name = p.args['NAME']!;
    const r = await ctx.api().deleteRecurringJob({ name });
    ctx.print(
      ctx.format === 'json'
        ? json(r)
        : r.deleted
          ? `recurring job "${name}" deleted (seq ${r.seq})\n`
          : `no recurring job "${name}"; nothing to delete\n`,
    );
    return 0;
  },
};

export const job: Group = {
  name: 'job',
  summary: 'recurring jobs: snapshots (and cleanups) on a cron schedule, picked by volume labels',
  commands: [create, update, ls, get, rm],
};
