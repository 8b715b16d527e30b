// Original file: cairn/admin/v1/admin.proto

import type { Long } from '@grpc/proto-loader';

export interface AddDiskRequest {
  'nodeId'?: (string);
  'path'?: (string);
  /**
   * Empty: derived from the path.
   */
  'diskId'?: (string);
  'tags'?: (string)[];
  'storageReserved'?: (number | string | Long);
  /**
   * Bytes; when 0 the node agent's statfs figures are used.
   */
  'storageMaximum'?: (number | string | Long);
  'storageAvailable'?: (number | string | Long);
}

export interface AddDiskRequest__Output {
  'nodeId': (string);
  'path': (string);
  /**
   * Empty: derived from the path.
   */
  'diskId': (string);
  'tags': (string)[];
  'storageReserved': (number);
  /**
   * Bytes; when 0 the node agent's statfs figures are used.
   */
  'storageMaximum': (number);
  'storageAvailable': (number);
}
