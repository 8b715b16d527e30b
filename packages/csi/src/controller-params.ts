// What the Controller reads from a request before it asks the manager anything: names, volume
// capabilities, the capacity range, the content source and the topology requirement (StorageClass
// parameters are storage-class.ts's). Pure: each function returns the parsed value or throws a
// CsiError naming the field that is wrong.
import { DEFAULT_FS_TYPE, formatDataSource, FS_TYPES, isOneOf, parseDataSource } from '@cairn/schema';
import { exhausted, invalid, notFound, outOfRange, required } from './errors.js';
import { parseSnapshotId, snapshotId, TOPOLOGY_HOSTNAME_KEY, TOPOLOGY_ZONE_KEY } from './contract.js';
import type {
  CapacityRange__Output,
  Topology,
  TopologyRequirement__Output,
  VolumeCapability__Output,
  VolumeContentSource,
  VolumeContentSource__Output,
} from './types.js';

export const GiB = 2 ** 30;
/** A volume's size when the CO gives no capacity range. */
export const DEFAULT_SIZE = GiB;
/** Volumes are made of 4 KiB blocks (the admin API refuses other sizes). */
export const SIZE_ALIGN = 4096;
/** The largest size we hand on: int64 sizes beyond this lose precision in JavaScript. */
export const MAX_SIZE = Math.floor(Number.MAX_SAFE_INTEGER / SIZE_ALIGN) * SIZE_ALIGN;

// ---- volume capabilities -------------------------------------------------------------------------

/** Access modes a cairn volume serves: one node at a time (its engine runs on the attached node). */
export const ACCESS_MODES = [
  'SINGLE_NODE_WRITER',
  'SINGLE_NODE_READER_ONLY',
  'SINGLE_NODE_SINGLE_WRITER',
  'SINGLE_NODE_MULTI_WRITER',
] as const;

/** Why one capability cannot be served, or null when it can. */
export function capabilityProblem(c: VolumeCapability__Output, field: string): string | null {
  const mode = c.accessMode?.mode;
  if (!mode || mode === 'UNKNOWN') return `${field}.access_mode is required`;
  if (!(ACCESS_MODES as readonly string[]).includes(mode)) {
    return `${field}.access_mode ${mode} is not supported: a cairn volume is published on one node at a time (use ${ACCESS_MODES.join(', ')})`;
  }
  if (c.accessType === 'mount' || c.mount) {
    const fs = c.mount?.fsType ?? '';
    if (fs && !isOneOf(FS_TYPES, fs))
      return `${field}.mount.fs_type "${fs}" is not supported: use one of ${FS_TYPES.join(', ')}`;
    return null;
  }
  if (c.accessType === 'block' || c.block) return null;
  return `${field}: access_type is required (block or mount)`;
}

export interface Capabilities {
  block: boolean;
  mount: boolean;
  /** The fs_type the mount capabilities ask for ('' when none does). */
  fsType: string;
}

/** A request's capabilities (REQUIRED, each one servable); throws INVALID_ARGUMENT naming the first problem. */
export function checkCapabilities(caps: VolumeCapability__Output[], field = 'volume_capabilities'): Capabilities {
  if (caps.length === 0) throw invalid(`${field} is required`);
  const out: Capabilities = { block: false, mount: false, fsType: '' };
  caps.forEach((c, i) => {
    const problem = capabilityProblem(c, `${field}[${i}]`);
    if (problem) throw invalid(problem);
    if (c.accessType === 'mount' || c.mount) {
      out.mount = true;
      const fs = c.mount?.fsType ?? '';
      if (fs && out.fsType && fs !== out.fsType)
        throw invalid(`${field} ask for two file systems, ${out.fsType} and ${fs}`);
      if (fs) out.fsType = fs;
    } else out.block = true;
  });
  return out;
}

/** The one capability of a publish or expand request. */
export function checkCapability(c: VolumeCapability__Output | null, field: string): Capabilities {
  if (!c) throw invalid(`${field} is required`);
  return checkCapabilities([c], field);
}

/** The file system: the fsType parameter and the capability's mount.fs_type must agree; ext4 by default. */
export function resolveFsType(params: { fsType?: string | undefined }, caps: Capabilities): string {
  if (params.fsType && caps.fsType && params.fsType !== caps.fsType) {
    throw invalid(`parameter fsType "${params.fsType}" contradicts volume_capabilities mount.fs_type "${caps.fsType}"`);
  }
  return params.fsType || caps.fsType || DEFAULT_FS_TYPE;
}

// ---- capacity ------------------------------------------------------------------------------------

