// The part of the manager's admin API the Controller uses: @cairn/api's promise client, with every
// failure turned into a CsiError already carrying the spec's code (errors.ts fromAdmin), so
// handlers never see a raw admin error.
import { status } from '@grpc/grpc-js';
import { adminApi } from '@cairn/api';
import type { AdminApi, Volume__Output } from '@cairn/api';
import { CsiError, fromAdmin } from './errors.js';

export type ControllerAdmin = Pick<
  AdminApi,
  | 'createVolume'
  | 'getVolume'
  | 'listVolumes'
  | 'expandVolume'
  | 'deleteVolume'
  | 'attachVolume'
  | 'detachVolume'
  | 'listNodes'
  | 'getSettings'
  | 'createSnapshot'
  | 'listSnapshots'
  | 'deleteSnapshot'
  | 'getClusterInfo'
  | 'close'
> & {
  /** The volume, or null when it does not exist. */
  findVolume(name: string): Promise<Volume__Output | null>;
};

export interface AdminConnection {
  endpoint: string;
  token: string;
  ca?: Buffer;
  /** The name the manager's certificate must carry, when `endpoint`'s host (a pod IP) is not in it. */
  serverName?: string | undefined;
  /** Deadline of each call. */
  timeoutMs?: number;
}

export function controllerAdmin(conn: AdminConnection): ControllerAdmin {
  const api = adminApi(conn.endpoint, {
    token: conn.token,
    ...(conn.ca ? { tlsCa: conn.ca, ...(conn.serverName ? { tlsServerName: conn.serverName } : {}) } : {}),
    timeoutMs: conn.timeoutMs ?? 15_000,
    mapError: fromAdmin,
  });
  return {
    ...api,
    findVolume: (name) =>
      api.getVolume({ name }).catch((e: unknown) => {
        if (e instanceof CsiError && e.code === status.NOT_FOUND) return null;
        throw e;
      }),
  };
}
