// DIR/cluster.json: what `cairn up` started and where (the admin address, the token file, etcd,
// every process id). `cairn down` and `cairn status` read it; so does the CLI's config resolution.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { grpcAdminApi } from './client.js';
import type { AdminApi } from './client.js';

export interface ClusterFile {
  dir: string;
  admin: string;
  token: string;
  etcd: string[];
  etcdPids: number[];
  /** csiEndpoint: unix:///path of the CSI Identity + Controller services. */
  manager: { id: string; pid: number; log: string; csiEndpoint: string };
  /** csiEndpoint: unix:///path of each node's CSI Identity + Node services. */
  nodes: { id: string; pid: number; zone: string; disk: string; log: string; csiEndpoint: string }[];
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


/** The admin API of the cluster `up` started (the CLI's own client). */
export function clusterApi(c: ClusterFile, timeoutMs = 3000): AdminApi {
  return grpcAdminApi({ endpoint: c.admin, token: readFileSync(c.token, 'utf8').trim(), tokenSource: c.token, timeoutMs });
}
