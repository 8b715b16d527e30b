// The key layout in etcd. Everything cairn stores lives under one prefix (default /cairn/v1/),
// so tests and several clusters can share an etcd.

export const DEFAULT_PREFIX = '/cairn/v1/';
const SEQ_DIGITS = 16;

export function padSeq(seq: number): string {
  return String(seq).padStart(SEQ_DIGITS, '0');
}

export class Keys {
  constructor(readonly prefix: string = DEFAULT_PREFIX) {
    if (!prefix.endsWith('/')) throw new TypeError(`key prefix must end with "/": ${prefix}`);
  }
  /** Prefix of the event log; one key per event. */
  get log(): string {
    return `${this.prefix}log/`;
  }
  event(seq: number): string {
    return `${this.log}${padSeq(seq)}`;
  }
  /** Seq of an event key, or NaN for any other key. */
  seqOf(key: string): number {
    return key.startsWith(this.log) ? Number(key.slice(this.log.length)) : NaN;
  }
  /** The head: the seq of the newest event, written in the same Txn as the events. */
  get head(): string {
    return `${this.prefix}log-head`;
  }
  get snapshotManifests(): string {
    return `${this.prefix}snapshot-manifests/`;
  }
  snapshotManifest(seq: number): string {
    return `${this.snapshotManifests}${padSeq(seq)}`;
  }
  snapshotChunks(seq: number): string {
    return `${this.prefix}snapshot-chunks/${padSeq(seq)}/`;
  }
  snapshotChunk(seq: number, i: number): string {
    return `${this.snapshotChunks(seq)}${String(i).padStart(6, '0')}`;
  }
  election(name: string): string {
    return `${this.prefix}election/${name}/`;
  }
  /**
   * Each volume's data secret (random, written by the managers, outside the log: never in an
   * event, a snapshot or `audit`), and the seq before which volumes kept the old derived secret.
   */
  get volumeSecrets(): string {
    return `${this.prefix}volume-secrets/`;
  }
  volumeSecret(volume: string): string {
    return `${this.volumeSecrets}${volume}`;
  }
  get volumeSecretsSince(): string {
    return `${this.prefix}volume-secrets-since`;
  }
  /**
   * The backup target's credentials (AWS_ACCESS_KEY_ID, ... as JSON; outside the log like the
   * volume secrets, read only by managers), and the leader's last probe of the target (status).
   */
  get backupTargetCredentials(): string {
    return `${this.prefix}backup-target-credentials`;
  }
  get backupTargetStatus(): string {
    return `${this.prefix}status/backup-target`;
  }
  /** Each live manager's admin address, under that manager's lease (node agents learn them here). */
  get managers(): string {
    return `${this.prefix}managers/`;
  }
  manager(id: string): string {
    return `${this.managers}${id}`;
  }
  /** A node's status key: exists exactly while the node's heartbeats keep its lease alive (liveness). */
  get nodeStatuses(): string {
    return `${this.prefix}status/nodes/`;
  }
  nodeStatus(nodeId: string): string {
    return `${this.nodeStatuses}${nodeId}`;
  }
  /** The figures a node reported of a failed replica's store (salvage chooses by them), under the node's lease. */
  replicaFigures(replicaId: string): string {
    return `${this.prefix}status/replicas/${replicaId}`;
  }
  /** A running backup's percent done, as its node reported it to some manager, under that manager's lease. */
  get backupProgress(): string {
    return `${this.prefix}status/backup-progress/`;
  }
  backupProgressOf(volume: string, name: string): string {
    return `${this.backupProgress}${volume}/${name}`;
  }
}
