// Original file: cairn/admin/v1/admin.proto


export interface Replica {
  'id'?: (string);
  'node'?: (string);
  'disk'?: (string);
  /**
   * scheduled | running | failed | rebuilding
   */
  'state'?: (string);
  'address'?: (string);
  /**
   * Why it was placed: new, rebuild, eviction, data-locality, rebalance.
   */
  'trigger'?: (string);
  'failedReason'?: (string);
  /**
   * While rebuilding: percent copied (from the engine's reports; not an event).
   */
  'rebuildProgress'?: (number);
}

export interface Replica__Output {
  'id': (string);
  'node': (string);
  'disk': (string);
  /**
   * scheduled | running | failed | rebuilding
   */
  'state': (string);
  'address': (string);
  /**
   * Why it was placed: new, rebuild, eviction, data-locality, rebalance.
   */
  'trigger': (string);
  'failedReason': (string);
  /**
   * While rebuilding: percent copied (from the engine's reports; not an event).
   */
  'rebuildProgress': (number);
}
