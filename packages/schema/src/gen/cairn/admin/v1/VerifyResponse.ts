// Original file: cairn/admin/v1/admin.proto

import type { SnapshotCheck as _cairn_admin_v1_SnapshotCheck, SnapshotCheck__Output as _cairn_admin_v1_SnapshotCheck__Output } from '../../../cairn/admin/v1/SnapshotCheck.js';
import type { Long } from '@grpc/proto-loader';

export interface VerifyResponse {
  /**
   * The live state's seq and hash, and the hash a replay from seq 1 reaches at that seq.
   */
  'seq'?: (number | string | Long);
  'liveHash'?: (string);
  'replayHash'?: (string);
  /**
   * The replay matches, the whole chain holds, every snapshot checks and the projection runs.
   */
  'ok'?: (boolean);
  /**
   * Events read and checked (up to the head, or to the break).
   */
  'events'?: (number | string | Long);
  /**
   * The log's head when the check began; the whole log up to it is checked, not only the live seq.
   */
  'headSeq'?: (number | string | Long);
  /**
   * The first seq that carries a chain hash (0: none; events before it predate the chain).
   */
  'chainFromSeq'?: (number | string | Long);
  /**
   * The first seq that does not hold (chain, decode or apply); 0 when the whole log holds.
   */
  'brokenSeq'?: (number | string | Long);
  'problem'?: (string);
  'snapshots'?: (_cairn_admin_v1_SnapshotCheck)[];
  /**
   * Why this manager's projection stopped, when it did (it serves nothing past that seq).
   */
  'projectionError'?: (string);
}

export interface VerifyResponse__Output {
  /**
   * The live state's seq and hash, and the hash a replay from seq 1 reaches at that seq.
   */
  'seq': (number);
  'liveHash': (string);
  'replayHash': (string);
  /**
   * The replay matches, the whole chain holds, every snapshot checks and the projection runs.
   */
  'ok': (boolean);
  /**
   * Events read and checked (up to the head, or to the break).
   */
  'events': (number);
  /**
   * The log's head when the check began; the whole log up to it is checked, not only the live seq.
   */
  'headSeq': (number);
  /**
   * The first seq that carries a chain hash (0: none; events before it predate the chain).
   */
  'chainFromSeq': (number);
  /**
   * The first seq that does not hold (chain, decode or apply); 0 when the whole log holds.
   */
  'brokenSeq': (number);
  'problem': (string);
  'snapshots': (_cairn_admin_v1_SnapshotCheck__Output)[];
  /**
   * Why this manager's projection stopped, when it did (it serves nothing past that seq).
   */
  'projectionError': (string);
}