const roundUp = (n: number): number => Math.ceil(n / SIZE_ALIGN) * SIZE_ALIGN;
const roundDown = (n: number): number => Math.floor(n / SIZE_ALIGN) * SIZE_ALIGN;

function rangeOf(r: CapacityRange__Output | null, field: string): { req: number; lim: number } {
  const req = r?.requiredBytes ?? 0;
  const lim = r?.limitBytes ?? 0;
  if (req < 0) throw invalid(`${field}.required_bytes must not be negative, got ${req}`);
  if (lim < 0) throw invalid(`${field}.limit_bytes must not be negative, got ${lim}`);
  if (lim > 0 && req > lim) throw outOfRange(`${field}: required_bytes ${req} is more than limit_bytes ${lim}`);
  return { req, lim };
}

/** A volume made from a source is that source's size. */
export interface SourceSize {
  /** "snapshot pvc-1@snap-1", "volume pvc-1" */
  what: string;
  size: number;
}

/**
 * The size to create: required_bytes rounded up to 4 KiB; without a range 1 GiB (at most
 * limit_bytes); from a source, the source's size, which the range must admit. (The spec lets a
 * plugin refuse a volume larger than its source with OUT_OF_RANGE: the copy is the source's size,
 * so a larger volume is made by expanding the new one afterwards.)
 */
export function chooseSize(r: CapacityRange__Output | null, source: SourceSize | null = null): number {
  const { req, lim } = rangeOf(r, 'capacity_range');
  if (source) {
    if (req > source.size) {
      throw outOfRange(
        `capacity_range.required_bytes ${req} is more than the ${source.size} bytes of ${source.what}: a volume from it has its size (expand it afterwards)`,
      );
    }
    if (lim > 0 && lim < source.size) {
      throw outOfRange(`capacity_range.limit_bytes ${lim} is less than the ${source.size} bytes of ${source.what}`);
    }
    return source.size;
  }
  let size: number;
  if (req > 0) {
    size = roundUp(req);
    if (lim > 0 && size > lim) {
      throw outOfRange(
        `capacity_range: required_bytes ${req} rounded up to whole 4 KiB blocks is ${size}, more than limit_bytes ${lim}`,
      );
    }
  } else if (lim > 0) {
    size = Math.min(DEFAULT_SIZE, roundDown(lim));
    if (size === 0) throw outOfRange(`capacity_range.limit_bytes ${lim} is less than one 4 KiB block`);
  } else size = DEFAULT_SIZE;
  if (size > MAX_SIZE) throw outOfRange(`capacity_range: ${size} bytes is more than a volume can have (${MAX_SIZE})`);
  return size;
}

/** Whether an existing volume of `size` satisfies a capacity range (idempotent CreateVolume). */
export function rangeAdmits(r: CapacityRange__Output | null, size: number): boolean {
  const req = r?.requiredBytes ?? 0;
  const lim = r?.limitBytes ?? 0;
  return (req <= 0 || size >= req) && (lim <= 0 || size <= lim);
}

/**
 * ControllerExpandVolume's new size: required_bytes rounded up; a volume already at least that
 * big stays as it is (the spec's OK); a limit below the current size asks to shrink: OUT_OF_RANGE.
 */
export function expandSize(r: CapacityRange__Output | null, current: number): number {
  if (!r) throw invalid('capacity_range is required');
  const { req, lim } = rangeOf(r, 'capacity_range');
  if (req === 0 && lim === 0) throw invalid('capacity_range: give required_bytes (the size to grow to)');
  if (lim > 0 && lim < current) {
    throw outOfRange(`capacity_range.limit_bytes ${lim} is less than the volume's ${current} bytes: volumes only grow`);
  }
  if (req <= current) return current;
  const size = roundUp(req);
  if (lim > 0 && size > lim)
    throw outOfRange(
      `capacity_range: required_bytes ${req} rounded up to whole 4 KiB blocks is ${size}, more than limit_bytes ${lim}`,
    );
  if (size > MAX_SIZE) throw outOfRange(`capacity_range: ${size} bytes is more than a volume can have (${MAX_SIZE})`);
  return size;
}

// ---- content source ------------------------------------------------------------------------------

export type ContentSource = { kind: 'snapshot'; volume: string; snapshot: string } | { kind: 'volume'; volume: string };

/** The request's volume_content_source; a snapshot id this driver cannot have made does not exist. */
export function parseContentSource(cs: VolumeContentSource__Output | null): ContentSource | null {
  if (!cs) return null;
  if (cs.snapshot || cs.type === 'snapshot') {
    const id = required('volume_content_source.snapshot.snapshot_id', cs.snapshot?.snapshotId ?? '');
    const p = parseSnapshotId(id);
    if (!p) throw notFound(`snapshot "${id}" does not exist (cairn snapshot ids are VOLUME@SNAPSHOT)`);
    return { kind: 'snapshot', volume: p.volume, snapshot: p.snapshot };
  }
  if (cs.volume || cs.type === 'volume') {
    return { kind: 'volume', volume: required('volume_content_source.volume.volume_id', cs.volume?.volumeId ?? '') };
  }
  throw invalid('volume_content_source: give a snapshot or a volume');
}

