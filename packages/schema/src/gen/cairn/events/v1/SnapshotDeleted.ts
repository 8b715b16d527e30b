// Original file: cairn/events/v1/events.proto


export interface SnapshotDeleted {
  'volume'?: (string);
  'name'?: (string);
}

export interface SnapshotDeleted__Output {
  'volume': (string);
  'name': (string);
}
