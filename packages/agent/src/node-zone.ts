// `cairn node --zone-from-node NAME`: the node's zone read from its Kubernetes Node object.
//
// In Kubernetes a node's zone is the Node's topology.kubernetes.io/zone label. The downward API
// gives a pod its node's name (spec.nodeName) but not the node's labels, so the DaemonSet passes
// the name and the agent reads the label itself, with the pod's service account (deploy/ grants
// it "get" on nodes). Pure parts (zoneOfNode, inClusterProblem, apiErrorText) decide; readNodeZone
// is the thin I/O shell around them.
import { existsSync } from 'node:fs';

/** Kubernetes' well-known zone label (GA since 1.17). */
export const ZONE_LABEL = 'topology.kubernetes.io/zone';
/** Its name before 1.17; some older cloud node controllers still set only this one. */
export const LEGACY_ZONE_LABEL = 'failure-domain.beta.kubernetes.io/zone';

/** Where the kubelet mounts a pod's service account credentials. */
export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

/** The part of a Kubernetes Node object this reads (V1Node fits it). */
export interface NodeObject {
  metadata?: { name?: string; labels?: Record<string, string> | undefined } | undefined;
}

/**
 * The zone in a Node object's labels: topology.kubernetes.io/zone, else the legacy beta label.
 * Throws, naming the node and the label, when neither is set (or set to an empty value): a node
 * agent must not register with a zone nobody chose, since zone anti-affinity depends on it.
 */
export function zoneOfNode(node: NodeObject, name: string): string {
  const labels = node.metadata?.labels ?? {};
  for (const key of [ZONE_LABEL, LEGACY_ZONE_LABEL]) {
    const v = labels[key]?.trim();
    if (v) return v;
  }
  throw new Error(
    `--zone-from-node: node "${name}" has no ${ZONE_LABEL} label; ` +
    `label it (kubectl label node ${name} ${ZONE_LABEL}=ZONE) or give --zone ZONE instead`,
  );
}

/**
 * Why in-cluster credentials cannot be used here, or null when they can: the API server's address
 * comes from KUBERNETES_SERVICE_HOST/PORT and the token from the service account mount.
 */
export function inClusterProblem(env: Record<string, string | undefined>, exists: (path: string) => boolean): string | null {
  const missing = ['KUBERNETES_SERVICE_HOST', 'KUBERNETES_SERVICE_PORT'].filter((k) => !env[k]);
  if (missing.length) return `not running in a Kubernetes pod (${missing.join(' and ')} not set); give --zone ZONE instead`;
  const token = `${SERVICE_ACCOUNT_DIR}/token`;
  if (!exists(token)) return `no service account token at ${token} (automountServiceAccountToken is off?); give --zone ZONE instead`;
  return null;
}

/** A failed read of the Node, by HTTP status. */
export function apiErrorText(name: string, code: number | undefined, message: string): string {
  if (code === 404) return `--zone-from-node: there is no node "${name}" (give the Kubernetes node's name, spec.nodeName)`;
  if (code === 401) return '--zone-from-node: the API server refused the service account token (401)';
  if (code === 403) return `--zone-from-node: the service account may not read node "${name}" (403); its ClusterRole needs "get" on nodes (deploy/21-rbac-node.yaml)`;
  return `--zone-from-node: cannot read node "${name}"${code ? ` (HTTP ${code})` : ''}: ${message}`;
}

/** Reads node `name` with in-cluster credentials and returns its zone (see zoneOfNode). */
export async function readNodeZone(name: string, opts: { env?: Record<string, string | undefined>; timeoutMs?: number } = {}): Promise<string> {
  if (!name) throw new Error('--zone-from-node needs the node\'s name (the DaemonSet passes spec.nodeName)');
  const problem = inClusterProblem(opts.env ?? process.env, existsSync);
  if (problem) throw new Error(`--zone-from-node: ${problem}`);
  // Loaded on use: only agents started with --zone-from-node need the Kubernetes client.
  const k8s = await import('@kubernetes/client-node');
  const kc = new k8s.KubeConfig();
  kc.loadFromCluster();
  const api = kc.makeApiClient(k8s.CoreV1Api);
  const timeoutMs = opts.timeoutMs ?? 30_000;
  let timer: NodeJS.Timeout | undefined;
  try {
    const node = await Promise.race([
      api.readNode({ name }),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer from the API server in ${timeoutMs / 1000} s`)), timeoutMs);
      }),
    ]);
    return zoneOfNode(node, name);
  } catch (e) {
    if (e instanceof Error && e.message.startsWith('--zone-from-node')) throw e;
    const code = e instanceof k8s.ApiException ? e.code : undefined;
    throw new Error(apiErrorText(name, code, e instanceof Error ? e.message : String(e)));
  } finally {
    clearTimeout(timer);
  }
}
