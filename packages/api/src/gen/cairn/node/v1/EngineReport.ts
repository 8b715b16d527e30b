// Original file: cairn/node/v1/node.proto


export interface EngineReport {
  'volume'?: (string);
  /**
   * attached | detached
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
}

export interface EngineReport__Output {
  'volume': (string);
  /**
   * attached | detached
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
}
