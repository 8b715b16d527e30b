// Test support: a ClusterState driven by real events (each draft is encoded and decoded with the
// log's codec, then applied with the projection's reducer), a scenario clock, and a compact
// shorthand for the events a scenario file needs.
import {
  applyEvent,
  decodeEvent,
  draft,
  emptyState,
  encodeEvent,
  replicasOf,
  SCHEMA_VERSION,
  volumeSpec,
  volumeSpecToProto,
} from '@cairn/metadata';
import type { CairnEvent, ClusterState, EventDraft, ReplicaState, VolumeSpec } from '@cairn/metadata';
import type { Decision } from '../src/index.js';
import { toDraft } from '../src/index.js';

export const KiB = 1024,
  MiB = KiB * 1024,
  GiB = MiB * 1024,
  TiB = GiB * 1024;

export function parseSize(s: string): number {
  const m = /^(\d+(?:\.\d+)?)([KMGT]?)$/.exec(s);
  if (!m) throw new Error(`bad size ${s}`);
  const unit = { '': 1, K: KiB, M: MiB, G: GiB, T: TiB }[m[2] as '' | 'K' | 'M' | 'G' | 'T'];
  return Math.round(Number(m[1]) * unit);
}

export function fmtSize(n: number): string {
  for (const [u, v] of [
    ['T', TiB],
    ['G', GiB],
    ['M', MiB],
    ['K', KiB],
  ] as const)
    if (n !== 0 && n % v === 0) return `${n / v}${u}`;
  return String(n);
}

export class World {
  state: ClusterState = emptyState();
  /** Scenario clock, ms. Events are stamped with it; decide() is asked at it. */
  nowMs = 1_000_000;

  /** Told about every event right after it is applied (the reconciler's view of the projection). */
  onEvent: ((ev: CairnEvent) => void) | null = null;

  apply(d: EventDraft): void {
    const seq = this.state.seq + 1;
    const ev = decodeEvent(
      encodeEvent({
        ...d,
        seq,
        timeMs: this.nowMs,
        actor: 'test',
        cause: d.cause ?? '',
        schemaVersion: SCHEMA_VERSION,
      }),
      seq,
    );
    applyEvent(this.state, ev);
    this.onEvent?.(ev);
  }

  applyDecisions(ds: Decision[]): void {
    const basedOn = this.state.seq;
    for (const d of ds) this.apply(toDraft(d, basedOn));
  }

  /** Replicas named by a reference: an id, a volume (all of it), or volume@node[/disk]. */
  refs(ref: string): ReplicaState[] {
    const r = this.state.replicas.get(ref);
    if (r) return [r];
    const [vol, where] = ref.split('@') as [string, string | undefined];
    const [node, disk] = (where ?? '').split('/');
    const out = replicasOf(this.state, vol).filter((x) => (!node || x.nodeId === node) && (!disk || x.diskId === disk));
    if (out.length === 0) throw new Error(`no replica matches ${ref}`);
    return out.sort((a, b) => (a.id < b.id ? -1 : 1));
  }

  /**
   * Every scheduled replica reports running, every rebuilding one finishes; then every engine the
   * scheduler started (offline) reports attached, every one being stopped reports detached.
   */
  settle(): void {
    const all = [...this.state.replicas.values()].sort((a, b) => (a.id < b.id ? -1 : 1));
    for (const r of all) {
      if (r.mode === 'scheduled') this.apply({ replicaRunning: { replicaId: r.id, address: `${r.nodeId}:9500` } });
      else if (r.mode === 'rebuilding') this.apply({ replicaRebuilt: { replicaId: r.id } });
    }
    this.engines();
  }

  /** Engines report what the attach states ask: attaching ones attached (no endpoint when offline), detaching ones detached. */
  engines(): void {
    for (const v of [...this.state.volumes.values()].sort((a, b) => (a.name < b.name ? -1 : 1))) {
      if (v.attachState === 'attaching') {
        this.apply({
          volumeAttached: {
            name: v.name,
            nodeId: v.attachedTo,
            endpoint: v.autoAttach ? '' : `nbd://${v.attachedTo}:10809/${v.name}`,
          },
        });
      } else if (v.attachState === 'detaching') {
        this.apply({ volumeDetached: { name: v.name, nodeId: v.attachedTo } });
      }
    }
  }

  spec(name: string): VolumeSpec {
    const v = this.state.volumes.get(name);
    if (!v) throw new Error(`no volume ${name}`);
    return v.spec;
  }

