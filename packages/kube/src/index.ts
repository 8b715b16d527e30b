// @cairn/kube: what Kubernetes sees of cairn and what cairn reads from Kubernetes.
export * from './decisions/node.js';
export * from './decisions/pvc-events.js';
export * from './decisions/drain.js';
export * from './objects.js';
export * from './config.js';
export { KubeClient, errorText, statusOf } from './client.js';
export { PvcEventWriter } from './event-writer.js';
export type { EventOutcome } from './event-writer.js';
export { PdbReconciler } from './pdb-reconciler.js';
export * from './decisions/node-identity.js';
export { NodeAuthenticator } from './node-authenticator.js';
export type { NodeAuthenticatorOptions, NodeAuthResult } from './node-authenticator.js';
