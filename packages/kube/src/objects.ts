// The Kubernetes objects cairn writes, built from decisions: core/v1 Events on PVCs, policy/v1
// PodDisruptionBudgets on agent pods, and the label an agent puts on its own pod. Pure builders:
// the client (client.ts) sends exactly these.
import type { CoreV1Event, V1PodDisruptionBudget } from '@kubernetes/client-node';
import type { PvcEvent } from './decisions/pvc-events.js';

/** The label an agent puts on its own pod, and that a drain budget selects: the cairn node id. */
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
    apiVersion: 'v1', kind: 'Event',
    metadata: { name: eventName(ev.pvc.pvcName, ev.suffix), namespace: ev.pvc.pvcNamespace },
    involvedObject: { apiVersion: 'v1', kind: 'PersistentVolumeClaim', namespace: ev.pvc.pvcNamespace, name: ev.pvc.pvcName, uid: o.uid },
    type: ev.type, reason: ev.reason, message: ev.message.slice(0, MAX_MESSAGE),
    count: 1, firstTimestamp: o.now, lastTimestamp: o.now,
    source: { component: SOURCE_COMPONENT },
    reportingComponent: REPORTING_CONTROLLER, reportingInstance: o.instance,
  };
}

/** The merge patch that says an Event again: its count and when it was last seen. */
export function eventRepeatPatch(count: number, now: Date): { count: number; lastTimestamp: string } {
  return { count, lastTimestamp: now.toISOString() };
}

/** The name of node `nodeId`'s drain budget. */
export function pdbName(nodeId: string): string {
  return `cairn-drain-${nodeId}`;
}

/** The budget that keeps node `nodeId`'s agent pod from being evicted: minAvailable 1 of the pods labelled with the node's id. */
export function pdbObject(nodeId: string, namespace: string): V1PodDisruptionBudget {
  return {
    apiVersion: 'policy/v1', kind: 'PodDisruptionBudget',
    metadata: { name: pdbName(nodeId), namespace, labels: { [MANAGED_BY_LABEL]: MANAGED_BY, [NODE_ID_LABEL]: nodeId } },
    spec: { minAvailable: 1, selector: { matchLabels: { [NODE_ID_LABEL]: nodeId } } },
  };
}

/** The merge patch an agent applies to its own pod so that its node's budget selects it. */
export function podLabelPatch(nodeId: string): { metadata: { labels: Record<string, string> } } {
  return { metadata: { labels: { [NODE_ID_LABEL]: nodeId } } };
}
