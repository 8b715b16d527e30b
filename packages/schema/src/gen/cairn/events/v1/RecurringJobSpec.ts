// Original file: cairn/events/v1/events.proto


/**
 * A recurring job as defined (Longhorn's RecurringJob spec).
 */
export interface RecurringJobSpec {
  'name'?: (string);
  /**
   * snapshot | snapshot-force-create | snapshot-cleanup | snapshot-delete | backup |
   * backup-force-create | filesystem-trim
   */
  'task'?: (string);
  /**
   * A cron expression (5 fields, or 6 with seconds first), evaluated in UTC.
   */
  'cron'?: (string);
  /**
   * How many of what the job makes (snapshots, backups) are kept per volume.
   */
  'retain'?: (number);
  /**
   * At most this many volumes of one run at a time.
   */
  'concurrency'?: (number);
  'groups'?: (string)[];
  /**
   * Labels put on what the job makes (backups).
   */
  'labels'?: ({[key: string]: string});
}

/**
 * A recurring job as defined (Longhorn's RecurringJob spec).
 */
export interface RecurringJobSpec__Output {
  'name': (string);
  /**
   * snapshot | snapshot-force-create | snapshot-cleanup | snapshot-delete | backup |
   * backup-force-create | filesystem-trim
   */
  'task': (string);
  /**
   * A cron expression (5 fields, or 6 with seconds first), evaluated in UTC.
   */
  'cron': (string);
  /**
   * How many of what the job makes (snapshots, backups) are kept per volume.
   */
  'retain': (number);
  /**
   * At most this many volumes of one run at a time.
   */
  'concurrency': (number);
  'groups': (string)[];
  /**
   * Labels put on what the job makes (backups).
   */
  'labels': ({[key: string]: string});
}
