// Original file: cairn/events/v1/events.proto


/**
 * A decision: nothing the volume needs is blocked any more (clears a VolumeUnschedulable that was
 * resolved without a new placement, e.g. a failed replica reused or the count lowered).
 */
export interface VolumeSchedulable {
  'name'?: (string);
}

/**
 * A decision: nothing the volume needs is blocked any more (clears a VolumeUnschedulable that was
 * resolved without a new placement, e.g. a failed replica reused or the count lowered).
 */
export interface VolumeSchedulable__Output {
  'name': (string);
}
