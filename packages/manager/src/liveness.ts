// Node liveness, on the leader: a node is up while its lease-bound status key exists (node
// agents' heartbeats keep the lease alive through any manager). When the key has been gone for a
// moment the leader appends NodeDown; when it is back, NodeUp. Polling the keys (not watching
// them) keeps this simple and immune to missed watch events; the poll is cheap (keys only).
// A new leader declares no node down for its first startupGraceMs: status keys lapse while no
// manager serves (a lone manager restarting, a failover), and agents need a heartbeat or two to
// find the new one. Without it, a manager restart marked most nodes down and volumes created in
// that second got one replica instead of three (like Kubernetes' node-startup-grace-period).
//
// The rule is decideLiveness (pure: the nodes, which status keys exist, when each went missing
// and the time in, events and the new memory out); Liveness is its shell: it reads the keys,
// asks the rule with its clock's time, and appends what the rule decided.
import type { Etcd3 } from 'etcd3';
import type { EventDraft, EventLog, Fence, LiveProjection } from '@cairn/metadata';
import { Keys } from '@cairn/metadata';
import { LeaderPoller } from './leader-poll.js';

/** Defaults: how often the keys are read, and how long a key must stay missing before NodeDown. */
export const LIVENESS_POLL_MS = 500;
export const LIVENESS_GRACE_MS = 1000;

/** The reason NodeDown records. */
export const LEASE_EXPIRED = 'lease expired: no heartbeat within the lease TTL';

export interface LivenessInput {
  /** The nodes the state knows, with whether it records them down. */
  nodes: Iterable<{ id: string; down: boolean }>;
  /** Nodes whose status key exists now. */
  alive: ReadonlySet<string>;
  /** When (ms) each node's key was first seen missing, as the previous decision left it. */
  missingSince: ReadonlyMap<string, number>;
  nowMs: number;
  /** When this manager began to lead (ms): nobody is declared down for startupGraceMs after it. */
  leadingSinceMs: number;
  /** How long a key must stay missing before the node is declared down. */
  graceMs: number;
  startupGraceMs: number;
}

export interface LivenessDecision {
  /** NodeUp for each node recorded down whose key is back; NodeDown for each missing past the grace. */
  events: EventDraft[];
  /** The memory the next decision is given. */
  missingSince: Map<string, number>;
}

/** What the leader appends now, and what it remembers, given which status keys exist. */
export function decideLiveness(i: LivenessInput): LivenessDecision {
  const events: EventDraft[] = [];
  const missingSince = new Map<string, number>();
  const starting = i.nowMs - i.leadingSinceMs < i.startupGraceMs;
  for (const n of i.nodes) {
    if (i.alive.has(n.id)) {
      if (n.down) events.push({ nodeUp: { nodeId: n.id } });
      continue;
    }
    // Already down, or too soon after winning to tell a dead node from one still finding us.
    if (n.down || starting) continue;
    const since = i.missingSince.get(n.id) ?? i.nowMs;
    if (i.nowMs - since >= i.graceMs) events.push({ nodeDown: { nodeId: n.id, reason: LEASE_EXPIRED } });
    else missingSince.set(n.id, since);
  }
  return { events, missingSince };
}

export interface LivenessOptions {
  client: Etcd3;
  log: EventLog;
  projection: LiveProjection;
  fence: Fence;
  actor: string;
  prefix?: string;
  pollMs?: number;
  /** How long a status key must stay missing before the node is declared down. */
  graceMs?: number;
  /** After leadership is won, how long before any node is declared down (a lease TTL and a heartbeat). */
  startupGraceMs?: number;
  /** The time, ms (default Date.now). */
  clock?: () => number;
  onError?: (e: unknown) => void;
  onFenced?: () => void;
}

export class Liveness extends LeaderPoller {
  private missingSince = new Map<string, number>();
  private readonly keys: Keys;
  private readonly clock: () => number;
  private leadingSinceMs = 0;

  constructor(private readonly o: LivenessOptions) {
    super(o, LIVENESS_POLL_MS);
    this.keys = new Keys(o.prefix);
    this.clock = o.clock ?? Date.now;
  }

  override start(): void {
    this.leadingSinceMs = this.clock();
    super.start();
  }

  protected async poll(): Promise<void> {
    const prefix = this.keys.nodeStatuses;
    const alive = new Set((await this.o.client.getAll().prefix(prefix).keys()).map((k) => k.slice(prefix.length)));
    const d = decideLiveness({
      nodes: this.o.projection.state.nodes.values(),
      alive,
      missingSince: this.missingSince,
      nowMs: this.clock(),
      leadingSinceMs: this.leadingSinceMs,
      graceMs: this.o.graceMs ?? LIVENESS_GRACE_MS,
      startupGraceMs: this.o.startupGraceMs ?? 0,
    });
    this.missingSince = d.missingSince;
    if (d.events.length === 0 || this.stopped) return;
    const r = await this.o.log.append(d.events, { fence: this.o.fence, actor: this.o.actor });
    await this.o.projection.waitFor(r.lastSeq);
  }
}
