// Original file: cairn/node/v1/node.proto

import type { Long } from '@grpc/proto-loader';

export interface DiskInfo {
  'diskId'?: (string);
  'path'?: (string);
  'tags'?: (string)[];
  /**
   * statfs figures, bytes.
   */
  'storageMaximum'?: (number | string | Long);
  'storageAvailable'?: (number | string | Long);
}

export interface DiskInfo__Output {
  'diskId': (string);
  'path': (string);
  'tags': (string)[];
  /**
   * statfs figures, bytes.
   */
  'storageMaximum': (number);
  'storageAvailable': (number);
}
