// Original file: cairn/admin/v1/admin.proto


export interface SetBackupTargetRequest {
  'url'?: (string);
  /**
   * AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_ENDPOINTS (Longhorn's names); empty: keep the
   * stored ones unless clear_credentials.
   */
  'credentials'?: ({[key: string]: string});
  'clearCredentials'?: (boolean);
}

export interface SetBackupTargetRequest__Output {
  'url': (string);
  /**
   * AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_ENDPOINTS (Longhorn's names); empty: keep the
   * stored ones unless clear_credentials.
   */
  'credentials': ({[key: string]: string});
  'clearCredentials': (boolean);
}
