// Original file: cairn/events/v1/events.proto

import type { VolumeSpec as _cairn_events_v1_VolumeSpec, VolumeSpec__Output as _cairn_events_v1_VolumeSpec__Output } from '../../../cairn/events/v1/VolumeSpec.js';

/**
 * The volume's full spec after the update. Size changes only by VolumeExpanded.
 */
export interface VolumeUpdated {
  'name'?: (string);
  'spec'?: (_cairn_events_v1_VolumeSpec | null);
}

/**
 * The volume's full spec after the update. Size changes only by VolumeExpanded.
 */
export interface VolumeUpdated__Output {
  'name': (string);
  'spec': (_cairn_events_v1_VolumeSpec__Output | null);
}
