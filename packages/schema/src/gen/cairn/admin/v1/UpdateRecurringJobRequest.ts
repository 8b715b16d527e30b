// Original file: cairn/admin/v1/admin.proto

import type { StringList as _cairn_admin_v1_StringList, StringList__Output as _cairn_admin_v1_StringList__Output } from '../../../cairn/admin/v1/StringList.js';
import type { RecurringJobLabels as _cairn_admin_v1_RecurringJobLabels, RecurringJobLabels__Output as _cairn_admin_v1_RecurringJobLabels__Output } from '../../../cairn/admin/v1/RecurringJobLabels.js';

/**
 * Only the fields that are set change.
 */
export interface UpdateRecurringJobRequest {
  'name'?: (string);
  'task'?: (string);
  'cron'?: (string);
  'retain'?: (number);
  'concurrency'?: (number);
  'groups'?: (_cairn_admin_v1_StringList | null);
  'labels'?: (_cairn_admin_v1_RecurringJobLabels | null);
  '_task'?: "task";
  '_cron'?: "cron";
  '_retain'?: "retain";
  '_concurrency'?: "concurrency";
}

/**
 * Only the fields that are set change.
 */
export interface UpdateRecurringJobRequest__Output {
  'name': (string);
  'task'?: (string);
  'cron'?: (string);
  'retain'?: (number);
  'concurrency'?: (number);
  'groups': (_cairn_admin_v1_StringList__Output | null);
  'labels': (_cairn_admin_v1_RecurringJobLabels__Output | null);
  '_task'?: "task";
  '_cron'?: "cron";
  '_retain'?: "retain";
  '_concurrency'?: "concurrency";
}
