// Original file: cairn/admin/v1/admin.proto

import type { Backup as _cairn_admin_v1_Backup, Backup__Output as _cairn_admin_v1_Backup__Output } from '../../../cairn/admin/v1/Backup.js';

export interface ListBackupsResponse {
  'backups'?: (_cairn_admin_v1_Backup)[];
}

export interface ListBackupsResponse__Output {
  'backups': (_cairn_admin_v1_Backup__Output)[];
}
