// Original file: cairn/node/v1/node.proto


/**
 * Longhorn's credential secret keys: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_ENDPOINTS, AWS_REGION.
 */
export interface RestoreCredentials {
  'accessKeyId'?: (string);
  'secretAccessKey'?: (string);
  'endpoint'?: (string);
  'region'?: (string);
}

/**
 * Longhorn's credential secret keys: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_ENDPOINTS, AWS_REGION.
 */
export interface RestoreCredentials__Output {
  'accessKeyId': (string);
  'secretAccessKey': (string);
  'endpoint': (string);
  'region': (string);
}
