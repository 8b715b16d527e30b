// Original file: cairn/admin/v1/admin.proto

import type { Long } from '@grpc/proto-loader';

export interface Backup {
  'name'?: (string);
  'volume'?: (string);
  'snapshot'?: (string);
  /**
   * Names the backup uniquely: s3://bucket@region/path?backup=NAME&volume=VOLUME
   */
  'url'?: (string);
  /**
   * pending | assigned | running | completed | failed
   */
  'state'?: (string);
  /**
   * The volume's size in bytes.
   */
  'size'?: (number | string | Long);
  /**
   * Percent uploaded while running (from the node's reports; not an event), 100 when completed.
   */
  'progress'?: (number);
  'nodeId'?: (string);
  'error'?: (string);
  'createdMs'?: (number | string | Long);
  'blocks'?: (number | string | Long);
  'uploadedBlocks'?: (number | string | Long);
  'uploadedBytes'?: (number | string | Long);
  'labels'?: ({[key: string]: string});
}

export interface Backup__Output {
  'name': (string);
  'volume': (string);
  'snapshot': (string);
  /**
   * Names the backup uniquely: s3://bucket@region/path?backup=NAME&volume=VOLUME
   */
  'url': (string);
  /**
   * pending | assigned | running | completed | failed
   */
  'state': (string);
  /**
   * The volume's size in bytes.
   */
  'size': (number);
  /**
   * Percent uploaded while running (from the node's reports; not an event), 100 when completed.
   */
  'progress': (number);
  'nodeId': (string);
  'error': (string);
  'createdMs': (number);
  'blocks': (number);
  'uploadedBlocks': (number);
  'uploadedBytes': (number);
  'labels': ({[key: string]: string});
}
