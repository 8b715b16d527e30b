// Original file: cairn/events/v1/events.proto


export interface VolumeAttached {
  'name'?: (string);
  'nodeId'?: (string);
  /**
   * Where the volume's frontend is served, e.g. "nbd://10.0.0.1:10809/vol".
   */
  'endpoint'?: (string);
}

export interface VolumeAttached__Output {
  'name': (string);
  'nodeId': (string);
  /**
   * Where the volume's frontend is served, e.g. "nbd://10.0.0.1:10809/vol".
   */
  'endpoint': (string);
}
