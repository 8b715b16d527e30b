// The API's view of the projected state: pure functions from ClusterState to admin messages.
import { ROBUSTNESS } from '@cairn/schema';
import type { ClusterState, DiskState, NodeState, RecurringJobState, VolumeState } from '@cairn/metadata';
import {
  formatSetting,
  jobDefToProto,
  jobsOfVolume,
  replicasOf,
  SETTING_DEFS,
  SETTING_NAMES,
  settingRange,
  volumeRobustness,
  volumesOfJob,
} from '@cairn/metadata';
import type {
  Disk,
  ListVolumesResponse,
  Node,
  RecurringJob,
  Setting,
  Snapshot,
  Volume,
  VolumeCounts,
  VolumeRestore,
} from '@cairn/api';
import { nextFireMs } from './job-plan.js';
import { restoreStateWord } from './restores.js';

export function volumeView(
  state: ClusterState,
  v: VolumeState,
  progress: (replicaId: string) => number = () => 0,
  restoreProgress: (volume: string) => { backup: string; percent: number } | undefined = () => undefined,
): Volume {
  const replicas = replicasOf(state, v.name).sort((a, b) => a.id.localeCompare(b.id));
  const { offline, ...user } = userState(v);
  return {
    name: v.name,
    size: v.spec.size,
    state: user.state,
    robustness: volumeRobustness(state, v),
    numberOfReplicas: v.spec.numberOfReplicas,
    dataLocality: v.spec.dataLocality,
    attachedTo: user.attachedTo,
    endpoint: user.endpoint,
    autoAttachReason: offline ? v.autoAttach : '',
    autoAttachedNode: offline ? v.attachedTo : '',
    replicas: replicas.map((r) => ({
      id: r.id,
      node: r.nodeId,
      disk: r.diskId,
      state: r.mode,
      address: r.address,
      trigger: r.trigger,
      failedReason: r.failedReason,
      rebuildProgress: r.mode === 'rebuilding' ? progress(r.id) : 0,
    })),
    diskSelector: v.spec.diskSelector,
    nodeSelector: v.spec.nodeSelector,
    replicaAutoBalance: v.spec.replicaAutoBalance,
    staleReplicaTimeout: v.spec.staleReplicaTimeout,
    unschedulable: v.unschedulable ? `${v.unschedulable.summary} (seq ${v.unschedulable.seq})` : '',
    createdSeq: v.createdSeq,
    fsType: v.spec.fsType,
    mkfsParams: v.spec.mkfsParams,
    accessMode: v.spec.accessMode,
    seq: state.seq,
    replicaSoftAntiAffinity: v.spec.replicaSoftAntiAffinity,
    replicaZoneSoftAntiAffinity: v.spec.replicaZoneSoftAntiAffinity,
    replicaDiskSoftAntiAffinity: v.spec.replicaDiskSoftAntiAffinity,
    // A volume made empty has nothing to copy: ready from the start.
    dataSource: v.dataSource?.uri ?? '',
    dataSourceReady: v.dataSource?.copied ?? true,
    waiting: v.waiting ? `${v.waiting.reason} (engine on ${v.waiting.nodeId}, seq ${v.waiting.seq})` : '',
    csiName: v.csiName ?? '',
    kubernetes: v.kubernetes ?? null,
    unsupportedParameters: v.unsupportedParameters ?? [],
    labels: v.spec.labels ?? {},
    recurringJobs: jobsOfVolume(state, v),
    restore: v.restore ? restoreView(v, restoreProgress(v.name)) : null,
  };
}

/** What ListVolumes may narrow to: a name fragment, a robustness, a page (limit 0: every match). */
export interface VolumeQuery {
  nameContains: string;
  robustness: string;
  offset: number;
  limit: number;
}

const STATE_WORDS = ['detached', 'attaching', 'attached', 'detaching'] as const;

/**
 * ListVolumes: the matching volumes by name, one page of them when a limit is given, and the
 * cluster's counts. Only the page is turned into Volume messages, so the first page of a
 * 10,000-volume cluster costs 10,000 cheap robustness figures and 50 views, not 10,000 views.
 */
export function volumeListing(
  state: ClusterState,
  q: VolumeQuery,
  progress?: (replicaId: string) => number,
  restoreProgress?: (volume: string) => { backup: string; percent: number } | undefined,
): ListVolumesResponse {
  const counts: VolumeCounts = {
    volumes: state.volumes.size,
    unschedulable: 0,
    rebuilding: 0,
    byRobustness: Object.fromEntries(ROBUSTNESS.map((w) => [w, 0])),
    byState: Object.fromEntries(STATE_WORDS.map((w) => [w, 0])),
  };
  const needle = q.nameContains.toLowerCase();
  const matching: VolumeState[] = [];
  for (const v of state.volumes.values()) {
    const robustness = volumeRobustness(state, v);
    const shown = userState(v).state;
    counts.byRobustness![robustness] = (counts.byRobustness![robustness] ?? 0) + 1;
    counts.byState![shown] = (counts.byState![shown] ?? 0) + 1;
    if (v.unschedulable) counts.unschedulable = counts.unschedulable! + 1;
    if (replicasOf(state, v.name).some((r) => r.mode === 'rebuilding')) counts.rebuilding = counts.rebuilding! + 1;
    if ((needle && !v.name.toLowerCase().includes(needle)) || (q.robustness && robustness !== q.robustness)) continue;
    matching.push(v);
  }
  matching.sort((a, b) => a.name.localeCompare(b.name));
  const page = q.limit > 0 ? matching.slice(q.offset, q.offset + q.limit) : matching.slice(q.offset);
  return { volumes: page.map((v) => volumeView(state, v, progress, restoreProgress)), total: matching.length, counts };
}

