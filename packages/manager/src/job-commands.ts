// Commands on recurring jobs and volume labels (issue 16 point 5): validate against the projected
// state and return the events to append, like commands.ts. Longhorn's rules: a job name is a
// Kubernetes-style name of at most 40 characters; retain is 0-100 (Longhorn's
// recurring-job-max-retention default), at least 1 for the tasks that make something (snapshot,
// backup); concurrency at least 1; a cron expression must parse (refused naming it and why).
import type { ClusterState, EventDraft, RecurringJobDef, RecurringJobState, RecurringJobTask } from '@cairn/metadata';
import { RECURRING_JOB_TASKS, jobDefToProto } from '@cairn/metadata';
import type { RecurringJobRequest } from '@cairn/schema';
import { CommandError } from './errors.js';
import type { CreateVolume } from './commands.js';
import { checkName, createVolume } from './commands.js';
import { checkLabels, selectorLabel } from './labels.js';
import { cronError } from './job-plan.js';

/** Longhorn's NameMaximumLength for a recurring job. */
export const MAX_JOB_NAME = 40;
/** Longhorn's recurring-job-max-retention default. */
export const MAX_RETAIN = 100;
/** Tasks whose retain counts what they make: at least one is kept. */
const MAKING_TASKS: readonly RecurringJobTask[] = [
  'snapshot',
  'snapshot-force-create',
  'backup',
  'backup-force-create',
];

export type JobRequest = RecurringJobRequest;

/** The request as a job definition, validated; concurrency 0 means 1. */
export function checkJob(r: JobRequest, field = ''): RecurringJobDef {
  const f = (x: string): string => (field ? `${field}.${x}` : x);
  checkName(f('name'), r.name);
  if (r.name.length > MAX_JOB_NAME)
    throw CommandError.invalid(`${f('name')} "${r.name}" is longer than ${MAX_JOB_NAME} characters`);
  if (!(RECURRING_JOB_TASKS as readonly string[]).includes(r.task)) {
    throw CommandError.invalid(`${f('task')} "${r.task}" is not one of ${RECURRING_JOB_TASKS.join(', ')}`);
  }
  const task = r.task as RecurringJobTask;
  const why = cronError(r.cron);
  if (why) throw CommandError.invalid(`${f('cron')} "${r.cron}" is not a valid cron expression: ${why}`);
  if (!Number.isInteger(r.retain) || r.retain < 0 || r.retain > MAX_RETAIN) {
    throw CommandError.invalid(`${f('retain')} ${r.retain} is out of range: 0 to ${MAX_RETAIN}`);
  }
  if (MAKING_TASKS.includes(task) && r.retain < 1)
    throw CommandError.invalid(`${f('retain')} must be at least 1 for task ${task}`);
  const concurrency = r.concurrency || 1;
  if (!Number.isInteger(concurrency) || concurrency < 1)
    throw CommandError.invalid(`${f('concurrency')} must be at least 1, got ${r.concurrency}`);
  const groups = [...new Set(r.groups)].sort();
  for (const g of groups) checkName(f('groups'), g);
  return {
    name: r.name,
    task,
    cron: r.cron.trim(),
    retain: r.retain,
    concurrency,
    groups,
    labels: checkLabels(f('labels'), r.labels),
  };
}

const same = (a: RecurringJobDef, b: RecurringJobDef): boolean =>
  JSON.stringify(jobDefToProto(a)) === JSON.stringify(jobDefToProto(b));

export function requireJob(state: ClusterState, name: string): RecurringJobState {
  if (!name) throw CommandError.invalid('name is required');
  const j = state.recurringJobs.get(name);
  if (!j) throw CommandError.notFound(`recurring job "${name}" does not exist`);
  return j;
}

/** Idempotent by name: the same definition again appends nothing; another one is ALREADY_EXISTS. */
export function createJob(state: ClusterState, r: JobRequest): EventDraft[] {
  const d = checkJob(r);
  const existing = state.recurringJobs.get(d.name);
  if (existing) {
    if (same(existing, d)) return [];
    throw CommandError.exists(
      `recurring job "${d.name}" already exists with another definition (job update changes it)`,
    );
  }
  return [{ recurringJobCreated: { spec: jobDefToProto(d) } }];
}

export interface UpdateJob {
  name: string;
  task?: string | undefined;
  cron?: string | undefined;
  retain?: number | undefined;
  concurrency?: number | undefined;
  groups?: string[] | undefined;
  labels?: Record<string, string> | undefined;
}

export function updateJob(state: ClusterState, r: UpdateJob): EventDraft[] {
  const j = requireJob(state, r.name);
  const d = checkJob({
    name: j.name,
    task: r.task ?? j.task,
    cron: r.cron ?? j.cron,
    retain: r.retain ?? j.retain,
    concurrency: r.concurrency ?? j.concurrency,
    groups: r.groups ?? j.groups,
    labels: r.labels ?? j.labels,
  });
  if (same(j, d)) return [];
  return [{ recurringJobUpdated: { spec: jobDefToProto(d) } }];
}

/** Deleting a job ends its run in progress (the volumes not done yet are not done); its snapshots stay. */
export function deleteJob(state: ClusterState, name: string): EventDraft[] {
  if (!name) throw CommandError.invalid('name is required');
  return state.recurringJobs.has(name) ? [{ recurringJobDeleted: { name } }] : [];
}

export interface CreateVolumeWithJobs extends CreateVolume {
  recurringJobSelector?: { name: string; isGroup: boolean }[];
  recurringJobs?: JobRequest[];
}

/**
 * createVolume with Longhorn's StorageClass job parameters: each recurringJobSelector entry
 * becomes a job or group label on the volume; each job of the older inline recurringJobs is
 * labelled too and created, in the same append, when no job of its name exists (an existing one
 * is used as it is, as Longhorn did). A repeated create of the volume creates nothing.
 */
export function createVolumeWithJobs(state: ClusterState, r: CreateVolumeWithJobs): EventDraft[] {
  const labels: Record<string, string> = { ...(r.labels ?? {}) };
  (r.recurringJobSelector ?? []).forEach((s, i) => {
    checkName(`recurringJobSelector[${i}].name`, s.name);
    labels[selectorLabel(s.name, s.isGroup)] = 'enabled';
  });
  const created: EventDraft[] = [];
  const seen = new Set<string>();
  (r.recurringJobs ?? []).forEach((j, i) => {
    const d = checkJob(j, `recurringJobs[${i}]`);
    labels[selectorLabel(d.name, false)] = 'enabled';
    if (state.recurringJobs.has(d.name) || seen.has(d.name)) return;
    seen.add(d.name);
    created.push({ recurringJobCreated: { spec: jobDefToProto(d) } });
  });
  const drafts = createVolume(state, { ...r, labels: checkLabels('labels', labels) });
  return drafts.length ? [...created, ...drafts] : [];
}
