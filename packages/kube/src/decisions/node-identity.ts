// Which cairn node a Kubernetes service-account token speaks for: a pure decision over what the API
// server said about the token (its TokenReview) and, for API servers that do not name the node in
// the review, the pod the token is bound to.
//
// In deploy/ every agent presents the projected service-account token kubelet mounts into its pod
// (audience "cairn", rotated hourly). Only the API server can check it: its signature, expiry, that
// the pod it is bound to still exists, and the audience. What the review alone does not prove is
// *which node*: every agent runs as the same service account. A bound token carries the pod
// in its review (extra authentication.kubernetes.io/pod-name and pod-uid; newer API servers with
// ServiceAccountTokenPodNodeInfo also name the node: authentication.kubernetes.io/node-name); the
// pod's spec.nodeName is where the scheduler put it, which the pod cannot change. The node's cairn id is its
// Kubernetes name (deploy/50-node.yaml: --node-id=$(NODE_NAME)).
import type { V1Pod, V1TokenReview } from '@kubernetes/client-node';

export const POD_NAME_EXTRA = 'authentication.kubernetes.io/pod-name';
export const POD_UID_EXTRA = 'authentication.kubernetes.io/pod-uid';
export const NODE_NAME_EXTRA = 'authentication.kubernetes.io/node-name';

/** The service account agents run as, "NAMESPACE:NAME" (deploy/: cairn-system:cairn-node). */
export interface NodeAccount {
  namespace: string;
  name: string;
}

/** What a review proves: a node, or that a pod must be read first, or a refusal with its reason. */
export type ReviewVerdict =
  | { kind: 'node'; nodeId: string }
  | { kind: 'read-pod'; namespace: string; name: string; uid: string }
  | { kind: 'refused'; reason: string };

const one = (extra: Record<string, string[]> | undefined, key: string): string => {
  const v = extra?.[key];
  return Array.isArray(v) && v.length === 1 && typeof v[0] === 'string' ? v[0] : '';
};

/** The first step: is this an authenticated token of the agents' account, bound to a pod? */
export function judgeReview(review: V1TokenReview, account: NodeAccount): ReviewVerdict {
  const st = review.status;
  if (!st?.authenticated)
    return {
      kind: 'refused',
      reason: `the API server did not authenticate the token${st?.error ? ` (${st.error})` : ''}`,
    };
  const want = `system:serviceaccount:${account.namespace}:${account.name}`;
  const user = st.user?.username ?? '';
  if (user !== want) return { kind: 'refused', reason: `the token is ${user || 'nobody'}'s, not ${want}'s` };
  const extra = st.user?.extra;
  const pod = one(extra, POD_NAME_EXTRA);
  const uid = one(extra, POD_UID_EXTRA);
  if (!pod || !uid)
    return { kind: 'refused', reason: 'the token is not bound to a pod (use a projected service-account token)' };
  const node = one(extra, NODE_NAME_EXTRA);
  if (node) return { kind: 'node', nodeId: node };
  return { kind: 'read-pod', namespace: account.namespace, name: pod, uid };
}

/** The second step, when the review did not name the node: the pod it is bound to says where it runs. */
export function judgePod(pod: V1Pod, want: { name: string; uid: string }): ReviewVerdict {
  if (pod.metadata?.uid !== want.uid)
    return {
      kind: 'refused',
      reason: `pod ${want.name} is not the pod the token was bound to (uid ${pod.metadata?.uid ?? 'none'})`,
    };
  const nodeId = pod.spec?.nodeName ?? '';
  if (!nodeId) return { kind: 'refused', reason: `pod ${want.name} is not scheduled to a node` };
  return { kind: 'node', nodeId };
}
