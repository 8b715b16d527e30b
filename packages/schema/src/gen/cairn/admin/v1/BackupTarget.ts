// Original file: cairn/admin/v1/admin.proto

import type { Long } from '@grpc/proto-loader';

export interface BackupTarget {
  /**
   * The backup-target setting ('' when none is set).
   */
  'url'?: (string);
  /**
   * Credentials are stored (outside the log); their values are never shown.
   */
  'credentialsSet'?: (boolean);
  /**
   * From the leader's last probe: reachable, or why not; when (0: not probed yet).
   */
  'reachable'?: (boolean);
  'error'?: (string);
  'checkedMs'?: (number | string | Long);
  /**
   * The backup-target-credential-secret setting (the Kubernetes Secret the credentials come from).
   */
  'credentialSecret'?: (string);
}

export interface BackupTarget__Output {
  /**
   * The backup-target setting ('' when none is set).
   */
  'url': (string);
  /**
   * Credentials are stored (outside the log); their values are never shown.
   */
  'credentialsSet': (boolean);
  /**
   * From the leader's last probe: reachable, or why not; when (0: not probed yet).
   */
  'reachable': (boolean);
  'error': (string);
  'checkedMs': (number);
  /**
   * The backup-target-credential-secret setting (the Kubernetes Secret the credentials come from).
   */
  'credentialSecret': (string);
}
