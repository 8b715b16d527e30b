// Original file: cairn/node/v1/node.proto

import type { Long } from '@grpc/proto-loader';

export interface BackupReport {
  'volume'?: (string);
  'name'?: (string);
  /**
   * progress | started | completed | failed
   */
  'state'?: (string);
  'progress'?: (number);
  'url'?: (string);
  'size'?: (number | string | Long);
  'blocks'?: (number | string | Long);
  'uploadedBlocks'?: (number | string | Long);
  'uploadedBytes'?: (number | string | Long);
  'reusedBlocks'?: (number | string | Long);
  'reason'?: (string);
}

export interface BackupReport__Output {
  'volume': (string);
  'name': (string);
  /**
   * progress | started | completed | failed
   */
  'state': (string);
  'progress': (number);
  'url': (string);
  'size': (number);
  'blocks': (number);
  'uploadedBlocks': (number);
  'uploadedBytes': (number);
  'reusedBlocks': (number);
  'reason': (string);
}
