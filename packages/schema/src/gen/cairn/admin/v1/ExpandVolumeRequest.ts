// Original file: cairn/admin/v1/admin.proto

import type { Long } from '@grpc/proto-loader';

export interface ExpandVolumeRequest {
  'name'?: (string);
  'size'?: (number | string | Long);
}

export interface ExpandVolumeRequest__Output {
  'name': (string);
  'size': (number);
}
