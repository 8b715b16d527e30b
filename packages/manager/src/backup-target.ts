// The backup target's credentials and reachability, the I/O around the backup-target setting.
//
// Credentials (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_ENDPOINTS, AWS_REGION: Longhorn's
// names) are kept like the volume secrets: under one etcd key outside the log (never in an event,
// a snapshot or `audit`, never logged), read only by managers, and sent only to the nodes that
// run a backup. In Kubernetes they may come from a Secret instead (the
// backup-target-credential-secret setting names it; the managers' Deployment mounts it as a
// directory, --backup-credential-dir): what `cairn backup target set --credential-file` stored
// wins over it.
//
// Reachability is a figure, not an event: the leader probes the target (every 15 s, and at once
// when the URL or the credentials change) and keeps the outcome under a status key any manager
// answers from.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Etcd3 } from 'etcd3';
import type { BackupStore, TargetCredentials } from '@cairn/backup';
import { BackupError, openStore, parseCredentialFile } from '@cairn/backup';
import type { Keys } from '@cairn/metadata';
import { CommandError } from './errors.js';

/** Longhorn's credential names, the only keys kept. */
export const CREDENTIAL_NAMES = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_ENDPOINTS', 'AWS_REGION'] as const;

export interface TargetStatus {
  url: string;
  reachable: boolean;
  error: string;
  checkedMs: number;
}

/** A BackupError as the admin API says it (errors.ts codes), naming what the library named. */
export function commandErrorOf(e: unknown): unknown {
  if (!(e instanceof BackupError)) return e;
  switch (e.code) {
    case 'INVALID':
      return CommandError.invalid(e.message);
    case 'NOT_FOUND':
      return CommandError.notFound(e.message);
    case 'EXISTS':
      return CommandError.exists(e.message);
    case 'UNREACHABLE':
      return CommandError.precondition(`backup target unreachable: ${e.message}`);
    case 'DENIED':
      return CommandError.precondition(`backup target refused the credentials: ${e.message}`);
    default:
      return CommandError.precondition(e.message);
  }
}

/**
 * Longhorn's names are kept (others a Longhorn Secret may hold, AWS_CERT or proxies, are not used
 * here), checked as the library reads them: INVALID_ARGUMENT naming the key, never a value.
 */
export function checkCredentials(values: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(values)) {
    if ((CREDENTIAL_NAMES as readonly string[]).includes(k) && v !== '') out[k] = v;
  }
  if (Object.keys(out).length === 0)
    throw CommandError.invalid(`credentials: none of ${CREDENTIAL_NAMES.join(', ')} is given`);
  try {
    parseCredentialFile(JSON.stringify(out));
  } catch (e) {
    throw commandErrorOf(e);
  }
  return out;
}

export function toTargetCredentials(values: Record<string, string>): TargetCredentials {
  return Object.keys(values).length ? parseCredentialFile(JSON.stringify(values)) : {};
}

export class BackupTargetAccess {
  private stored: Record<string, string> = {};
  private fromDir: Record<string, string> = {};
  private timer: NodeJS.Timeout | null = null;
  private watcher: { cancel(): Promise<void> } | null = null;
  private stopped = false;

  constructor(
    private readonly client: Etcd3,
    private readonly keys: Keys,
    private readonly credentialDir?: string,
  ) {}

  /**
   * Reads what is stored, and follows it (another manager may set it: a watch, so that a backup
   * requested right after `target set` through another manager gets the new credentials), reading
   * again every 2 s as well (a watch that broke; a mounted Secret that changed).
   */
  async start(): Promise<void> {
    await this.refresh();
    this.timer = setInterval(() => void this.refresh().catch(() => undefined), 2000);
    this.timer.unref();
    void this.client
      .watch()
      .key(this.keys.backupTargetCredentials)
      .create()
      .then(
        (w) => {
          if (this.stopped) return void w.cancel();
          this.watcher = w;
          w.on('data', () => void this.refresh().catch(() => undefined));
          w.on('error', () => undefined);
        },
        () => undefined,
      );
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    void this.watcher?.cancel().catch(() => undefined);
  }

  private async refresh(): Promise<void> {
    const raw = await this.client.get(this.keys.backupTargetCredentials).string();
    this.stored = raw ? (JSON.parse(raw) as Record<string, string>) : {};
    if (this.credentialDir) this.fromDir = await readCredentialDir(this.credentialDir);
  }

  /** True when credentials are stored (with `cairn backup target set`) or mounted. */
  get isSet(): boolean {
    return Object.keys(this.current()).length > 0;
  }

  /** The credentials in force: the stored ones, else the mounted Secret's. */
  current(): Record<string, string> {
    return Object.keys(this.stored).length ? this.stored : this.fromDir;
  }

  async store(values: Record<string, string>): Promise<void> {
    await this.client.put(this.keys.backupTargetCredentials).value(JSON.stringify(values));
    this.stored = values;
  }

  async clear(): Promise<void> {
    await this.client.delete().key(this.keys.backupTargetCredentials);
    this.stored = {};
  }

  /** The target opened with the credentials in force (close it after use). */
  open(url: string): BackupStore {
    try {
      return openStore(url, toTargetCredentials(this.current()));
    } catch (e) {
      throw commandErrorOf(e);
    }
  }

  /** Runs `fn` on the target, closing it after; library errors become admin errors. */
  async with<T>(url: string, fn: (store: BackupStore) => Promise<T>): Promise<T> {
    const store = this.open(url);
    try {
      return await fn(store);
    } catch (e) {
      throw commandErrorOf(e);
    } finally {
      store.close();
    }
  }

  /** Probes the target; the outcome, never thrown. */
  async probe(url: string, nowMs: number): Promise<TargetStatus> {
    try {
      await this.with(url, (s) => s.probe());
      return { url, reachable: true, error: '', checkedMs: nowMs };
    } catch (e) {
      return { url, reachable: false, error: e instanceof Error ? e.message : String(e), checkedMs: nowMs };
    }
  }

  async writeStatus(st: TargetStatus): Promise<void> {
    await this.client.put(this.keys.backupTargetStatus).value(JSON.stringify(st));
  }

  async readStatus(): Promise<TargetStatus | null> {
    const raw = await this.client.get(this.keys.backupTargetStatus).string();
    if (!raw) return null;
    try {
      return JSON.parse(raw) as TargetStatus;
    } catch {
      return null;
    }
  }
}

/** A mounted Secret: one file per key (Kubernetes' projection); absent directory or keys: none. */
export async function readCredentialDir(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return out;
  }
  for (const n of CREDENTIAL_NAMES) {
    if (!names.includes(n)) continue;
    const v = (await readFile(join(dir, n), 'utf8')).trim();
    if (v) out[n] = v;
  }
  return out;
}
