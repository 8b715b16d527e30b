// Original file: cairn/events/v1/events.proto

import type { SalvageFigures as _cairn_events_v1_SalvageFigures, SalvageFigures__Output as _cairn_events_v1_SalvageFigures__Output } from '../../../cairn/events/v1/SalvageFigures.js';

/**
 * A decision (auto-salvage) or an admin request (`cairn volume salvage`): every replica of the
 * volume had failed; replica_ids, those with the newest data, become running again; the others
 * stay failed and are rebuilt from them as usual.
 */
export interface VolumeSalvaged {
  'name'?: (string);
  'replicaIds'?: (string)[];
  /**
   * "auto-salvage" (the setting) or "requested" (an admin named the volume, or a replica).
   */
  'reason'?: (string);
  /**
   * The figures the choice was made from, one per replica of the volume.
   */
  'figures'?: (_cairn_events_v1_SalvageFigures)[];
}

/**
 * A decision (auto-salvage) or an admin request (`cairn volume salvage`): every replica of the
 * volume had failed; replica_ids, those with the newest data, become running again; the others
 * stay failed and are rebuilt from them as usual.
 */
export interface VolumeSalvaged__Output {
  'name': (string);
  'replicaIds': (string)[];
  /**
   * "auto-salvage" (the setting) or "requested" (an admin named the volume, or a replica).
   */
  'reason': (string);
  /**
   * The figures the choice was made from, one per replica of the volume.
   */
  'figures': (_cairn_events_v1_SalvageFigures__Output)[];
}
