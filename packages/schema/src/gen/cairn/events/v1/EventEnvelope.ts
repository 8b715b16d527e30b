// Original file: cairn/events/v1/events.proto

import type { NodeRegistered as _cairn_events_v1_NodeRegistered, NodeRegistered__Output as _cairn_events_v1_NodeRegistered__Output } from '../../../cairn/events/v1/NodeRegistered.js';
import type { NodeUpdated as _cairn_events_v1_NodeUpdated, NodeUpdated__Output as _cairn_events_v1_NodeUpdated__Output } from '../../../cairn/events/v1/NodeUpdated.js';
import type { NodeDown as _cairn_events_v1_NodeDown, NodeDown__Output as _cairn_events_v1_NodeDown__Output } from '../../../cairn/events/v1/NodeDown.js';
import type { NodeUp as _cairn_events_v1_NodeUp, NodeUp__Output as _cairn_events_v1_NodeUp__Output } from '../../../cairn/events/v1/NodeUp.js';
import type { DiskAdded as _cairn_events_v1_DiskAdded, DiskAdded__Output as _cairn_events_v1_DiskAdded__Output } from '../../../cairn/events/v1/DiskAdded.js';
import type { DiskUpdated as _cairn_events_v1_DiskUpdated, DiskUpdated__Output as _cairn_events_v1_DiskUpdated__Output } from '../../../cairn/events/v1/DiskUpdated.js';
import type { DiskRemoved as _cairn_events_v1_DiskRemoved, DiskRemoved__Output as _cairn_events_v1_DiskRemoved__Output } from '../../../cairn/events/v1/DiskRemoved.js';
import type { VolumeCreated as _cairn_events_v1_VolumeCreated, VolumeCreated__Output as _cairn_events_v1_VolumeCreated__Output } from '../../../cairn/events/v1/VolumeCreated.js';
import type { VolumeUpdated as _cairn_events_v1_VolumeUpdated, VolumeUpdated__Output as _cairn_events_v1_VolumeUpdated__Output } from '../../../cairn/events/v1/VolumeUpdated.js';
import type { VolumeExpanded as _cairn_events_v1_VolumeExpanded, VolumeExpanded__Output as _cairn_events_v1_VolumeExpanded__Output } from '../../../cairn/events/v1/VolumeExpanded.js';
import type { VolumeAttachRequested as _cairn_events_v1_VolumeAttachRequested, VolumeAttachRequested__Output as _cairn_events_v1_VolumeAttachRequested__Output } from '../../../cairn/events/v1/VolumeAttachRequested.js';
import type { VolumeAttached as _cairn_events_v1_VolumeAttached, VolumeAttached__Output as _cairn_events_v1_VolumeAttached__Output } from '../../../cairn/events/v1/VolumeAttached.js';
import type { VolumeDetached as _cairn_events_v1_VolumeDetached, VolumeDetached__Output as _cairn_events_v1_VolumeDetached__Output } from '../../../cairn/events/v1/VolumeDetached.js';
import type { VolumeDeleted as _cairn_events_v1_VolumeDeleted, VolumeDeleted__Output as _cairn_events_v1_VolumeDeleted__Output } from '../../../cairn/events/v1/VolumeDeleted.js';
import type { VolumeUnschedulable as _cairn_events_v1_VolumeUnschedulable, VolumeUnschedulable__Output as _cairn_events_v1_VolumeUnschedulable__Output } from '../../../cairn/events/v1/VolumeUnschedulable.js';
import type { VolumeDetachRequested as _cairn_events_v1_VolumeDetachRequested, VolumeDetachRequested__Output as _cairn_events_v1_VolumeDetachRequested__Output } from '../../../cairn/events/v1/VolumeDetachRequested.js';
import type { VolumeSchedulable as _cairn_events_v1_VolumeSchedulable, VolumeSchedulable__Output as _cairn_events_v1_VolumeSchedulable__Output } from '../../../cairn/events/v1/VolumeSchedulable.js';
import type { ReplicaScheduled as _cairn_events_v1_ReplicaScheduled, ReplicaScheduled__Output as _cairn_events_v1_ReplicaScheduled__Output } from '../../../cairn/events/v1/ReplicaScheduled.js';
import type { ReplicaRunning as _cairn_events_v1_ReplicaRunning, ReplicaRunning__Output as _cairn_events_v1_ReplicaRunning__Output } from '../../../cairn/events/v1/ReplicaRunning.js';
import type { ReplicaFailed as _cairn_events_v1_ReplicaFailed, ReplicaFailed__Output as _cairn_events_v1_ReplicaFailed__Output } from '../../../cairn/events/v1/ReplicaFailed.js';
import type { ReplicaRebuilding as _cairn_events_v1_ReplicaRebuilding, ReplicaRebuilding__Output as _cairn_events_v1_ReplicaRebuilding__Output } from '../../../cairn/events/v1/ReplicaRebuilding.js';
import type { ReplicaRebuilt as _cairn_events_v1_ReplicaRebuilt, ReplicaRebuilt__Output as _cairn_events_v1_ReplicaRebuilt__Output } from '../../../cairn/events/v1/ReplicaRebuilt.js';
import type { ReplicaRemoved as _cairn_events_v1_ReplicaRemoved, ReplicaRemoved__Output as _cairn_events_v1_ReplicaRemoved__Output } from '../../../cairn/events/v1/ReplicaRemoved.js';
import type { SettingsChanged as _cairn_events_v1_SettingsChanged, SettingsChanged__Output as _cairn_events_v1_SettingsChanged__Output } from '../../../cairn/events/v1/SettingsChanged.js';
import type { SnapshotCreated as _cairn_events_v1_SnapshotCreated, SnapshotCreated__Output as _cairn_events_v1_SnapshotCreated__Output } from '../../../cairn/events/v1/SnapshotCreated.js';
import type { SnapshotDeleted as _cairn_events_v1_SnapshotDeleted, SnapshotDeleted__Output as _cairn_events_v1_SnapshotDeleted__Output } from '../../../cairn/events/v1/SnapshotDeleted.js';
import type { VolumeDataSourceCopied as _cairn_events_v1_VolumeDataSourceCopied, VolumeDataSourceCopied__Output as _cairn_events_v1_VolumeDataSourceCopied__Output } from '../../../cairn/events/v1/VolumeDataSourceCopied.js';
import type { VolumeWaiting as _cairn_events_v1_VolumeWaiting, VolumeWaiting__Output as _cairn_events_v1_VolumeWaiting__Output } from '../../../cairn/events/v1/VolumeWaiting.js';
import type { VolumeAutoAttached as _cairn_events_v1_VolumeAutoAttached, VolumeAutoAttached__Output as _cairn_events_v1_VolumeAutoAttached__Output } from '../../../cairn/events/v1/VolumeAutoAttached.js';
import type { VolumeAutoDetached as _cairn_events_v1_VolumeAutoDetached, VolumeAutoDetached__Output as _cairn_events_v1_VolumeAutoDetached__Output } from '../../../cairn/events/v1/VolumeAutoDetached.js';
import type { VolumeSalvaged as _cairn_events_v1_VolumeSalvaged, VolumeSalvaged__Output as _cairn_events_v1_VolumeSalvaged__Output } from '../../../cairn/events/v1/VolumeSalvaged.js';
import type { BackupRequested as _cairn_events_v1_BackupRequested, BackupRequested__Output as _cairn_events_v1_BackupRequested__Output } from '../../../cairn/events/v1/BackupRequested.js';
import type { BackupAssigned as _cairn_events_v1_BackupAssigned, BackupAssigned__Output as _cairn_events_v1_BackupAssigned__Output } from '../../../cairn/events/v1/BackupAssigned.js';
import type { BackupStarted as _cairn_events_v1_BackupStarted, BackupStarted__Output as _cairn_events_v1_BackupStarted__Output } from '../../../cairn/events/v1/BackupStarted.js';
import type { BackupCompleted as _cairn_events_v1_BackupCompleted, BackupCompleted__Output as _cairn_events_v1_BackupCompleted__Output } from '../../../cairn/events/v1/BackupCompleted.js';
import type { BackupFailed as _cairn_events_v1_BackupFailed, BackupFailed__Output as _cairn_events_v1_BackupFailed__Output } from '../../../cairn/events/v1/BackupFailed.js';
import type { BackupDeleted as _cairn_events_v1_BackupDeleted, BackupDeleted__Output as _cairn_events_v1_BackupDeleted__Output } from '../../../cairn/events/v1/BackupDeleted.js';
import type { VolumeRestoreStarted as _cairn_events_v1_VolumeRestoreStarted, VolumeRestoreStarted__Output as _cairn_events_v1_VolumeRestoreStarted__Output } from '../../../cairn/events/v1/VolumeRestoreStarted.js';
import type { VolumeRestoreCompleted as _cairn_events_v1_VolumeRestoreCompleted, VolumeRestoreCompleted__Output as _cairn_events_v1_VolumeRestoreCompleted__Output } from '../../../cairn/events/v1/VolumeRestoreCompleted.js';
import type { VolumeRestoreFailed as _cairn_events_v1_VolumeRestoreFailed, VolumeRestoreFailed__Output as _cairn_events_v1_VolumeRestoreFailed__Output } from '../../../cairn/events/v1/VolumeRestoreFailed.js';
import type { VolumeRestoreRequested as _cairn_events_v1_VolumeRestoreRequested, VolumeRestoreRequested__Output as _cairn_events_v1_VolumeRestoreRequested__Output } from '../../../cairn/events/v1/VolumeRestoreRequested.js';
import type { VolumeActivationRequested as _cairn_events_v1_VolumeActivationRequested, VolumeActivationRequested__Output as _cairn_events_v1_VolumeActivationRequested__Output } from '../../../cairn/events/v1/VolumeActivationRequested.js';
import type { VolumeActivated as _cairn_events_v1_VolumeActivated, VolumeActivated__Output as _cairn_events_v1_VolumeActivated__Output } from '../../../cairn/events/v1/VolumeActivated.js';
import type { RecurringJobCreated as _cairn_events_v1_RecurringJobCreated, RecurringJobCreated__Output as _cairn_events_v1_RecurringJobCreated__Output } from '../../../cairn/events/v1/RecurringJobCreated.js';
import type { RecurringJobUpdated as _cairn_events_v1_RecurringJobUpdated, RecurringJobUpdated__Output as _cairn_events_v1_RecurringJobUpdated__Output } from '../../../cairn/events/v1/RecurringJobUpdated.js';
import type { RecurringJobDeleted as _cairn_events_v1_RecurringJobDeleted, RecurringJobDeleted__Output as _cairn_events_v1_RecurringJobDeleted__Output } from '../../../cairn/events/v1/RecurringJobDeleted.js';
import type { RecurringJobRunStarted as _cairn_events_v1_RecurringJobRunStarted, RecurringJobRunStarted__Output as _cairn_events_v1_RecurringJobRunStarted__Output } from '../../../cairn/events/v1/RecurringJobRunStarted.js';
import type { RecurringJobVolumeDone as _cairn_events_v1_RecurringJobVolumeDone, RecurringJobVolumeDone__Output as _cairn_events_v1_RecurringJobVolumeDone__Output } from '../../../cairn/events/v1/RecurringJobVolumeDone.js';
import type { RecurringJobTrimRequested as _cairn_events_v1_RecurringJobTrimRequested, RecurringJobTrimRequested__Output as _cairn_events_v1_RecurringJobTrimRequested__Output } from '../../../cairn/events/v1/RecurringJobTrimRequested.js';
import type { Long } from '@grpc/proto-loader';

