// The UI's HTTP(S) server: the static page (web/), the vendored preact and htm modules, and a JSON
// API that forwards to the manager's admin gRPC service with the caller's credential (admin.ts).
// A separate server from gRPC and /metrics; HTTPS with the manager's certificate when it has one.
//   POST /login {token}        checks the token with the admin API, sets the session cookie
//   POST /logout               ends the session
//   GET  /session              {loggedIn}: whether this browser has a live session
//   GET  /api/dashboard        ListVolumes' counts (a one-volume page) + ListNodes, as views.ts's dashboard
//   GET  /api/volumes?offset&limit&q&robustness   one ListVolumes page (the manager matches and cuts it)
//   POST /api/call/METHOD      JSON request -> admin METHOD (admin.ts FORWARDED) -> JSON answer
//   GET  /api/events?from&volume   server-sent events fed by WatchEvents (follow)
// Every /api call needs a session cookie or `Authorization: Bearer <admin token>`; errors are
// {code, error} with the admin API's words and the HTTP status of httpStatus().
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import type { ListNodesResponse__Output, ListVolumesResponse__Output, SettingsResponse__Output } from '@cairn/api';
import { AdminError, AdminForwarder, httpStatus } from './admin.js';
import type { AdminTarget } from './admin.js';
import { sessionCookie, sessionOf, Sessions } from './sessions.js';
import { dashboard, eventJson, pageQuery, pageRequest, volumePage } from './views.js';

/** The port documented for the UI (Longhorn's UI is on 8000 too); `cairn up` picks a free one. */
export const DEFAULT_UI_PORT = 8000;

export interface UiServerOptions {
  /** host:port to listen on (port 0: any free port). */
  listen: string;
  /** The manager's admin service, called with each browser's token. */
  admin: AdminTarget;
  /** Serve HTTPS with this certificate and key (PEM): the manager's. */
  tls?: { cert: Buffer; key: Buffer } | undefined;
  log?: (line: string) => void;
}

const WEB = fileURLToPath(new URL('../../web/', import.meta.url));
const MAX_BODY = 1 << 20;

/** The browser modules the page imports, by URL: our own and preact/htm from node_modules. */
function assets(): Map<string, { type: string; body: Buffer }> {
  const js = 'text/javascript; charset=utf-8';
  const file = (p: string): Buffer => readFileSync(p);
  const dep = (spec: string): Buffer => file(fileURLToPath(import.meta.resolve(spec)));
  return new Map([
    ['/app.js', { type: js, body: file(`${WEB}app.js`) }],
    ['/style.css', { type: 'text/css; charset=utf-8', body: file(`${WEB}style.css`) }],
    ['/vendor/preact.mjs', { type: js, body: dep('preact') }],
    ['/vendor/hooks.mjs', { type: js, body: dep('preact/hooks') }],
    ['/vendor/htm.mjs', { type: js, body: dep('htm') }],
  ]);
}

const IMPORT_MAP = JSON.stringify({
  imports: { preact: '/vendor/preact.mjs', 'preact/hooks': '/vendor/hooks.mjs', htm: '/vendor/htm.mjs' },
});

function indexHtml(): { body: Buffer; csp: string } {
  const body = readFileSync(`${WEB}index.html`, 'utf8').replace(
    '<!--IMPORTMAP-->',
    `<script type="importmap">${IMPORT_MAP}</script>`,
  );
  const hash = createHash('sha256').update(IMPORT_MAP).digest('base64');
  const csp =
    `default-src 'self'; script-src 'self' 'sha256-${hash}'; style-src 'self'; img-src 'self' data:;` +
    ` connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'`;
  return { body: Buffer.from(body), csp };
}

export class UiServer {
  private readonly server: http.Server;
  private readonly forwarder: AdminForwarder;
  private readonly sessions = new Sessions();
  private readonly assets = assets();
  private readonly index = indexHtml();
  private readonly streams = new Set<() => void>();
  /** http(s)://host:port the UI answers on. */
  url = '';

  private constructor(private readonly o: UiServerOptions) {
    this.forwarder = new AdminForwarder(o.admin);
    const handler = (req: http.IncomingMessage, res: http.ServerResponse): void => {
      this.route(req, res).catch((e) => this.fail(res, e));
    };
    this.server = o.tls
      ? https.createServer({ cert: o.tls.cert, key: o.tls.key }, handler)
      : http.createServer(handler);
  }

