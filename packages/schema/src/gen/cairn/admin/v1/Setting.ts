// Original file: cairn/admin/v1/admin.proto


export interface Setting {
  'name'?: (string);
  'value'?: (string);
  'default'?: (string);
  'description'?: (string);
  /**
   * The valid values, in words ("an integer from 0 to 100").
   */
  'range'?: (string);
}

export interface Setting__Output {
  'name': (string);
  'value': (string);
  'default': (string);
  'description': (string);
  /**
   * The valid values, in words ("an integer from 0 to 100").
   */
  'range': (string);
}
