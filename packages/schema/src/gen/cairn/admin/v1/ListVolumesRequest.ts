// Original file: cairn/admin/v1/admin.proto


/**
 * Every volume by name, or one page of those that match (the web UI's list of a large cluster).
 */
export interface ListVolumesRequest {
  /**
   * Only volumes whose name contains this text, ignoring case; empty: all.
   */
  'nameContains'?: (string);
  /**
   * Only volumes of this robustness (healthy | degraded | faulted | unknown); empty: all.
   */
  'robustness'?: (string);
  /**
   * Skip this many of the matching volumes (in name order), then return at most `limit`; limit 0: all.
   */
  'offset'?: (number);
  'limit'?: (number);
}

/**
 * Every volume by name, or one page of those that match (the web UI's list of a large cluster).
 */
export interface ListVolumesRequest__Output {
  /**
   * Only volumes whose name contains this text, ignoring case; empty: all.
   */
  'nameContains': (string);
  /**
   * Only volumes of this robustness (healthy | degraded | faulted | unknown); empty: all.
   */
  'robustness': (string);
  /**
   * Skip this many of the matching volumes (in name order), then return at most `limit`; limit 0: all.
   */
  'offset': (number);
  'limit': (number);
}
