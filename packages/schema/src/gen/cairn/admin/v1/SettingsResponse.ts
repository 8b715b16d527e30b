// Original file: cairn/admin/v1/admin.proto

import type { Setting as _cairn_admin_v1_Setting, Setting__Output as _cairn_admin_v1_Setting__Output } from '../../../cairn/admin/v1/Setting.js';
import type { Long } from '@grpc/proto-loader';

export interface SettingsResponse {
  'settings'?: (_cairn_admin_v1_Setting)[];
  'seq'?: (number | string | Long);
}

export interface SettingsResponse__Output {
  'settings': (_cairn_admin_v1_Setting__Output)[];
  'seq': (number);
}
