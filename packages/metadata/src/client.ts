// One place that opens an etcd client with the fault handling the control plane expects:
// every unary call has a deadline, failed hosts are skipped for a while, and watch streams
// reconnect quickly (the subscriber resumes by seq on its own; see subscribe.ts).
import { Etcd3 } from 'etcd3';
import { ExponentialBackoff } from 'cockatiel';

export interface EtcdClientOptions {
  /** Deadline of each unary call, ms. */
  callTimeoutMs?: number;
}

export function openEtcd(endpoints: string[] | string, opts: EtcdClientOptions = {}): Etcd3 {
  const hosts = (Array.isArray(endpoints) ? endpoints : endpoints.split(',')).map((h) => h.trim()).filter(Boolean)
    .map((h) => (/^https?:\/\//.test(h) ? h : `http://${h}`));
  if (hosts.length === 0) throw new TypeError('no etcd endpoints given');
  const timeout = opts.callTimeoutMs ?? 5000;
  return new Etcd3({
    hosts,
    dialTimeout: 3000,
    // A page of the log or a snapshot chunk can exceed gRPC's default 4 MiB receive limit.
    grpcOptions: { 'grpc.max_receive_message_length': 128 * 1024 * 1024 },
    defaultCallOptions: (ctx) => (ctx.isStream ? {} : { deadline: Date.now() + timeout }),
    faultHandling: { watchBackoff: new ExponentialBackoff({ initialDelay: 50, maxDelay: 1000 }).next() },
  });
}
