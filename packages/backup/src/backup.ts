// Making, listing, reading and removing backups of a volume's snapshot (format.ts says what is
// stored, layout.ts where, locks.ts how removal stays away from a backup being made).
//
// A backup reads the snapshot from one replica in 2 MiB blocks, skips blocks that are all zeroes,
// stores each other block once per content (sha256) under the volume, and writes its config LAST,
// after every block it names is stored: a backup whose config exists restores; a backup that was
// killed leaves only blocks no config names, which the next removal (gc) deletes.
// Incremental: given the previous backup, and its snapshot still on the replica, only the blocks
// that layers newer than it (up to this snapshot) define are read; the others are taken from the
// previous backup's list. A block read whose content changed in few 4 KiB pages is stored as a
// delta against its previous content (delta.ts), so scattered small writes cost about their bytes.
import type { Replica } from '@cairn/datapath';
import { BackupError } from './errors.js';
import { changedRuns, encodeDelta, MAX_DELTAS } from './delta.js';
import {
  BACKUP_BLOCK_SIZE,
  blockLength,
  chainOf,
  encodeBlock,
  FORMAT_VERSION,
  isZero,
  parseBackupCfg,
  serialize,
  sha256,
} from './format.js';
import type { BackupCfg, BlockEntry, VolumeCfg } from './format.js';
import {
  BACKUPSTORE,
  backupCfgKey,
  backupNameOfKey,
  backupsDir,
  backupUrl,
  blockKey,
  blocksDir,
  chainKeys,
  checkName,
  checksumOfKey,
  deltaIdOfKey,
  deltaKey,
  parseBackupUrl,
  volumeCfgKey,
} from './layout.js';
import { announce, markers, waitForNone } from './locks.js';
import type { BackupStore } from './store.js';

/** What a backup is, as callers see it (the config without its block list). */
export interface BackupInfo {
  name: string;
  volume: string;
  snapshot: string;
  /** backupUrl(target, volume, name). */
  url: string;
  /** ISO 8601: when the backup completed. */
  createdAt: string;
  snapshotCreatedAt: string;
  /** The volume's size in bytes (at the snapshot). */
  size: number;
  labels: Record<string, string>;
  settings?: Record<string, string>;
  blockSize: number;
  /** Non-zero 2 MiB blocks the backup holds. */
  blocks: number;
  /** Compressed bytes this backup uploaded (blocks and deltas not stored before it). */
  storedBytes: number;
  state: 'completed';
}

/** What createBackup reads: a replica (a ReplicaStore on this node, or a ReplicaClient). */
export type BackupSource = Pick<Replica, 'listLayers' | 'layerRanges' | 'allocatedRanges' | 'readSnapshot'>;

export interface CreateBackupOptions {
  volume: string;
  /** The backup's name (backup-<hex> by convention); a path-safe name. */
  backup: string;
  /** The snapshot to back up; it must be on `source`. */
  snapshot: string;
  source: BackupSource;
  labels?: Record<string, string>;
  settings?: Record<string, string>;
  /** The volume's last backup: makes this one incremental when its snapshot is still on the source. */
  previous?: Pick<BackupInfo, 'name' | 'volume'>;
  progress?: (percent: number) => void;
  alive?: () => boolean;
  /** Blocks in flight at once (default 4). */
  concurrency?: number;
}

export interface CreateBackupResult {
  info: BackupInfo;
  /** True when only the blocks changed since `previous` were read. */
  incremental: boolean;
  /** Whole blocks uploaded. */
  uploadedBlocks: number;
  /** Blocks stored as a delta against their content in the previous backup (delta objects uploaded, or found stored). */
  deltaBlocks: number;
  /** Non-zero blocks already on the target (same content) or taken from the previous backup. */
  reusedBlocks: number;
  readBytes: number;
  uploadedBytes: number;
}

