// Original file: cairn/events/v1/events.proto


/**
 * The node's full settable spec after the update (not a diff), so the event reads on its own.
 */
export interface NodeUpdated {
  'nodeId'?: (string);
  'allowScheduling'?: (boolean);
  'evictionRequested'?: (boolean);
  'tags'?: (string)[];
  'cordoned'?: (boolean);
}

/**
 * The node's full settable spec after the update (not a diff), so the event reads on its own.
 */
export interface NodeUpdated__Output {
  'nodeId': (string);
  'allowScheduling': (boolean);
  'evictionRequested': (boolean);
  'tags': (string)[];
  'cordoned': (boolean);
}
