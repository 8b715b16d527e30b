// What a Kubernetes Node says about the cairn node of the same name: its zone, its tags and whether
// it is cordoned. Pure: a Node object (or the part of it read here) in, plain values out; the
// agent (zone, first tags) and the leading manager (cordon, tags) apply them.
//
// Who owns a node's tags: labels `tag.node.cairn.io/<TAG>: "true"` when the Node carries at least
// one such label; otherwise `cairn node update --tags` (and the agent's --tags). A label value cannot
// hold a comma list, hence one label per tag. While labels own the tags, the manager sets them back
// to the labels' whenever they differ, so a `cairn node update --tags` on such a node is undone;
// removing the node's last tag label hands the tags back to the CLI (they stay as they were).
import type { NodeState } from '@cairn/metadata';

/** Kubernetes' well-known zone label (GA since 1.17). */
export const ZONE_LABEL = 'topology.kubernetes.io/zone';
/** Its name before 1.17; some older cloud node controllers still set only this one. */
export const LEGACY_ZONE_LABEL = 'failure-domain.beta.kubernetes.io/zone';
/** `tag.node.cairn.io/<TAG>: "true"` makes TAG a cairn node tag. */
export const TAG_LABEL_PREFIX = 'tag.node.cairn.io/';

/** The part of a Kubernetes Node object read here (client-node's V1Node fits it). */
export interface NodeObject {
  metadata?: { name?: string | undefined; labels?: Record<string, string> | undefined } | undefined;
  spec?: { unschedulable?: boolean | undefined } | undefined;
}

/** The zone in a Node's labels: topology.kubernetes.io/zone, else the legacy beta label; null when neither is set. */
export function zoneOfNode(node: NodeObject): string | null {
  const labels = node.metadata?.labels ?? {};
  for (const key of [ZONE_LABEL, LEGACY_ZONE_LABEL]) {
    const v = labels[key]?.trim();
    if (v) return v;
  }
  return null;
}

/**
 * The cairn tags a Node's labels give, sorted; null when the Node has no tag label at all (then
 * the labels do not own the node's tags). A tag label whose value is not "true" ("false", "") is
 * present but gives no tag: `kubectl label node N tag.node.cairn.io/ssd=false` removes the tag
 * while keeping the labels in charge.
 */
export function tagsOfNode(node: NodeObject): string[] | null {
  const labels = node.metadata?.labels ?? {};
  const keys = Object.keys(labels).filter((k) => k.startsWith(TAG_LABEL_PREFIX));
  if (keys.length === 0) return null;
  const tags = keys
    .filter((k) => labels[k]!.trim().toLowerCase() === 'true')
    .map((k) => k.slice(TAG_LABEL_PREFIX.length));
  return [...new Set(tags.filter((t) => t !== ''))].sort();
}

/** Whether the Node is cordoned (`kubectl cordon`: spec.unschedulable). */
export function isCordoned(node: NodeObject): boolean {
  return node.spec?.unschedulable === true;
}

/** A node update the manager appends (the admin UpdateNode's fields), only the ones that change. */
export interface NodeSync {
  nodeId: string;
  cordoned?: boolean;
  tags?: string[];
}

/**
 * What to change on cairn node `node` so it says what Kubernetes Node `kube` says: `cordoned`
 * follows spec.unschedulable, the tags follow the tag labels when there are any. null when nothing
 * differs (so a poll with nothing new appends nothing). The cairn node id is the Node's name.
 */
export function nodeSync(node: Pick<NodeState, 'id' | 'cordoned' | 'tags'>, kube: NodeObject): NodeSync | null {
  const out: NodeSync = { nodeId: node.id };
  const cordoned = isCordoned(kube);
  if (cordoned !== node.cordoned) out.cordoned = cordoned;
  const tags = tagsOfNode(kube);
  if (tags !== null && JSON.stringify(tags) !== JSON.stringify([...node.tags].sort())) out.tags = tags;
  return out.cordoned === undefined && out.tags === undefined ? null : out;
}

/** nodeSync for every cairn node that has a Node of the same name, in node id order. */
export function nodeSyncs(
  nodes: Iterable<Pick<NodeState, 'id' | 'cordoned' | 'tags'>>,
  kube: ReadonlyMap<string, NodeObject>,
): NodeSync[] {
  const out: NodeSync[] = [];
  for (const n of [...nodes].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))) {
    const k = kube.get(n.id);
    if (!k) continue;
    const s = nodeSync(n, k);
    if (s) out.push(s);
  }
  return out;
}
