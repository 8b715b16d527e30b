// Original file: cairn/events/v1/events.proto


/**
 * Reported by the node of the volume's engine: the volume's data source was copied through the
 * engine into every replica and flushed. From here on the source may be deleted.
 */
export interface VolumeDataSourceCopied {
  'name'?: (string);
  'nodeId'?: (string);
}

/**
 * Reported by the node of the volume's engine: the volume's data source was copied through the
 * engine into every replica and flushed. From here on the source may be deleted.
 */
export interface VolumeDataSourceCopied__Output {
  'name': (string);
  'nodeId': (string);
}
