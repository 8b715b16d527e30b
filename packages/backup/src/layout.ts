// Where things are under a target, and the URLs that name a backup. The layout is Longhorn's
// backupstore layout (so an operator finds their way around a bucket the same way):
//   backupstore/volumes/<xx>/<yy>/<volume>/volume.cfg
//   backupstore/volumes/<xx>/<yy>/<volume>/backups/backup_<name>.cfg
//   backupstore/volumes/<xx>/<yy>/<volume>/blocks/<cc>/<cc>/<sha256>.blk
//   backupstore/volumes/<xx>/<yy>/<volume>/blocks/<cc>/<cc>/<sha256>.dlt   (delta.ts: changed pages)
//   backupstore/volumes/<xx>/<yy>/<volume>/locks/<op>_<id>.lck      (create/remove in progress)
// xx/yy: the first two pairs of hex digits of sha256(volume name); cc/cc those of the block's checksum.
import { createHash } from 'node:crypto';
import { isSnapshotName } from '@cairn/datapath';
import { BackupError } from './errors.js';
import { parseTargetUrl } from './target.js';

export const BACKUPSTORE = 'backupstore/volumes/';

/** Volume and backup names: the snapshot-name rule (1-128 of A-Z a-z 0-9 . _ -, not starting with . _ -), safe as a path segment. */
export function checkName(what: 'volume' | 'backup' | 'snapshot', name: string): void {
  if (!isSnapshotName(name))
    throw new BackupError(
      'INVALID',
      `${what} name "${name}" is not 1-128 letters, digits, ".", "_" or "-" (starting with a letter or digit)`,
    );
}

export function volumeDir(volume: string): string {
  checkName('volume', volume);
  const h = createHash('sha256').update(volume).digest('hex');
  return `${BACKUPSTORE}${h.slice(0, 2)}/${h.slice(2, 4)}/${volume}/`;
}

export const volumeCfgKey = (volume: string): string => `${volumeDir(volume)}volume.cfg`;
export const backupsDir = (volume: string): string => `${volumeDir(volume)}backups/`;
export const blocksDir = (volume: string): string => `${volumeDir(volume)}blocks/`;
export const locksDir = (volume: string): string => `${volumeDir(volume)}locks/`;

export function backupCfgKey(volume: string, backup: string): string {
  checkName('backup', backup);
  return `${backupsDir(volume)}backup_${backup}.cfg`;
}

/** The backup name in a key of backupsDir, or null for anything else there. */
export function backupNameOfKey(key: string): string | null {
  const m = /(?:^|\/)backup_([^/]+)\.cfg$/.exec(key);
  return m && isSnapshotName(m[1]!) ? m[1]! : null;
}

const CHECKSUM = /^[0-9a-f]{64}$/;
export const isChecksum = (c: string): boolean => CHECKSUM.test(c);

export function blockKey(volume: string, checksum: string): string {
  if (!isChecksum(checksum))
    throw new BackupError('CORRUPT', `block checksum "${checksum}" is not a sha256 hex digest`);
  return `${blocksDir(volume)}${checksum.slice(0, 2)}/${checksum.slice(2, 4)}/${checksum}.blk`;
}

/** The checksum in a key of blocksDir, or null for anything else there. */
export function checksumOfKey(key: string): string | null {
  const m = /([0-9a-f]{64})\.blk$/.exec(key);
  return m ? m[1]! : null;
}

/** A delta object's key (delta.ts), next to the blocks: one listing of blocksDir finds both. */
export function deltaKey(volume: string, id: string): string {
  if (!isChecksum(id)) throw new BackupError('CORRUPT', `delta id "${id}" is not a sha256 hex digest`);
  return `${blocksDir(volume)}${id.slice(0, 2)}/${id.slice(2, 4)}/${id}.dlt`;
}

/** The delta id in a key of blocksDir, or null for anything else there. */
export function deltaIdOfKey(key: string): string | null {
  const m = /([0-9a-f]{64})\.dlt$/.exec(key);
  return m ? m[1]! : null;
}

/** The keys of the objects a chain (format.ts chainOf) names: its base block, then its deltas. */
export const chainKeys = (volume: string, chain: string[]): string[] =>
  chain.map((c, i) => (i === 0 ? blockKey(volume, c) : deltaKey(volume, c)));

/**
 * A backup's URL, Longhorn's form: the target's canonical URL and `?backup=NAME&volume=VOLUME`,
 * e.g. s3://bucket@us-east-1/?backup=backup-1&volume=pvc-1 or file:///mnt/b?backup=b1&volume=v1.
 */
export function backupUrl(target: string, volume: string, backup: string): string {
  const t = parseTargetUrl(target);
  checkName('volume', volume);
  checkName('backup', backup);
  return `${t.url}?backup=${encodeURIComponent(backup)}&volume=${encodeURIComponent(volume)}`;
}

/** Splits a backup URL into its target (canonical), volume and backup; BackupError INVALID naming what is wrong. */
export function parseBackupUrl(url: string): { target: string; volume: string; backup: string } {
  if (typeof url !== 'string') throw new BackupError('INVALID', `backup URL "${String(url)}" is not a string`);
  const q = url.indexOf('?');
  if (q < 0) throw new BackupError('INVALID', `backup URL "${url}" has no ?backup=NAME&volume=VOLUME`);
  const target = parseTargetUrl(url.slice(0, q)).url;
  const params = new URLSearchParams(url.slice(q + 1));
  const backup = params.get('backup');
  const volume = params.get('volume');
  if (!backup) throw new BackupError('INVALID', `backup URL "${url}" has no backup= parameter`);
  if (!volume) throw new BackupError('INVALID', `backup URL "${url}" has no volume= parameter`);
  for (const k of params.keys())
    if (k !== 'backup' && k !== 'volume')
      throw new BackupError('INVALID', `backup URL "${url}": unknown parameter "${k}"`);
  checkName('volume', volume);
  checkName('backup', backup);
  return { target, volume, backup };
}
