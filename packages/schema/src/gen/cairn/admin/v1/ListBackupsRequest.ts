// Original file: cairn/admin/v1/admin.proto


export interface ListBackupsRequest {
  'volume'?: (string);
}

export interface ListBackupsRequest__Output {
  'volume': (string);
}