const infoOf = (store: BackupStore, c: BackupCfg): BackupInfo => ({
  name: c.Name,
  volume: c.VolumeName,
  snapshot: c.SnapshotName,
  url: backupUrl(store.url, c.VolumeName, c.Name),
  createdAt: c.CreatedTime,
  snapshotCreatedAt: c.SnapshotCreatedAt,
  size: c.Size,
  labels: c.Labels,
  ...(c.Settings ? { settings: c.Settings } : {}),
  blockSize: c.BlockSize,
  blocks: c.Blocks.length,
  storedBytes: c.StoredBytes,
  state: 'completed',
});

/** A backup's config; BackupError NOT_FOUND (no such backup) or CORRUPT. */
export async function readBackupCfg(store: BackupStore, volume: string, backup: string): Promise<BackupCfg> {
  const key = backupCfgKey(volume, backup);
  let text: Buffer;
  try {
    text = await store.get(key);
  } catch (e) {
    if (e instanceof BackupError && e.code === 'NOT_FOUND')
      throw new BackupError('NOT_FOUND', `backup ${backup} of volume ${volume} does not exist on ${store.url}`);
    throw e;
  }
  const cfg = parseBackupCfg(text, `backup ${backup} of volume ${volume} (${key})`);
  if (cfg.Name !== backup || cfg.VolumeName !== volume)
    throw new BackupError('CORRUPT', `${key} names backup ${cfg.Name} of volume ${cfg.VolumeName}`);
  return cfg;
}

/** The volume and backup a backup URL names, which must be on this store's target (BackupError INVALID otherwise). */
export function backupOnStore(store: BackupStore, url: string): { volume: string; backup: string } {
  const { target, volume, backup } = parseBackupUrl(url);
  if (target !== store.url)
    throw new BackupError('INVALID', `backup URL "${url}" is on target ${target}, not on ${store.url}`);
  return { volume, backup };
}

/** A backup's config by its URL. */
export async function readBackupCfgByUrl(store: BackupStore, url: string): Promise<BackupCfg> {
  const { volume, backup } = backupOnStore(store, url);
  return readBackupCfg(store, volume, backup);
}

/** The 2 MiB block offsets in [0, size) that `ranges` (paged ExtentList calls) touch. */
async function blocksTouched(
  size: number,
  ranges: (off: number, len: number) => Promise<{ extents: { offset: number; length: number }[]; end: number }>,
  into: Set<number>,
): Promise<void> {
  const WINDOW = 1024 * 1024 * 1024;
  for (let start = 0; start < size;) {
    const len = Math.min(WINDOW, size - start);
    const { extents, end } = await ranges(start, len);
    for (const e of extents) {
      const last = Math.min(e.offset + e.length, size) - 1;
      for (let b = Math.floor(e.offset / BACKUP_BLOCK_SIZE); b * BACKUP_BLOCK_SIZE <= last; b++)
        into.add(b * BACKUP_BLOCK_SIZE);
    }
    start = end > start ? end : start + len;
  }
}

/** Runs fn over items with `n` at once; stops taking new items after the first failure, which it rethrows. */
async function pool<T>(items: T[], n: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failed = false;
  const worker = async (): Promise<void> => {
    while (!failed && next < items.length) {
      const item = items[next++]!;
      try {
        await fn(item);
      } catch (e) {
        failed = true;
        throw e;
      }
    }
  };
  const results = await Promise.allSettled(Array.from({ length: Math.max(1, Math.min(n, items.length)) }, worker));
  const bad = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (bad) throw bad.reason;
}

/**
 * Backs up snapshot `snapshot` of `source` to `store` as backup `backup` of `volume`. Running it
 * again with the same name and snapshot returns the existing backup (nothing uploaded); the same
 * name with another snapshot is BackupError EXISTS. The snapshot must be on the source
 * (NOT_FOUND). alive() turning false stops it (STOPPED) with no config written.
 */
