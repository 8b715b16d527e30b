// Leader election on an etcd lease, with a fencing token.
//
// Each candidate puts a key under the election prefix, bound to its lease; the candidate whose key
// has the lowest create revision leads. Its fence is that key and create revision: EventLog's
// fenced append compares them in the same Txn, so a deposed leader (its lease expired, its key
// gone) can never append, whatever it believes.
//
// "Stops deciding at once": the candidate also keeps its own clock on the lease. If no keepalive
// has succeeded for most of the TTL it declares itself deposed before etcd does, so it stops
// issuing decisions that would be refused anyway. The etcd3 package waits two TTLs before it
// reports a lost lease; that is too late for a leader.
import type { Etcd3, Lease, Watcher } from 'etcd3';
import { BehaviorSubject } from 'rxjs';
import type { Observable } from 'rxjs';
import type { Fence } from './log.js';
import { Keys } from './keys.js';

export interface ElectionOptions {
  /** Election name: one leader per name (e.g. "manager"). */
  name?: string;
  /** This candidate's id, stored as the key's value (shown as the leader's identity). */
  id: string;
  /** Lease TTL in seconds. */
  ttlSeconds?: number;
  prefix?: string;
  /** Wall clock for the local lease guard; injected for tests. */
  clock?: () => number;
}

export interface LeaderInfo {
  id: string;
  key: string;
  createRevision: string;
}

export class LeaderElection {
  private readonly keys: Keys;
  private readonly name: string;
  private readonly ttl: number;
  private readonly clock: () => number;
  private lease: Lease | null = null;
  private key = '';
  private createRevision = '';
  private watcher: Watcher | null = null;
  private wakeWait: (() => void) | null = null;
  private guard: NodeJS.Timeout | null = null;
  private lastKeepaliveSentMs = 0;
  private lastKeepaliveOkMs = 0;
  private stopped = false;
  private readonly leading = new BehaviorSubject<Fence | null>(null);

  constructor(
    private readonly client: Etcd3,
    private readonly opts: ElectionOptions,
  ) {
    this.keys = new Keys(opts.prefix);
    this.name = opts.name ?? 'manager';
    this.ttl = opts.ttlSeconds ?? 5;
    this.clock = opts.clock ?? Date.now;
    if (!Number.isInteger(this.ttl) || this.ttl < 1)
      throw new TypeError(`ttlSeconds must be a whole number >= 1, got ${this.ttl}`);
  }

  /** The fence while this candidate leads, null otherwise; completes after resign or loss. */
  get fence$(): Observable<Fence | null> {
    return this.leading.asObservable();
  }

  /** The current fence, or null when not leading. */
  fence(): Fence | null {
    return this.leading.value;
  }

  /**
   * Joins the election and resolves once this candidate leads (or rejects when its lease is lost
   * first). A candidate that lost its lease is done: create a new LeaderElection to run again.
   */
  async campaign(): Promise<Fence> {
    if (this.lease) throw new Error('campaign() was already called on this election');
    const lease = this.client.lease(this.ttl);
    this.lease = lease;
    lease.on('lost', () => this.lose());
    lease.on('keepaliveFired', () => (this.lastKeepaliveSentMs = this.clock()));
    lease.on('keepaliveSucceeded', () => (this.lastKeepaliveOkMs = this.lastKeepaliveSentMs || this.clock()));
    const leaseId = await lease.grant();
    this.lastKeepaliveOkMs = this.clock();
    this.key = `${this.keys.election(this.name)}${BigInt(leaseId).toString(16)}`;
    const res = await this.client
      .if(this.key, 'Create', '==', 0)
      .then(this.client.put(this.key).value(this.opts.id).lease(leaseId))
      .else(this.client.get(this.key))
      .commit();
    this.createRevision = String(res.header.revision);
    this.startGuard();

    for (;;) {
      if (this.stopped) throw new Error('election stopped before this candidate was elected');
      const all = await this.client.getAll().prefix(this.keys.election(this.name)).sort('Create', 'Ascend').exec();
      const mine = all.kvs.findIndex((kv) => kv.key.toString() === this.key);
      if (mine < 0) {
        this.lose();
        throw new Error('election key vanished: the lease expired');
      }
      if (mine === 0) {
        const fence = { key: this.key, createRevision: this.createRevision };
        if (this.stopped) throw new Error('election stopped before this candidate was elected');
        this.leading.next(fence);
        return fence;
      }
      // Wait for the candidate just before us to go (not the leader: no thundering herd).
      await this.waitForDelete(all.kvs[mine - 1]!.key.toString(), String(all.header.revision));
    }
  }

  /** Who leads now, from etcd (any process can ask). */
  async leader(): Promise<LeaderInfo | null> {
    const res = await this.client
      .getAll()
      .prefix(this.keys.election(this.name))
      .sort('Create', 'Ascend')
      .limit(1)
      .exec();
    const kv = res.kvs[0];
    return kv ? { id: kv.value.toString(), key: kv.key.toString(), createRevision: String(kv.create_revision) } : null;
  }

  /** Steps down: revokes the lease, so another candidate takes over at once. */
  async resign(): Promise<void> {
    const lease = this.lease;
    this.lose();
    if (lease) await lease.revoke().catch(() => undefined);
  }

  private waitForDelete(key: string, revision: string): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const done = (): void => {
        const w = this.watcher;
        this.watcher = null;
        this.wakeWait = null;
        if (w) void w.cancel().catch(() => undefined);
        resolve();
      };
      this.wakeWait = done;
      this.client
        .watch()
        .key(key)
        .startRevision(String(BigInt(revision) + 1n))
        .create()
        .then((w) => {
          this.watcher = w;
          w.on('delete', done);
          // On any stream trouble, re-check from scratch rather than trust a resumed watch.
          w.on('disconnected', done);
          w.on('error', done);
          if (this.stopped) done();
        }, reject);
    });
  }

  private startGuard(): void {
    const limitMs = this.ttl * 1000 * 0.8;
    this.guard = setInterval(
      () => {
        if (this.clock() - this.lastKeepaliveOkMs > limitMs) this.lose();
      },
      Math.max(50, Math.min(500, limitMs / 4)),
    );
    this.guard.unref();
  }

  private lose(): void {
    if (this.stopped) return;
    this.stopped = true;
    if (this.guard) clearInterval(this.guard);
    this.guard = null;
    this.wakeWait?.();
    this.lease?.release();
    if (this.leading.value !== null) this.leading.next(null);
    this.leading.complete();
  }
}
