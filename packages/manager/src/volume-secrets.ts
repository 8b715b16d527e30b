// Each volume's data secret (what its engine and replicas prove to each other in the replica
// handshake). Random, 32 bytes, made by whichever manager first needs it with an etcd Txn
// create-if-absent (so every manager agrees on it), stored under Keys.volumeSecrets: outside the
// event log, so it is never in an event, a snapshot, `cairn events` or `audit`, and never logged.
// Only the managers read it (node agents hold no etcd credentials); the node-facing service
// sends it only to the nodes that run that volume's replicas or engine (assignment-feed.ts).
//
// The stored value names the volume's createdSeq: a secret left by a deleted volume of the same
// name is stale, never reused. Volumes created before the managers kept secrets (createdSeq at
// or below the "since" seq, written once, create-if-absent, by the first manager of this kind)
// keep the secret their replicas already hold: HMAC(admin token, volume), as before. Those are
// the only derived ones; `legacy()` says which.
import { createHmac, randomBytes } from 'node:crypto';
import type { Etcd3 } from 'etcd3';
import type { Keys, VolumeState } from '@cairn/metadata';

/** The derived secret of a volume created before the managers kept random ones. */
export function volumeSecret(token: string, volume: string): string {
  return createHmac('sha256', token).update(`cairn-volume:${volume}`).digest('hex');
}

interface Stored {
  createdSeq: number;
  secret: string;
}

function parse(raw: string | Buffer | undefined): Stored | null {
  if (raw === undefined) return null;
  try {
    const v = JSON.parse(raw.toString()) as Stored;
    return typeof v.createdSeq === 'number' && typeof v.secret === 'string' && /^[0-9a-f]{64}$/.test(v.secret)
      ? v
      : null;
  } catch {
    return null;
  }
}

export class VolumeSecrets {
  private readonly known = new Map<string, Stored>();

  private constructor(
    private readonly client: Etcd3,
    private readonly keys: Keys,
    private readonly adminToken: string,
    readonly since: number,
  ) {}

  /**
   * Reads every stored secret, and the "since" seq (writing `headSeq` as it when no manager has
   * yet: this manager is the first to keep secrets, and every volume up to there is legacy).
   */
  static async open(client: Etcd3, keys: Keys, adminToken: string, headSeq: number): Promise<VolumeSecrets> {
    const res = await client
      .if(keys.volumeSecretsSince, 'Create', '==', 0)
      .then(client.put(keys.volumeSecretsSince).value(String(headSeq)))
      .else(client.get(keys.volumeSecretsSince))
      .commit();
    const kv = res.responses[0]?.response_range?.kvs?.[0];
    const since = res.succeeded ? headSeq : Number(kv?.value.toString());
    if (!Number.isInteger(since) || since < 0)
      throw new Error(`${keys.volumeSecretsSince} holds no seq: "${kv?.value.toString()}"`);
    const s = new VolumeSecrets(client, keys, adminToken, since);
    const all = await client.getAll().prefix(keys.volumeSecrets).strings();
    for (const [key, raw] of Object.entries(all)) {
      const v = parse(raw);
      if (v) s.known.set(key.slice(keys.volumeSecrets.length), v);
    }
    return s;
  }

  /** True for a volume that keeps the derived secret (created before secrets were kept). */
  legacy(v: VolumeState): boolean {
    return v.createdSeq <= this.since;
  }

  /** The volume's secret if this manager knows it now (legacy ones always), else undefined. */
  get(v: VolumeState): string | undefined {
    if (this.legacy(v)) return volumeSecret(this.adminToken, v.name);
    const k = this.known.get(v.name);
    return k && k.createdSeq === v.createdSeq ? k.secret : undefined;
  }

  /**
   * Makes sure the volume has a stored secret and this manager knows it: creates a random one
   * unless one is stored for this volume (another manager made it first: that one is kept).
   */
  async ensure(v: VolumeState): Promise<void> {
    if (this.get(v) !== undefined) return;
    const key = this.keys.volumeSecret(v.name);
    // One round trip when nothing is stored: put if absent, else read what is. What is there is
    // kept if it is this volume's; one left by an earlier volume of that name is replaced, only if
    // nobody changed it meanwhile.
    let seen: { mod_revision: string | number } | undefined;
    for (let attempt = 0; attempt < 5; attempt++) {
      const mine: Stored = { createdSeq: v.createdSeq, secret: randomBytes(32).toString('hex') };
      const guard = seen
        ? this.client.if(key, 'Mod', '==', String(seen.mod_revision))
        : this.client.if(key, 'Create', '==', 0);
      const res = await guard
        .then(this.client.put(key).value(JSON.stringify(mine)))
        .else(this.client.get(key))
        .commit();
      if (res.succeeded) {
        this.known.set(v.name, mine);
        return;
      }
      const kv = res.responses[0]?.response_range?.kvs?.[0];
      const stored = parse(kv?.value);
      if (stored && stored.createdSeq === v.createdSeq) {
        this.known.set(v.name, stored);
        return;
      }
      seen = kv;
    }
    throw new Error(`volume ${v.name}: its secret changed under every attempt to read it`);
  }

  /**
   * Forgets a deleted volume's secret and removes it from etcd, unless what is stored belongs to a
   * volume of that name created after the deletion at `deletedSeq`.
   */
  async remove(name: string, deletedSeq: number): Promise<void> {
    if ((this.known.get(name)?.createdSeq ?? Infinity) <= deletedSeq) this.known.delete(name);
    const key = this.keys.volumeSecret(name);
    const cur = await this.client.get(key).exec();
    const kv = cur.kvs[0];
    if (!kv) return;
    const stored = parse(kv.value);
    if (stored && stored.createdSeq > deletedSeq) return;
    await this.client.if(key, 'Mod', '==', String(kv.mod_revision)).then(this.client.delete().key(key)).commit();
  }
}

/**
 * The stored secret of a volume as etcd holds it (null: none stored, e.g. a legacy volume). For
 * tools that hold the managers' etcd access and must read replicas directly (the chaos suite).
 */
export async function readVolumeSecret(client: Etcd3, keys: Keys, volume: string): Promise<string | null> {
  return parse((await client.get(keys.volumeSecret(volume)).exec()).kvs[0]?.value)?.secret ?? null;
}