/**
 * Users (and CSI) see what users asked for: an engine the scheduler runs for an offline rebuild
 * is shown apart (autoAttachReason, autoAttachedNode), the volume stays detached; a user attach
 * waiting for that engine to stop is attaching to its node.
 */
function userState(v: VolumeState): { offline: boolean; state: string; attachedTo: string; endpoint: string } {
  const offline = v.autoAttach !== '' && v.attachState !== 'detached';
  return offline
    ? { offline, state: 'detached', attachedTo: '', endpoint: '' }
    : v.pendingAttach
      ? { offline, state: 'attaching', attachedTo: v.pendingAttach, endpoint: '' }
      : { offline, state: v.attachState, attachedTo: v.attachedTo, endpoint: v.endpoint };
}

function restoreView(v: VolumeState, p: { backup: string; percent: number } | undefined): VolumeRestore {
  const r = v.restore!;
  const state = restoreStateWord(v);
  return {
    backup: r.backup,
    restored: r.restored,
    state,
    error: r.error,
    standby: r.standby,
    activating: r.activating,
    progress: state === 'restoring' ? (p?.backup === r.backup ? p.percent : 0) : state === 'failed' ? 0 : 100,
  };
}

/** Scheduled bytes and replica count of every disk, in one pass over the replicas. */
export function diskUsage(state: ClusterState): Map<string, { scheduled: number; replicas: number }> {
  const usage = new Map<string, { scheduled: number; replicas: number }>();
  for (const r of state.replicas.values()) {
    const key = `${r.nodeId}/${r.diskId}`;
    const u = usage.get(key) ?? { scheduled: 0, replicas: 0 };
    u.scheduled += r.size;
    u.replicas++;
    usage.set(key, u);
  }
  return usage;
}

export function diskView(state: ClusterState, d: DiskState, usage = diskUsage(state)): Disk {
  const u = usage.get(`${d.nodeId}/${d.id}`) ?? { scheduled: 0, replicas: 0 };
  return {
    nodeId: d.nodeId,
    diskId: d.id,
    path: d.path,
    tags: d.tags,
    allowScheduling: d.allowScheduling,
    evictionRequested: d.evictionRequested,
    storageMaximum: d.storageMaximum,
    storageAvailable: d.storageAvailable,
    storageReserved: d.storageReserved,
    storageScheduled: u.scheduled,
    replicas: u.replicas,
  };
}

/** A node and its disks; pass `usage` when viewing many nodes so the replicas are scanned once. */
export function nodeView(state: ClusterState, n: NodeState, usage = diskUsage(state)): Node {
  return {
    id: n.id,
    address: n.address,
    zone: n.zone,
    tags: n.tags,
    allowScheduling: n.allowScheduling,
    evictionRequested: n.evictionRequested,
    cordoned: n.cordoned,
    state: n.down ? 'down' : 'up',
    downReason: n.downReason,
    disks: [...n.disks.values()].sort((a, b) => a.id.localeCompare(b.id)).map((d) => diskView(state, d, usage)),
  };
}

export function settingsView(state: ClusterState, only = ''): Setting[] {
  return SETTING_NAMES.filter((n) => !only || n === only).map((name) => ({
    name,
    value: formatSetting(state.settings[name]),
    default: formatSetting(SETTING_DEFS[name].default),
    description: SETTING_DEFS[name].help,
    range: settingRange(name),
  }));
}

export function snapshotViews(v: VolumeState): Snapshot[] {
  return [...v.snapshots.values()]
    .sort((a, b) => a.createdSeq - b.createdSeq)
    .map((s) => ({ volume: v.name, name: s.name, size: s.size, createdSeq: s.createdSeq, createdMs: s.createdMs }));
}

export function jobView(state: ClusterState, j: RecurringJobState): RecurringJob {
  return {
    ...jobDefToProto(j),
    createdSeq: j.createdSeq,
    lastFireMs: j.lastFireMs,
    nextFireMs: nextFireMs(j.cron, Math.max(j.lastFireMs, j.createdMs)) ?? 0,
    pending: j.running?.pending ?? [],
    volumes: volumesOfJob(state, j.name),
    seq: state.seq,
  };
}
