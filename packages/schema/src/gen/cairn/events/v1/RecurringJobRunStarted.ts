// Original file: cairn/events/v1/events.proto

import type { Long } from '@grpc/proto-loader';

/**
 * A decision of the leader: fire time fire_ms of the job runs now on these volumes. Appended
 * before any effect of the run, and only while no run of the job at or after that fire time is in
 * the log: a fire time runs once, whichever manager leads. Fire times that passed with no run
 * (no leader at the time, or the job's previous run still going) are counted here, so none is
 * skipped silently: the newest one due is run (late), the ones before it are missed.
 */
export interface RecurringJobRunStarted {
  'job'?: (string);
  'fireMs'?: (number | string | Long);
  'task'?: (string);
  'volumes'?: (string)[];
  'missed'?: (number);
  'missedFirstMs'?: (number | string | Long);
  'missedLastMs'?: (number | string | Long);
  /**
   * More fire times went by than were counted: missed is a lower bound.
   */
  'missedAtLeast'?: (boolean);
}

/**
 * A decision of the leader: fire time fire_ms of the job runs now on these volumes. Appended
 * before any effect of the run, and only while no run of the job at or after that fire time is in
 * the log: a fire time runs once, whichever manager leads. Fire times that passed with no run
 * (no leader at the time, or the job's previous run still going) are counted here, so none is
 * skipped silently: the newest one due is run (late), the ones before it are missed.
 */
export interface RecurringJobRunStarted__Output {
  'job': (string);
  'fireMs': (number);
  'task': (string);
  'volumes': (string)[];
  'missed': (number);
  'missedFirstMs': (number);
  'missedLastMs': (number);
  /**
   * More fire times went by than were counted: missed is a lower bound.
   */
  'missedAtLeast': (boolean);
}
