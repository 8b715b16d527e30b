// The leader's Kubernetes loop (only when the manager runs in Kubernetes or was given
// --kubeconfig): Nodes -> cairn nodes (cordon, tag labels), cairn's state -> Events on PVCs and drain
// budgets on agent pods. The decisions are @cairn/kube's pure functions; this shell feeds them the
// informer's cache of Nodes and the projected state once a second (LeaderPoll), appends node
// updates with actor "kubernetes" under the leader's fence, and hands the rest to the writers.
// Polling the cache rather than reacting to each watch event keeps it simple: a decision always
// sees the newest Nodes and the newest state, and a missed event costs at most a poll.
import type { EventLog, Fence, LiveProjection } from '@cairn/metadata';
import type { KubeClient, PvcView, NodeObject } from '@cairn/kube';
import { drainBlockedNodes, nodeSyncs, PdbReconciler, pvcEvents, pvcViews, PvcEventWriter } from '@cairn/kube';
import { updateNode } from './commands.js';
import { LeaderPoll } from './leader-poll.js';

/** The actor of the node updates this loop appends. */
export const KUBERNETES_ACTOR = 'kubernetes';

export interface KubeSyncOptions {
  client: KubeClient;
  /** Where the drain budgets go: the namespace of cairn's pods. */
  namespace: string;
  /** This manager's id, the reportingInstance of its Events. */
  instance: string;
  log: EventLog;
  projection: LiveProjection;
  fence: Fence;
  pollMs?: number;
  /** How often the budgets are listed again (so one deleted by hand comes back). */
  pdbRelistMs?: number;
  /** Wait before the Node informer is started again after an error. */
  informerRetryMs?: number;
  onError?: (e: unknown) => void;
  onFenced?: () => void;
}

export class KubeSync {
  private readonly loop: LeaderPoll;
  private readonly informer;
  private readonly events: PvcEventWriter;
  private readonly pdbs: PdbReconciler;
  private views: Map<string, PvcView> | null = null;
  private budgets: Set<string> | null = null;
  private budgetsListedAt = 0;
  private stopped = false;
  private retry: NodeJS.Timeout | null = null;

  constructor(private readonly o: KubeSyncOptions) {
    this.loop = new LeaderPoll(() => this.poll(), { pollMs: o.pollMs ?? 1000, onError: o.onError, onFenced: o.onFenced });
    this.informer = o.client.nodeInformer();
    this.events = new PvcEventWriter(o.client, { instance: o.instance });
    this.pdbs = new PdbReconciler(o.client, o.namespace);
    // client-node's informer stops on an error (an API server restart, an expired watch): start it again.
    this.informer.on('error', (e: unknown) => {
      if (this.stopped) return;
      o.onError?.(new Error(`watching Nodes: ${e instanceof Error ? e.message : String(e)}`));
      this.retry = setTimeout(() => this.startInformer(), o.informerRetryMs ?? 5000);
    });
  }

  start(): void {
    this.startInformer();
    this.loop.start();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.loop.stop();
    if (this.retry) clearTimeout(this.retry);
    await this.informer.stop().catch(() => undefined);
  }

  private startInformer(): void {
    if (this.stopped) return;
    this.informer.start().catch(() => undefined); // failures also reach the 'error' handler
  }

  /** One look: nodes, then events, then budgets. Each part's failure is reported; the next poll tries again. */
  async poll(): Promise<void> {
    await this.syncNodes();
    if (this.loop.stopped) return;
    const errors: unknown[] = [];
    await this.writeEvents().catch((e) => errors.push(e));
    await this.syncBudgets().catch((e) => errors.push(e));
    if (errors.length) throw errors[0];
  }

  private async syncNodes(): Promise<void> {
    const kube = new Map<string, NodeObject>();
    for (const n of this.informer.list()) if (n.metadata?.name) kube.set(n.metadata.name, n);
    const state = this.o.projection.state;
    const drafts = nodeSyncs(state.nodes.values(), kube).flatMap((s) => updateNode(state, s));
    if (drafts.length === 0) return;
    const r = await this.o.log.append(drafts, { fence: this.o.fence, actor: KUBERNETES_ACTOR });
    await this.o.projection.waitFor(r.lastSeq);
  }

  private async writeEvents(): Promise<void> {
    const state = this.o.projection.state;
    const next = pvcViews(state);
    const prev = this.views;
    const failed = new Set<string>();
    let firstError: unknown = null;
    for (const ev of pvcEvents(prev, next, state.seq)) {
      if (failed.has(ev.volume)) continue;
      try {
        await this.events.write(ev);
      } catch (e) {
        failed.add(ev.volume);
        firstError ??= e;
      }
    }
    // A volume whose event could not be written keeps its previous look: the next poll says it again.
    for (const name of failed) {
      const before = prev?.get(name);
      if (before) next.set(name, before);
      else next.delete(name);
    }
    this.views = next;
    if (firstError) throw firstError;
  }

  private async syncBudgets(): Promise<void> {
    const now = Date.now();
    if (this.budgets === null || now - this.budgetsListedAt >= (this.o.pdbRelistMs ?? 30_000)) {
      this.budgets = await this.pdbs.current();
      this.budgetsListedAt = now;
    }
    const state = this.o.projection.state;
    const wanted = drainBlockedNodes(state, state.settings['node-drain-policy'], this.budgets);
    try {
      await this.pdbs.apply(this.budgets, wanted);
      this.budgets = new Set(wanted);
    } catch (e) {
      this.budgets = null; // list again: some were done
      throw e;
    }
  }
}
