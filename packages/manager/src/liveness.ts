// Node liveness, on the leader: a node is up while its lease-bound status key exists (node
// agents' heartbeats keep the lease alive through any manager). When the key has been gone for a
// moment the leader appends NodeDown; when it is back, NodeUp. Polling the keys (not watching
// them) keeps this simple and immune to missed watch events; the poll is cheap (keys only).
// A new leader declares no node down for its first startupGraceMs: status keys lapse while no
// manager serves (a lone manager restarting, a failover), and agents need a heartbeat or two to
// find the new one. Without it, a manager restart marked most nodes down and volumes created in
// that second got one replica instead of three (like Kubernetes' node-startup-grace-period).
import type { Etcd3 } from 'etcd3';
import type { EventDraft, EventLog, Fence, LiveProjection } from '@cairn/metadata';
import { Keys } from '@cairn/metadata';
import { LeaderPoll } from './leader-poll.js';
import { nodeStatusKey } from './node-service.js';

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
  onError?: (e: unknown) => void;
  onFenced?: () => void;
}

export class Liveness {
  private readonly missingSince = new Map<string, number>();
  private readonly keys: Keys;
  private readonly loop: LeaderPoll;
  private startedAt = 0;

  constructor(private readonly o: LivenessOptions) {
    this.keys = new Keys(o.prefix);
    this.loop = new LeaderPoll(() => this.poll(), { pollMs: o.pollMs ?? 500, onError: o.onError, onFenced: o.onFenced });
  }

  start(): void {
    this.startedAt = Date.now();
    this.loop.start();
  }

  stop(): void {
    this.loop.stop();
  }

  private async poll(): Promise<void> {
    const prefix = nodeStatusKey(this.keys, '');
    const alive = new Set((await this.o.client.getAll().prefix(prefix).keys()).map((k) => k.slice(prefix.length)));
    const now = Date.now();
    const drafts: EventDraft[] = [];
    for (const n of this.o.projection.state.nodes.values()) {
      if (alive.has(n.id)) {
        this.missingSince.delete(n.id);
        if (n.down) drafts.push({ nodeUp: { nodeId: n.id } });
        continue;
      }
      if (n.down || now - this.startedAt < (this.o.startupGraceMs ?? 0)) continue;
      const since = this.missingSince.get(n.id) ?? now;
      this.missingSince.set(n.id, since);
      if (now - since >= (this.o.graceMs ?? 1000)) {
        drafts.push({ nodeDown: { nodeId: n.id, reason: 'lease expired: no heartbeat within the lease TTL' } });
        this.missingSince.delete(n.id);
      }
    }
    if (drafts.length === 0 || this.loop.stopped) return;
    const r = await this.o.log.append(drafts, { fence: this.o.fence, actor: this.o.actor });
    await this.o.projection.waitFor(r.lastSeq);
  }
}
