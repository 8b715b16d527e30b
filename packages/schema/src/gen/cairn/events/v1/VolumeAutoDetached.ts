// Original file: cairn/events/v1/events.proto


/**
 * A decision: the engine of an auto-attached volume is no longer needed (nothing rebuilds any
 * more) and is stopped; the volume is detached again once its node reports the engine gone.
 */
export interface VolumeAutoDetached {
  'name'?: (string);
  'nodeId'?: (string);
  /**
   * Why: "rebuilt" (nothing left to rebuild), "faulted" (nothing to rebuild from), "disabled".
   */
  'reason'?: (string);
}

/**
 * A decision: the engine of an auto-attached volume is no longer needed (nothing rebuilds any
 * more) and is stopped; the volume is detached again once its node reports the engine gone.
 */
export interface VolumeAutoDetached__Output {
  'name': (string);
  'nodeId': (string);
  /**
   * Why: "rebuilt" (nothing left to rebuild), "faulted" (nothing to rebuild from), "disabled".
   */
  'reason': (string);
}
