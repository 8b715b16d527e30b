// Original file: cairn/events/v1/events.proto


/**
 * An admin asked for a backup (`cairn backup create`). `url` names it in the target (Longhorn's
 * form: s3://bucket@region/path?backup=NAME&volume=VOLUME).
 */
export interface BackupRequested {
  'volume'?: (string);
  'name'?: (string);
  'snapshot'?: (string);
  /**
   * The backup target (the setting's value) at the time of the request.
   */
  'target'?: (string);
  'url'?: (string);
  'labels'?: ({[key: string]: string});
}

/**
 * An admin asked for a backup (`cairn backup create`). `url` names it in the target (Longhorn's
 * form: s3://bucket@region/path?backup=NAME&volume=VOLUME).
 */
export interface BackupRequested__Output {
  'volume': (string);
  'name': (string);
  'snapshot': (string);
  /**
   * The backup target (the setting's value) at the time of the request.
   */
  'target': (string);
  'url': (string);
  'labels': ({[key: string]: string});
}
