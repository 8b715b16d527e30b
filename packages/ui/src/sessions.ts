// Browser sessions of one UI server. POST /login checks the admin token against the admin API and
// gives the browser an HttpOnly, SameSite=Strict cookie holding a random session id, never the
// token: scripts in the page cannot read it, other sites cannot send it. The token stays in this
// process's memory and goes with each admin call the session makes. Sessions end on logout, after
// TTL of idleness, or when the manager restarts (log in again). The clock is injected for tests.
import { randomBytes } from 'node:crypto';

export const COOKIE = 'cairn_session';
/** Idle time after which a session ends. */
export const SESSION_TTL_MS = 12 * 3600_000;

export class Sessions {
  private readonly byId = new Map<string, { token: string; seen: number }>();

  constructor(
    private readonly now: () => number = Date.now,
    private readonly ttlMs = SESSION_TTL_MS,
  ) {}

  /** A new session for a token already accepted by the admin API; returns its id. */
  open(token: string): string {
    this.sweep();
    const id = randomBytes(24).toString('base64url');
    this.byId.set(id, { token, seen: this.now() });
    return id;
  }

  /** The token of a live session (refreshing it), or null. */
  token(id: string | null): string | null {
    if (!id) return null;
    const s = this.byId.get(id);
    if (!s) return null;
    if (this.now() - s.seen > this.ttlMs) {
      this.byId.delete(id);
      return null;
    }
    s.seen = this.now();
    return s.token;
  }

  close(id: string | null): void {
    if (id) this.byId.delete(id);
  }

  private sweep(): void {
    const now = this.now();
    for (const [id, s] of this.byId) if (now - s.seen > this.ttlMs) this.byId.delete(id);
  }
}

/** The session id in a Cookie header, or null. */
export function sessionOf(cookieHeader: string | undefined): string | null {
  for (const part of (cookieHeader ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === COOKIE) return part.slice(eq + 1).trim() || null;
  }
  return null;
}

/** The Set-Cookie value for a session (Secure when served over HTTPS); id null: the cookie removed. */
export function sessionCookie(id: string | null, secure: boolean): string {
  const attrs = `Path=/; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`;
  return id ? `${COOKIE}=${id}; ${attrs}` : `${COOKIE}=; ${attrs}; Max-Age=0`;
}
