// The leader's Kubernetes loop (only when the manager runs in Kubernetes or was given
// --kubeconfig): Nodes -> cairn nodes (cordon, tag labels), cairn's state -> Events on PVCs and drain
// guards (a pod and its PodDisruptionBudget) on the nodes node-drain-policy says must not go.
// The decisions are @cairn/kube's pure functions; this shell feeds them the informer's cache of
// Nodes and the projected state once a second (LeaderPoll), appends node updates with actor
// "kubernetes" under the leader's fence, and hands the rest to the writers.
// Polling the cache rather than reacting to each watch event keeps it simple: a decision always
// sees the newest Nodes and the newest state, and a missed event costs at most a poll.
import type { EventLog, Fence, LiveProjection } from '@cairn/metadata';
import { FencedError } from '@cairn/metadata';
import type { KubeClient, PvcView, NodeObject } from '@cairn/kube';
import {
  drainBlockedNodes,
  errorText,
  nodeSyncs,
  PdbReconciler,
  pvcEvents,
  pvcViews,
  PvcEventWriter,
} from '@cairn/kube';
import { updateNode } from './commands.js';
import { LeaderPoll } from './leader-poll.js';

/** The actor of the node updates this loop appends. */
export const KUBERNETES_ACTOR = 'kubernetes';

export interface KubeSyncOptions {
  client: KubeClient;
  /** Where the drain guards go: the namespace of cairn's pods. */
  namespace: string;
  /** The drain guard pods' image (@cairn/kube DEFAULT_GUARD_IMAGE when absent). */
  guardImage?: string | undefined;
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
  private budgets: { any: Set<string>; complete: Set<string> } | null = null;
  /** The informer has listed the Nodes once: before that, no guard is judged (all would look unwanted). */
  private synced = false;
  private budgetsListedAt = 0;
  private informerErrors = 0;
  /** The last error a poll reported: the same one again is not reported every second while the API server is away. */
  private lastError = '';
  private stopped = false;
  private retry: NodeJS.Timeout | null = null;

  constructor(private readonly o: KubeSyncOptions) {
    this.loop = new LeaderPoll(() => this.poll(), {
      pollMs: o.pollMs ?? 1000,
      onError: o.onError,
      onFenced: o.onFenced,
    });
    this.informer = o.client.nodeInformer();
    this.events = new PvcEventWriter(o.client, { instance: o.instance });
    this.pdbs = new PdbReconciler(o.client, o.namespace, o.guardImage);
    // client-node's informer stops on an error (an API server restart, an expired watch): start it again.
    this.informer.on('error', (e: unknown) => {
      this.informerErrors++;
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
    // start() resolves once the Nodes are listed and the watch is opened, and also when the list
    // failed (then only after the 'error' handler ran): count errors to tell the two apart.
    const errors = this.informerErrors;
    this.informer.start().then(
      () => {
        if (this.informerErrors === errors) this.synced = true;
      },
      () => undefined,
    );
  }

  /**
   * One look: nodes, then events, then budgets. A failure is reported (once while it repeats) and
   * the next poll tries again; a FencedError (no longer the leader) ends the loop.
   */
  async poll(): Promise<void> {
    try {
      await this.look();
      this.lastError = '';
    } catch (e) {
      if (e instanceof FencedError) throw e;
      const text = errorText(e);
      if (text === this.lastError) return;
      this.lastError = text;
      throw new Error(text, { cause: e });
    }
  }

  private async look(): Promise<void> {
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
    if (!this.synced) return;
    const now = Date.now();
    if (this.budgets === null || now - this.budgetsListedAt >= (this.o.pdbRelistMs ?? 30_000)) {
      this.budgets = await this.pdbs.current();
      this.budgetsListedAt = now;
    }
    const state = this.o.projection.state;
    const wanted = drainBlockedNodes(state, state.settings['node-drain-policy'], this.budgets.any);
    try {
      const { created } = await this.pdbs.apply(this.budgets, wanted, (id) => this.informer.get(id)?.metadata?.uid);
      const done = new Set([...created, ...[...this.budgets.complete].filter((id) => wanted.includes(id))]);
      this.budgets = { any: done, complete: done };
    } catch (e) {
      this.budgets = null; // list again: some were done
      throw e;
    }
  }
}
