// The admin API as promises and async iterables: what commands call. The interface and its gRPC
// implementation are @cairn/api's (shared with the CSI Controller); this binds it to the CLI's
// connection (address, token, CA, --timeout), and commands can be run in-process against a fake.
import { adminApi } from '@cairn/api';
import type { AdminApi } from '@cairn/api';
import type { Connection } from './config.js';

export type { AdminApi };

/** An AdminApi over gRPC; each unary call has the connection's deadline. */
export function grpcAdminApi(conn: Connection): AdminApi {
  return adminApi(conn.endpoint, {
    ...(conn.token !== undefined ? { token: conn.token } : {}),
    ...(conn.tlsCa ? { tlsCa: conn.tlsCa } : {}),
    timeoutMs: conn.timeoutMs,
  });
}
