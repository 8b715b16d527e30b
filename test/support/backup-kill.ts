// What the kill -9 backup suites share: a `cairn up` cluster with a file:// target and a volume
// "kv" attached on node-1; each backup is of freshly written data (every block new, so the node
// reads and uploads the whole volume: it takes a while), and each must end exactly once, a
// completed one in the target and restoring equal by sha256 to the data at its snapshot.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import * as assert from 'uvu/assert';
import type { AdminClient } from '@cairn/api';
import type { Backup__Output } from '@cairn/schema/types';
import type { EventEnvelope__Output } from '@cairn/schema/events';
import { getBackup, openStore } from '@cairn/backup';
import { eventually, startCluster } from './cluster.js';
import type { TestCluster } from './cluster.js';
import { cairnOk, restoredSha, sha, writeThrough } from './backups.js';
import { payloadFields } from './grpc-types.js';

const run = promisify(execFile);
const MiB = 2 ** 20;
export const SIZE = 128 * MiB;

export class InterruptedBackups {
  c!: TestCluster;
  /** The admin client calls go through: one on a manager that is alive. */
  api!: AdminClient;
  private target = '';
  private uri = '';
  private data = Buffer.alloc(0);

  async start(extra: string[] = []): Promise<void> {
    this.target = mkdtempSync(join(tmpdir(), 'cairn-file-target-'));
    this.c = await startCluster(3, extra);
    this.api = this.c.admin();
    await this.c.call('CreateVolume', { name: 'kv', size: SIZE, numberOfReplicas: 3 });
    await eventually(
      '3 replicas running',
      30_000,
      async () =>
        (await this.c.call('GetVolume', { name: 'kv' })).replicas.filter((r) => r.state === 'running').length === 3,
    );
    this.uri = JSON.parse(await cairnOk(this.c, 'volume', 'attach', 'kv', '--node', 'node-1', '-o', 'json'))
      .nbd as string;
    await this.c.call('SetBackupTarget', { url: `file://${this.target}` });
  }

  async stop(): Promise<void> {
    await this.c?.down();
    if (this.target) rmSync(this.target, { recursive: true, force: true });
  }

  managers(): { id: string; pid: number; address: string }[] {
    return (
      JSON.parse(readFileSync(join(this.c.dir, 'cluster.json'), 'utf8')) as {
        managers: { id: string; pid: number; address: string }[];
      }
    ).managers;
  }

  nodes(): { id: string; pid: number }[] {
    return (
      JSON.parse(readFileSync(join(this.c.dir, 'cluster.json'), 'utf8')) as { nodes: { id: string; pid: number }[] }
    ).nodes;
  }

  get(url: string): Promise<Backup__Output> {
    return this.c.call('GetBackup', { url }, this.api);
  }

  /** Every event up to the head, from the manager `api` talks to (the cluster's first may be dead). */
  events(): Promise<EventEnvelope__Output[]> {
    return new Promise((resolve, reject) => {
      const out: EventEnvelope__Output[] = [];
      const stream = this.api.WatchEvents({ fromSeq: 1, follow: false });
      stream.on('data', (e: EventEnvelope__Output) => out.push(e));
      stream.on('end', () => resolve(out));
      stream.on('error', reject);
    });
  }

  /**
   * Writes fresh data, requests a backup and waits until its node has started it (and, with
   * `withProgress`, reported some progress); its state at that moment.
   */
  async started(requestId: string, withProgress = false): Promise<Backup__Output> {
    // The export is served again after its node restarted (the engine reopens on its replicas).
    await eventually('the export is served', 60_000, async () =>
      run('nbdinfo', [this.uri]).then(
        () => true,
        () => false,
      ),
    );
    this.data = randomBytes(SIZE);
    await writeThrough(this.c, this.uri, this.data, 'data.bin');
    const b = await this.c.call('CreateBackup', { volume: 'kv', requestId }, this.api);
    return eventually(`backup ${b.name} started`, 30_000, async () => {
      const x = await this.get(b.url);
      return (x.state === 'running' && (!withProgress || x.progress > 0)) ||
        x.state === 'completed' ||
        x.state === 'failed'
        ? x
        : null;
    });
  }

  /** Waits for the backup to end; checks it ended exactly once, and that a completed one restores. */
  async endsCleanly(url: string, name: string): Promise<Backup__Output> {
    const end = await eventually(`backup ${name} ended`, 60_000, async () => {
      const x = await this.get(url);
      return x.state === 'completed' || x.state === 'failed' ? x : null;
    });
    const events = (await this.events()).filter(
      (e) => e.payload?.startsWith('backup') && payloadFields(e).name === name,
    );
    const ends = events.filter((e) => e.payload === 'backupCompleted' || e.payload === 'backupFailed');
    assert.is(ends.length, 1, `one end in the log: ${events.map((e) => e.payload).join(',')}`);
    assert.is(events.filter((e) => e.payload === 'backupRequested').length, 1, 'requested once');
    const store = openStore(`file://${this.target}`);
    try {
      if (end.state === 'completed') {
        assert.is(ends[0]!.payload, 'backupCompleted');
        await getBackup(store, url); // its cfg is in the target
        assert.is(
          await restoredSha(store, url, SIZE),
          sha(this.data),
          'the completed backup restores the data at its snapshot',
        );
      } else {
        assert.ok(end.error, 'a failed backup says why');
      }
    } finally {
      store.close();
    }
    return end;
  }
}
