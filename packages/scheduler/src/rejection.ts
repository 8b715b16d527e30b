// A rejected candidate as plain data: which filters it failed and the facts each failure rests on
// (figures, tags, the replicas that hold a node, disk or zone). The core passes these around and
// changes them as data (an all-or-nothing attempt renames the replicas it undid); the words the
// events and explain carry are made in one place, wordRejection, at the edge (a decision).
import type { CandidateRejection } from './decision.js';
import { fmtBytes } from './format.js';
import { Reason } from './reasons.js';

type R<K extends keyof typeof Reason> = (typeof Reason)[K];
/** The reasons whose findings carry facts; every other reason says it all by itself. */
type WithFacts = R<
  | 'NodeDown'
  | 'NodeTagsMismatch'
  | 'DiskTagsMismatch'
  | 'LocalityRequired'
  | 'RebuildLimitReached'
  | 'AntiAffinityZone'
  | 'AntiAffinityNode'
  | 'AntiAffinityDisk'
  | 'InsufficientSpace'
  | 'OverProvisioned'
>;

/** One filter a candidate failed, with what it found. */
export type Finding =
  | { reason: R<'NodeDown'>; downReason: string }
  | { reason: R<'NodeTagsMismatch'> | R<'DiskTagsMismatch'>; tags: readonly string[]; lacking: readonly string[] }
  | { reason: R<'LocalityRequired'>; attachedTo: string }
  | { reason: R<'RebuildLimitReached'>; rebuilding: number; limit: number }
  | { reason: R<'AntiAffinityZone'>; zone: string; holders: readonly string[] }
  | { reason: R<'AntiAffinityNode'> | R<'AntiAffinityDisk'>; holders: readonly string[] }
  | { reason: R<'InsufficientSpace'>; available: number; size: number; minimalPct: number; maximum: number }
  | { reason: R<'OverProvisioned'>; scheduled: number; size: number; overPct: number; usable: number }
  /** A filter with nothing more to say (scheduling disabled, evicting, no disks, ...). */
  | { reason: Exclude<Reason, WithFacts> };

/** One rejected candidate: a whole node (diskId '') or one disk on a node. */
export interface Rejection {
  nodeId: string;
  diskId: string;
  findings: Finding[];
}

/** A finding in words; '' when the reason says it all. */
function wordFinding(f: Finding): string {
  switch (f.reason) {
    case Reason.NodeDown:
      return f.downReason ? `down: ${f.downReason}` : '';
    case Reason.NodeTagsMismatch:
    case Reason.DiskTagsMismatch:
      return `${f.reason === Reason.NodeTagsMismatch ? 'node' : 'disk'} tags [${f.tags.join(',')}] lack [${f.lacking.join(',')}]`;
    case Reason.LocalityRequired:
      return `strict-local: attached to ${f.attachedTo}`;
    case Reason.RebuildLimitReached:
      return `${f.rebuilding} rebuilding, limit ${f.limit}`;
    case Reason.AntiAffinityZone:
      return `zone ${f.zone || '""'} holds ${f.holders.join(', ')}`;
    case Reason.AntiAffinityNode:
    case Reason.AntiAffinityDisk:
      return `holds ${f.holders.join(', ')}`;
    case Reason.InsufficientSpace:
      return `available ${fmtBytes(f.available)} - ${fmtBytes(f.size)} not above ${f.minimalPct}% of ${fmtBytes(f.maximum)}`;
    case Reason.OverProvisioned:
      return `scheduled ${fmtBytes(f.scheduled)} + ${fmtBytes(f.size)} over ${f.overPct}% of ${fmtBytes(f.usable)}`;
    default:
      return '';
  }
}

/** The rejection in the events' words: the reasons in filter order, the details joined by "; ". */
export function wordRejection(r: Rejection): CandidateRejection {
  const details = r.findings.map(wordFinding).filter((d) => d !== '');
  return { nodeId: r.nodeId, diskId: r.diskId, reasons: r.findings.map((f) => f.reason), detail: details.join('; ') };
}

export const wordRejections = (rs: readonly Rejection[]): CandidateRejection[] => rs.map(wordRejection);

/** The same rejection with every replica it names as a holder renamed (ids not in `names` stay). */
export function renameHolders(r: Rejection, names: ReadonlyMap<string, string>): Rejection {
  return {
    ...r,
    findings: r.findings.map((f) =>
      'holders' in f ? { ...f, holders: f.holders.map((id) => names.get(id) ?? id) } : f,
    ),
  };
}
