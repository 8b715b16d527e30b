// Original file: cairn/admin/v1/admin.proto


export interface RecurringJobSelector {
  'name'?: (string);
  'isGroup'?: (boolean);
}

export interface RecurringJobSelector__Output {
  'name': (string);
  'isGroup': (boolean);
}