export interface EventEnvelope {
  /**
   * Position in the log, from 1, without gaps.
   */
  'seq'?: (number | string | Long);
  /**
   * Unix time in milliseconds when the appender wrote the event. Data, not a clock: the
   * projection uses it only to stamp what it records (for example when a replica failed).
   */
  'timeMs'?: (number | string | Long);
  /**
   * Who appended it: "admin:<token name>", "manager/<id>", "node/<id>", "csi".
   */
  'actor'?: (string);
  /**
   * Correlation id: a request id, or the seq of the event that caused this one ("seq:42").
   */
  'cause'?: (string);
  /**
   * Version of the payload's meaning; readers refuse versions they do not know.
   */
  'schemaVersion'?: (number);
  'nodeRegistered'?: (_cairn_events_v1_NodeRegistered | null);
  'nodeUpdated'?: (_cairn_events_v1_NodeUpdated | null);
  'nodeDown'?: (_cairn_events_v1_NodeDown | null);
  'nodeUp'?: (_cairn_events_v1_NodeUp | null);
  'diskAdded'?: (_cairn_events_v1_DiskAdded | null);
  'diskUpdated'?: (_cairn_events_v1_DiskUpdated | null);
  'diskRemoved'?: (_cairn_events_v1_DiskRemoved | null);
  'volumeCreated'?: (_cairn_events_v1_VolumeCreated | null);
  'volumeUpdated'?: (_cairn_events_v1_VolumeUpdated | null);
  'volumeExpanded'?: (_cairn_events_v1_VolumeExpanded | null);
  'volumeAttachRequested'?: (_cairn_events_v1_VolumeAttachRequested | null);
  'volumeAttached'?: (_cairn_events_v1_VolumeAttached | null);
  'volumeDetached'?: (_cairn_events_v1_VolumeDetached | null);
  'volumeDeleted'?: (_cairn_events_v1_VolumeDeleted | null);
  'volumeUnschedulable'?: (_cairn_events_v1_VolumeUnschedulable | null);
  'volumeDetachRequested'?: (_cairn_events_v1_VolumeDetachRequested | null);
  'volumeSchedulable'?: (_cairn_events_v1_VolumeSchedulable | null);
  'replicaScheduled'?: (_cairn_events_v1_ReplicaScheduled | null);
  'replicaRunning'?: (_cairn_events_v1_ReplicaRunning | null);
  'replicaFailed'?: (_cairn_events_v1_ReplicaFailed | null);
  'replicaRebuilding'?: (_cairn_events_v1_ReplicaRebuilding | null);
  'replicaRebuilt'?: (_cairn_events_v1_ReplicaRebuilt | null);
  'replicaRemoved'?: (_cairn_events_v1_ReplicaRemoved | null);
  'settingsChanged'?: (_cairn_events_v1_SettingsChanged | null);
  'snapshotCreated'?: (_cairn_events_v1_SnapshotCreated | null);
  'snapshotDeleted'?: (_cairn_events_v1_SnapshotDeleted | null);
  'volumeDataSourceCopied'?: (_cairn_events_v1_VolumeDataSourceCopied | null);
  'volumeWaiting'?: (_cairn_events_v1_VolumeWaiting | null);
  'volumeAutoAttached'?: (_cairn_events_v1_VolumeAutoAttached | null);
  'volumeAutoDetached'?: (_cairn_events_v1_VolumeAutoDetached | null);
  'volumeSalvaged'?: (_cairn_events_v1_VolumeSalvaged | null);
  /**
   * ---- backups (90-99) ----
   */
  'backupRequested'?: (_cairn_events_v1_BackupRequested | null);
  'backupAssigned'?: (_cairn_events_v1_BackupAssigned | null);
  'backupStarted'?: (_cairn_events_v1_BackupStarted | null);
  'backupCompleted'?: (_cairn_events_v1_BackupCompleted | null);
  'backupFailed'?: (_cairn_events_v1_BackupFailed | null);
  'backupDeleted'?: (_cairn_events_v1_BackupDeleted | null);
  /**
   * ---- restore (H-restore) ----
   */
  'volumeRestoreStarted'?: (_cairn_events_v1_VolumeRestoreStarted | null);
  'volumeRestoreCompleted'?: (_cairn_events_v1_VolumeRestoreCompleted | null);
  'volumeRestoreFailed'?: (_cairn_events_v1_VolumeRestoreFailed | null);
  'volumeRestoreRequested'?: (_cairn_events_v1_VolumeRestoreRequested | null);
  'volumeActivationRequested'?: (_cairn_events_v1_VolumeActivationRequested | null);
  'volumeActivated'?: (_cairn_events_v1_VolumeActivated | null);
  /**
   * Recurring jobs (H-jobs: 110-119).
   */
  'recurringJobCreated'?: (_cairn_events_v1_RecurringJobCreated | null);
  'recurringJobUpdated'?: (_cairn_events_v1_RecurringJobUpdated | null);
  'recurringJobDeleted'?: (_cairn_events_v1_RecurringJobDeleted | null);
  'recurringJobRunStarted'?: (_cairn_events_v1_RecurringJobRunStarted | null);
  'recurringJobVolumeDone'?: (_cairn_events_v1_RecurringJobVolumeDone | null);
  'recurringJobTrimRequested'?: (_cairn_events_v1_RecurringJobTrimRequested | null);
  /**
   * The log's hash chain (metadata/src/chain.ts): SHA-256 over the previous event's chain_hash
   * (32 zero bytes for the first hashed event) and this event's stored bytes without this field.
   * The appender writes it last, after the payload: field 2047 is the highest number with a
   * two-byte tag, so an encoder that orders fields by number puts it at the end too. Empty in
   * events written before the chain existed.
   */
  'chainHash'?: (Buffer | Uint8Array | string);
  'payload'?: "nodeRegistered"|"nodeUpdated"|"nodeDown"|"nodeUp"|"diskAdded"|"diskUpdated"|"diskRemoved"|"volumeCreated"|"volumeUpdated"|"volumeExpanded"|"volumeAttachRequested"|"volumeAttached"|"volumeDetached"|"volumeDeleted"|"volumeUnschedulable"|"volumeDetachRequested"|"volumeSchedulable"|"replicaScheduled"|"replicaRunning"|"replicaFailed"|"replicaRebuilding"|"replicaRebuilt"|"replicaRemoved"|"settingsChanged"|"snapshotCreated"|"snapshotDeleted"|"volumeDataSourceCopied"|"volumeWaiting"|"volumeAutoAttached"|"volumeAutoDetached"|"volumeSalvaged"|"backupRequested"|"backupAssigned"|"backupStarted"|"backupCompleted"|"backupFailed"|"backupDeleted"|"recurringJobCreated"|"recurringJobUpdated"|"recurringJobDeleted"|"recurringJobRunStarted"|"recurringJobVolumeDone"|"volumeRestoreStarted"|"volumeRestoreCompleted"|"volumeRestoreFailed"|"volumeRestoreRequested"|"volumeActivationRequested"|"volumeActivated"|"recurringJobTrimRequested";
}

