// The Kubernetes objects cairn writes, built from decisions: core/v1 Events on PVCs, the drain
// guard of a node (a pod and the policy/v1 PodDisruptionBudget that protects it), and the label an
// agent puts on its own pod. Pure builders: the client (client.ts) sends exactly these.
import type { CoreV1Event, V1Pod, V1PodDisruptionBudget } from '@kubernetes/client-node';
import type { PvcEvent } from './decisions/pvc-events.js';

/** The cairn node id, as a label: on an agent's own pod (it puts it there) and on the node's drain guard. */
export const NODE_ID_LABEL = 'node.cairn.io/id';
/** What marks the budgets cairn owns (it lists, creates and deletes only these). */
export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const MANAGED_BY = 'cairn';
/** The reporting controller named on cairn's Events: the CSI driver's name. */
export const REPORTING_CONTROLLER = 'csi.cairn.io';
/** The source component named on cairn's Events. */
export const SOURCE_COMPONENT = 'cairn-manager';

/** Longest Event message written (the events.k8s.io API's limit; core/v1 takes it too). */
const MAX_MESSAGE = 1024;

/** An Event's name: the claim's, then a suffix (Kubernetes' recorder uses a timestamp there), at most 253 characters. */
export function eventName(pvcName: string, suffix: string): string {
  const tail = `.cairn-${suffix}`;
  return `${pvcName.slice(0, 253 - tail.length)}${tail}`;
}

/**
 * A core/v1 Event about PVC `ev.pvc` (its uid lets `kubectl describe pvc` find it), first said at
 * `now`. Legacy-style (count, firstTimestamp, lastTimestamp, source), as client-go's recorder
 * writes them to core/v1, plus reportingComponent/Instance.
 */
export function eventObject(ev: PvcEvent, o: { uid: string; now: Date; instance: string }): CoreV1Event {
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: eventName(ev.pvc.pvcName, ev.suffix), namespace: ev.pvc.pvcNamespace },
    involvedObject: {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      namespace: ev.pvc.pvcNamespace,
      name: ev.pvc.pvcName,
      uid: o.uid,
    },
    type: ev.type,
    reason: ev.reason,
    message: ev.message.slice(0, MAX_MESSAGE),
    count: 1,
    firstTimestamp: o.now,
    lastTimestamp: o.now,
    source: { component: SOURCE_COMPONENT },
    reportingComponent: REPORTING_CONTROLLER,
    reportingInstance: o.instance,
  };
}

/** The merge patch that says an Event again: its count and when it was last seen. */
export function eventRepeatPatch(count: number, now: Date): { count: number; lastTimestamp: string } {
  return { count, lastTimestamp: now.toISOString() };
}

/**
 * Why a guard pod and not the agent's own: `kubectl drain` never evicts a DaemonSet's pods (it
 * skips them under --ignore-daemonsets and refuses to start without it), so a budget on the agent
 * pod would block nothing. Longhorn's budgets protect its instance-manager pods, which are plain
 * pods with a controller owner; the guard is that: a pause container pinned to the node
 * (spec.nodeName), owned by the Node (so drain evicts it without --force, and it goes when the Node
 * is deleted), tolerating every taint (a cordoned node's included). Its budget's eviction refusal
 * is what makes `kubectl drain` wait. Its securityContext meets the "restricted" Pod Security level.
 */
export const GUARD_COMPONENT_LABEL = 'app.kubernetes.io/component';
export const GUARD_COMPONENT = 'drain-guard';
/** The guard's image: the pause image every kubelet already uses for pod sandboxes (--drain-guard-image changes it). */
export const DEFAULT_GUARD_IMAGE = 'registry.k8s.io/pause:3.10';

/** The name of node `nodeId`'s drain budget, and of the guard pod it protects. */
export function pdbName(nodeId: string): string {
  return `cairn-drain-${nodeId}`;
}

const guardLabels = (nodeId: string): Record<string, string> => ({
  [MANAGED_BY_LABEL]: MANAGED_BY,
  [NODE_ID_LABEL]: nodeId,
  [GUARD_COMPONENT_LABEL]: GUARD_COMPONENT,
});

/** The budget that keeps node `nodeId`'s guard pod from being evicted: minAvailable 1 of the node's guard. */
export function pdbObject(nodeId: string, namespace: string): V1PodDisruptionBudget {
  return {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: { name: pdbName(nodeId), namespace, labels: guardLabels(nodeId) },
    spec: {
      minAvailable: 1,
      selector: { matchLabels: { [NODE_ID_LABEL]: nodeId, [GUARD_COMPONENT_LABEL]: GUARD_COMPONENT } },
    },
  };
}

/** Node `nodeId`'s guard pod (see GUARD_COMPONENT_LABEL): on that node, owned by its Node object (uid `nodeUid`). */
export function guardPodObject(nodeId: string, nodeUid: string, namespace: string, image = DEFAULT_GUARD_IMAGE): V1Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: pdbName(nodeId),
      namespace,
      labels: guardLabels(nodeId),
      ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: nodeId, uid: nodeUid, controller: true }],
    },
    spec: {
      nodeName: nodeId,
      tolerations: [{ operator: 'Exists' }],
      automountServiceAccountToken: false,
      terminationGracePeriodSeconds: 0,
      containers: [
        {
          name: 'guard',
          image,
          resources: { requests: { cpu: '1m', memory: '4Mi' }, limits: { memory: '16Mi' } },
          securityContext: {
            allowPrivilegeEscalation: false,
            readOnlyRootFilesystem: true,
            runAsNonRoot: true,
            runAsUser: 65535,
            capabilities: { drop: ['ALL'] },
            seccompProfile: { type: 'RuntimeDefault' },
          },
        },
      ],
    },
  };
}

/** The merge patch an agent applies to its own pod so that its node's budget selects it. */
export function podLabelPatch(nodeId: string): { metadata: { labels: Record<string, string> } } {
  return { metadata: { labels: { [NODE_ID_LABEL]: nodeId } } };
}
