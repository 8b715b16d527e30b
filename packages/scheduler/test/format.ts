// Decisions as the scenario files print them: one line per decision, indented detail lines.
import type { Decision } from '../src/index.js';
import { fmtSize } from './world.js';

export function formatDecision(d: Decision): string[] {
  switch (d.kind) {
    case 'place': {
      const f = d.figures;
      const out = [
        `place ${d.replicaId} on ${d.nodeId}/${d.diskId} trigger=${d.trigger}${d.replaces ? ` replaces=${d.replaces}` : ''}` +
          ` score=${d.score.toFixed(4)} considered=${d.candidatesConsidered}` +
          ` disk=max:${fmtSize(f.storageMaximum)},avail:${fmtSize(f.storageAvailable)},` +
          `sched:${fmtSize(f.storageScheduled)},reserved:${fmtSize(f.storageReserved)}`,
      ];
      if (d.notes.length) out.push(`  notes: ${d.notes.join(', ')}`);
      for (const r of d.rejected)
        out.push(
          `  rejected ${r.diskId ? `${r.nodeId}/${r.diskId}` : r.nodeId}: ${r.reasons.join(', ')}${r.detail ? ` (${r.detail})` : ''}`,
        );
      return out;
    }
    case 'rebuild':
      return [`rebuild ${d.replicaId} from ${d.fromReplicaId}`];
    case 'remove':
      return [`remove ${d.replicaId} reason=${d.reason}`];
    case 'schedulable':
      return [`schedulable ${d.volume}`];
    case 'autoAttach':
      return [
        `auto-attach ${d.volume} on ${d.nodeId} reason=${d.reason} replicas=${d.replicaIds.join(',')}`,
        ...d.rejected.map((r) => `  rejected ${r.nodeId}: ${r.reasons.join(', ')}${r.detail ? ` (${r.detail})` : ''}`),
      ];
    case 'autoDetach':
      return [`auto-detach ${d.volume} from ${d.nodeId} reason=${d.reason}`];
    case 'unschedulable':
      return [
        `unschedulable ${d.volume} missing=${d.missing}: ${d.summary}`,
        ...d.candidates.map(
          (r) =>
            `  ${r.diskId ? `${r.nodeId}/${r.diskId}` : r.nodeId}: ${r.reasons.join(', ')}${r.detail ? ` (${r.detail})` : ''}`,
        ),
      ];
  }
}
