// Original file: cairn/admin/v1/admin.proto


export interface RecurringJobRef {
  'name'?: (string);
}

export interface RecurringJobRef__Output {
  'name': (string);
}
