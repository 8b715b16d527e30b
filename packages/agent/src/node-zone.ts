// `cairn node --zone-from-node NAME`: the node's zone (and first tags) read from its Kubernetes Node.
//
// In Kubernetes a node's zone is the Node's topology.kubernetes.io/zone label. The downward API
// gives a pod its node's name (spec.nodeName) but not the node's labels, so the DaemonSet passes
// the name and the agent reads the Node itself, with the pod's service account (deploy/ grants it
// "get" on nodes) or --kubeconfig. The labels' meaning is @cairn/kube's (zoneOfNode, tagsOfNode);
// this file adds the agent's error texts and the one read. The same read gives the tags of the
// node's tag.node.cairn.io/<TAG> labels, which the agent registers with when --tags is not given.
// @cairn/kube (and client-node) is loaded only when this is used.
import { existsSync } from 'node:fs';
import type { NodeObject } from '@cairn/kube';

export const ZONE_LABEL = 'topology.kubernetes.io/zone';
export const LEGACY_ZONE_LABEL = 'failure-domain.beta.kubernetes.io/zone';
export { SERVICE_ACCOUNT_DIR } from '@cairn/kube';

/**
 * The zone in a Node object's labels (see @cairn/kube zoneOfNode). Throws, naming the node and
 * the label, when neither label is set (or set to an empty value): a node agent must not register
 * with a zone nobody chose, since zone anti-affinity depends on it.
 */
export async function zoneOfNodeOrThrow(node: NodeObject, name: string): Promise<string> {
  const { zoneOfNode } = await import('@cairn/kube');
  const zone = zoneOfNode(node);
  if (zone) return zone;
  throw new Error(
    `--zone-from-node: node "${name}" has no ${ZONE_LABEL} label; ` +
      `label it (kubectl label node ${name} ${ZONE_LABEL}=ZONE) or give --zone ZONE instead`,
  );
}

/** A failed read of the Node, by HTTP status. */
export function apiErrorText(name: string, code: number | undefined, message: string): string {
  if (code === 404)
    return `--zone-from-node: there is no node "${name}" (give the Kubernetes node's name, spec.nodeName)`;
  if (code === 401) return '--zone-from-node: the API server refused the service account token (401)';
  if (code === 403)
    return `--zone-from-node: the service account may not read node "${name}" (403); its ClusterRole needs "get" on nodes (deploy/21-rbac-node.yaml)`;
  return `--zone-from-node: cannot read node "${name}"${code ? ` (HTTP ${code})` : ''}: ${message}`;
}

export interface NodeInfoOptions {
  env?: Record<string, string | undefined>;
  /** A kubeconfig file instead of the pod's service account. */
  kubeconfig?: string | undefined;
  timeoutMs?: number;
}

/** Reads Node `name` (in-cluster credentials or --kubeconfig): its zone (zoneOfNodeOrThrow) and the tags of its tag labels (null: none). */
export async function readNodeInfo(
  name: string,
  opts: NodeInfoOptions = {},
): Promise<{ zone: string; tags: string[] | null }> {
  if (!name) throw new Error("--zone-from-node needs the node's name (the DaemonSet passes spec.nodeName)");
  const kube = await import('@cairn/kube');
  if (!opts.kubeconfig) {
    const problem = kube.inClusterProblem(opts.env ?? process.env, existsSync);
    if (problem) throw new Error(`--zone-from-node: ${problem}; give --zone ZONE (or --kubeconfig FILE) instead`);
  }
  const client = new kube.KubeClient(
    kube.loadKubeConfig({ kubeconfig: opts.kubeconfig, env: opts.env ?? process.env })!,
  );
  const timeoutMs = opts.timeoutMs ?? 30_000;
  let timer: NodeJS.Timeout | undefined;
  try {
    const node = await Promise.race([
      client.readNode(name),
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`no answer from the API server in ${timeoutMs / 1000} s`)),
          timeoutMs,
        );
      }),
    ]);
    return { zone: await zoneOfNodeOrThrow(node, name), tags: kube.tagsOfNode(node) };
  } catch (e) {
    if (e instanceof Error && e.message.startsWith('--zone-from-node')) throw e;
    throw new Error(apiErrorText(name, kube.statusOf(e), e instanceof Error ? e.message : String(e)), {
      cause: e,
    });
  } finally {
    clearTimeout(timer);
  }
}

/** The zone of Node `name` (readNodeInfo). */
export async function readNodeZone(name: string, opts: NodeInfoOptions = {}): Promise<string> {
  return (await readNodeInfo(name, opts)).zone;
}

/**
 * Labels the agent's own pod node.cairn.io/id=NODE_ID (a merge patch), so that a node's agent pod
 * is found by its cairn node id (as the node's drain guard is: the same label). The pod is named by
 * POD_NAME and POD_NAMESPACE (the DaemonSet passes them from the downward API); without them, or
 * outside Kubernetes, nothing is done. Returns what happened, for the agent's log.
 */
export async function labelOwnPod(
  nodeId: string,
  opts: { env?: Record<string, string | undefined>; kubeconfig?: string | undefined } = {},
): Promise<string | null> {
  const env = opts.env ?? process.env;
  const pod = env['POD_NAME'],
    namespace = env['POD_NAMESPACE'];
  if (!pod || !namespace) return null;
  if (!opts.kubeconfig && !env['KUBERNETES_SERVICE_HOST']) return null;
  const kube = await import('@cairn/kube');
  const kc = kube.loadKubeConfig({ kubeconfig: opts.kubeconfig, env });
  if (!kc) return null;
  try {
    await new kube.KubeClient(kc).patchPod(namespace, pod, kube.podLabelPatch(nodeId));
    return `labelled pod ${namespace}/${pod} ${kube.NODE_ID_LABEL}=${nodeId}`;
  } catch (e) {
    const code = kube.statusOf(e);
    return (
      `warning: cannot label pod ${namespace}/${pod} ${kube.NODE_ID_LABEL}=${nodeId}${code ? ` (HTTP ${code})` : ''}: ` +
      `${e instanceof Error ? e.message : String(e)}` +
      ' (deploy/21-rbac-node.yaml grants "patch" on pods)'
    );
  }
}
