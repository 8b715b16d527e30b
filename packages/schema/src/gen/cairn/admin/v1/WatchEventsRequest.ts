// Original file: cairn/admin/v1/admin.proto

import type { Long } from '@grpc/proto-loader';

export interface WatchEventsRequest {
  /**
   * First seq to send (1: the whole log).
   */
  'fromSeq'?: (number | string | Long);
  /**
   * Keep the stream open and send new events as they are appended.
   */
  'follow'?: (boolean);
}

export interface WatchEventsRequest__Output {
  /**
   * First seq to send (1: the whole log).
   */
  'fromSeq': (number);
  /**
   * Keep the stream open and send new events as they are appended.
   */
  'follow': (boolean);
}
