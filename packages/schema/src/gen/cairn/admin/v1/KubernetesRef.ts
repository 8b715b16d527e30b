// Original file: cairn/admin/v1/admin.proto


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
