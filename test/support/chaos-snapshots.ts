// The chaos suite's rebuild-with-snapshots check (issue 13: "the chaos suite gains ... a
// rebuild-with-snapshots check"). Snapshots are taken of volumes under fio through the admin API;
// each one's content is hashed at the time through the engine's read-only `VOLUME@SNAP` NBD export
// (nbdcopy). After the faults (replica-node kills and data cuts force rebuilds, which must copy
// the snapshot chain), EVERY replica of each volume is read ALONE over its own replica connection
// (ReplicaClient.readSnapshot, authenticated with the volume's secret as the managers stored it
// in etcd) and must hold each snapshot with that exact content.
//
// Why a check that could not run is a problem and not a pass: a snapshot that was never taken, or
// a replica that cannot be reached or read at the end, proves nothing about the rebuild; the run
// reports it. The pure comparison is `compareSnapshots`; the rest is the I/O around it.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ReplicaClient } from '@cairn/datapath';
import type { ReplicaClientOptions } from '@cairn/datapath';
import { readVolumeSecret, volumeSecret } from '@cairn/manager';
import { Keys, openEtcd } from '@cairn/metadata';
import type { EtcdCredentialFiles } from '@cairn/metadata';
import { etcdCredentials } from './cluster.js';
import type { AdminMethod, AdminRequest, AdminResponse } from './grpc-types.js';
import { snapshotUri } from './nbd-uri.js';

const run = promisify(execFile);
const CHUNK = 8 * 2 ** 20;

/** A snapshot as taken: its content hash read through the engine right after it was served. */
export interface TakenSnapshot {
  volume: string;
  name: string;
  size: number;
  sha256: string;
  /** What the run was doing when it was taken (e.g. "before the faults", "during a rebuild"). */
  when: string;
}

/** What one replica, read alone at the end, said about one snapshot. */
export interface ReplicaReading {
  volume: string;
  replicaId: string;
  node: string;
  snapshot: string;
  /** The content hash, or null when it could not be read (then `error` says why). */
  sha256: string | null;
  error?: string;
}

/**
 * Problems (empty when none): a volume with no snapshot taken, a snapshot some replica was not read
 * for, a replica whose read failed, and a replica whose content differs, named with the replica
 * and the snapshot. `replicas` lists every replica of each volume that should hold its snapshots.
 */
export function compareSnapshots(
  taken: TakenSnapshot[],
  volumes: string[],
  replicas: Map<string, { id: string; node: string }[]>,
  readings: ReplicaReading[],
): string[] {
  const problems: string[] = [];
  for (const v of volumes) {
    const snaps = taken.filter((t) => t.volume === v);
    if (snaps.length === 0) problems.push(`snapshot check: no snapshot of ${v} was taken, nothing checked`);
    const rs = replicas.get(v) ?? [];
    if (rs.length === 0) problems.push(`snapshot check: ${v} has no replica to read`);
    for (const s of snaps) {
      for (const r of rs) {
        const got = readings.find((x) => x.volume === v && x.replicaId === r.id && x.snapshot === s.name);
        if (!got)
          problems.push(`snapshot check: replica ${r.id} on ${r.node} of ${v} was not read for snapshot ${s.name}`);
        else if (got.sha256 === null)
          problems.push(
            `snapshot check: replica ${r.id} on ${r.node} of ${v} could not be read for snapshot ${s.name}: ` +
              (got.error ?? 'no reason given'),
          );
        else if (got.sha256 !== s.sha256) {
          problems.push(
            `snapshot check: replica ${r.id} on ${r.node} holds snapshot ${v}@${s.name} (taken ${s.when}) ` +
              `with different content: sha256 ${got.sha256.slice(0, 16)}, expected ${s.sha256.slice(0, 16)}`,
          );
        }
      }
    }
  }
  return problems;
}

async function sha256File(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return h.digest('hex');
}

/** A minimal admin caller (the suite's Admin with failover fits). */
export interface SnapshotAdmin {
  call<M extends AdminMethod>(method: M, req: AdminRequest<M>, timeoutMs?: number): Promise<AdminResponse<M>>;
}

export class SnapshotCheck {
  readonly taken: TakenSnapshot[] = [];
  readonly problems: string[] = [];
  private n = 0;

  constructor(
    private readonly api: SnapshotAdmin,
    private readonly token: string,
    private readonly dir: string,
    private readonly say: (l: string) => void,
  ) {}

  /** The volume's secret, read from the cluster's etcd (DIR/cluster.json names it); the derived one when none is stored. */
  private async secretOf(volume: string): Promise<string> {
    const info = JSON.parse(readFileSync(join(this.dir, 'cluster.json'), 'utf8')) as {
      etcd: string[];
      etcdCredentials?: EtcdCredentialFiles;
    };
    const etcd = openEtcd(info.etcd, etcdCredentials(info));
    try {
      return (await readVolumeSecret(etcd, new Keys(), volume)) ?? volumeSecret(this.token, volume);
    } finally {
      etcd.close();
    }
  }

