// Original file: cairn/admin/v1/admin.proto


export interface SnapshotRef {
  'volume'?: (string);
  'name'?: (string);
}

export interface SnapshotRef__Output {
  'volume': (string);
  'name': (string);
}
