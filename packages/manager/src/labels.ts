// Volume labels (Longhorn's): Kubernetes' rules for keys and values, and the labels that pick
// recurring jobs. Used by the volume commands (labels on create and update) and the job commands.
import { GROUP_LABEL_PREFIX, JOB_LABEL_PREFIX, sortedRecord } from '@cairn/metadata';
import { CommandError } from './errors.js';

const LABEL_NAME_RE = /^[A-Za-z0-9]([A-Za-z0-9._-]{0,61}[A-Za-z0-9])?$/;
const LABEL_PREFIX_RE = /^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?$/;

/** Kubernetes' label rules: key [prefix/]name (name up to 63, prefix a DNS subdomain), value up to 63 or empty. */
export function checkLabels(field: string, labels: Record<string, string>): Record<string, string> {
  const entries = Object.entries(labels);
  if (entries.length > 64) throw CommandError.invalid(`${field}: at most 64 labels`);
  for (const [k, v] of entries) {
    const slash = k.lastIndexOf('/');
    const prefix = slash >= 0 ? k.slice(0, slash) : null;
    const name = k.slice(slash + 1);
    if (!LABEL_NAME_RE.test(name) || (prefix !== null && !LABEL_PREFIX_RE.test(prefix))) {
      throw CommandError.invalid(
        `${field}: key "${k}" is not a valid label key ([prefix/]name: a name of up to 63 letters, digits, '-', '_', '.'; a DNS subdomain prefix)`,
      );
    }
    if (v !== '' && !LABEL_NAME_RE.test(v))
      throw CommandError.invalid(
        `${field}: value "${v}" of "${k}" is not a valid label value (up to 63 letters, digits, '-', '_', '.')`,
      );
  }
  return sortedRecord(labels);
}

/** The label that selects a job (or, isGroup, a group of jobs) on a volume. */
export function selectorLabel(name: string, isGroup: boolean): string {
  return `${isGroup ? GROUP_LABEL_PREFIX : JOB_LABEL_PREFIX}${name}`;
}

/** A volume's labels after setting `set` and removing `remove` (keys). */
export function changedLabels(
  current: Record<string, string>,
  set: Record<string, string>,
  remove: string[],
): Record<string, string> {
  const out: Record<string, string> = { ...current, ...set };
  for (const k of remove) delete out[k];
  return checkLabels('labels', out);
}
