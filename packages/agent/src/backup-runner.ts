// The backups this node runs: each reads a snapshot of the node's OWN replica store (the data
// never goes through a manager) and stores it in the backup target with @cairn/backup's
// createBackup, incremental against the volume's newest backup in the target. Progress is
// reported (status, not events; at most four times a second per backup), then the start, and the
// end: completed with what was uploaded, or failed with the error. The end is said again every
// second until a manager records it, and the assignment then goes.
//
// An agent that restarts finds its started backups in its assignments and runs them again (blocks
// already stored are not uploaded twice); one whose cfg is already in the target (finished just
// before the restart, not yet recorded) is reported completed as it is. A backup no longer
// assigned (the leader failed it: this node was down a while) is stopped part way, and reports
// nothing.
import type { BackupAssignment__Output, BackupReport, Logger, ReportRequest } from '@cairn/api';
import type { BackupInfo } from '@cairn/backup';
import { createBackup, getBackup, isBackupError, listBackups, openStore, parseCredentialFile } from '@cairn/backup';
import type { Replica } from '@cairn/datapath';

export interface BackupRunnerOptions {
  /** The replica store of a replica this node runs (undefined: not here, or not open). */
  source(replicaId: string): Replica | undefined;
  report(r: Omit<ReportRequest, 'nodeId'>): Promise<void>;
  logger: Logger;
}

/** Progress reports of one backup: at most one per this many ms (a small call; users watch it). */
const PROGRESS_EVERY_MS = 250;
/** A final report that found no manager is said again after this long. */
const RESAY_MS = 1000;

interface Run {
  alive: boolean;
}

export class BackupRunner {
  private readonly running = new Map<string, Run>();
  /** Ended here, their end not yet acknowledged or their assignment not yet gone. */
  private readonly ended = new Map<string, BackupReport>();
  private stopped = false;

  constructor(private readonly o: BackupRunnerOptions) {}

  /** The backups assigned now (whole): starts the new ones, stops those no longer assigned. */
  apply(backups: BackupAssignment__Output[]): void {
    if (this.stopped) return;
    const wanted = new Set(backups.map((b) => b.url));
    for (const [url, run] of this.running) {
      if (!wanted.has(url)) {
        run.alive = false;
        this.o.logger.info({ backup: url }, `backup ${url}: no longer assigned here, stopping it`);
      }
    }
    for (const url of [...this.ended.keys()]) if (!wanted.has(url)) this.ended.delete(url);
    for (const b of backups) if (!this.running.has(b.url) && !this.ended.has(b.url)) void this.run(b);
  }

  stop(): void {
    this.stopped = true;
    for (const run of this.running.values()) run.alive = false;
  }

  private async run(b: BackupAssignment__Output): Promise<void> {
    const run: Run = { alive: true };
    this.running.set(b.url, run);
    const base = { volume: b.volume, name: b.name, url: b.url };
    let end: BackupReport;
    try {
      end = await this.backup(b, run);
    } catch (e) {
      end = { ...base, state: 'failed', reason: e instanceof Error ? e.message : String(e) };
    } finally {
      this.running.delete(b.url);
    }
    if (!run.alive) return; // unassigned meanwhile: the leader already decided how it ended
    this.o.logger[end.state === 'failed' ? 'warn' : 'info'](
      { volume: b.volume, backup: b.url },
      `backup ${b.url}: ${end.state}${end.reason ? `: ${end.reason}` : ''}`,
    );
    this.ended.set(b.url, end);
    // Said until recorded (a manager that died mid-backup, a leader change): the assignment goes then.
    while (!this.stopped && this.ended.get(b.url) === end) {
      try {
        await this.o.report({ replicas: [], engines: [], progress: [], backups: [end] });
        return;
      } catch (e) {
        this.o.logger.warn(
          { backup: b.url },
          `backup ${b.url}: reporting it ${end.state} failed, said again shortly: ${(e as Error).message}`,
        );
        await new Promise((r) => setTimeout(r, RESAY_MS));
      }
    }
  }

  private async backup(b: BackupAssignment__Output, run: Run): Promise<BackupReport> {
    const base = { volume: b.volume, name: b.name, url: b.url };
    const source = this.o.source(b.replicaId);
    if (!source) throw new Error(`replica ${b.replicaId} of ${b.volume} does not run on this node`);
    const store = openStore(
      b.target,
      Object.keys(b.credentials).length ? parseCredentialFile(JSON.stringify(b.credentials)) : {},
    );
    try {
      // Finished before this process restarted, not yet recorded: it is there as it is.
      const done = await getBackup(store, b.url).catch((e: unknown) =>
        isBackupError(e, 'NOT_FOUND') ? null : Promise.reject(e),
      );
      if (done)
        return {
          ...base,
          state: 'completed',
          size: done.size,
          blocks: done.blocks,
          uploadedBlocks: 0,
          uploadedBytes: 0,
          reusedBlocks: done.blocks,
        };
      if (b.state === 'assigned') {
        // Informative: a lost "started" changes nothing (the completion is recorded from "assigned" too).
        await this.o
          .report({ replicas: [], engines: [], progress: [], backups: [{ ...base, state: 'started' }] })
          .catch((e: unknown) =>
            this.o.logger.warn(
              { backup: b.url },
              `backup ${b.url}: reporting its start failed: ${(e as Error).message}`,
            ),
          );
      }
      const previous = newest(await listBackups(store, b.volume), b.name);
      let lastSaid = 0;
      const r = await createBackup(store, {
        volume: b.volume,
        backup: b.name,
        snapshot: b.snapshot,
        source,
        labels: b.labels,
        ...(previous ? { previous } : {}),
        alive: () => run.alive && !this.stopped,
        progress: (pct: number) => {
          const now = Date.now();
          if (now - lastSaid < PROGRESS_EVERY_MS || Math.floor(pct) < 1) return;
          lastSaid = now;
          void this.o
            .report({
              replicas: [],
              engines: [],
              progress: [],
              backups: [{ ...base, state: 'progress', progress: Math.floor(pct) }],
            })
            .catch(() => undefined);
        },
      });
      return {
        ...base,
        state: 'completed',
        size: r.info.size,
        blocks: r.info.blocks,
        // Objects uploaded: whole blocks and deltas (a block's changed pages).
        uploadedBlocks: r.uploadedBlocks + r.deltaBlocks,
        uploadedBytes: r.uploadedBytes,
        reusedBlocks: r.reusedBlocks,
      };
    } finally {
      store.close();
    }
  }
}

/** The newest completed backup of the volume other than `name` (the base of an incremental). */
function newest(infos: BackupInfo[], name: string): BackupInfo | undefined {
  return infos
    .filter((i) => i.name !== name)
    .sort((a, b) => Date.parse(a.createdAt) - Date.parse(b.createdAt) || (a.name < b.name ? -1 : 1))
    .at(-1);
}
