// Original file: cairn/admin/v1/admin.proto


export interface VolumeRestore {
  /**
   * The backup URL the volume restores (for a standby volume: the newest one found so far).
   */
  'backup'?: (string);
  /**
   * The last backup fully restored; equal to backup when nothing is left to do.
   */
  'restored'?: (string);
  /**
   * restoring | completed | failed | standby (a DR volume with nothing to restore right now)
   */
  'state'?: (string);
  /**
   * Percent of the current restore, from the engine's reports (status, not an event).
   */
  'progress'?: (number);
  /**
   * Why the restore of `backup` failed (names the block and backup of a corrupt or missing block).
   */
  'error'?: (string);
  'standby'?: (boolean);
  /**
   * `cairn volume activate` was asked: the volume becomes normal once `backup` is restored.
   */
  'activating'?: (boolean);
}

export interface VolumeRestore__Output {
  /**
   * The backup URL the volume restores (for a standby volume: the newest one found so far).
   */
  'backup': (string);
  /**
   * The last backup fully restored; equal to backup when nothing is left to do.
   */
  'restored': (string);
  /**
   * restoring | completed | failed | standby (a DR volume with nothing to restore right now)
   */
  'state': (string);
  /**
   * Percent of the current restore, from the engine's reports (status, not an event).
   */
  'progress': (number);
  /**
   * Why the restore of `backup` failed (names the block and backup of a corrupt or missing block).
   */
  'error': (string);
  'standby': (boolean);
  /**
   * `cairn volume activate` was asked: the volume becomes normal once `backup` is restored.
   */
  'activating': (boolean);
}
