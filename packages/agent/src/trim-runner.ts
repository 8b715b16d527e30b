// The filesystem trims this node runs (recurring jobs' filesystem-trim task): each assignment
// names a volume attached here; its filesystem is where the CSI node service staged it (its
// stage record under the agent's --csi-state-dir, a mount at the staging path), and `fstrim -v`
// on that mount tells the filesystem to discard its free blocks, which reach the volume as NBD
// trims. Each trim runs once (keyed by job, fire time and volume), and what it did is reported
// until a manager records it; the assignment then goes.
//
// What is not here: a volume used as a raw block device, or attached but not staged through this
// node's CSI service (e.g. `cairn volume attach` alone), has no filesystem cairn knows of; it is
// reported not run, with that reason.
import { readFile } from 'node:fs/promises';
import type { Logger, ReportRequest, TrimAssignment__Output, TrimReport } from '@cairn/api';
import { fstrim, mountAt, parseMountInfo, StageRecords } from '@cairn/csi';

export interface TrimRunnerOptions {
  nodeId: string;
  /** The CSI node service's state directory; null when this agent serves no CSI node service. */
  csiStateDir: string | null;
  report(r: Omit<ReportRequest, 'nodeId'>): Promise<void>;
  logger: Logger;
}

/** fstrim on a large, mostly free filesystem takes a while; past this it is reported failed. */
const FSTRIM_TIMEOUT_MS = 10 * 60_000;
/** A report that found no manager is said again after this long. */
const RESAY_MS = 1000;

const keyOf = (t: { job: string; fireMs: number | string; volume: string }): string =>
  `${t.job}@${Number(t.fireMs)}/${t.volume}`;

/** The bytes `fstrim -v` says it trimmed ("/mnt: 5 MiB (5242880 bytes) trimmed [on /dev/x]"), or null. */
export function parseFstrim(stdout: string): number | null {
  const m = /\((\d+) bytes\) trimmed/.exec(stdout);
  return m ? Number(m[1]) : null;
}

export class TrimRunner {
  /** Started here (running, or ended and not yet acknowledged): a trim runs once per assignment. */
  private readonly seen = new Set<string>();
  private stopped = false;
  private records: StageRecords | null = null;

  constructor(private readonly o: TrimRunnerOptions) {}

  /** The trims assigned now (whole): starts the new ones, forgets those no longer assigned. */
  apply(trims: TrimAssignment__Output[]): void {
    if (this.stopped) return;
    const wanted = new Set(trims.map(keyOf));
    for (const k of [...this.seen]) if (!wanted.has(k)) this.seen.delete(k);
    for (const t of trims) {
      const k = keyOf(t);
      if (this.seen.has(k)) continue;
      this.seen.add(k);
      void this.run(t, k);
    }
  }

  stop(): void {
    this.stopped = true;
  }

  private async run(t: TrimAssignment__Output, key: string): Promise<void> {
    let end: TrimReport;
    const base = { job: t.job, fireMs: Number(t.fireMs), volume: t.volume };
    try {
      end = { ...base, trimmedBytes: await this.trim(t.volume), error: '' };
    } catch (e) {
      end = { ...base, trimmedBytes: 0, error: e instanceof Error ? e.message : String(e) };
    }
    this.o.logger[end.error ? 'warn' : 'info'](
      { volume: t.volume },
      `filesystem trim of ${t.volume} (job ${t.job}): ${end.error || `${end.trimmedBytes} bytes trimmed`}`,
    );
    // Said until recorded or no longer assigned (the leader ended it meanwhile).
    while (!this.stopped && this.seen.has(key)) {
      try {
        await this.o.report({ replicas: [], engines: [], progress: [], trims: [end] });
        return;
      } catch (e) {
        this.o.logger.warn(
          { volume: t.volume },
          `filesystem trim of ${t.volume}: reporting it failed, said again shortly: ${(e as Error).message}`,
        );
        await new Promise((r) => setTimeout(r, RESAY_MS));
      }
    }
  }

  /** fstrim on the volume's mounted filesystem here; the bytes trimmed. */
  private async trim(volume: string): Promise<number> {
    const path = await this.mountedAt(volume);
    if (!path) throw new Error(`not run: volume ${volume} has no mounted filesystem on node ${this.o.nodeId}`);
    const r = await fstrim(path, FSTRIM_TIMEOUT_MS);
    if (r.code !== 0) throw new Error(`fstrim ${path} failed: ${r.stderr.trim() || `exit ${r.code}`}`);
    const bytes = parseFstrim(r.stdout);
    if (bytes === null) throw new Error(`fstrim ${path}: could not read the bytes trimmed from "${r.stdout.trim()}"`);
    return bytes;
  }

  /** The staging path of the volume when it is staged here as a filesystem and mounted there; else null. */
  private async mountedAt(volume: string): Promise<string | null> {
    if (this.o.csiStateDir === null) return null;
    this.records ??= new StageRecords(this.o.csiStateDir);
    const rec = this.records.get(volume);
    if (!rec || rec.access.kind !== 'mount') return null;
    const entries = parseMountInfo(await readFile('/proc/self/mountinfo', 'utf8'));
    return mountAt(entries, rec.stagingPath) ? rec.stagingPath : null;
  }
}