  static async start(o: UiServerOptions): Promise<UiServer> {
    const s = new UiServer(o);
    const colon = o.listen.lastIndexOf(':');
    const host = o.listen.slice(0, colon).replace(/^\[|\]$/g, '');
    const port = Number(o.listen.slice(colon + 1));
    if (colon < 0 || !Number.isInteger(port) || port < 0 || port > 65535)
      throw new Error(`--ui-listen must be HOST:PORT, got "${o.listen}"`);
    await new Promise<void>((resolve, reject) => {
      s.server.once('error', reject);
      s.server.listen(port, host, () => resolve());
    });
    const bound = (s.server.address() as AddressInfo).port;
    const shown = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
    s.url = `${o.tls ? 'https' : 'http'}://${shown}:${bound}`;
    return s;
  }

  async close(): Promise<void> {
    for (const stop of this.streams) stop();
    this.streams.clear();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.forwarder.close();
  }

  private secure(): boolean {
    return Boolean(this.o.tls);
  }

  private send(
    res: http.ServerResponse,
    status: number,
    type: string,
    body: Buffer,
    req?: http.IncomingMessage,
    headers: http.OutgoingHttpHeaders = {},
  ): void {
    const gzip = body.length > 1024 && /\bgzip\b/.test(String(req?.headers['accept-encoding'] ?? ''));
    const out = gzip ? gzipSync(body) : body;
    res.writeHead(status, {
      'content-type': type,
      'content-length': out.length,
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'cache-control': 'no-store',
      ...(gzip ? { 'content-encoding': 'gzip', vary: 'accept-encoding' } : {}),
      ...headers,
    });
    res.end(out);
  }

  private json(
    res: http.ServerResponse,
    status: number,
    value: unknown,
    req?: http.IncomingMessage,
    headers: http.OutgoingHttpHeaders = {},
  ): void {
    this.send(res, status, 'application/json; charset=utf-8', Buffer.from(JSON.stringify(value)), req, headers);
  }

  private fail(res: http.ServerResponse, e: unknown): void {
    const err = e instanceof AdminError ? e : new AdminError('INTERNAL', e instanceof Error ? e.message : String(e));
    if (err.code === 'INTERNAL') this.o.log?.(`ui: ${err.message}`);
    if (res.headersSent) return void res.end();
    this.json(res, httpStatus(err.code), { code: err.code, error: err.message });
  }

  /** The caller's admin token: the session's, or an Authorization: Bearer header; null when neither. */
  private tokenOf(req: http.IncomingMessage): string | null {
    const auth = req.headers.authorization;
    if (auth?.startsWith('Bearer ')) return auth.slice(7);
    return this.sessions.token(sessionOf(req.headers.cookie));
  }

