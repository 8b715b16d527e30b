// Original file: cairn/admin/v1/admin.proto

import type { Snapshot as _cairn_admin_v1_Snapshot, Snapshot__Output as _cairn_admin_v1_Snapshot__Output } from '../../../cairn/admin/v1/Snapshot.js';

export interface ListSnapshotsResponse {
  'snapshots'?: (_cairn_admin_v1_Snapshot)[];
}

export interface ListSnapshotsResponse__Output {
  'snapshots': (_cairn_admin_v1_Snapshot__Output)[];
}
