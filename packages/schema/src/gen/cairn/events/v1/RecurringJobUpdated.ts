// Original file: cairn/events/v1/events.proto

import type { RecurringJobSpec as _cairn_events_v1_RecurringJobSpec, RecurringJobSpec__Output as _cairn_events_v1_RecurringJobSpec__Output } from '../../../cairn/events/v1/RecurringJobSpec.js';

/**
 * The job's full spec after the update.
 */
export interface RecurringJobUpdated {
  'spec'?: (_cairn_events_v1_RecurringJobSpec | null);
}

/**
 * The job's full spec after the update.
 */
export interface RecurringJobUpdated__Output {
  'spec': (_cairn_events_v1_RecurringJobSpec__Output | null);
}
