// Original file: cairn/admin/v1/admin.proto


export interface BackupRef {
  /**
   * The backup's url, or its name with the volume.
   */
  'url'?: (string);
  'volume'?: (string);
  'name'?: (string);
}

export interface BackupRef__Output {
  /**
   * The backup's url, or its name with the volume.
   */
  'url': (string);
  'volume': (string);
  'name': (string);
}
