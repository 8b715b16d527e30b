// Original file: cairn/node/v1/node.proto


/**
 * Not an event: how far a rebuild has copied, shown by `cairn volume get`.
 */
export interface RebuildProgress {
  'replicaId'?: (string);
  'percent'?: (number);
}

/**
 * Not an event: how far a rebuild has copied, shown by `cairn volume get`.
 */
export interface RebuildProgress__Output {
  'replicaId': (string);
  'percent': (number);
}
