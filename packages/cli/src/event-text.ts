// Events as one line for people: seq, time, actor, type, and a short summary of the payload.
import type { CairnEvent } from '@cairn/metadata';
import { formatSize } from '@cairn/api';
import { time } from './output.js';

/** The payload's message name: "replicaScheduled" -> "ReplicaScheduled". */
export function eventType(ev: CairnEvent): string {
  const p = ev.payload ?? 'unknown';
  return p.charAt(0).toUpperCase() + p.slice(1);
}

/** DATA_LOCALITY_BEST_EFFORT -> best-effort (the projection's words for the proto enums). */
const enumWord = (v: unknown, prefix: string): string => String(v).replace(prefix, '').toLowerCase().replace(/_/g, '-');
const sz = (n: number): string => (n ? formatSize(n) : '0');
const tags = (t: string[]): string => (t.length ? ` tags=${t.join(',')}` : '');
const onOff = (b: boolean): string => (b ? 'on' : 'off');

export function eventSummary(ev: CairnEvent): string {
  switch (ev.payload) {
    case 'nodeRegistered': {
      const p = ev.nodeRegistered!;
      return `${p.nodeId} zone=${p.zone || '-'} address=${p.address || '-'}${tags(p.tags)}`;
    }
    case 'nodeUpdated': {
      const p = ev.nodeUpdated!;
      return `${p.nodeId} scheduling=${onOff(p.allowScheduling)} evict=${onOff(p.evictionRequested)}${p.cordoned ? ' cordoned' : ''}${tags(p.tags)}`;
    }
    case 'nodeDown':
      return `${ev.nodeDown!.nodeId}: ${ev.nodeDown!.reason || 'down'}`;
    case 'nodeUp':
      return ev.nodeUp!.nodeId;
    case 'diskAdded': {
      const p = ev.diskAdded!;
      return (
        `${p.nodeId}/${p.diskId} ${p.path} max=${sz(p.storageMaximum)}` +
        ` available=${sz(p.storageAvailable)} reserved=${sz(p.storageReserved)}${tags(p.tags)}`
      );
    }
    case 'diskUpdated': {
      const p = ev.diskUpdated!;
      return (
        `${p.nodeId}/${p.diskId} scheduling=${onOff(p.allowScheduling)} evict=${onOff(p.evictionRequested)}` +
        ` reserved=${sz(p.storageReserved)} max=${sz(p.storageMaximum)} available=${sz(p.storageAvailable)}${tags(p.tags)}`
      );
    }
    case 'diskRemoved':
      return `${ev.diskRemoved!.nodeId}/${ev.diskRemoved!.diskId}`;
    case 'volumeCreated':
    case 'volumeUpdated': {
      const p = (ev.volumeCreated ?? ev.volumeUpdated)!;
      const s = p.spec;
      if (!s) return p.name;
      const sel =
        (s.diskSelector.length ? ` disk-selector=${s.diskSelector.join(',')}` : '') +
        (s.nodeSelector.length ? ` node-selector=${s.nodeSelector.join(',')}` : '');
      const from = ev.volumeCreated?.dataSource
        ? ` from=${ev.volumeCreated.dataSource}${ev.volumeCreated.dataSource.startsWith('vol://') ? `@${ev.volumeCreated.sourceSnapshot}` : ''}`
        : '';
      const c = ev.volumeCreated;
      const k = c?.kubernetes;
      const csi =
        (c?.csiName && c.csiName !== p.name ? ` csi-name=${JSON.stringify(c.csiName)}` : '') +
        (k?.pvcName ? ` pvc=${k.pvcNamespace}/${k.pvcName}` : '');
      // StorageClass parameters accepted without effect: the volume's events say so (as the PVC's Warning does).
      const ignored = c?.unsupportedParameters.length
        ? ` ignored-parameters=${c.unsupportedParameters.map((u) => `${u.key}=${JSON.stringify(u.value)}`).join(',')}`
        : '';
      const backup = c?.fromBackup ? ` from-backup=${c.fromBackup}${c.standby ? ' standby' : ''}` : '';
      return (
        `${p.name} size=${sz(s.size)} replicas=${s.numberOfReplicas}` +
        ` locality=${enumWord(s.dataLocality, 'DATA_LOCALITY_')}${sel}${from}${backup}${csi}${ignored}`
      );
    }
    case 'volumeRestoreStarted': {
      const p = ev.volumeRestoreStarted!;
      return `${p.name} on ${p.nodeId || '-'}: ${p.backup}${p.since ? ` over ${p.since}` : ' (full)'}`;
    }
    case 'volumeRestoreCompleted': {
      const p = ev.volumeRestoreCompleted!;
      return `${p.name} on ${p.nodeId || '-'}: ${p.backup} (${p.writtenBlocks} blocks written, ${p.zeroedBlocks} zeroed)`;
    }
    case 'volumeRestoreFailed': {
      const p = ev.volumeRestoreFailed!;
      return `${p.name} on ${p.nodeId || '-'}: ${p.backup}: ${p.reason}`;
    }
    case 'volumeRestoreRequested':
      return `${ev.volumeRestoreRequested!.name}: ${ev.volumeRestoreRequested!.backup}`;
    case 'volumeActivationRequested':
      return ev.volumeActivationRequested!.name;
    case 'volumeActivated':
      return `${ev.volumeActivated!.name} at ${ev.volumeActivated!.backup || '-'}`;
    case 'volumeDataSourceCopied':
      return `${ev.volumeDataSourceCopied!.name} on ${ev.volumeDataSourceCopied!.nodeId || '-'}`;
    case 'volumeExpanded':
      return `${ev.volumeExpanded!.name} size=${sz(ev.volumeExpanded!.size)}`;
    case 'volumeAttachRequested':
      return `${ev.volumeAttachRequested!.name} to ${ev.volumeAttachRequested!.nodeId}`;
    case 'volumeAttached': {
      const p = ev.volumeAttached!;
      return `${p.name} on ${p.nodeId}${p.endpoint ? ` at ${p.endpoint}` : ''}`;
    }
    case 'volumeDetachRequested':
      return ev.volumeDetachRequested!.name;
    case 'volumeDetached':
      return `${ev.volumeDetached!.name} from ${ev.volumeDetached!.nodeId || '-'}`;
    case 'volumeDeleted':
      return ev.volumeDeleted!.name;
    case 'volumeWaiting':
      return `${ev.volumeWaiting!.name} on ${ev.volumeWaiting!.nodeId || '-'} waits: ${ev.volumeWaiting!.reason}`;
    case 'volumeAutoAttached': {
      const p = ev.volumeAutoAttached!;
      return `${p.name} on ${p.nodeId} for ${p.reason || '-'} (no frontend; rebuilds ${p.replicaIds.join(', ') || '-'})`;
    }
    case 'volumeAutoDetached': {
      const p = ev.volumeAutoDetached!;
      return `${p.name} from ${p.nodeId || '-'}: ${p.reason || '-'}`;
    }
    case 'volumeSalvaged': {
      const p = ev.volumeSalvaged!;
      const figs = p.figures
        .map(
          (f) =>
            `${f.replicaId}=${f.reported ? `rev ${f.revision}${f.rebuilding ? ' rebuilding' : ''}` : 'unreported'}`,
        )
        .join(' ');
      return `${p.name} from ${p.replicaIds.join(', ') || '-'} (${p.reason || '-'}) ${figs}`.trimEnd();
    }
    case 'volumeSchedulable':
      return `${ev.volumeSchedulable!.name}: every replica placed`;
    case 'volumeUnschedulable': {
      const p = ev.volumeUnschedulable!;
      return `${p.name} missing=${p.missing}: ${p.summary}`;
    }
    case 'replicaScheduled': {
      const p = ev.replicaScheduled!;
      return `${p.replicaId} of ${p.volume} on ${p.nodeId}/${p.diskId} (${p.trigger || 'new'}${p.replaces ? `, replaces ${p.replaces}` : ''})`;
    }
    case 'replicaRunning':
      return `${ev.replicaRunning!.replicaId} at ${ev.replicaRunning!.address || '-'}`;
    case 'replicaFailed':
      return `${ev.replicaFailed!.replicaId}: ${ev.replicaFailed!.reason || 'failed'}`;
    case 'replicaRebuilding':
      return `${ev.replicaRebuilding!.replicaId} from ${ev.replicaRebuilding!.fromReplicaId || '-'}`;
    case 'replicaRebuilt':
      return ev.replicaRebuilt!.replicaId;
    case 'replicaRemoved':
      return `${ev.replicaRemoved!.replicaId} (${ev.replicaRemoved!.reason || '-'})`;
    case 'settingsChanged': {
      const v = ev.settingsChanged!.values;
      return Object.keys(v)
        .sort()
        .map((k) => `${k}=${v[k]}`)
        .join(' ');
    }
    case 'snapshotCreated':
      return `${ev.snapshotCreated!.volume}@${ev.snapshotCreated!.name} size=${sz(ev.snapshotCreated!.size)}`;
    case 'snapshotDeleted':
      return `${ev.snapshotDeleted!.volume}@${ev.snapshotDeleted!.name}`;
    case 'recurringJobCreated':
    case 'recurringJobUpdated': {
      const p = (ev.recurringJobCreated ?? ev.recurringJobUpdated)!.spec!;
      return `${p.name} ${p.task} "${p.cron}" retain=${p.retain} concurrency=${p.concurrency}${p.groups.length ? ` groups=${p.groups.join(',')}` : ''}`;
    }
    case 'recurringJobDeleted':
      return ev.recurringJobDeleted!.name;
    case 'recurringJobRunStarted': {
      const p = ev.recurringJobRunStarted!;
      const missed = p.missed ? ` missed=${p.missedAtLeast ? '>=' : ''}${p.missed}` : '';
      return `${p.job} fire=${new Date(p.fireMs).toISOString()} volumes=${p.volumes.join(',') || '-'}${missed}`;
    }
    case 'recurringJobVolumeDone': {
      const p = ev.recurringJobVolumeDone!;
      if (p.error) return `${p.job} ${p.volume}: ${p.error}`;
      if (p.trimmedBytes) return `${p.job} ${p.volume}: trimmed=${sz(Number(p.trimmedBytes))}`;
      return (
        `${p.job} ${p.volume}` +
        `: made=${p.snapshotCreated || '-'} deleted=${p.snapshotsDeleted.join(',') || '-'}${p.kept.length ? ` kept=${p.kept.join('; ')}` : ''}`
      );
    }
    case 'recurringJobTrimRequested': {
      const p = ev.recurringJobTrimRequested!;
      return `${p.job} ${p.volume} fire=${new Date(Number(p.fireMs)).toISOString()} fstrim on ${p.nodeId}`;
    }
    case 'backupRequested':
      return `${ev.backupRequested!.volume}@${ev.backupRequested!.snapshot} ${ev.backupRequested!.name} -> ${ev.backupRequested!.url}`;
    case 'backupAssigned':
      return `${ev.backupAssigned!.volume} ${ev.backupAssigned!.name} on ${ev.backupAssigned!.nodeId} (replica ${ev.backupAssigned!.replicaId})`;
    case 'backupStarted':
      return `${ev.backupStarted!.volume} ${ev.backupStarted!.name} on ${ev.backupStarted!.nodeId}`;
    case 'backupCompleted': {
      const p = ev.backupCompleted!;
      return `${p.volume} ${p.name} blocks=${p.blocks} uploaded=${p.uploadedBlocks} (${sz(p.uploadedBytes)}) ${p.url}`;
    }
    case 'backupFailed': {
      const p = ev.backupFailed!;
      return `${p.volume} ${p.name}${p.nodeId ? ` on ${p.nodeId}` : ''}: ${p.reason}`;
    }
    case 'backupDeleted':
      return `${ev.backupDeleted!.url} (${ev.backupDeleted!.removedBlocks} blocks freed)`;
    default: {
      // A type added after this summary was written: its payload as compact JSON.
      if (!ev.payload) return '(a type this cairn does not know)';
      const text = JSON.stringify((ev as unknown as Record<string, unknown>)[ev.payload] ?? {}, (_k, v: unknown) =>
        v === null ? undefined : v,
      );
      return text.length > 160 ? `${text.slice(0, 157)}...` : text;
    }
  }
}

/** Column widths chosen so that lines of a stream line up without knowing what comes next. */
export function eventLine(ev: CairnEvent): string {
  return (
    `${String(ev.seq).padStart(6)}  ${time(ev.timeMs)}  ${(ev.actor || '-').padEnd(16)}  ${eventType(ev).padEnd(21)}  ${eventSummary(ev)}`.trimEnd() +
    '\n'
  );
}
