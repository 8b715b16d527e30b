// Original file: cairn/events/v1/events.proto


/**
 * An observation: the engine of an attaching volume cannot open, and says why (e.g. none of the
 * replicas recorded running is reachable: opening on any other would serve stale data). Recorded
 * once per change of reason; cleared by the volume's next attach, attached, detach or detached.
 */
export interface VolumeWaiting {
  'name'?: (string);
  'nodeId'?: (string);
  'reason'?: (string);
}

/**
 * An observation: the engine of an attaching volume cannot open, and says why (e.g. none of the
 * replicas recorded running is reachable: opening on any other would serve stale data). Recorded
 * once per change of reason; cleared by the volume's next attach, attached, detach or detached.
 */
export interface VolumeWaiting__Output {
  'name': (string);
  'nodeId': (string);
  'reason': (string);
}