export async function createBackup(store: BackupStore, o: CreateBackupOptions): Promise<CreateBackupResult> {
  checkName('volume', o.volume);
  checkName('backup', o.backup);
  checkName('snapshot', o.snapshot);
  const alive = o.alive ?? (() => true);
  const stopped = (): BackupError => new BackupError('STOPPED', `backup ${o.backup} of volume ${o.volume} stopped`);
  const layers = await o.source.listLayers();
  const idx = layers.findIndex((l) => l.name === o.snapshot);
  if (idx < 0)
    throw new BackupError('NOT_FOUND', `snapshot ${o.snapshot} of volume ${o.volume} is not on this replica`);
  const snap = layers[idx]!;
  const size = snap.size;

  const cfgKey = backupCfgKey(o.volume, o.backup);
  if (await store.has(cfgKey)) {
    const cfg = await readBackupCfg(store, o.volume, o.backup);
    if (cfg.SnapshotName !== o.snapshot)
      throw new BackupError(
        'EXISTS',
        `backup ${o.backup} of volume ${o.volume} exists already, of snapshot ${cfg.SnapshotName}`,
      );
    return {
      info: infoOf(store, cfg),
      incremental: false,
      uploadedBlocks: 0,
      deltaBlocks: 0,
      reusedBlocks: cfg.Blocks.length,
      readBytes: 0,
      uploadedBytes: 0,
    };
  }

  const marker = await announce(store, o.volume, 'create', o.backup);
  try {
    // A removal running now may be deleting blocks: let it finish before looking at what is stored.
    await waitForNone(store, o.volume, 'remove', alive);
    const entries = new Map<number, BlockEntry>();
    /** The previous backup's entries of the blocks read again (incremental only): what a delta is made against. */
    const before = new Map<number, BlockEntry>();
    let todo: number[];
    let incremental = false;
    const prev = o.previous
      ? await readBackupCfg(store, o.volume, o.previous.name).catch((e: unknown) => {
          if (e instanceof BackupError && e.code === 'NOT_FOUND') return null;
          throw e;
        })
      : null;
    const prevIdx = prev ? layers.findIndex((l) => l.name === prev.SnapshotName) : -1;
    if (prev && prevIdx >= 0 && prevIdx < idx) {
      incremental = true;
      const changed = new Set<number>();
      for (const layer of layers.slice(prevIdx + 1, idx + 1)) {
        const within = Math.min(size, layer.size);
        await blocksTouched(within, (off, len) => o.source.layerRanges(layer.name, off, len), changed);
      }
      // The previous backup's short last block is a whole block now if the volume grew since.
      if (prev.Size < size && prev.Size % BACKUP_BLOCK_SIZE !== 0)
        changed.add(prev.Size - (prev.Size % BACKUP_BLOCK_SIZE));
      for (const e of prev.Blocks) {
        if (e.Offset >= size) continue;
        if (changed.has(e.Offset)) before.set(e.Offset, e);
        else entries.set(e.Offset, e);
      }
      todo = [...changed].sort((a, b) => a - b);
    } else {
      const all = new Set<number>();
      await blocksTouched(size, (off, len) => o.source.allocatedRanges(off, len, o.snapshot), all);
      todo = [...all].sort((a, b) => a - b);
    }

    // Objects (blocks and deltas) stored under the volume, and those this backup is uploading.
    const known = new Set(await store.list(blocksDir(o.volume)));
    const uploading = new Map<string, Promise<void>>();
    const r = { uploadedBlocks: 0, deltaBlocks: 0, reusedBlocks: entries.size, readBytes: 0, uploadedBytes: 0 };
    /** Stores `body` (uncompressed) under `key` unless it is stored or being stored; true when this call uploaded it. */
    const upload = async (key: string, body: Buffer): Promise<boolean> => {
      if (known.has(key)) {
        await uploading.get(key);
        return false;
      }
      known.add(key);
      const p = encodeBlock(body).then(async (stored) => {
        await store.put(key, stored);
        r.uploadedBytes += stored.length;
      });
      uploading.set(key, p);
      await p;
      return true;
    };
    /** The entry for the block at `off`, whose content now is `data` (not all zero): reused, a delta, or a whole block. */
    const entryFor = async (off: number, data: Buffer): Promise<BlockEntry> => {
      const sum = sha256(data);
      const old = before.get(off);
      if (old?.BlockChecksum === sum) {
        r.reusedBlocks++;
        return old;
      }
      const whole = blockKey(o.volume, sum);
      if (
        !known.has(whole) &&
        old &&
        prev &&
        chainOf(old).length - 1 < MAX_DELTAS &&
        blockLength(off, prev.Size) === data.length
      ) {
        const base = await o.source.readSnapshot(prev.SnapshotName, off, data.length);
        r.readBytes += base.length;
        // The replica's previous snapshot holds what the previous backup stored for this block
        // (checked, not assumed: a delta against anything else would not rebuild this content).
        const runs = sha256(base) === old.BlockChecksum ? changedRuns(base, data) : null;
        if (runs) {
          const delta = encodeDelta(runs, data);
          const id = sha256(delta);
          await upload(deltaKey(o.volume, id), delta);
          r.deltaBlocks++;
          return { Offset: off, BlockChecksum: sum, Chain: [...chainOf(old), id] };
        }
      }
      if (await upload(whole, data)) r.uploadedBlocks++;
      else r.reusedBlocks++;
      return { Offset: off, BlockChecksum: sum };
    };
    let done = 0;
    let lastPct = -1;
    const report = (): void => {
      const pct = todo.length === 0 ? 100 : Math.floor((done / todo.length) * 100);
      if (pct !== lastPct) o.progress?.((lastPct = pct));
    };
    report();
    await pool(todo, o.concurrency ?? 4, async (off) => {
      if (!alive()) throw stopped();
      const data = await o.source.readSnapshot(o.snapshot, off, blockLength(off, size));
      r.readBytes += data.length;
      if (!isZero(data)) entries.set(off, await entryFor(off, data));
      done++;
      report();
    });
    if (!alive()) throw stopped();

    const now = new Date().toISOString();
    const cfg: BackupCfg = {
      Version: FORMAT_VERSION,
      Name: o.backup,
      VolumeName: o.volume,
      SnapshotName: o.snapshot,
      SnapshotCreatedAt: snap.createdAt,
      CreatedTime: now,
      Size: size,
      Labels: { ...(o.labels ?? {}) },
      ...(o.settings ? { Settings: { ...o.settings } } : {}),
      BlockSize: BACKUP_BLOCK_SIZE,
      CompressionMethod: 'gzip',
      ChecksumMethod: 'sha256',
      Blocks: [...entries.values()].sort((a, b) => a.Offset - b.Offset),
      StoredBytes: r.uploadedBytes,
    };
    // The config last: from here on the backup exists and restores.
    await store.put(cfgKey, serialize(cfg));
    await writeVolumeCfg(store, o.volume, size, o.backup, now).catch(() => undefined);
    return { info: infoOf(store, cfg), incremental, ...r };
  } finally {
    await marker.release().catch(() => undefined);
  }
}

