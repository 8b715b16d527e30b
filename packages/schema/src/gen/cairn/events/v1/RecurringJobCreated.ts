// Original file: cairn/events/v1/events.proto

import type { RecurringJobSpec as _cairn_events_v1_RecurringJobSpec, RecurringJobSpec__Output as _cairn_events_v1_RecurringJobSpec__Output } from '../../../cairn/events/v1/RecurringJobSpec.js';

export interface RecurringJobCreated {
  'spec'?: (_cairn_events_v1_RecurringJobSpec | null);
}

export interface RecurringJobCreated__Output {
  'spec': (_cairn_events_v1_RecurringJobSpec__Output | null);
}
