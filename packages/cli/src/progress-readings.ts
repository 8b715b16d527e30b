// The long work the admin API's views show, as progress readings (progress.ts): a volume's
// rebuilding replicas (Replica.rebuild_progress), its restore from a backup (VolumeRestore.progress),
// its data-source copy (only copying/copied: the API reports no figure for it), and a backup
// (Backup.progress, which the node reports four times a second). Pure.
import type { Backup__Output, Volume__Output } from '@cairn/api';
import type { Reading } from './progress.js';

/** The key of a volume's data-source copy (what a plain `volume attach` waits for). */
export const COPY_KEY = 'copy';

export function volumeReadings(v: Volume__Output): Reading[] {
  const out: Reading[] = [];
  for (const r of v.replicas) {
    const label = `rebuilding replica ${r.id} on ${r.node}`;
    const key = `rebuild/${r.id}`;
    if (r.state === 'rebuilding') out.push({ key, label, state: 'running', percent: r.rebuildProgress });
    else if (r.state === 'running') out.push({ key, label, state: 'done', percent: 100 });
    else if (r.state === 'failed')
      out.push({ key, label, state: 'failed', percent: null, detail: r.failedReason || 'failed' });
  }
  if (v.dataSource) {
    const label = `copying ${v.dataSource} into ${v.name}`;
    out.push(
      v.dataSourceReady
        ? { key: COPY_KEY, label, state: 'done', percent: 100 }
        : { key: COPY_KEY, label, state: 'running', percent: null },
    );
  }
  const r = v.restore;
  if (r) {
    const label = `restoring ${v.name} from ${r.backup}`;
    const key = `restore/${r.backup}`;
    out.push(
      r.state === 'restoring'
        ? { key, label, state: 'running', percent: r.progress }
        : r.state === 'failed'
          ? { key, label, state: 'failed', percent: null, detail: r.error }
          : { key, label, state: 'done', percent: 100 },
    );
  }
  return out;
}

export function backupReading(b: Backup__Output): Reading {
  const label = `backup ${b.name} of ${b.volume}`;
  const key = `backup/${b.url}`;
  if (b.state === 'completed') return { key, label, state: 'done', percent: 100 };
  if (b.state === 'failed') return { key, label, state: 'failed', percent: null, detail: b.error };
  return { key, label, state: 'running', percent: b.progress };
}

/**
 * Whether a volume has reached what `volume attach --wait` waits for: served, healthy (as many
 * replicas running as wanted) and no rebuild going on. A failed replica kept for reuse (until the
 * stale replica timeout) does not count: its replacement is what was waited for.
 */
export function volumeSettled(v: Volume__Output): boolean {
  return (
    v.state === 'attached' &&
    v.endpoint !== '' &&
    v.robustness === 'healthy' &&
    !v.replicas.some((r) => r.state === 'rebuilding')
  );
}
