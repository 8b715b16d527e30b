// Original file: cairn/node/v1/node.proto

import type { Long } from '@grpc/proto-loader';

export interface TrimReport {
  'job'?: (string);
  'fireMs'?: (number | string | Long);
  'volume'?: (string);
  'trimmedBytes'?: (number | string | Long);
  /**
   * Why it was not trimmed ("" when it was).
   */
  'error'?: (string);
}

export interface TrimReport__Output {
  'job': (string);
  'fireMs': (number);
  'volume': (string);
  'trimmedBytes': (number);
  /**
   * Why it was not trimmed ("" when it was).
   */
  'error': (string);
}
