// Keeps the drain guards in Kubernetes equal to the set drainBlockedNodes decides. A node's guard
// is a pod on it and the PodDisruptionBudget that protects it (objects.ts says why a pod of its own);
// both are named cairn-drain-<node> and labelled app.kubernetes.io/managed-by=cairn, and only such
// objects in cairn's namespace are ever listed, created or deleted. The pod is made first and
// removed last, so a budget never waits for a pod that will not come.
import type { KubeClient } from './client.js';
import { statusOf } from './client.js';
import {
  DEFAULT_GUARD_IMAGE,
  guardPodObject,
  MANAGED_BY,
  MANAGED_BY_LABEL,
  NODE_ID_LABEL,
  pdbName,
  pdbObject,
} from './objects.js';

export class PdbReconciler {
  constructor(
    private readonly client: KubeClient,
    readonly namespace: string,
    private readonly image = DEFAULT_GUARD_IMAGE,
  ) {}

  /**
   * The guards that exist now, by node id: `any` has a budget or a pod (or both), `complete` has
   * both. A guard half made (a crash between the two creates) or half gone (its pod deleted by
   * hand) is in `any` only: apply makes it whole when wanted, removes what is left when not.
   */
  async current(): Promise<{ any: Set<string>; complete: Set<string> }> {
    const selector = `${MANAGED_BY_LABEL}=${MANAGED_BY}`;
    const ids = (items: { metadata?: { labels?: Record<string, string> } }[]): Set<string> =>
      new Set(items.map((o) => o.metadata?.labels?.[NODE_ID_LABEL] ?? '').filter((id) => id !== ''));
    const pdbs = ids(await this.client.listPdbs(this.namespace, selector));
    const pods = ids(await this.client.listPods(this.namespace, selector));
    return { any: new Set([...pdbs, ...pods]), complete: new Set([...pdbs].filter((id) => pods.has(id))) };
  }

  /**
   * Creates and deletes guards so that exactly `wanted` exist, given `current` (what current()
   * said, or what the last apply left); returns what it did. `nodeUid` gives a node's Node object uid (the guard pod's owner); a wanted node without
   * one (no Kubernetes Node of that name) gets no guard and is left out of `created`.
   */
  async apply(
    current: { any: ReadonlySet<string>; complete: ReadonlySet<string> },
    wanted: readonly string[],
    nodeUid: (id: string) => string | undefined,
  ): Promise<{ created: string[]; deleted: string[] }> {
    const want = new Set(wanted);
    const created: string[] = [],
      deleted: string[] = [];
    const tolerate = async (codes: number[], f: () => Promise<unknown>): Promise<void> => {
      try {
        await f();
      } catch (e) {
        if (!codes.includes(statusOf(e) ?? 0)) throw e; // 409 on create, 404 on delete: already so
      }
    };
    for (const id of [...want].sort()) {
      if (current.complete.has(id)) continue;
      const uid = nodeUid(id);
      if (!uid) continue;
      await tolerate([409], () => this.client.createPod(guardPodObject(id, uid, this.namespace, this.image)));
      await tolerate([409], () => this.client.createPdb(pdbObject(id, this.namespace)));
      created.push(id);
    }
    for (const id of [...current.any].sort()) {
      if (want.has(id)) continue;
      await tolerate([404], () => this.client.deletePdb(this.namespace, pdbName(id)));
      await tolerate([404], () => this.client.deletePod(this.namespace, pdbName(id)));
      deleted.push(id);
    }
    return { created, deleted };
  }
}
