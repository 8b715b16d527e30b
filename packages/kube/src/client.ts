// The thin layer over @kubernetes/client-node: one method per request cairn makes, each sending a
// documented Kubernetes API object (objects.ts) and nothing else. It decides nothing; errors are
// client-node's ApiException (code = HTTP status), which callers inspect through statusOf.
import {
  ApiException,
  AuthenticationV1Api,
  CoreV1Api,
  PatchStrategy,
  PolicyV1Api,
  makeInformer,
  setHeaderOptions,
} from '@kubernetes/client-node';
import type {
  Informer,
  KubeConfig,
  ObjectCache,
  CoreV1Event,
  V1Node,
  V1Pod,
  V1PodDisruptionBudget,
  V1TokenReview,
} from '@kubernetes/client-node';

/** The HTTP status of a failed request (ApiException), undefined for anything else (no answer). */
export function statusOf(e: unknown): number | undefined {
  return e instanceof ApiException ? e.code : undefined;
}

/**
 * A failure in one line that is the same each time the same request fails the same way: for an
 * ApiException, the status and the API server's Status (reason and message), e.g. "HTTP 403
 * Forbidden: pods "x" is forbidden: ...". client-node's own message also carries the response
 * headers (date, audit-id), which differ on every answer: against a real API server a repeated
 * failure then never looked the same, and was logged once a second instead of once.
 */
export function errorText(e: unknown): string {
  if (!(e instanceof ApiException)) return e instanceof Error ? e.message : String(e);
  let status: unknown = e.body;
  if (typeof e.body === 'string') {
    const text = e.body;
    try {
      status = JSON.parse(text);
    } catch {
      return `HTTP ${e.code}${text ? `: ${text.slice(0, 300)}` : ''}`;
    }
  }
  const s = status as { reason?: unknown; message?: unknown } | null | undefined;
  const reason = typeof s?.reason === 'string' && s.reason ? ` ${s.reason}` : '';
  const message = typeof s?.message === 'string' && s.message ? `: ${s.message}` : '';
  return `HTTP ${e.code}${reason}${message}`;
}

const MERGE_PATCH = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

export class KubeClient {
  readonly core: CoreV1Api;
  readonly policy: PolicyV1Api;
  readonly authn: AuthenticationV1Api;

  constructor(readonly config: KubeConfig) {
    this.core = config.makeApiClient(CoreV1Api);
    this.policy = config.makeApiClient(PolicyV1Api);
    this.authn = config.makeApiClient(AuthenticationV1Api);
  }

  /**
   * POST /apis/authentication.k8s.io/v1/tokenreviews: the API server's verdict on a bearer token
   * (signature, expiry, the object it is bound to still existing, the audience).
   */
  reviewToken(token: string, audiences: string[]): Promise<V1TokenReview> {
    return this.authn.createTokenReview({
      body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token, audiences } },
    });
  }

  /** GET /api/v1/namespaces/NS/pods/NAME */
  readPod(namespace: string, name: string): Promise<V1Pod> {
    return this.core.readNamespacedPod({ namespace, name });
  }

  /** GET /api/v1/nodes/NAME */
  readNode(name: string): Promise<V1Node> {
    return this.core.readNode({ name });
  }

  /**
   * An informer over every Node: GET /api/v1/nodes, then GET /api/v1/nodes?watch=true from the
   * list's resourceVersion, listing again when the watch ends. Not started; the caller starts it
   * and restarts it after an 'error' (client-node's informer stops on one).
   */
  nodeInformer(): Informer<V1Node> & ObjectCache<V1Node> {
    return makeInformer(this.config, '/api/v1/nodes', () => this.core.listNode());
  }

  /** GET /api/v1/namespaces/NS/persistentvolumeclaims/NAME, for its uid. */
  async pvcUid(namespace: string, name: string): Promise<string> {
    const pvc = await this.core.readNamespacedPersistentVolumeClaim({ namespace, name });
    return pvc.metadata?.uid ?? '';
  }

  /** POST /api/v1/namespaces/NS/events */
  createEvent(body: CoreV1Event): Promise<CoreV1Event> {
    return this.core.createNamespacedEvent({ namespace: body.metadata!.namespace!, body });
  }

  /** PATCH /api/v1/namespaces/NS/events/NAME (merge patch) */
  patchEvent(namespace: string, name: string, body: object): Promise<CoreV1Event> {
    return this.core.patchNamespacedEvent({ namespace, name, body }, MERGE_PATCH);
  }

  /** GET /apis/policy/v1/namespaces/NS/poddisruptionbudgets?labelSelector=SEL */
  async listPdbs(namespace: string, labelSelector: string): Promise<V1PodDisruptionBudget[]> {
    return (await this.policy.listNamespacedPodDisruptionBudget({ namespace, labelSelector })).items;
  }

  /** POST /apis/policy/v1/namespaces/NS/poddisruptionbudgets */
  createPdb(body: V1PodDisruptionBudget): Promise<V1PodDisruptionBudget> {
    return this.policy.createNamespacedPodDisruptionBudget({ namespace: body.metadata!.namespace!, body });
  }

  /** DELETE /apis/policy/v1/namespaces/NS/poddisruptionbudgets/NAME */
  async deletePdb(namespace: string, name: string): Promise<void> {
    await this.policy.deleteNamespacedPodDisruptionBudget({ namespace, name });
  }

  /** GET /api/v1/namespaces/NS/pods?labelSelector=SEL */
  async listPods(namespace: string, labelSelector: string): Promise<V1Pod[]> {
    return (await this.core.listNamespacedPod({ namespace, labelSelector })).items;
  }

  /** POST /api/v1/namespaces/NS/pods */
  createPod(body: V1Pod): Promise<V1Pod> {
    return this.core.createNamespacedPod({ namespace: body.metadata!.namespace!, body });
  }

  /** DELETE /api/v1/namespaces/NS/pods/NAME */
  async deletePod(namespace: string, name: string): Promise<void> {
    await this.core.deleteNamespacedPod({ namespace, name });
  }

  /** PATCH /api/v1/namespaces/NS/pods/NAME (merge patch), e.g. podLabelPatch. */
  async patchPod(namespace: string, name: string, body: object): Promise<void> {
    await this.core.patchNamespacedPod({ namespace, name, body }, MERGE_PATCH);
  }
}
