// Original file: cairn/events/v1/events.proto


export interface KubernetesRef {
  'pvcNamespace'?: (string);
  'pvcName'?: (string);
  'pvName'?: (string);
}

export interface KubernetesRef__Output {
  'pvcNamespace': (string);
  'pvcName': (string);
  'pvName': (string);
}
