// Original file: cairn/admin/v1/admin.proto


export interface VolumeRef {
  'name'?: (string);
}

export interface VolumeRef__Output {
  'name': (string);
}