  /** Applies one line of event shorthand (listed in scenarios.test.ts). */
  line(text: string): void {
    const [cmd, ...rest] = text.trim().split(/\s+/) as [string, ...string[]];
    const pos = rest.filter((a) => !a.includes('='));
    const kv = new Map(rest.filter((a) => a.includes('=')).map((a) => a.split('=', 2) as [string, string]));
    const list = (k: string, dflt: string[]): string[] => (kv.has(k) ? kv.get(k)!.split(',').filter(Boolean) : dflt);
    const bool = (k: string, dflt: boolean): boolean => (kv.has(k) ? kv.get(k) === 'true' : dflt);
    const size = (k: string, dflt: number): number => (kv.has(k) ? parseSize(kv.get(k)!) : dflt);
    const node = (id: string) => {
      const n = this.state.nodes.get(id);
      if (!n) throw new Error(`no node ${id}`);
      return n;
    };
    switch (cmd) {
      case 'node':
        return this.apply(draft.nodeRegistered(pos[0]!, { zone: kv.get('zone') ?? '', tags: list('tags', []) }));
      case 'disk': {
        const max = parseSize(pos[2]!);
        return this.apply(
          draft.diskAdded(pos[0]!, pos[1]!, {
            maximum: max,
            available: size('avail', max),
            reserved: size('reserved', 0),
            tags: list('tags', []),
            allowScheduling: bool('sched', true),
          }),
        );
      }
      case 'node-update': {
        const n = node(pos[0]!);
        return this.apply({
          nodeUpdated: {
            nodeId: n.id,
            allowScheduling: bool('sched', n.allowScheduling),
            evictionRequested: bool('evict', n.evictionRequested),
            tags: list('tags', n.tags),
            cordoned: bool('cordon', n.cordoned),
          },
        });
      }
      case 'disk-update': {
        const d = node(pos[0]!).disks.get(pos[1]!);
        if (!d) throw new Error(`no disk ${pos[1]}`);
        return this.apply({
          diskUpdated: {
            nodeId: d.nodeId,
            diskId: d.id,
            tags: list('tags', d.tags),
            allowScheduling: bool('sched', d.allowScheduling),
            evictionRequested: bool('evict', d.evictionRequested),
            storageReserved: size('reserved', d.storageReserved),
            storageMaximum: size('max', d.storageMaximum),
            storageAvailable: size('avail', d.storageAvailable),
          },
        });
      }
      case 'disk-remove':
        return this.apply({ diskRemoved: { nodeId: pos[0]!, diskId: pos[1]! } });
      case 'down':
        return this.apply({ nodeDown: { nodeId: pos[0]!, reason: pos.slice(1).join(' ') || 'lease expired' } });
      case 'up':
        return this.apply({ nodeUp: { nodeId: pos[0]! } });
      case 'volume':
      case 'volume-update': {
        const base: VolumeSpec = cmd === 'volume' ? volumeSpec({ size: parseSize(pos[1]!) }) : this.spec(pos[0]!);
        const aa = (k: string, d: VolumeSpec['replicaSoftAntiAffinity']) =>
          (kv.get(k) ?? d) as VolumeSpec['replicaSoftAntiAffinity'];
        const spec: VolumeSpec = {
          ...base,
          numberOfReplicas: Number(kv.get('replicas') ?? base.numberOfReplicas),
          dataLocality: (kv.get('locality') ?? base.dataLocality) as VolumeSpec['dataLocality'],
          nodeSelector: list('node-selector', base.nodeSelector),
          diskSelector: list('disk-selector', base.diskSelector),
          replicaZoneSoftAntiAffinity: aa('zone-soft', base.replicaZoneSoftAntiAffinity),
          replicaSoftAntiAffinity: aa('node-soft', base.replicaSoftAntiAffinity),
          replicaDiskSoftAntiAffinity: aa('disk-soft', base.replicaDiskSoftAntiAffinity),
          replicaAutoBalance: (kv.get('balance') ?? base.replicaAutoBalance) as VolumeSpec['replicaAutoBalance'],
        };
        return this.apply(
          cmd === 'volume'
            ? { volumeCreated: { name: pos[0]!, spec: volumeSpecToProto(spec) } }
            : { volumeUpdated: { name: pos[0]!, spec: volumeSpecToProto(spec) } },
        );
      }
      case 'attach':
        this.apply({ volumeAttachRequested: { name: pos[0]!, nodeId: pos[1]! } });
        return this.apply({
          volumeAttached: { name: pos[0]!, nodeId: pos[1]!, endpoint: `nbd://${pos[1]}:10809/${pos[0]}` },
        });
      case 'attach-request':
        return this.apply({ volumeAttachRequested: { name: pos[0]!, nodeId: pos[1]! } });
      case 'engines':
        return this.engines();
      case 'detach':
        this.apply({ volumeDetachRequested: { name: pos[0]! } });
        return this.apply({
          volumeDetached: { name: pos[0]!, nodeId: this.state.volumes.get(pos[0]!)?.attachedTo ?? '' },
        });
      case 'delete':
        return this.apply({ volumeDeleted: { name: pos[0]! } });
      case 'running':
        for (const r of this.refs(pos[0]!))
          this.apply({ replicaRunning: { replicaId: r.id, address: `${r.nodeId}:9500` } });
        return;
      case 'rebuilt':
        for (const r of this.refs(pos[0]!)) this.apply({ replicaRebuilt: { replicaId: r.id } });
        return;
      case 'fail':
        for (const r of this.refs(pos[0]!))
          this.apply({ replicaFailed: { replicaId: r.id, reason: pos.slice(1).join(' ') || 'io error' } });
        return;
      case 'settings':
        return this.apply(draft.settingsChanged(Object.fromEntries(kv)));
      case 'tick': {
        const m = /^(\d+)(ms|s|m)$/.exec(pos[0] ?? '');
        if (!m) throw new Error(`bad duration ${pos[0]}`);
        this.nowMs += Number(m[1]) * { ms: 1, s: 1000, m: 60_000 }[m[2] as 'ms' | 's' | 'm'];
        return;
      }
      case 'settle':
        return this.settle();
      default:
        throw new Error(`unknown event shorthand: ${text}`);
    }
  }
}