/** The admin API's data_source (Longhorn's dataSource) for a content source. */
export function dataSourceOf(s: ContentSource): string {
  return formatDataSource({ volume: s.volume, snapshot: s.kind === 'snapshot' ? s.snapshot : null });
}

/** The content source of an admin data_source ('' or unknown: none). */
export function contentSourceOf(dataSource: string): VolumeContentSource | null {
  const ref = parseDataSource(dataSource);
  if (!ref) return null;
  return ref.snapshot === null
    ? { volume: { volumeId: ref.volume } }
    : { snapshot: { snapshotId: snapshotId(ref.volume, ref.snapshot) } };
}

export function describeSource(s: ContentSource): string {
  return s.kind === 'snapshot' ? `snapshot ${snapshotId(s.volume, s.snapshot)}` : `volume ${s.volume}`;
}

// ---- topology ------------------------------------------------------------------------------------

/** Where a node is, as topology sees it: its zone, and its id as kubelet's hostname. */
export interface Place {
  id: string;
  zone: string;
}

const TOPOLOGY_KEYS = [TOPOLOGY_ZONE_KEY, TOPOLOGY_HOSTNAME_KEY];

function checkTopologyKeys(t: { segments: Record<string, string> }, field: string): void {
  for (const k of Object.keys(t.segments)) {
    if (!TOPOLOGY_KEYS.includes(k))
      throw invalid(`${field}: topology key "${k}" is not one of cairn's (${TOPOLOGY_KEYS.join(', ')})`);
  }
}

/** Whether a node lies in a topology segment (keys it does not name match anything). */
export function inTopology(node: Place, segments: Record<string, string>): boolean {
  const zone = segments[TOPOLOGY_ZONE_KEY];
  const host = segments[TOPOLOGY_HOSTNAME_KEY];
  return (zone === undefined || zone === node.zone) && (host === undefined || host === node.id);
}

export interface Accessibility {
  /** The volume's accessible_topology (one segment per zone); null: no requirement, accessible from every node. */
  topology: Topology[] | null;
  /** The nodes the requirement admits (every node when there is none). */
  nodes: Place[];
}

/**
 * A cairn volume is reachable from any node that can run its engine, so accessibility is a
 * question of where cairn nodes are: the requisite topologies must contain at least one
 * (RESOURCE_EXHAUSTED otherwise) and the answer lists the zones of those that do, preferred ones
 * first. Without requisite topologies there is no constraint to report.
 */
export function accessibility(req: TopologyRequirement__Output | null, nodes: Place[]): Accessibility {
  const requisite = req?.requisite ?? [];
  const preferred = req?.preferred ?? [];
  requisite.forEach((t, i) => checkTopologyKeys(t, `accessibility_requirements.requisite[${i}]`));
  preferred.forEach((t, i) => checkTopologyKeys(t, `accessibility_requirements.preferred[${i}]`));
  if (requisite.length === 0) return { topology: null, nodes };
  const admitted = nodes.filter((n) => requisite.some((t) => inTopology(n, t.segments)));
  if (admitted.length === 0) {
    const asked = requisite.map((t) => JSON.stringify(t.segments)).join(', ');
    const zones = [...new Set(nodes.map((n) => n.zone))].sort().join(', ') || 'none';
    throw exhausted(`no cairn node lies in the requisite topologies ${asked} (zones with nodes: ${zones})`);
  }
  const zones: string[] = [];
  const add = (z: string): void => {
    if (!zones.includes(z)) zones.push(z);
  };
  for (const t of preferred) for (const n of admitted) if (inTopology(n, t.segments)) add(n.zone);
  for (const n of [...admitted].sort((a, b) => a.zone.localeCompare(b.zone))) add(n.zone);
  return { topology: zones.map((z) => ({ segments: { [TOPOLOGY_ZONE_KEY]: z } })), nodes: admitted };
}

/** GetCapacity's accessible_topology: the nodes in that segment (all when absent). */
export function nodesInTopology(t: Topology | null | undefined, nodes: Place[]): Place[] {
  if (!t || !t.segments || Object.keys(t.segments).length === 0) return nodes;
  checkTopologyKeys({ segments: t.segments }, 'accessible_topology');
  return nodes.filter((n) => inTopology(n, t.segments!));
}
