// Node credentials checked by the Kubernetes API server: the thin I/O shell around
// decisions/node-identity.ts. A node call is answered only after its token is known good, so a
// review costs a round trip to the API server on the node's first call; heartbeats come every
// second, so a verdict is kept for a while (at most `cacheMs`, never past the token's own expiry),
// keyed by a hash of the token (the token itself is not kept). Refusals are not kept: a token that
// failed because the API server was unreachable is tried again on the next call.
import { createHash } from 'node:crypto';
import type { KubeClient } from './client.js';
import { errorText } from './client.js';
import { judgePod, judgeReview } from './decisions/node-identity.js';
import type { NodeAccount } from './decisions/node-identity.js';

export interface NodeAuthenticatorOptions {
  /** The audience the agents' projected tokens are made for (deploy/: "cairn"). */
  audience: string;
  account: NodeAccount;
  /** How long a verdict is kept (default 60 s). */
  cacheMs?: number;
  /** Injected clock (ms). */
  now?: () => number;
}

/** The node a token proves, or why it proves none. */
export type NodeAuthResult = { nodeId: string } | { refused: string };

export class NodeAuthenticator {
  private readonly cache = new Map<string, { nodeId: string; until: number }>();
  private readonly now: () => number;

  constructor(
    private readonly client: Pick<KubeClient, 'reviewToken' | 'readPod'>,
    private readonly o: NodeAuthenticatorOptions,
  ) {
    this.now = o.now ?? Date.now;
  }

  /** A token a Kubernetes service account could have: a JWT (three base64url parts). Others are not sent for review. */
  static looksLikeJwt(token: string): boolean {
    return /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(token) && token.startsWith('eyJ');
  }

  async nodeOf(token: string): Promise<NodeAuthResult> {
    if (!NodeAuthenticator.looksLikeJwt(token))
      return {
        refused: 'the token is not a Kubernetes service-account token (nor any other credential this manager knows)',
      };
    const key = createHash('sha256').update(token).digest('hex');
    const now = this.now();
    const hit = this.cache.get(key);
    if (hit && hit.until > now) return { nodeId: hit.nodeId };
    this.cache.delete(key);
    let verdict;
    try {
      const review = await this.client.reviewToken(token, [this.o.audience]);
      verdict = judgeReview(review, this.o.account);
      if (verdict.kind === 'read-pod')
        verdict = judgePod(await this.client.readPod(verdict.namespace, verdict.name), verdict);
    } catch (e) {
      return { refused: `the token could not be checked with the Kubernetes API server: ${errorText(e)}` };
    }
    if (verdict.kind !== 'node') return { refused: verdict.kind === 'refused' ? verdict.reason : 'no node' };
    this.cache.set(key, {
      nodeId: verdict.nodeId,
      until: Math.min(now + (this.o.cacheMs ?? 60_000), expiryOf(token) ?? Infinity),
    });
    if (this.cache.size > 10_000) this.prune(now);
    return { nodeId: verdict.nodeId };
  }

  private prune(now: number): void {
    for (const [k, v] of this.cache) if (v.until <= now) this.cache.delete(k);
  }
}

/** The `exp` claim (ms) of a JWT the API server has already verified, or undefined. */
function expiryOf(token: string): number | undefined {
  try {
    const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as { exp?: unknown };
    return typeof claims.exp === 'number' ? claims.exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}
