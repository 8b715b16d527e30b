// A local HTTP server that plays the Kubernetes API server for the thin client's tests: it records
// every request (method, path with query, content type, JSON body) and answers from routes the test
// gives. No API server can run in CI (Kubernetes is not installable from the package registries
// here), so these tests check the requests against the documented API instead; the layer was
// checked once against a real kube-apiserver (see the package README).
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';

export interface Recorded {
  method: string;
  path: string;
  contentType: string;
  body: unknown;
}

/** A route's answer: a status and a JSON body, or a watch stream the test writes to. */
export type Answer = { status: number; body: unknown } | { watch: (res: ServerResponse) => void };
export type Route = (req: Recorded) => Answer | undefined;

export class Recorder {
  readonly requests: Recorded[] = [];
  private readonly routes: Route[] = [];
  private readonly waiters: { match: (r: Recorded) => boolean; resolve: (r: Recorded) => void }[] = [];
  private readonly streams = new Set<ServerResponse>();
  private server: Server | null = null;
  url = '';

  route(r: Route): this {
    this.routes.unshift(r);
    return this;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    for (const s of this.streams) s.end();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }

  /** A kubeconfig for this server (a bearer token user), as loadFromOptions takes it. */
  kubeConfig(): KubeConfig {
    const kc = new KubeConfig();
    kc.loadFromOptions(this.kubeConfigOptions());
    return kc;
  }

  kubeConfigOptions() {
    return {
      clusters: [{ name: 'recorder', server: this.url, skipTLSVerify: true }],
      users: [{ name: 'cairn', token: 'secret-token' }],
      contexts: [{ name: 'recorder', cluster: 'recorder', user: 'cairn' }],
      currentContext: 'recorder',
    };
  }

  /** The first recorded request that matches (waiting for it when none has come yet). */
  next(match: (r: Recorded) => boolean): Promise<Recorded> {
    const seen = this.requests.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve) => this.waiters.push({ match, resolve }));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let raw = '';
    for await (const chunk of req) raw += chunk;
    let body: unknown = raw;
    try {
      body = raw ? JSON.parse(raw) : undefined;
    } catch {
      /* kept as text */
    }
    const r: Recorded = {
      method: req.method ?? '',
      path: req.url ?? '',
      contentType: String(req.headers['content-type'] ?? ''),
      body,
    };
    if (req.headers.authorization !== 'Bearer secret-token') {
      res.writeHead(401).end();
      return;
    }
    this.requests.push(r);
    for (const w of [...this.waiters]) {
      if (w.match(r)) {
        this.waiters.splice(this.waiters.indexOf(w), 1);
        w.resolve(r);
      }
    }
    for (const route of this.routes) {
      const a = route(r);
      if (!a) continue;
      if ('watch' in a) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.flushHeaders();
        this.streams.add(res);
        res.on('close', () => this.streams.delete(res));
        a.watch(res);
        return;
      }
      res.writeHead(a.status, { 'content-type': 'application/json' }).end(JSON.stringify(a.body));
      return;
    }
    res
      .writeHead(404, { 'content-type': 'application/json' })
      .end(JSON.stringify(status(404, 'NotFound', `no route for ${r.method} ${r.path}`)));
  }
}

/** A metav1.Status, as the API server answers errors. */
export function status(code: number, reason: string, message: string) {
  return { apiVersion: 'v1', kind: 'Status', status: 'Failure', code, reason, message };
}

/** The answer that echoes the request's body (what create and patch return, near enough). */
export const echo =
  (code = 200) =>
  (r: Recorded): Answer => ({ status: code, body: r.body });

/** A route by method and path (the path without its query string). */
export function on(method: string, path: string | RegExp, answer: (r: Recorded) => Answer): Route {
  return (r) => {
    const p = r.path.split('?')[0]!;
    if (r.method !== method) return undefined;
    if (typeof path === 'string' ? p !== path : !path.test(p)) return undefined;
    return answer(r);
  };
}
