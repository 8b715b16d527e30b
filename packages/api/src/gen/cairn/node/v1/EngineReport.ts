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
}
