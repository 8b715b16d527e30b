// Keeping block garbage collection away from backups being made. A create reuses blocks it found
// on the target (or in the previous backup's list); a removal deletes blocks no backup config
// names. Run at once, the removal could delete a block the create has decided to reuse but whose
// config it has not written yet. So each announces itself with a marker object before it looks:
//   create: write create marker, then read the remove markers: while one is live, wait.
//   remove: write remove marker, then read the create markers: if one is live, skip deleting blocks.
// With a store that reads its own writes and lists what was written (S3 has been strongly
// consistent since 2020; a local or NFS directory is), at least one of the two sees the other, so
// a create never reuses a block a concurrent removal deletes. Markers are refreshed every
// HEARTBEAT_MS while their operation runs; one not refreshed for STALE_MS (its process died) is
// ignored and cleaned up by the next removal. Skipped blocks stay until a later removal (or gc())
// finds no create running.
import { randomBytes } from 'node:crypto';
import { BackupError } from './errors.js';
import { locksDir } from './layout.js';
import type { BackupStore } from './store.js';

export const HEARTBEAT_MS = 30_000;
export const STALE_MS = 5 * 60_000;
const WAIT_POLL_MS = 500;

export type LockOp = 'create' | 'remove';

export interface Marker {
  key: string;
  /** Stops the heartbeat and deletes the marker. */
  release(): Promise<void>;
}

/** Writes a marker for `op` (named after `id`) and keeps it fresh until released. */
export async function announce(
  store: BackupStore,
  volume: string,
  op: LockOp,
  id: string,
  now = Date.now,
): Promise<Marker> {
  const key = `${locksDir(volume)}${op}_${id}_${randomBytes(4).toString('hex')}.lck`;
  const write = (): Promise<void> =>
    store.put(key, Buffer.from(JSON.stringify({ op, id, at: new Date(now()).toISOString() })));
  await write();
  const timer = setInterval(() => {
    write().catch(() => undefined);
  }, HEARTBEAT_MS);
  timer.unref();
  return {
    key,
    async release() {
      clearInterval(timer);
      await store.delete(key);
    },
  };
}

export interface LiveMarkers {
  live: string[];
  stale: string[];
}

/** The markers of `op` on the volume: live ones, and stale ones (not refreshed for STALE_MS, or unreadable). */
export async function markers(store: BackupStore, volume: string, op: LockOp, now = Date.now): Promise<LiveMarkers> {
  const out: LiveMarkers = { live: [], stale: [] };
  const dir = locksDir(volume);
  for (const key of await store.list(dir)) {
    if (!key.slice(dir.length).startsWith(`${op}_`)) continue;
    let at = NaN;
    try {
      at = Date.parse((JSON.parse((await store.get(key)).toString()) as { at: string }).at);
    } catch (e) {
      if (e instanceof BackupError && e.code === 'NOT_FOUND') continue; // released meanwhile
    }
    (Number.isFinite(at) && now() - at < STALE_MS ? out.live : out.stale).push(key);
  }
  return out;
}

/** Waits until no live marker of `op` is left on the volume (or alive() turns false: BackupError STOPPED). */
export async function waitForNone(store: BackupStore, volume: string, op: LockOp, alive: () => boolean): Promise<void> {
  for (;;) {
    if ((await markers(store, volume, op)).live.length === 0) return;
    if (!alive())
      throw new BackupError('STOPPED', `stopped while waiting for a backup ${op} on volume ${volume} to finish`);
    await new Promise((r) => setTimeout(r, WAIT_POLL_MS));
  }
}
