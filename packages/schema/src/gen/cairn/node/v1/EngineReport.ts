// Original file: cairn/node/v1/node.proto

import type { Long } from '@grpc/proto-loader';

export interface EngineReport {
  'volume'?: (string);
  /**
   * attached | detached | waiting (the engine cannot open yet: see reason; recorded as VolumeWaiting
   * once per change of reason)
   */
  'state'?: (string);
  /**
   * Where the frontend serves, e.g. "nbd://127.0.0.1:10809/vol".
   */
  'endpoint'?: (string);
  /**
   * The volume's data source has been copied into its replicas and flushed.
   */
  'dataSourceCopied'?: (boolean);
  /**
   * Why the engine waits (state waiting), e.g. none of the running replicas is reachable.
   */
  'reason'?: (string);
  /**
   * Restore (H-restore): the engine restores `restoring` (a backup URL; set with state attached),
   * is this far (percent), has restored `restored`, or failed to restore `restore_failed` (why in
   * restore_error).
   */
  'restoring'?: (string);
  'restoreProgress'?: (number);
  'restored'?: (string);
  'restoreFailed'?: (string);
  'restoreError'?: (string);
  'restoredBlocks'?: (number | string | Long);
  'zeroedBlocks'?: (number | string | Long);
}

export interface EngineReport__Output {
  'volume': (string);
  /**
   * attached | detached | waiting (the engine cannot open yet: see reason; recorded as VolumeWaiting
   * once per change of reason)
   */
  'state': (string);
  /**
   * Where the frontend serves, e.g. "nbd://127.0.0.1:10809/vol".
   */
  'endpoint': (string);
  /**
   * The volume's data source has been copied into its replicas and flushed.
   */
  'dataSourceCopied': (boolean);
  /**
   * Why the engine waits (state waiting), e.g. none of the running replicas is reachable.
   */
  'reason': (string);
  /**
   * Restore (H-restore): the engine restores `restoring` (a backup URL; set with state attached),
   * is this far (percent), has restored `restored`, or failed to restore `restore_failed` (why in
   * restore_error).
   */
  'restoring': (string);
  'restoreProgress': (number);
  'restored': (string);
  'restoreFailed': (string);
  'restoreError': (string);
  'restoredBlocks': (number);
  'zeroedBlocks': (number);
}
