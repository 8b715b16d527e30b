// The UI's one way to the cluster: the manager's own admin gRPC service, called with the
// browser's token. Authorization (admin token only; node tokens refused) and every validation stay
// in the admin API; the UI adds none of its own. Only the methods in FORWARDED are reachable.
import * as grpc from '@grpc/grpc-js';
import { adminClient } from '@cairn/api';
import type { AdminClient } from '@cairn/api';

/**
 * The admin methods the UI may call with a JSON body, the same calls the CLI makes: reads, and the
 * actions of its pages (volume create/delete/attach/detach/expand/snapshot, node and disk edits).
 */
export const FORWARDED = new Set([
  'GetClusterInfo',
  'ListVolumes',
  'GetVolume',
  'ExplainVolume',
  'ListNodes',
  'GetSettings',
  'ListSnapshots',
  'ListBackups',
  'GetBackupTarget',
  'ListRecurringJobs',
  'CreateVolume',
  'DeleteVolume',
  'AttachVolume',
  'DetachVolume',
  'ExpandVolume',
  'UpdateVolume',
  'CreateSnapshot',
  'DeleteSnapshot',
  'CreateBackup',
  'UpdateNode',
  'UpdateDisk',
  'UpdateSettings',
]);

export interface AdminTarget {
  /** host:port of the manager's admin gRPC service. */
  endpoint: string;
  /** The CA its certificate is checked against (TLS); absent: plaintext. */
  ca?: Buffer | undefined;
  /** The name its certificate carries, when the endpoint's host is not. */
  serverName?: string | undefined;
  /** Deadline of a unary call, ms. */
  timeoutMs?: number;
}

/** An admin error as the UI shows it: the gRPC code's name and the API's own words. */
export class AdminError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

function asAdminError(e: unknown): AdminError {
  const err = e as grpc.ServiceError;
  if (typeof err?.code === 'number')
    return new AdminError(grpc.status[err.code] ?? 'UNKNOWN', err.details || err.message);
  return new AdminError('INTERNAL', e instanceof Error ? e.message : String(e));
}

type Unary = (
  req: unknown,
  md: grpc.Metadata,
  o: grpc.CallOptions,
  cb: (e: grpc.ServiceError | null, r: unknown) => void,
) => void;

/** One channel to the manager; each call carries its caller's token. */
export class AdminForwarder {
  private readonly client: AdminClient;

  constructor(private readonly t: AdminTarget) {
    this.client = adminClient(t.endpoint, {
      ...(t.ca ? { tlsCa: t.ca } : {}),
      ...(t.serverName ? { tlsServerName: t.serverName } : {}),
    });
  }

  private metadata(token: string): grpc.Metadata {
    const md = new grpc.Metadata();
    md.set('authorization', `Bearer ${token}`);
    return md;
  }

  /** Calls unary method `method` (one of FORWARDED) as the holder of `token`; rejects with AdminError. */
  call<T = unknown>(method: string, req: unknown, token: string): Promise<T> {
    if (!FORWARDED.has(method)) return Promise.reject(new AdminError('NOT_FOUND', `no UI call ${method}`));
    const fn = (this.client as unknown as Record<string, Unary>)[method]!.bind(this.client);
    return new Promise((resolve, reject) => {
      fn(req ?? {}, this.metadata(token), { deadline: Date.now() + (this.t.timeoutMs ?? 15_000) }, (e, r) =>
        e ? reject(asAdminError(e)) : resolve(r as T),
      );
    });
  }

  /**
   * Follows the log from `fromSeq`, calling onEvent for each; returns a function that stops it.
   * onEnd is called once when the stream ends for any reason other than that stop.
   */
  watch(
    fromSeq: number,
    token: string,
    onEvent: (ev: Record<string, unknown>) => void,
    onEnd: (e: AdminError | null) => void,
  ): () => void {
    const stream = this.client.WatchEvents({ fromSeq, follow: true }, this.metadata(token));
    let stopped = false;
    stream.on('data', (ev: Record<string, unknown>) => onEvent(ev));
    stream.on('error', (e) => {
      if (!stopped) onEnd(asAdminError(e));
      stopped = true;
    });
    stream.on('end', () => {
      if (!stopped) onEnd(null);
      stopped = true;
    });
    return () => {
      stopped = true;
      stream.cancel();
    };
  }

  close(): void {
    this.client.close();
  }
}

/** HTTP status for an admin error code: the one mapping the UI's JSON answers use. */
export function httpStatus(code: string): number {
  switch (code) {
    case 'UNAUTHENTICATED':
      return 401;
    case 'PERMISSION_DENIED':
      return 403;
    case 'NOT_FOUND':
      return 404;
    case 'INVALID_ARGUMENT':
    case 'OUT_OF_RANGE':
      return 400;
    case 'ALREADY_EXISTS':
    case 'FAILED_PRECONDITION':
    case 'ABORTED':
      return 409;
    case 'UNAVAILABLE':
    case 'DEADLINE_EXCEEDED':
      return 503;
    default:
      return 500;
  }
}
