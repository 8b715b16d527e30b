// Original file: cairn/events/v1/events.proto

export const DataLocality = {
  DATA_LOCALITY_DISABLED: 'DATA_LOCALITY_DISABLED',
  DATA_LOCALITY_BEST_EFFORT: 'DATA_LOCALITY_BEST_EFFORT',
  DATA_LOCALITY_STRICT_LOCAL: 'DATA_LOCALITY_STRICT_LOCAL',
} as const;

export type DataLocality =
  | 'DATA_LOCALITY_DISABLED'
  | 0
  | 'DATA_LOCALITY_BEST_EFFORT'
  | 1
  | 'DATA_LOCALITY_STRICT_LOCAL'
  | 2

export type DataLocality__Output = typeof DataLocality[keyof typeof DataLocality]
