// Original file: cairn/events/v1/events.proto

import type { Long } from '@grpc/proto-loader';

/**
 * `cairn backup rm URL`: the backup's cfg and the blocks no other backup of the volume uses are gone.
 */
export interface BackupDeleted {
  'volume'?: (string);
  'name'?: (string);
  'url'?: (string);
  'removedBlocks'?: (number | string | Long);
}

/**
 * `cairn backup rm URL`: the backup's cfg and the blocks no other backup of the volume uses are gone.
 */
export interface BackupDeleted__Output {
  'volume': (string);
  'name': (string);
  'url': (string);
  'removedBlocks': (number);
}
