// @cairn/backup: backups of volume snapshots to S3 or a directory, and restores from them.
export { BackupError, isBackupError } from './errors.js';
export type { BackupErrorCode } from './errors.js';
export { openStore, parseCredentialFile, parseTargetUrl } from './target.js';
export type { BackupStore, TargetCredentials, TargetUrl } from './target.js';
export { backupUrl, parseBackupUrl } from './layout.js';
export { BACKUP_BLOCK_SIZE } from './format.js';
export {
  backupOnStore,
  createBackup,
  gc,
  getBackup,
  listBackups,
  listBackupVolumes,
  readBackupCfg,
  removeBackup,
} from './backup.js';
export type { BackupInfo, BackupSource, CreateBackupOptions, CreateBackupResult, RemoveResult } from './backup.js';
export { restoreBackup } from './restore.js';
export type { RestoreOptions, RestoreResult, RestoreTarget } from './restore.js';
