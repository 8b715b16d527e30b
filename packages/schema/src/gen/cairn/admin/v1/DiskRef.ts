// Original file: cairn/admin/v1/admin.proto


export interface DiskRef {
  'nodeId'?: (string);
  'diskId'?: (string);
}

export interface DiskRef__Output {
  'nodeId': (string);
  'diskId': (string);
}
