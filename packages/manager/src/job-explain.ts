// `cairn audit explain VOLUME` for snapshots and recurring jobs: where each snapshot of the volume
// came from and where it went (a user, a clone, or a recurring job's run and its retention), and
// what each run of a job did on the volume. One line per event, from the events alone.
import type { CairnEvent } from '@cairn/metadata';

const at = (ms: number): string => new Date(ms).toISOString();

/** The cause a job's run stamps on its snapshot events, read back: "job snap, run of <time>". */
function byJob(cause: string): string | null {
  const m = /^recurring-job:([^@]+)@(.+)$/.exec(cause);
  if (!m) return null;
  return m[2] === 'retention' ? `recurring job ${m[1]}` : `recurring job ${m[1]} (its run of ${m[2]})`;
}

/** The line for `ev` about `volume`, or null when the event is not one of these or not about it. */
export function explainJobEvent(volume: string, ev: CairnEvent): string | null {
  switch (ev.payload) {
    case 'snapshotCreated': {
      const p = ev.snapshotCreated!;
      if (p.volume !== volume) return null;
      return `snapshot ${p.name} created by ${byJob(ev.cause) ?? ev.actor}`;
    }
    case 'snapshotDeleted': {
      const p = ev.snapshotDeleted!;
      if (p.volume !== volume) return null;
      const job = byJob(ev.cause);
      return `snapshot ${p.name} deleted by ${job ? `${job}: retention` : ev.actor}`;
    }
    case 'backupDeleted': {
      // Only a job's retention: `cairn backup rm` is explained with the other backup events.
      const p = ev.backupDeleted!;
      const job = byJob(ev.cause);
      return p.volume === volume && job
        ? `backup ${p.name} removed by ${job}: retention (${p.removedBlocks} blocks freed)`
        : null;
    }
    case 'recurringJobRunStarted': {
      const p = ev.recurringJobRunStarted!;
      if (!p.volumes.includes(volume)) return null;
      const missed = p.missed
        ? `; ${p.missedAtLeast ? 'at least ' : ''}${p.missed} earlier fire time(s) from ${at(p.missedFirstMs)} to ${at(p.missedLastMs)}` +
          ` missed (no leader, or the previous run still going)`
        : '';
      return (
        `recurring job ${p.job} (${p.task}) run of ${at(p.fireMs)}` +
        ` started on ${p.volumes.length} volume(s)${ev.timeMs - p.fireMs > 5000 ? `, ${Math.round((ev.timeMs - p.fireMs) / 1000)} s late` : ''}${missed}`
      );
    }
    case 'recurringJobTrimRequested': {
      const p = ev.recurringJobTrimRequested!;
      return p.volume === volume
        ? `recurring job ${p.job} run of ${at(p.fireMs)}: fstrim requested of node ${p.nodeId}`
        : null;
    }
    case 'recurringJobVolumeDone': {
      const p = ev.recurringJobVolumeDone!;
      if (p.volume !== volume) return null;
      if (p.error) return `recurring job ${p.job} run of ${at(p.fireMs)}: ${p.error}`;
      const parts = [
        p.trimmedBytes ? `filesystem trimmed, ${p.trimmedBytes} bytes` : '',
        p.snapshotCreated ? `made ${p.snapshotCreated}` : '',
        p.snapshotsDeleted.length ? `deleted ${p.snapshotsDeleted.join(', ')}` : '',
        p.kept.length ? `kept ${p.kept.join(', ')}` : '',
      ].filter(Boolean);
      return `recurring job ${p.job} run of ${at(p.fireMs)} done: ${parts.join('; ') || 'nothing to do'}`;
    }
    default:
      return null;
  }
}
