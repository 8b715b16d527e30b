// Original file: cairn/events/v1/events.proto


/**
 * Why one candidate (a node, or a disk on a node) was not chosen.
 */
export interface CandidateRejection {
  'nodeId'?: (string);
  /**
   * Empty when the whole node was rejected.
   */
  'diskId'?: (string);
  /**
   * Named reason constants (NodeDown, DiskTagsMismatch, InsufficientSpace, ...).
   */
  'reasons'?: (string)[];
  /**
   * Figures or words that make the reason checkable, e.g. "available 1.0 GiB < required 2.0 GiB".
   */
  'detail'?: (string);
}

/**
 * Why one candidate (a node, or a disk on a node) was not chosen.
 */
export interface CandidateRejection__Output {
  'nodeId': (string);
  /**
   * Empty when the whole node was rejected.
   */
  'diskId': (string);
  /**
   * Named reason constants (NodeDown, DiskTagsMismatch, InsufficientSpace, ...).
   */
  'reasons': (string)[];
  /**
   * Figures or words that make the reason checkable, e.g. "available 1.0 GiB < required 2.0 GiB".
   */
  'detail': (string);
}