async function writeVolumeCfg(
  store: BackupStore,
  volume: string,
  size: number,
  last: string,
  at: string,
): Promise<void> {
  let created = at;
  try {
    const old = JSON.parse((await store.get(volumeCfgKey(volume))).toString()) as Partial<VolumeCfg>;
    if (typeof old.CreatedTime === 'string') created = old.CreatedTime;
  } catch {
    /* first backup of the volume, or unreadable: rewritten */
  }
  const v: VolumeCfg = {
    Version: FORMAT_VERSION,
    Name: volume,
    Size: size,
    CreatedTime: created,
    LastBackupName: last,
    LastBackupAt: at,
    BlockSize: BACKUP_BLOCK_SIZE,
    CompressionMethod: 'gzip',
  };
  await store.put(volumeCfgKey(volume), serialize(v));
}

/** The volumes with anything under the target (names from the layout's directories). */
export async function listBackupVolumes(store: BackupStore): Promise<string[]> {
  const out: string[] = [];
  for (const xx of await store.listDir(BACKUPSTORE)) {
    if (!xx.endsWith('/')) continue;
    for (const yy of await store.listDir(BACKUPSTORE + xx)) {
      if (!yy.endsWith('/')) continue;
      for (const v of await store.listDir(BACKUPSTORE + xx + yy)) if (v.endsWith('/')) out.push(v.slice(0, -1));
    }
  }
  return out.sort();
}

