// Original file: cairn/admin/v1/admin.proto


export interface RecurringJobLabels {
  'labels'?: ({[key: string]: string});
}

export interface RecurringJobLabels__Output {
  'labels': ({[key: string]: string});
}
