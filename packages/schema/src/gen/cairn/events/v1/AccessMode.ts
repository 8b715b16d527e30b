// Original file: cairn/events/v1/events.proto

export const AccessMode = {
  ACCESS_MODE_RWO: 'ACCESS_MODE_RWO',
  ACCESS_MODE_RWX: 'ACCESS_MODE_RWX',
} as const;

export type AccessMode =
  | 'ACCESS_MODE_RWO'
  | 0
  | 'ACCESS_MODE_RWX'
  | 1

export type AccessMode__Output = typeof AccessMode[keyof typeof AccessMode]
