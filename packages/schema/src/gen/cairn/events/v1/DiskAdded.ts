// Original file: cairn/events/v1/events.proto

import type { Long } from '@grpc/proto-loader';

export interface DiskAdded {
  'nodeId'?: (string);
  'diskId'?: (string);
  'path'?: (string);
  'tags'?: (string)[];
  'allowScheduling'?: (boolean);
  /**
   * Bytes, as observed (statfs) when the disk was added.
   */
  'storageMaximum'?: (number | string | Long);
  'storageAvailable'?: (number | string | Long);
  'storageReserved'?: (number | string | Long);
}

export interface DiskAdded__Output {
  'nodeId': (string);
  'diskId': (string);
  'path': (string);
  'tags': (string)[];
  'allowScheduling': (boolean);
  /**
   * Bytes, as observed (statfs) when the disk was added.
   */
  'storageMaximum': (number);
  'storageAvailable': (number);
  'storageReserved': (number);
}
