// Original file: cairn/events/v1/events.proto

import type { Long } from '@grpc/proto-loader';

/**
 * The figures a placement used, recorded so that an audit can explain it without a history of
 * observations.
 */
export interface DiskFigures {
  'storageMaximum'?: (number | string | Long);
  'storageAvailable'?: (number | string | Long);
  'storageScheduled'?: (number | string | Long);
  'storageReserved'?: (number | string | Long);
}

/**
 * The figures a placement used, recorded so that an audit can explain it without a history of
 * observations.
 */
export interface DiskFigures__Output {
  'storageMaximum': (number);
  'storageAvailable': (number);
  'storageScheduled': (number);
  'storageReserved': (number);
}
