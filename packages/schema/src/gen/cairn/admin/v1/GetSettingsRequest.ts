// Original file: cairn/admin/v1/admin.proto


export interface GetSettingsRequest {
  /**
   * Empty: all settings.
   */
  'name'?: (string);
}

export interface GetSettingsRequest__Output {
  /**
   * Empty: all settings.
   */
  'name': (string);
}
