// Original file: cairn/node/v1/node.proto

import type { Long } from '@grpc/proto-loader';

/**
 * Run fstrim once on the filesystem where `volume` is mounted on this node (the CSI node
 * service's staging path); job + fire_ms + volume name the run.
 */
export interface TrimAssignment {
  'job'?: (string);
  'fireMs'?: (number | string | Long);
  'volume'?: (string);
}

/**
 * Run fstrim once on the filesystem where `volume` is mounted on this node (the CSI node
 * service's staging path); job + fire_ms + volume name the run.
 */
export interface TrimAssignment__Output {
  'job': (string);
  'fireMs': (number);
  'volume': (string);
}
