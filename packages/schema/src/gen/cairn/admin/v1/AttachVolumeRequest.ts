// Original file: cairn/admin/v1/admin.proto


export interface AttachVolumeRequest {
  'name'?: (string);
  'nodeId'?: (string);
}

export interface AttachVolumeRequest__Output {
  'name': (string);
  'nodeId': (string);
}
