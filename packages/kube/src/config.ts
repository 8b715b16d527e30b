// Whether cairn talks to Kubernetes at all, and with which credentials. On when the process runs
// in a pod (the API server's address in KUBERNETES_SERVICE_HOST/PORT and a service account token
// mounted) or when --kubeconfig FILE is given; off otherwise, so `cairn up` and every test cluster
// never touch an API server.
import { existsSync } from 'node:fs';
import { KubeConfig } from '@kubernetes/client-node';

/** Where the kubelet mounts a pod's service account credentials. */
export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

/**
 * Why in-cluster credentials cannot be used here, or null when they can: the API server's address
 * comes from KUBERNETES_SERVICE_HOST/PORT and the token from the service account mount.
 */
export function inClusterProblem(
  env: Record<string, string | undefined>,
  exists: (path: string) => boolean,
): string | null {
  const missing = ['KUBERNETES_SERVICE_HOST', 'KUBERNETES_SERVICE_PORT'].filter((k) => !env[k]);
  if (missing.length) return `not running in a Kubernetes pod (${missing.join(' and ')} not set)`;
  const token = `${SERVICE_ACCOUNT_DIR}/token`;
  if (!exists(token)) return `no service account token at ${token} (automountServiceAccountToken is off?)`;
  return null;
}

export interface KubeConfigOptions {
  /** A kubeconfig file (--kubeconfig): used as it is, in or out of a pod. */
  kubeconfig?: string | undefined;
  env?: Record<string, string | undefined>;
  exists?: (path: string) => boolean;
}

/** The kubeconfig to use, or null when cairn is not in Kubernetes (see the header). */
export function loadKubeConfig(o: KubeConfigOptions = {}): KubeConfig | null {
  const kc = new KubeConfig();
  if (o.kubeconfig) {
    kc.loadFromFile(o.kubeconfig);
    return kc;
  }
  if (inClusterProblem(o.env ?? process.env, o.exists ?? existsSync) !== null) return null;
  kc.loadFromCluster();
  return kc;
}
