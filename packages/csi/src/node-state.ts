// What the Node service staged, one JSON file per volume under stateDir/volumes, so Unstage,
// Publish, Stats and Expand find the device (and nbdfuse's pid) after the agent restarts.
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { recordFileName } from './node-plan.js';
import type { StageRecord } from './node-plan.js';

export class StageRecords {
  private readonly dir: string;

  constructor(stateDir: string) {
    this.dir = join(stateDir, 'volumes');
    mkdirSync(this.dir, { recursive: true });
  }

  get(volumeId: string): StageRecord | null {
    try {
      return JSON.parse(readFileSync(join(this.dir, recordFileName(volumeId)), 'utf8')) as StageRecord;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw new Error(`stage record of ${volumeId}: ${(e as Error).message}`, { cause: e });
    }
  }

  /** Every record (a scan: a node stages a few volumes). */
  all(): StageRecord[] {
    const out: StageRecord[] = [];
    for (const f of readdirSync(this.dir)) {
      if (!f.endsWith('.json')) continue;
      try {
        out.push(JSON.parse(readFileSync(join(this.dir, f), 'utf8')) as StageRecord);
      } catch {
        /* removed meanwhile, or half-written: not a record */
      }
    }
    return out;
  }

  /** The record of the volume staged at `path`, if any. */
  stagedAt(path: string): StageRecord | null {
    return this.all().find((r) => r.stagingPath === path) ?? null;
  }

  /** The record of a volume published at `path`, if any. */
  publishedAt(path: string): StageRecord | null {
    return this.all().find((r) => Object.hasOwn(r.publishes, path)) ?? null;
  }

  /** Written to a temporary file and renamed: a crash leaves the old record or the new one. */
  put(rec: StageRecord): void {
    const file = join(this.dir, recordFileName(rec.volumeId));
    writeFileSync(`${file}.tmp`, `${JSON.stringify(rec, null, 2)}\n`);
    renameSync(`${file}.tmp`, file);
  }

  delete(volumeId: string): void {
    rmSync(join(this.dir, recordFileName(volumeId)), { force: true });
  }
}
