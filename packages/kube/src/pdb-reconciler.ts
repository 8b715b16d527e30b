// Keeps the drain budgets in Kubernetes equal to the set drainBlockedNodes decides: lists the
// budgets cairn owns (label app.kubernetes.io/managed-by=cairn) in its namespace, creates the
// missing ones, deletes the ones no longer wanted. Budgets without the label are never touched.
import type { KubeClient } from './client.js';
import { statusOf } from './client.js';
import { MANAGED_BY, MANAGED_BY_LABEL, NODE_ID_LABEL, pdbName, pdbObject } from './objects.js';

export class PdbReconciler {
  constructor(private readonly client: KubeClient, readonly namespace: string) {}

  /** The node ids whose budget exists now. */
  async current(): Promise<Set<string>> {
    const items = await this.client.listPdbs(this.namespace, `${MANAGED_BY_LABEL}=${MANAGED_BY}`);
    return new Set(items.map((p) => p.metadata?.labels?.[NODE_ID_LABEL] ?? '').filter((id) => id !== ''));
  }

  /** Creates and deletes budgets so that exactly `wanted` exist, given `current`; returns what it did. */
  async apply(current: ReadonlySet<string>, wanted: readonly string[]): Promise<{ created: string[]; deleted: string[] }> {
    const want = new Set(wanted);
    const created: string[] = [], deleted: string[] = [];
    for (const id of [...want].sort()) {
      if (current.has(id)) continue;
      try {
        await this.client.createPdb(pdbObject(id, this.namespace));
      } catch (e) {
        if (statusOf(e) !== 409) throw e; // already there: what we wanted
      }
      created.push(id);
    }
    for (const id of [...current].sort()) {
      if (want.has(id)) continue;
      try {
        await this.client.deletePdb(this.namespace, pdbName(id));
      } catch (e) {
        if (statusOf(e) !== 404) throw e;
      }
      deleted.push(id);
    }
    return { created, deleted };
  }
}
