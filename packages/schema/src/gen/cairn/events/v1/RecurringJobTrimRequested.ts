// Original file: cairn/events/v1/events.proto

import type { Long } from '@grpc/proto-loader';

/**
 * A decision of the leader: the run of fire time fire_ms of a filesystem-trim job asks node
 * node_id (where the volume is attached) to run fstrim where the volume's filesystem is mounted.
 * The volume stays pending in the run until the node's report ends it (RecurringJobVolumeDone),
 * or the leader ends it with an error when the volume leaves that node or the node goes down.
 */
export interface RecurringJobTrimRequested {
  'job'?: (string);
  'fireMs'?: (number | string | Long);
  'volume'?: (string);
  'nodeId'?: (string);
}

/**
 * A decision of the leader: the run of fire time fire_ms of a filesystem-trim job asks node
 * node_id (where the volume is attached) to run fstrim where the volume's filesystem is mounted.
 * The volume stays pending in the run until the node's report ends it (RecurringJobVolumeDone),
 * or the leader ends it with an error when the volume leaves that node or the node goes down.
 */
export interface RecurringJobTrimRequested__Output {
  'job': (string);
  'fireMs': (number);
  'volume': (string);
  'nodeId': (string);
}
