// DIR/cluster.json: what `cairn up` started and where (the admin address, the token file, etcd,
// every process id). `cairn down` and `cairn status` read it; so does the CLI's config resolution.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { EtcdCredentialFiles } from '@cairn/metadata';
import { grpcAdminApi } from './client.js';
import type { AdminApi } from './client.js';

export interface ClusterFile {
  dir: string;
  admin: string;
  token: string;
  /** The CA certificate (PEM) every process's certificate is checked against; absent: no TLS (`up --no-tls`). */
  tlsCa?: string;
  etcd: string[];
  /**
   * The files the managers prove themselves to etcd with (`up`: the CA, the managers' client
   * certificate and key under DIR/pki; with --etcd, what the user gave). Absent: plain etcd.
   */
  etcdCredentials?: EtcdCredentialFiles;
  etcdPids: number[];
  /** csiEndpoint: unix:///path of the CSI Identity + Controller services. The first of `managers`. */
  manager: { id: string; pid: number; log: string; csiEndpoint: string; ui?: string };
  /**
   * Every manager `up` started (--managers N), each on a fixed address so a restarted one comes
   * back where agents and clients knew it. command: the argv that (re)starts it (`cairn restart`).
   */
  managers?: {
    id: string;
    pid: number;
    log: string;
    address: string;
    csiEndpoint: string;
    command: string[];
    /** The web UI's URL (--ui-listen). */ ui?: string;
    metrics?: string;
  }[];
  /** The etcd members `up` started; command restarts one on its data. */
  etcdMembers?: { name: string; pid: number; clientUrl: string; log: string; command: string[] }[];
  /**
   * csiEndpoint: unix:///path of each node's CSI Identity + Node services. command: its argv.
   * metrics (here and on managers): host:port of its Prometheus /metrics (docs/metrics.md).
   */
  nodes: {
    id: string;
    pid: number;
    zone: string;
    disk: string;
    log: string;
    csiEndpoint: string;
    command?: string[];
    metrics?: string;
  }[];
  startedAt: string;
}

export function clusterFilePath(dir: string): string {
  return join(resolve(dir), 'cluster.json');
}

export function readClusterFile(dir: string): ClusterFile | null {
  const p = clusterFilePath(dir);
  if (!existsSync(p)) return null;
  return JSON.parse(readFileSync(p, 'utf8')) as ClusterFile;
}

export function writeClusterFile(c: ClusterFile): void {
  writeFileSync(clusterFilePath(c.dir), JSON.stringify(c, null, 2) + '\n');
}

/** The admin API of the cluster `up` started (the CLI's own client). */
export function clusterApi(c: ClusterFile, timeoutMs = 3000): AdminApi {
  return grpcAdminApi({
    endpoint: c.admin,
    token: readFileSync(c.token, 'utf8').trim(),
    tokenSource: c.token,
    timeoutMs,
    ...(c.tlsCa ? { tlsCa: readFileSync(c.tlsCa) } : {}),
  });
}
