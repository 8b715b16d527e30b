// Original file: cairn/events/v1/events.proto

import type { Long } from '@grpc/proto-loader';

/**
 * The backup's cfg is in the target (written last, after every block it names): it restores.
 */
export interface BackupCompleted {
  'volume'?: (string);
  'name'?: (string);
  'nodeId'?: (string);
  'url'?: (string);
  /**
   * The volume's size in bytes, the non-zero 2 MiB blocks the backup lists, and what this run
   * uploaded (the rest were already in the target or copied from the previous backup's list).
   */
  'size'?: (number | string | Long);
  'blocks'?: (number | string | Long);
  'uploadedBlocks'?: (number | string | Long);
  'uploadedBytes'?: (number | string | Long);
  'reusedBlocks'?: (number | string | Long);
}

/**
 * The backup's cfg is in the target (written last, after every block it names): it restores.
 */
export interface BackupCompleted__Output {
  'volume': (string);
  'name': (string);
  'nodeId': (string);
  'url': (string);
  /**
   * The volume's size in bytes, the non-zero 2 MiB blocks the backup lists, and what this run
   * uploaded (the rest were already in the target or copied from the previous backup's list).
   */
  'size': (number);
  'blocks': (number);
  'uploadedBlocks': (number);
  'uploadedBytes': (number);
  'reusedBlocks': (number);
}
