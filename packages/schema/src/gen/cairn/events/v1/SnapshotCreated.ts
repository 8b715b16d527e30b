// Original file: cairn/events/v1/events.proto

import type { Long } from '@grpc/proto-loader';

export interface SnapshotCreated {
  'volume'?: (string);
  'name'?: (string);
  /**
   * Volume size when the snapshot was taken.
   */
  'size'?: (number | string | Long);
}

export interface SnapshotCreated__Output {
  'volume': (string);
  'name': (string);
  /**
   * Volume size when the snapshot was taken.
   */
  'size': (number);
}
