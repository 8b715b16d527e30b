// A real local cluster for end-to-end tests: `cairn up --detach` in a temp dir, torn down after.
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { AdminClient } from '@cairn/api';
import { adminClient } from '@cairn/api';
import { readEtcdCredentials } from '@cairn/metadata';
import type { EtcdCredentialFiles, EtcdCredentials } from '@cairn/metadata';
import type { EventEnvelope__Output } from '@cairn/schema/events';
import { callAdmin, callAdminUnchecked } from './grpc-types.js';
import type { AdminMethod, AdminRequest, AdminResponse } from './grpc-types.js';

export const CAIRN = fileURLToPath(new URL('../../../packages/cli/dist/src/main.js', import.meta.url));
const execFileP = promisify(execFile);

export interface ClusterInfo {
  dir: string;
  admin: string;
  token: string;
  /** The cluster CA (PEM file) when the cluster serves TLS (`cairn up` without --no-tls). */
  tlsCa?: string;
  etcd: string[];
  /** The managers' etcd credential files (`cairn up` turns TLS and etcd auth on). */
  etcdCredentials?: EtcdCredentialFiles;
  etcdPids: number[];
  manager: { id: string; pid: number; log: string; csiEndpoint: string };
  nodes: { id: string; pid: number; zone: string; disk: string; log: string; csiEndpoint: string }[];
}

export interface TestCluster {
  dir: string;
  info: ClusterInfo;
  /** What `cairn up` printed (its start-up steps, then "cairn is up: ..."). */
  upOutput: string;
  token: string;
  /** An admin client on the cluster's manager (or another address). */
  admin(address?: string, token?: string): AdminClient;
  /** Calls a unary admin RPC and resolves with its answer. */
  call<M extends AdminMethod>(method: M, req: AdminRequest<M>, client?: AdminClient): Promise<AdminResponse<M>>;
  /** `call` with an untyped request and answer: for tables of calls to different methods. */
  callUnchecked(method: AdminMethod, req: object, client?: AdminClient): Promise<unknown>;
  /** The events appended after `seq`, up to the head at the time of the call. */
  eventsAfter(seq: number): Promise<EventEnvelope__Output[]>;
  /** Runs the cairn CLI against this cluster; resolves with its output and exit code. */
  cairn(args: string[], env?: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }>;
  down(): Promise<void>;
}

/** `cairn up --detach` with `nodes` node agents; `extra`: more `cairn up` flags (e.g. --managers 2). */
export async function startCluster(nodes = 3, extra: string[] = []): Promise<TestCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'cairn-e2e-'));
  const { stdout: upOutput } = await execFileP(
    process.execPath,
    [CAIRN, 'up', '--dir', dir, '--nodes', String(nodes), '--detach', ...extra],
    { timeout: 90_000 },
  );
  const info = JSON.parse(readFileSync(join(dir, 'cluster.json'), 'utf8')) as ClusterInfo;
  const token = readFileSync(info.token, 'utf8').trim();
  const clients: AdminClient[] = [];
  const admin = (address = info.admin, t = token): AdminClient => {
    const c = adminClient(address, { token: t, ...(info.tlsCa ? { tlsCa: readFileSync(info.tlsCa) } : {}) });
    clients.push(c);
    return c;
  };
  const main = admin();
  return {
    dir,
    info,
    token,
    admin,
    upOutput,
    call: (method, req, client = main) => callAdmin(client, method, req, 15_000),
    callUnchecked: (method, req, client = main) => callAdminUnchecked(client, method, req, 15_000),
    eventsAfter: (seq) =>
      new Promise((resolve, reject) => {
        const out: EventEnvelope__Output[] = [];
        const stream = main.WatchEvents({ fromSeq: seq + 1, follow: false });
        stream.on('data', (e: EventEnvelope__Output) => out.push(e));
        stream.on('end', () => resolve(out));
        stream.on('error', reject);
      }),
    cairn: (args, env = {}) =>
      new Promise((resolve) => {
        const child = spawn(process.execPath, [CAIRN, ...args], { cwd: dir, env: { ...process.env, ...env } });
        let stdout = '',
          stderr = '';
        child.stdout.on('data', (d) => (stdout += d));
        child.stderr.on('data', (d) => (stderr += d));
        child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
      }),
    async down() {
      for (const c of clients) c.close();
      // CAIRN_KEEP_CLUSTER=1: leave it running, files and all, to look into a failure (`cairn --cluster DIR/cluster.json events`).
      if (process.env.CAIRN_KEEP_CLUSTER) return;
      await execFileP(process.execPath, [CAIRN, 'down', '--dir', dir], { timeout: 30_000 }).catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** `cairn manager` flags that give another manager the cluster's etcd credentials. */
export function etcdFlags(info: { etcdCredentials?: EtcdCredentialFiles }): string[] {
  const f = info.etcdCredentials ?? {};
  return [...(f.ca ? ['--etcd-ca', f.ca] : []), ...(f.cert ? ['--etcd-cert', f.cert, '--etcd-key', f.key!] : [])];
}

/** The managers' etcd credentials, for a test that reads etcd as the managers do. */
export function etcdCredentials(info: { etcdCredentials?: EtcdCredentialFiles }): EtcdCredentials {
  return readEtcdCredentials(info.etcdCredentials ?? {});
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function eventually<T>(
  what: string,
  timeoutMs: number,
  probe: () => Promise<T | null | undefined | false>,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline)
      throw new Error(
        `timed out after ${timeoutMs} ms: ${what}${last ? ` (last error: ${(last as Error).message})` : ''}`,
      );
    await sleep(100);
  }
}
