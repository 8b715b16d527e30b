// Original file: cairn/events/v1/events.proto

import type { CandidateRejection as _cairn_events_v1_CandidateRejection, CandidateRejection__Output as _cairn_events_v1_CandidateRejection__Output } from '../../../cairn/events/v1/CandidateRejection.js';

/**
 * A decision: a replica the volume needs could not be placed now.
 */
export interface VolumeUnschedulable {
  'name'?: (string);
  /**
   * How many replicas are missing.
   */
  'missing'?: (number);
  /**
   * A one-line summary for people.
   */
  'summary'?: (string);
  'candidates'?: (_cairn_events_v1_CandidateRejection)[];
}

/**
 * A decision: a replica the volume needs could not be placed now.
 */
export interface VolumeUnschedulable__Output {
  'name': (string);
  /**
   * How many replicas are missing.
   */
  'missing': (number);
  /**
   * A one-line summary for people.
   */
  'summary': (string);
  'candidates': (_cairn_events_v1_CandidateRejection__Output)[];
}
