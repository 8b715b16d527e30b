// Original file: cairn/events/v1/events.proto

import type { Long } from '@grpc/proto-loader';

/**
 * What the run of fire time fire_ms of the job did on one volume. It follows, in the same append,
 * the SnapshotCreated and SnapshotDeleted events it names (their cause names the job), so the
 * log says which snapshots a job made and which its retention deleted.
 */
export interface RecurringJobVolumeDone {
  'job'?: (string);
  'fireMs'?: (number | string | Long);
  'volume'?: (string);
  /**
   * The snapshot the run made ("" when it made none).
   */
  'snapshotCreated'?: (string);
  'snapshotsDeleted'?: (string)[];
  /**
   * Snapshots retention would have deleted but kept, and why (e.g. a clone still copies one).
   */
  'kept'?: (string)[];
  /**
   * Why the volume was not done ("" when it was).
   */
  'error'?: (string);
  /**
   * filesystem-trim: the bytes fstrim reported trimmed on the volume's mounted filesystem.
   */
  'trimmedBytes'?: (number | string | Long);
}

/**
 * What the run of fire time fire_ms of the job did on one volume. It follows, in the same append,
 * the SnapshotCreated and SnapshotDeleted events it names (their cause names the job), so the
 * log says which snapshots a job made and which its retention deleted.
 */
export interface RecurringJobVolumeDone__Output {
  'job': (string);
  'fireMs': (number);
  'volume': (string);
  /**
   * The snapshot the run made ("" when it made none).
   */
  'snapshotCreated': (string);
  'snapshotsDeleted': (string)[];
  /**
   * Snapshots retention would have deleted but kept, and why (e.g. a clone still copies one).
   */
  'kept': (string)[];
  /**
   * Why the volume was not done ("" when it was).
   */
  'error': (string);
  /**
   * filesystem-trim: the bytes fstrim reported trimmed on the volume's mounted filesystem.
   */
  'trimmedBytes': (number);
}
