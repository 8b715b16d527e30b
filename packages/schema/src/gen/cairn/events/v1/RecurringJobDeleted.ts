// Original file: cairn/events/v1/events.proto


export interface RecurringJobDeleted {
  'name'?: (string);
}

export interface RecurringJobDeleted__Output {
  'name': (string);
}
