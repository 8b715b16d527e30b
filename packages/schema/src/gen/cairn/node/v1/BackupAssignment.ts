// Original file: cairn/node/v1/node.proto

import type { Long } from '@grpc/proto-loader';

/**
 * A backup to run: read snapshot `snapshot` of the local replica `replica_id` and store it in
 * the target under `name`, incremental against the volume's newest completed backup there.
 */
export interface BackupAssignment {
  'volume'?: (string);
  'name'?: (string);
  'snapshot'?: (string);
  'replicaId'?: (string);
  'target'?: (string);
  'url'?: (string);
  'size'?: (number | string | Long);
  'labels'?: ({[key: string]: string});
  /**
   * The target's credentials (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_ENDPOINTS, ...):
   * sent only to the nodes that run a backup, kept in memory.
   */
  'credentials'?: ({[key: string]: string});
  /**
   * "assigned" or "running" (started: a restarted agent runs it again).
   */
  'state'?: (string);
}

/**
 * A backup to run: read snapshot `snapshot` of the local replica `replica_id` and store it in
 * the target under `name`, incremental against the volume's newest completed backup there.
 */
export interface BackupAssignment__Output {
  'volume': (string);
  'name': (string);
  'snapshot': (string);
  'replicaId': (string);
  'target': (string);
  'url': (string);
  'size': (number);
  'labels': ({[key: string]: string});
  /**
   * The target's credentials (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_ENDPOINTS, ...):
   * sent only to the nodes that run a backup, kept in memory.
   */
  'credentials': ({[key: string]: string});
  /**
   * "assigned" or "running" (started: a restarted agent runs it again).
   */
  'state': (string);
}
