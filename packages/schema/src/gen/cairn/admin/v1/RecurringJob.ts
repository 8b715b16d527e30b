// Original file: cairn/admin/v1/admin.proto

import type { Long } from '@grpc/proto-loader';

export interface RecurringJob {
  'name'?: (string);
  /**
   * snapshot | snapshot-force-create | snapshot-cleanup | snapshot-delete | backup |
   * backup-force-create | filesystem-trim
   */
  'task'?: (string);
  /**
   * 5 fields, or 6 with seconds first; UTC.
   */
  'cron'?: (string);
  'retain'?: (number);
  /**
   * 0 in a request: 1.
   */
  'concurrency'?: (number);
  'groups'?: (string)[];
  'labels'?: ({[key: string]: string});
  /**
   * Status (ignored in requests).
   */
  'createdSeq'?: (number | string | Long);
  /**
   * The newest fire time run (0: none yet) and the next one due.
   */
  'lastFireMs'?: (number | string | Long);
  'nextFireMs'?: (number | string | Long);
  /**
   * Volumes of the current run not done yet (empty when no run is going).
   */
  'pending'?: (string)[];
  /**
   * The volumes the job applies to now.
   */
  'volumes'?: (string)[];
  'seq'?: (number | string | Long);
}

export interface RecurringJob__Output {
  'name': (string);
  /**
   * snapshot | snapshot-force-create | snapshot-cleanup | snapshot-delete | backup |
   * backup-force-create | filesystem-trim
   */
  'task': (string);
  /**
   * 5 fields, or 6 with seconds first; UTC.
   */
  'cron': (string);
  'retain': (number);
  /**
   * 0 in a request: 1.
   */
  'concurrency': (number);
  'groups': (string)[];
  'labels': ({[key: string]: string});
  /**
   * Status (ignored in requests).
   */
  'createdSeq': (number);
  /**
   * The newest fire time run (0: none yet) and the next one due.
   */
  'lastFireMs': (number);
  'nextFireMs': (number);
  /**
   * Volumes of the current run not done yet (empty when no run is going).
   */
  'pending': (string)[];
  /**
   * The volumes the job applies to now.
   */
  'volumes': (string)[];
  'seq': (number);
}
