// Original file: cairn/events/v1/events.proto

import type { VolumeSpec as _cairn_events_v1_VolumeSpec, VolumeSpec__Output as _cairn_events_v1_VolumeSpec__Output } from '../../../cairn/events/v1/VolumeSpec.js';

export interface VolumeCreated {
  'name'?: (string);
  'spec'?: (_cairn_events_v1_VolumeSpec | null);
  /**
   * Longhorn's dataSource, as requested: "snap://VOLUME/SNAPSHOT" or "vol://VOLUME"; empty for an
   * empty volume. The volume starts as a copy of snapshot source_snapshot of volume source_volume:
   * for "vol://" a snapshot of the source taken in the same append, so the copy is the source's
   * data at creation. Until a VolumeDataSourceCopied, the engine copies it before it serves.
   */
  'dataSource'?: (string);
  'sourceVolume'?: (string);
  'sourceSnapshot'?: (string);
}

export interface VolumeCreated__Output {
  'name': (string);
  'spec': (_cairn_events_v1_VolumeSpec__Output | null);
  /**
   * Longhorn's dataSource, as requested: "snap://VOLUME/SNAPSHOT" or "vol://VOLUME"; empty for an
   * empty volume. The volume starts as a copy of snapshot source_snapshot of volume source_volume:
   * for "vol://" a snapshot of the source taken in the same append, so the copy is the source's
   * data at creation. Until a VolumeDataSourceCopied, the engine copies it before it serves.
   */
  'dataSource': (string);
  'sourceVolume': (string);
  'sourceSnapshot': (string);
}