  /** With the cluster's TLS on, the checker reads replicas as node-1 does (its certificate), checking the server is `node`. */
  private replicaTls(node: string): ReplicaClientOptions {
    const pki = join(this.dir, 'pki');
    if (!existsSync(join(pki, 'node-1.crt'))) return {};
    const file = (n: string): Buffer => readFileSync(join(pki, n));
    return { tls: { ca: file('ca.crt'), cert: file('node-1.crt'), key: file('node-1.key'), servername: node } };
  }

  /**
   * Takes a snapshot of `volume` (attached, NBD export `uri`) and hashes it through the engine's
   * `uri@name` export. A failure is recorded as a problem (a snapshot not taken checks nothing).
   */
  async take(volume: string, uri: string, when: string): Promise<void> {
    const name = `chaos-s${++this.n}`;
    try {
      await this.api.call('CreateSnapshot', { volume, name }, 15_000);
      // The snapshot is taken by the engine when it sees the event: wait until the view is served.
      const deadline = Date.now() + 30_000;
      for (;;) {
        const ok = await run('nbdinfo', ['--size', snapshotUri(uri, name)], { timeout: 10_000 }).then(
          () => true,
          () => false,
        );
        if (ok) break;
        if (Date.now() > deadline) throw new Error(`${uri}@${name} not served within 30 s`);
        await new Promise((r) => setTimeout(r, 200));
      }
      const file = join(this.dir, `${volume}@${name}.img`);
      await run('nbdcopy', [snapshotUri(uri, name), file], { timeout: 120_000 });
      const size = statSync(file).size;
      const sha256 = await sha256File(file);
      rmSync(file, { force: true });
      this.taken.push({ volume, name, size, sha256, when });
      this.say(`  snapshot ${volume}@${name} taken ${when}: sha256 ${sha256.slice(0, 16)}`);
    } catch (e) {
      this.problems.push(
        `snapshot check: snapshot ${volume}@${name} (${when}) could not be taken and hashed: ${(e as Error).message}`,
      );
    }
  }

  /**
   * Reads every snapshot taken from every replica of each volume alone and compares; resolves with
   * the problems (this.problems included). Every replica must be running (the suite calls this
   * once every volume is healthy again); one that is not is a problem, never skipped.
   */
  async verify(volumes: string[]): Promise<{ problems: string[]; compared: number }> {
    const readings: ReplicaReading[] = [];
    const replicas = new Map<string, { id: string; node: string }[]>();
    const problems = [...this.problems];
    for (const volume of volumes) {
      const v = await this.api.call('GetVolume', { name: volume });
      const rs = v.replicas as { id: string; node: string; state: string; address: string }[];
      replicas.set(
        volume,
        rs.map((r) => ({ id: r.id, node: r.node })),
      );
      const snaps = this.taken.filter((t) => t.volume === volume);
      for (const r of rs) {
        const fail = (error: string): void => {
          for (const s of snaps)
            readings.push({ volume, replicaId: r.id, node: r.node, snapshot: s.name, sha256: null, error });
        };
        if (r.state !== 'running') {
          fail(`replica is ${r.state}`);
          continue;
        }
        let client: ReplicaClient | null = null;
        try {
          client = await ReplicaClient.connect(r.address, r.id, await this.secretOf(volume), this.replicaTls(r.node));
          const listed = new Set((await client.listSnapshots()).map((s) => s.name));
          for (const s of snaps) {
            if (!listed.has(s.name)) {
              readings.push({
                volume,
                replicaId: r.id,
                node: r.node,
                snapshot: s.name,
                sha256: null,
                error: 'the replica does not list it',
              });
              continue;
            }
            const h = createHash('sha256');
            for (let off = 0; off < s.size; off += CHUNK)
              h.update(await client.readSnapshot(s.name, off, Math.min(CHUNK, s.size - off)));
            readings.push({ volume, replicaId: r.id, node: r.node, snapshot: s.name, sha256: h.digest('hex') });
          }
        } catch (e) {
          fail(`${r.address}: ${(e as Error).message}`);
        } finally {
          await client?.close().catch(() => undefined);
        }
      }
    }
    problems.push(...compareSnapshots(this.taken, volumes, replicas, readings));
    const compared = readings.filter((x) => x.sha256 !== null).length;
    this.say(
      `snapshot check: ${this.taken.length} snapshot(s) taken, ${compared} replica reading(s) compared, ${problems.length} problem(s)`,
    );
    return { problems, compared };
  }
}
