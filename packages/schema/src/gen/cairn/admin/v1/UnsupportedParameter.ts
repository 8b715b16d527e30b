// Original file: cairn/admin/v1/admin.proto


export interface UnsupportedParameter {
  'key'?: (string);
  'value'?: (string);
  'reason'?: (string);
}

export interface UnsupportedParameter__Output {
  'key': (string);
  'value': (string);
  'reason': (string);
}
