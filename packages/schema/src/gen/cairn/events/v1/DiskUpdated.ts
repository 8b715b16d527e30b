// Original file: cairn/events/v1/events.proto

import type { Long } from '@grpc/proto-loader';

/**
 * The disk's full settable spec after the update, plus the capacity figures the node last
 * reported when they changed the picture (not a usage stream: usage lives in status keys).
 */
export interface DiskUpdated {
  'nodeId'?: (string);
  'diskId'?: (string);
  'tags'?: (string)[];
  'allowScheduling'?: (boolean);
  'evictionRequested'?: (boolean);
  'storageReserved'?: (number | string | Long);
  'storageMaximum'?: (number | string | Long);
  'storageAvailable'?: (number | string | Long);
}

/**
 * The disk's full settable spec after the update, plus the capacity figures the node last
 * reported when they changed the picture (not a usage stream: usage lives in status keys).
 */
export interface DiskUpdated__Output {
  'nodeId': (string);
  'diskId': (string);
  'tags': (string)[];
  'allowScheduling': (boolean);
  'evictionRequested': (boolean);
  'storageReserved': (number);
  'storageMaximum': (number);
  'storageAvailable': (number);
}