/**
 * The completed backups on the target, of one volume or of all, oldest first. A config that does
 * not parse is left out of the listing (restoring it names the problem).
 */
export async function listBackups(store: BackupStore, volume?: string): Promise<BackupInfo[]> {
  const volumes = volume === undefined ? await listBackupVolumes(store) : [volume];
  const out: BackupInfo[] = [];
  for (const v of volumes) {
    for (const key of await store.list(backupsDir(v))) {
      const name = backupNameOfKey(key);
      if (!name) continue;
      try {
        out.push(infoOf(store, await readBackupCfg(store, v, name)));
      } catch (e) {
        if (!(e instanceof BackupError && (e.code === 'CORRUPT' || e.code === 'NOT_FOUND'))) throw e;
      }
    }
  }
  return out.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.name.localeCompare(b.name));
}

/** One backup, by its URL (backupUrl) or by volume and name. BackupError NOT_FOUND, CORRUPT, INVALID. */
export async function getBackup(store: BackupStore, urlOrVolume: string, name?: string): Promise<BackupInfo> {
  const { volume, backup } =
    name === undefined ? backupOnStore(store, urlOrVolume) : { volume: urlOrVolume, backup: name };
  return infoOf(store, await readBackupCfg(store, volume, backup));
}

export interface RemoveResult {
  /** Objects deleted: whole blocks and deltas. */
  removedBlocks: number;
  /** True when a backup of the volume was being made, so deleting unreferenced blocks was left to a later removal. */
  deferred: boolean;
}

/**
 * Removes the backup named by `url` (its config first, so it stops being listed or restorable
 * at once), then deletes the volume's blocks that no remaining backup names (gc). BackupError
 * NOT_FOUND when there is no such backup.
 */
export async function removeBackup(store: BackupStore, url: string): Promise<RemoveResult> {
  const { volume, backup } = backupOnStore(store, url);
  const key = backupCfgKey(volume, backup);
  if (!(await store.has(key)))
    throw new BackupError('NOT_FOUND', `backup ${backup} of volume ${volume} does not exist on ${store.url}`);
  await store.delete(key);
  return gc(store, volume);
}

/**
 * Deletes the volume's blocks that no backup config names (left by removed or killed backups),
 * unless a backup of the volume is being made (then `deferred`; see locks.ts). Also removes stale
 * markers. A config that does not parse stops it (BackupError CORRUPT): its blocks are unknown.
 */
export async function gc(store: BackupStore, volume: string): Promise<RemoveResult> {
  const marker = await announce(store, volume, 'remove', 'gc');
  try {
    const creates = await markers(store, volume, 'create');
    for (const k of creates.stale) await store.delete(k);
    if (creates.live.length > 0) return { removedBlocks: 0, deferred: true };
    // An object is in use while any remaining backup's chain names it (a delta's base block
    // stays while a later backup's chain builds on it, whichever backup stored it).
    const used = new Set<string>();
    for (const key of await store.list(backupsDir(volume))) {
      const name = backupNameOfKey(key);
      if (!name) continue;
      const cfg = await readBackupCfg(store, volume, name);
      for (const b of cfg.Blocks) for (const k of chainKeys(volume, chainOf(b))) used.add(k);
    }
    let removedBlocks = 0;
    const doomed = (await store.list(blocksDir(volume))).filter(
      (k) => (checksumOfKey(k) !== null || deltaIdOfKey(k) !== null) && !used.has(k),
    );
    await pool(doomed, 8, async (k) => {
      await store.delete(k);
      removedBlocks++;
    });
    for (const k of (await markers(store, volume, 'remove')).stale) await store.delete(k);
    return { removedBlocks, deferred: false };
  } finally {
    await marker.release().catch(() => undefined);
  }
}