export interface EventEnvelope__Output {
  /**
   * Position in the log, from 1, without gaps.
   */
  'seq': (number);
  /**
   * Unix time in milliseconds when the appender wrote the event. Data, not a clock: the
   * projection uses it only to stamp what it records (for example when a replica failed).
   */
  'timeMs': (number);
  /**
   * Who appended it: "admin:<token name>", "manager/<id>", "node/<id>", "csi".
   */
  'actor': (string);
  /**
   * Correlation id: a request id, or the seq of the event that caused this one ("seq:42").
   */
  'cause': (string);
  /**
   * Version of the payload's meaning; readers refuse versions they do not know.
   */
  'schemaVersion': (number);
  'nodeRegistered'?: (_cairn_events_v1_NodeRegistered__Output | null);
  'nodeUpdated'?: (_cairn_events_v1_NodeUpdated__Output | null);
  'nodeDown'?: (_cairn_events_v1_NodeDown__Output | null);
  'nodeUp'?: (_cairn_events_v1_NodeUp__Output | null);
  'diskAdded'?: (_cairn_events_v1_DiskAdded__Output | null);
  'diskUpdated'?: (_cairn_events_v1_DiskUpdated__Output | null);
  'diskRemoved'?: (_cairn_events_v1_DiskRemoved__Output | null);
  'volumeCreated'?: (_cairn_events_v1_VolumeCreated__Output | null);
  'volumeUpdated'?: (_cairn_events_v1_VolumeUpdated__Output | null);
  'volumeExpanded'?: (_cairn_events_v1_VolumeExpanded__Output | null);
  'volumeAttachRequested'?: (_cairn_events_v1_VolumeAttachRequested__Output | null);
  'volumeAttached'?: (_cairn_events_v1_VolumeAttached__Output | null);
  'volumeDetached'?: (_cairn_events_v1_VolumeDetached__Output | null);
  'volumeDeleted'?: (_cairn_events_v1_VolumeDeleted__Output | null);
  'volumeUnschedulable'?: (_cairn_events_v1_VolumeUnschedulable__Output | null);
  'volumeDetachRequested'?: (_cairn_events_v1_VolumeDetachRequested__Output | null);
  'volumeSchedulable'?: (_cairn_events_v1_VolumeSchedulable__Output | null);
  'replicaScheduled'?: (_cairn_events_v1_ReplicaScheduled__Output | null);
  'replicaRunning'?: (_cairn_events_v1_ReplicaRunning__Output | null);
  'replicaFailed'?: (_cairn_events_v1_ReplicaFailed__Output | null);
  'replicaRebuilding'?: (_cairn_events_v1_ReplicaRebuilding__Output | null);
  'replicaRebuilt'?: (_cairn_events_v1_ReplicaRebuilt__Output | null);
  'replicaRemoved'?: (_cairn_events_v1_ReplicaRemoved__Output | null);
  'settingsChanged'?: (_cairn_events_v1_SettingsChanged__Output | null);
  'snapshotCreated'?: (_cairn_events_v1_SnapshotCreated__Output | null);
  'snapshotDeleted'?: (_cairn_events_v1_SnapshotDeleted__Output | null);
  'volumeDataSourceCopied'?: (_cairn_events_v1_VolumeDataSourceCopied__Output | null);
  'volumeWaiting'?: (_cairn_events_v1_VolumeWaiting__Output | null);
  'volumeAutoAttached'?: (_cairn_events_v1_VolumeAutoAttached__Output | null);
  'volumeAutoDetached'?: (_cairn_events_v1_VolumeAutoDetached__Output | null);
  'volumeSalvaged'?: (_cairn_events_v1_VolumeSalvaged__Output | null);
  /**
   * ---- backups (90-99) ----
   */
  'backupRequested'?: (_cairn_events_v1_BackupRequested__Output | null);
  'backupAssigned'?: (_cairn_events_v1_BackupAssigned__Output | null);
  'backupStarted'?: (_cairn_events_v1_BackupStarted__Output | null);
  'backupCompleted'?: (_cairn_events_v1_BackupCompleted__Output | null);
  'backupFailed'?: (_cairn_events_v1_BackupFailed__Output | null);
  'backupDeleted'?: (_cairn_events_v1_BackupDeleted__Output | null);
  /**
   * ---- restore (H-restore) ----
   */
  'volumeRestoreStarted'?: (_cairn_events_v1_VolumeRestoreStarted__Output | null);
  'volumeRestoreCompleted'?: (_cairn_events_v1_VolumeRestoreCompleted__Output | null);
  'volumeRestoreFailed'?: (_cairn_events_v1_VolumeRestoreFailed__Output | null);
  'volumeRestoreRequested'?: (_cairn_events_v1_VolumeRestoreRequested__Output | null);
  'volumeActivationRequested'?: (_cairn_events_v1_VolumeActivationRequested__Output | null);
  'volumeActivated'?: (_cairn_events_v1_VolumeActivated__Output | null);
  /**
   * Recurring jobs (H-jobs: 110-119).
   */
  'recurringJobCreated'?: (_cairn_events_v1_RecurringJobCreated__Output | null);
  'recurringJobUpdated'?: (_cairn_events_v1_RecurringJobUpdated__Output | null);
  'recurringJobDeleted'?: (_cairn_events_v1_RecurringJobDeleted__Output | null);
  'recurringJobRunStarted'?: (_cairn_events_v1_RecurringJobRunStarted__Output | null);
  'recurringJobVolumeDone'?: (_cairn_events_v1_RecurringJobVolumeDone__Output | null);
  'recurringJobTrimRequested'?: (_cairn_events_v1_RecurringJobTrimRequested__Output | null);
  /**
   * The log's hash chain (metadata/src/chain.ts): SHA-256 over the previous event's chain_hash
   * (32 zero bytes for the first hashed event) and this event's stored bytes without this field.
   * The appender writes it last, after the payload: field 2047 is the highest number with a
   * two-byte tag, so an encoder that orders fields by number puts it at the end too. Empty in
   * events written before the chain existed.
   */
  'chainHash': (Buffer);
  'payload'?: "nodeRegistered"|"nodeUpdated"|"nodeDown"|"nodeUp"|"diskAdded"|"diskUpdated"|"diskRemoved"|"volumeCreated"|"volumeUpdated"|"volumeExpanded"|"volumeAttachRequested"|"volumeAttached"|"volumeDetached"|"volumeDeleted"|"volumeUnschedulable"|"volumeDetachRequested"|"volumeSchedulable"|"replicaScheduled"|"replicaRunning"|"replicaFailed"|"replicaRebuilding"|"replicaRebuilt"|"replicaRemoved"|"settingsChanged"|"snapshotCreated"|"snapshotDeleted"|"volumeDataSourceCopied"|"volumeWaiting"|"volumeAutoAttached"|"volumeAutoDetached"|"volumeSalvaged"|"backupRequested"|"backupAssigned"|"backupStarted"|"backupCompleted"|"backupFailed"|"backupDeleted"|"recurringJobCreated"|"recurringJobUpdated"|"recurringJobDeleted"|"recurringJobRunStarted"|"recurringJobVolumeDone"|"volumeRestoreStarted"|"volumeRestoreCompleted"|"volumeRestoreFailed"|"volumeRestoreRequested"|"volumeActivationRequested"|"volumeActivated"|"recurringJobTrimRequested";
}
