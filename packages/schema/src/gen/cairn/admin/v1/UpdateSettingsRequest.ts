// Original file: cairn/admin/v1/admin.proto


export interface UpdateSettingsRequest {
  'values'?: ({[key: string]: string});
}

export interface UpdateSettingsRequest__Output {
  'values': ({[key: string]: string});
}
