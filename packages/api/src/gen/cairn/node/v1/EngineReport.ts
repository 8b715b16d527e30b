// Original file: cairn/node/v1/node.proto


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
}
