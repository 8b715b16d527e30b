// What the UI's pages show, computed from admin API answers: pure functions, no I/O. The
// dashboard is ListVolumes' counts (asked for a one-volume page) and ListNodes, never a GetVolume
// per volume; the volume list is one ListVolumes page, so a page of a 10,000-volume cluster
// carries 50 volumes from the manager to the browser.
import type {
  ListNodesResponse__Output,
  ListVolumesRequest,
  ListVolumesResponse__Output,
  VolumeCounts__Output,
} from '@cairn/api';

export interface SpaceFigures {
  maximum: number;
  available: number;
  reserved: number;
  scheduled: number;
}

export interface Dashboard {
  volumes: {
    total: number;
    byRobustness: Record<string, number>;
    byState: Record<string, number>;
    unschedulable: number;
    rebuilding: number;
  };
  nodes: {
    total: number;
    up: number;
    list: {
      id: string;
      zone: string;
      state: string;
      schedulable: boolean;
      evicting: boolean;
      disks: number;
      replicas: number;
      space: SpaceFigures;
    }[];
  };
  space: SpaceFigures;
  seq: number;
}

function addSpace(into: SpaceFigures, d: SpaceFigures): void {
  into.maximum += d.maximum;
  into.available += d.available;
  into.reserved += d.reserved;
  into.scheduled += d.scheduled;
}

/** Volumes by robustness and state, nodes with their disks' space, the cluster's space. */
export function dashboard(
  counts: VolumeCounts__Output | null,
  nodes: ListNodesResponse__Output,
  seq: number,
): Dashboard {
  const space: SpaceFigures = { maximum: 0, available: 0, reserved: 0, scheduled: 0 };
  const list = nodes.nodes.map((n) => {
    const s: SpaceFigures = { maximum: 0, available: 0, reserved: 0, scheduled: 0 };
    let replicas = 0;
    for (const d of n.disks) {
      addSpace(s, {
        maximum: d.storageMaximum,
        available: d.storageAvailable,
        reserved: d.storageReserved,
        scheduled: d.storageScheduled,
      });
      replicas += d.replicas;
    }
    addSpace(space, s);
    return {
      id: n.id,
      zone: n.zone,
      state: n.state,
      schedulable: n.allowScheduling && !n.cordoned,
      evicting: n.evictionRequested,
      disks: n.disks.length,
      replicas,
      space: s,
    };
  });
  return {
    volumes: {
      total: counts?.volumes ?? 0,
      byRobustness: { ...counts?.byRobustness },
      byState: { ...counts?.byState },
      unschedulable: counts?.unschedulable ?? 0,
      rebuilding: counts?.rebuilding ?? 0,
    },
    nodes: { total: list.length, up: list.filter((n) => n.state === 'up').length, list },
    space,
    seq,
  };
}

/** One row of the volume list. */
export interface VolumeRow {
  name: string;
  size: number;
  state: string;
  robustness: string;
  replicas: string;
  attachedTo: string;
  unschedulable: string;
}

export interface VolumePage {
  total: number;
  offset: number;
  items: VolumeRow[];
}

export interface PageQuery {
  offset: number;
  limit: number;
  /** Names containing this text (case-insensitive); empty: all. */
  q: string;
  /** Only volumes of this robustness; empty: all. */
  robustness: string;
}

export const MAX_PAGE = 200;

/** The query string of /api/volumes, bounded (a page is at most MAX_PAGE rows). */
export function pageQuery(params: URLSearchParams): PageQuery {
  const int = (v: string | null, d: number): number => {
    const n = Number(v ?? d);
    return Number.isInteger(n) && n >= 0 ? n : d;
  };
  return {
    offset: int(params.get('offset'), 0),
    limit: Math.min(MAX_PAGE, Math.max(1, int(params.get('limit'), 50))),
    q: (params.get('q') ?? '').trim().toLowerCase(),
    robustness: params.get('robustness') ?? '',
  };
}

/** The ListVolumes request of one page. */
export function pageRequest(p: PageQuery): ListVolumesRequest {
  return { nameContains: p.q, robustness: p.robustness, offset: p.offset, limit: p.limit };
}

/** The rows of one ListVolumes page (the manager matched and ordered them by name). */
export function volumePage(answer: ListVolumesResponse__Output, p: PageQuery): VolumePage {
  return {
    total: answer.total,
    offset: p.offset,
    items: answer.volumes.map((v) => ({
      name: v.name,
      size: v.size,
      state: v.state,
      robustness: v.robustness,
      replicas: `${v.replicas.filter((r) => r.state === 'running').length}/${v.numberOfReplicas}`,
      attachedTo: v.attachedTo,
      unschedulable: v.unschedulable,
    })),
  };
}

/** An event as the browser gets it: the envelope's fields, the payload's name, its fields, what it is about. */
export interface EventJson {
  seq: number;
  timeMs: number;
  actor: string;
  cause: string;
  type: string;
  volume: string;
  node: string;
  payload: Record<string, unknown>;
}

interface DecodedEvent {
  seq: number;
  timeMs: number;
  actor: string;
  cause: string;
  payload?: string;
  [field: string]: unknown;
}

/** Buffers (hashes, keys) are left out: the UI shows words and figures. */
function plain(v: unknown): unknown {
  if (Buffer.isBuffer(v) || v instanceof Uint8Array) return undefined;
  if (Array.isArray(v)) return v.map(plain);
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      const p = plain(x);
      if (p !== undefined) out[k] = p;
    }
    return out;
  }
  return v;
}

/** The decoded EventEnvelope (proto-loader, oneofs) as EventJson. */
export function eventJson(ev: DecodedEvent): EventJson {
  const name = ev.payload ?? 'unknown';
  const body = (plain(ev[name]) ?? {}) as Record<string, unknown>;
  const str = (k: string): string => (typeof body[k] === 'string' ? (body[k] as string) : '');
  const isVolumeEvent = name.startsWith('volume');
  return {
    seq: Number(ev.seq),
    timeMs: Number(ev.timeMs),
    actor: ev.actor,
    cause: ev.cause,
    type: name.charAt(0).toUpperCase() + name.slice(1),
    volume: str('volume') || str('volumeName') || (isVolumeEvent ? str('name') : ''),
    node: str('nodeId') || str('node'),
    payload: body,
  };
}
