// Original file: cairn/admin/v1/admin.proto

import type { Long } from '@grpc/proto-loader';

export interface Disk {
  'nodeId'?: (string);
  'diskId'?: (string);
  'path'?: (string);
  'tags'?: (string)[];
  'allowScheduling'?: (boolean);
  'evictionRequested'?: (boolean);
  'storageMaximum'?: (number | string | Long);
  'storageAvailable'?: (number | string | Long);
  'storageReserved'?: (number | string | Long);
  'storageScheduled'?: (number | string | Long);
  'replicas'?: (number);
}

export interface Disk__Output {
  'nodeId': (string);
  'diskId': (string);
  'path': (string);
  'tags': (string)[];
  'allowScheduling': (boolean);
  'evictionRequested': (boolean);
  'storageMaximum': (number);
  'storageAvailable': (number);
  'storageReserved': (number);
  'storageScheduled': (number);
  'replicas': (number);
}
