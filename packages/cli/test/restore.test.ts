// The CLI's side of restores: --from-backup and --standby into the request (checked before any
// call), `volume get` showing the restore, the restore events as text.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { decodeEvent, encodeEvent, SCHEMA_VERSION } from '@cairn/metadata';
import type { EventDraft } from '@cairn/metadata';
import { parseCommand } from '../src/args.js';
import { commandName } from '../src/command.js';
import { UsageError } from '../src/errors.js';
import { createVolumeRequest, volume, volumeDetail } from '../src/commands/volume.js';
import { eventSummary } from '../src/event-text.js';
import { volume as volumeOf } from './support.js';

const URL1 = 's3://b@us-east-1/?backup=b1&volume=src';
const create = (argv: string[]) =>
  createVolumeRequest(parseCommand(volume.commands.find((c) => commandName(c) === 'create')!.spec, ['v', ...argv]));
const t = suite('restores in the CLI');

function usage(fn: () => unknown, re: RegExp): void {
  try {
    fn();
    assert.unreachable('must be refused');
  } catch (e) {
    assert.instance(e, UsageError);
    assert.match((e as Error).message, re);
  }
}

t(
  "volume create --from-backup needs no --size (size 0: the backup's); --standby only with it; without it --size is required",
  () => {
    assert.equal(create(['--from-backup', URL1]), { name: 'v', size: 0, fromBackup: URL1 });
    assert.equal(create(['--from-backup', URL1, '--size', '2Gi', '--standby']), {
      name: 'v',
      size: 2 * 2 ** 30,
      fromBackup: URL1,
      standby: true,
    });
    usage(() => create(['--size', '1Gi', '--standby']), /--standby needs --from-backup/);
    usage(() => create([]), /--size is required/);
  },
);

t('volume get shows the restore: its state and percent, the backup, what a standby volume restored', () => {
  const r = {
    backup: URL1,
    restored: '',
    state: 'restoring',
    progress: 42,
    error: '',
    standby: false,
    activating: false,
  };
  assert.match(volumeDetail(volumeOf({ restore: r })), /^restore:\s+restoring 42%$/m);
  assert.match(volumeDetail(volumeOf({ restore: r })), /^from backup:\s+s3:\/\/b@us-east-1\/\?backup=b1&volume=src$/m);
  assert.match(
    volumeDetail(volumeOf({ restore: { ...r, state: 'failed', error: 'block at offset 0 is corrupt' } })),
    /^restore:\s+failed: block at offset 0 is corrupt$/m,
  );
  const sb = volumeDetail(
    volumeOf({ restore: { ...r, state: 'standby', standby: true, restored: URL1, progress: 100 } }),
  );
  assert.match(sb, /^restore:\s+standby$/m);
  assert.match(sb, /^restored:\s+s3:\/\/b@us-east-1\/\?backup=b1&volume=src$/m);
  assert.not.match(volumeDetail(volumeOf()), /restore/);
});

t('events: the backup in the creation line; start, end, failure, requests and activation', () => {
  const ev = (d: EventDraft) =>
    decodeEvent(encodeEvent({ ...d, seq: 1, timeMs: 0, actor: 'admin', cause: '', schemaVersion: SCHEMA_VERSION }), 1);
  const spec = { size: 2 ** 30, numberOfReplicas: 3, dataLocality: 'DATA_LOCALITY_DISABLED' as const };
  assert.is(
    eventSummary(ev({ volumeCreated: { name: 'c', spec, fromBackup: URL1, standby: true } })),
    `c size=1Gi replicas=3 locality=disabled from-backup=${URL1} standby`,
  );
  assert.is(
    eventSummary(ev({ volumeRestoreStarted: { name: 'c', nodeId: 'node-1', backup: URL1, since: '' } })),
    `c on node-1: ${URL1} (full)`,
  );
  assert.is(
    eventSummary(
      ev({ volumeRestoreCompleted: { name: 'c', nodeId: 'node-1', backup: URL1, writtenBlocks: 5, zeroedBlocks: 1 } }),
    ),
    `c on node-1: ${URL1} (5 blocks written, 1 zeroed)`,
  );
  assert.is(
    eventSummary(ev({ volumeRestoreFailed: { name: 'c', nodeId: 'node-1', backup: URL1, reason: 'corrupt' } })),
    `c on node-1: ${URL1}: corrupt`,
  );
  assert.is(eventSummary(ev({ volumeRestoreRequested: { name: 'c', backup: URL1 } })), `c: ${URL1}`);
  assert.is(eventSummary(ev({ volumeActivated: { name: 'c', backup: URL1 } })), `c at ${URL1}`);
});

t.run();
