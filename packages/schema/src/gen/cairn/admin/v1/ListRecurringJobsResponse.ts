// Original file: cairn/admin/v1/admin.proto

import type { RecurringJob as _cairn_admin_v1_RecurringJob, RecurringJob__Output as _cairn_admin_v1_RecurringJob__Output } from '../../../cairn/admin/v1/RecurringJob.js';

export interface ListRecurringJobsResponse {
  'jobs'?: (_cairn_admin_v1_RecurringJob)[];
}

export interface ListRecurringJobsResponse__Output {
  'jobs': (_cairn_admin_v1_RecurringJob__Output)[];
}
