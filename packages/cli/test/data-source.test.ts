// The CLI's side of volumes from a data source: --data-source into the request (checked before any
// call), `volume get` showing the source and whether its copy is done, the events as text.
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

const create = (argv: string[]) =>
  createVolumeRequest(
    parseCommand(volume.commands.find((c) => commandName(c) === 'create')!.spec, ['v', '--size', '1Gi', ...argv]),
  );
const t = suite('data source in the CLI');

t('volume create --data-source takes snap://VOL/SNAP or vol://VOL, and refuses anything else naming the flag', () => {
  assert.is(create(['--data-source', 'snap://src/s1']).dataSource, 'snap://src/s1');
  assert.is(create(['--data-source', 'vol://src']).dataSource, 'vol://src');
  assert.is(create([]).dataSource, undefined, 'not given: an empty volume');
  for (const bad of ['src', 'snap://src', 'vol://src/s1', 'file:///x']) {
    try {
      create(['--data-source', bad]);
      assert.unreachable(`${bad} must be refused`);
    } catch (e) {
      assert.instance(e, UsageError);
      assert.match(
        (e as Error).message,
        /--data-source ".*" is not valid: use snap:\/\/VOLUME\/SNAPSHOT or vol:\/\/VOLUME/,
      );
    }
  }
});

t('volume get shows the data source and whether the copy is done; nothing for a volume made empty', () => {
  assert.match(
    volumeDetail(volumeOf({ dataSource: 'snap://src/s1', dataSourceReady: false })),
    /^data source:\s+snap:\/\/src\/s1 \(copying: the engine copies it when attached\)$/m,
  );
  assert.match(
    volumeDetail(volumeOf({ dataSource: 'vol://src', dataSourceReady: true })),
    /^data source:\s+vol:\/\/src \(copied\)$/m,
  );
  assert.not.match(volumeDetail(volumeOf()), /data source/);
});

t('events: the source in the creation line, the copy with its node', () => {
  const ev = (d: EventDraft) =>
    decodeEvent(encodeEvent({ ...d, seq: 1, timeMs: 0, actor: 'admin', cause: '', schemaVersion: SCHEMA_VERSION }), 1);
  const spec = { size: 2 ** 30, numberOfReplicas: 3, dataLocality: 'DATA_LOCALITY_DISABLED' as const };
  assert.is(
    eventSummary(
      ev({
        volumeCreated: { name: 'c', spec, dataSource: 'snap://src/s1', sourceVolume: 'src', sourceSnapshot: 's1' },
      }),
    ),
    'c size=1Gi replicas=3 locality=disabled from=snap://src/s1',
  );
  assert.is(
    eventSummary(
      ev({
        volumeCreated: { name: 'c', spec, dataSource: 'vol://src', sourceVolume: 'src', sourceSnapshot: 'clone-c-9' },
      }),
    ),
    'c size=1Gi replicas=3 locality=disabled from=vol://src@clone-c-9',
  );
  assert.is(eventSummary(ev({ volumeDataSourceCopied: { name: 'c', nodeId: 'node-2' } })), 'c on node-2');
});

t.run();
