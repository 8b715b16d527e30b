// Original file: cairn/events/v1/events.proto


export interface UnsupportedParameter {
  'key'?: (string);
  'value'?: (string);
  /**
   * Why it has no effect (e.g. "cairn has one data engine").
   */
  'reason'?: (string);
}

export interface UnsupportedParameter__Output {
  'key': (string);
  'value': (string);
  /**
   * Why it has no effect (e.g. "cairn has one data engine").
   */
  'reason': (string);
}
