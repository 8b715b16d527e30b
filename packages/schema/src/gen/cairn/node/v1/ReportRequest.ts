// Original file: cairn/node/v1/node.proto

import type { ReplicaReport as _cairn_node_v1_ReplicaReport, ReplicaReport__Output as _cairn_node_v1_ReplicaReport__Output } from '../../../cairn/node/v1/ReplicaReport.js';
import type { EngineReport as _cairn_node_v1_EngineReport, EngineReport__Output as _cairn_node_v1_EngineReport__Output } from '../../../cairn/node/v1/EngineReport.js';
import type { RebuildProgress as _cairn_node_v1_RebuildProgress, RebuildProgress__Output as _cairn_node_v1_RebuildProgress__Output } from '../../../cairn/node/v1/RebuildProgress.js';
import type { ReplicaFigures as _cairn_node_v1_ReplicaFigures, ReplicaFigures__Output as _cairn_node_v1_ReplicaFigures__Output } from '../../../cairn/node/v1/ReplicaFigures.js';
import type { BackupReport as _cairn_node_v1_BackupReport, BackupReport__Output as _cairn_node_v1_BackupReport__Output } from '../../../cairn/node/v1/BackupReport.js';
import type { TrimReport as _cairn_node_v1_TrimReport, TrimReport__Output as _cairn_node_v1_TrimReport__Output } from '../../../cairn/node/v1/TrimReport.js';

export interface ReportRequest {
  'nodeId'?: (string);
  'replicas'?: (_cairn_node_v1_ReplicaReport)[];
  'engines'?: (_cairn_node_v1_EngineReport)[];
  'progress'?: (_cairn_node_v1_RebuildProgress)[];
  /**
   * Figures of replicas this node holds that the manager lists as failed (what salvage chooses
   * by): not events, kept by the managers under lease-bound status keys.
   */
  'figures'?: (_cairn_node_v1_ReplicaFigures)[];
  /**
   * Backups this node runs: progress (status, not events), start, completion, failure.
   */
  'backups'?: (_cairn_node_v1_BackupReport)[];
  /**
   * Filesystem trims this node ran (each once), with what fstrim said.
   */
  'trims'?: (_cairn_node_v1_TrimReport)[];
}

export interface ReportRequest__Output {
  'nodeId': (string);
  'replicas': (_cairn_node_v1_ReplicaReport__Output)[];
  'engines': (_cairn_node_v1_EngineReport__Output)[];
  'progress': (_cairn_node_v1_RebuildProgress__Output)[];
  /**
   * Figures of replicas this node holds that the manager lists as failed (what salvage chooses
   * by): not events, kept by the managers under lease-bound status keys.
   */
  'figures': (_cairn_node_v1_ReplicaFigures__Output)[];
  /**
   * Backups this node runs: progress (status, not events), start, completion, failure.
   */
  'backups': (_cairn_node_v1_BackupReport__Output)[];
  /**
   * Filesystem trims this node ran (each once), with what fstrim said.
   */
  'trims': (_cairn_node_v1_TrimReport__Output)[];
}