  private async body(req: http.IncomingMessage): Promise<unknown> {
    // A JSON body only: a cross-site form cannot send one without a preflight, which is refused.
    if (!String(req.headers['content-type'] ?? '').startsWith('application/json'))
      throw new AdminError('INVALID_ARGUMENT', 'send the request as application/json');
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const c of req) {
      size += (c as Buffer).length;
      if (size > MAX_BODY) throw new AdminError('INVALID_ARGUMENT', 'request body too large');
      chunks.push(c as Buffer);
    }
    const text = Buffer.concat(chunks).toString('utf8');
    try {
      return text ? JSON.parse(text) : {};
    } catch {
      throw new AdminError('INVALID_ARGUMENT', 'the request body is not JSON');
    }
  }

  /**
   * The log's head as this manager sees it, and a check of the token, for the price of one small
   * call (GetClusterInfo would also hash the whole state).
   */
  private async head(token: string): Promise<number> {
    return Number(
      (await this.forwarder.call<SettingsResponse__Output>('GetSettings', { name: 'default-replica-count' }, token))
        .seq,
    );
  }

  private async route(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://ui');
    const path = url.pathname;
    if (req.method === 'GET' && (path === '/' || path === '/index.html')) {
      return this.send(res, 200, 'text/html; charset=utf-8', this.index.body, req, {
        'content-security-policy': this.index.csp,
        'x-frame-options': 'DENY',
      });
    }
    const asset = this.assets.get(path);
    if (req.method === 'GET' && asset) return this.send(res, 200, asset.type, asset.body, req);
    if (req.method === 'POST' && path === '/login') return this.login(req, res);
    if (req.method === 'POST' && path === '/logout') {
      this.sessions.close(sessionOf(req.headers.cookie));
      return this.json(res, 200, {}, req, { 'set-cookie': sessionCookie(null, this.secure()) });
    }
    if (req.method === 'GET' && path === '/session')
      return this.json(res, 200, { loggedIn: this.tokenOf(req) !== null });
    if (!path.startsWith('/api/')) return this.json(res, 404, { code: 'NOT_FOUND', error: `nothing at ${path}` });
    const token = this.tokenOf(req);
    if (!token) return this.json(res, 401, { code: 'UNAUTHENTICATED', error: 'log in with the admin token' });
    if (req.method === 'GET' && path === '/api/dashboard') {
      // A one-volume page: the counts are over every volume, and only one view is made.
      const [seq, volumes, nodes] = await Promise.all([
        this.head(token),
        this.forwarder.call<ListVolumesResponse__Output>('ListVolumes', { limit: 1 }, token),
        this.forwarder.call<ListNodesResponse__Output>('ListNodes', {}, token),
      ]);
      return this.json(res, 200, dashboard(volumes.counts, nodes, seq), req);
    }
    if (req.method === 'GET' && path === '/api/volumes') {
      const page = pageQuery(url.searchParams);
      return this.json(
        res,
        200,
        volumePage(
          await this.forwarder.call<ListVolumesResponse__Output>('ListVolumes', pageRequest(page), token),
          page,
        ),
        req,
      );
    }
    if (req.method === 'GET' && path === '/api/events') return this.events(req, res, url.searchParams, token);
    const call = /^\/api\/call\/([A-Za-z]+)$/.exec(path);
    if (req.method === 'POST' && call) {
      return this.json(res, 200, await this.forwarder.call(call[1]!, await this.body(req), token), req);
    }
    return this.json(res, 404, { code: 'NOT_FOUND', error: `nothing at ${req.method} ${path}` });
  }

  private async login(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const body = (await this.body(req)) as { token?: unknown };
    const token = typeof body.token === 'string' ? body.token.trim() : '';
    if (!token) return this.json(res, 400, { code: 'INVALID_ARGUMENT', error: 'give the admin token' });
    // The admin API decides: a wrong token, or a node's, is refused there (UNAUTHENTICATED).
    await this.head(token);
    return this.json(res, 200, {}, req, { 'set-cookie': sessionCookie(this.sessions.open(token), this.secure()) });
  }

  /**
   * Server-sent events from WatchEvents: `from` (a seq; absent: the last `tail` events, 0 by
   * default) or the browser's Last-Event-ID on reconnection; `volume`: only that volume's events.
   */
  private async events(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    q: URLSearchParams,
    token: string,
  ): Promise<void> {
    const last = Number(req.headers['last-event-id']);
    let from = Number.isInteger(last) && last > 0 ? last + 1 : Number(q.get('from') ?? 0);
    if (!Number.isInteger(from) || from < 1) {
      const head = await this.head(token);
      from = Math.max(1, head + 1 - Math.max(0, Math.min(1000, Number(q.get('tail') ?? 0) || 0)));
    }
    const volume = q.get('volume') ?? '';
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
      connection: 'keep-alive',
    });
    res.write(': cairn events\n\n');
    const keepalive = setInterval(() => res.write(': keepalive\n\n'), 15_000);
    // Replica events name only their replica: its volume is the one it was scheduled for (the
    // stream of a volume's page starts at the volume's creation, so it sees every ReplicaScheduled).
    const replicaVolume = new Map<string, string>();
    const stop = this.forwarder.watch(
      from,
      token,
      (ev) => {
        const j = eventJson(ev as Parameters<typeof eventJson>[0]);
        const replica = typeof j.payload.replicaId === 'string' ? j.payload.replicaId : '';
        if (replica && j.volume) replicaVolume.set(replica, j.volume);
        else if (replica) j.volume = replicaVolume.get(replica) ?? '';
        // Only what is asked for: a reconnecting browser resumes after the last event it got.
        if (!volume || j.volume === volume) res.write(`id: ${j.seq}\ndata: ${JSON.stringify(j)}\n\n`);
      },
      (e) => {
        if (e) res.write(`event: failure\ndata: ${JSON.stringify({ code: e.code, error: e.message })}\n\n`);
        end();
      },
    );
    const end = (): void => {
      clearInterval(keepalive);
      stop();
      this.streams.delete(end);
      res.end();
    };
    this.streams.add(end);
    req.on('close', end);
  }
}

/** Starts the UI server (see UiServer). */
export function startUiServer(o: UiServerOptions): Promise<UiServer> {
  return UiServer.start(o);
}
