// Original file: cairn/events/v1/events.proto

import type { Long } from '@grpc/proto-loader';

/**
 * An observation: `backup` is restored into every replica of the volume and flushed.
 */
export interface VolumeRestoreCompleted {
  'name'?: (string);
  'nodeId'?: (string);
  'backup'?: (string);
  /**
   * 2 MiB blocks written, and blocks zeroed (a DR increment: blocks the newer backup no longer has).
   */
  'writtenBlocks'?: (number | string | Long);
  'zeroedBlocks'?: (number | string | Long);
}

/**
 * An observation: `backup` is restored into every replica of the volume and flushed.
 */
export interface VolumeRestoreCompleted__Output {
  'name': (string);
  'nodeId': (string);
  'backup': (string);
  /**
   * 2 MiB blocks written, and blocks zeroed (a DR increment: blocks the newer backup no longer has).
   */
  'writtenBlocks': (number);
  'zeroedBlocks': (number);
}
