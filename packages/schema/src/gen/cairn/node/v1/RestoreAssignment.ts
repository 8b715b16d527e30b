// Original file: cairn/node/v1/node.proto

import type { RestoreCredentials as _cairn_node_v1_RestoreCredentials, RestoreCredentials__Output as _cairn_node_v1_RestoreCredentials__Output } from '../../../cairn/node/v1/RestoreCredentials.js';

/**
 * What an engine restores: the backup (URL) and the one already in its replicas (since; empty for
 * a full restore), with the credentials of the backup target (only to this engine's node).
 */
export interface RestoreAssignment {
  'backup'?: (string);
  'since'?: (string);
  'credentials'?: (_cairn_node_v1_RestoreCredentials | null);
}

/**
 * What an engine restores: the backup (URL) and the one already in its replicas (since; empty for
 * a full restore), with the credentials of the backup target (only to this engine's node).
 */
export interface RestoreAssignment__Output {
  'backup': (string);
  'since': (string);
  'credentials': (_cairn_node_v1_RestoreCredentials__Output | null);
}
