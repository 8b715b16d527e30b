// Original file: cairn/events/v1/events.proto

import type { VolumeSpec as _cairn_events_v1_VolumeSpec, VolumeSpec__Output as _cairn_events_v1_VolumeSpec__Output } from '../../../cairn/events/v1/VolumeSpec.js';

export interface VolumeCreated {
  'name'?: (string);
  'spec'?: (_cairn_events_v1_VolumeSpec | null);
}

export interface VolumeCreated__Output {
  'name': (string);
  'spec': (_cairn_events_v1_VolumeSpec__Output | null);
}
