// Original file: cairn/events/v1/events.proto

import type { Long } from '@grpc/proto-loader';

export interface VolumeExpanded {
  'name'?: (string);
  'size'?: (number | string | Long);
}

export interface VolumeExpanded__Output {
  'name': (string);
  'size': (number);
}
