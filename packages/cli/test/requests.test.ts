// Command lines into admin API requests: what each flag becomes, and what is refused before any call.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createVolumeRequest, expandVolumeRequest, updateVolumeRequest, volume } from '../src/commands/volume.js';
import { node, updateNodeRequest } from '../src/commands/node.js';
import { addDiskRequest, disk, updateDiskRequest } from '../src/commands/disk.js';
import { parseAt } from '../src/commands/audit.js';
import { cairn, parse, usageError, volume as volumeOf } from './support.js';

const GiB = 2 ** 30;
const t = suite('requests');

t('volume create and update: per-volume anti-affinity overrides, with their values checked', () => {
  const r = createVolumeRequest(
    parse(volume, 'create', [
      'v',
      '--size',
      '1Gi',
      '--replica-zone-soft-anti-affinity',
      'disabled',
      '--replica-soft-anti-affinity',
      'enabled',
    ]),
  );
  assert.is(r.replicaZoneSoftAntiAffinity, 'disabled');
  assert.is(r.replicaSoftAntiAffinity, 'enabled');
  assert.is(r.replicaDiskSoftAntiAffinity, undefined, 'not given: the setting applies');
  const u = updateVolumeRequest(parse(volume, 'update', ['v', '--replica-disk-soft-anti-affinity', 'default']));
  assert.equal(u, { name: 'v', replicaDiskSoftAntiAffinity: 'default' });
  usageError(
    () => createVolumeRequest(parse(volume, 'create', ['v', '--size', '1Gi', '--replica-soft-anti-affinity', 'maybe'])),
    /replica-soft-anti-affinity/,
  );
});

t('volume create: every flag', () => {
  const r = createVolumeRequest(
    parse(volume, 'create', [
      'vol-a',
      '--size',
      '2Gi',
      '--replicas',
      '2',
      '--data-locality',
      'best-effort',
      '--disk-selector',
      'ssd,fast',
      '--node-selector',
      'storage',
      '--replica-auto-balance',
      'least-effort',
      '--stale-replica-timeout',
      '60',
      '--access-mode',
      'rwx',
    ]),
  );
  assert.equal(r, {
    name: 'vol-a',
    size: 2 * GiB,
    numberOfReplicas: 2,
    dataLocality: 'best-effort',
    diskSelector: ['ssd', 'fast'],
    nodeSelector: ['storage'],
    replicaAutoBalance: 'least-effort',
    staleReplicaTimeout: 60,
    accessMode: 'rwx',
  });
});

t('volume create: defaults are left to the manager', () => {
  assert.equal(createVolumeRequest(parse(volume, 'create', ['v', '--size', '512Mi'])), {
    name: 'v',
    size: 512 * 2 ** 20,
  });
});

t('volume create: refusals name the flag', () => {
  usageError(() => createVolumeRequest(parse(volume, 'create', ['v'])), /--size is required \(e.g. --size 1Gi\)/);
  usageError(() => createVolumeRequest(parse(volume, 'create', ['v', '--size', '0'])), /--size must be more than 0/);
  usageError(() => createVolumeRequest(parse(volume, 'create', ['v', '--size', '1 GB!'])), /--size: invalid size/);
  usageError(
    () => createVolumeRequest(parse(volume, 'create', ['v', '--size', '1Gi', '--replicas', 'three'])),
    /--replicas: expected an integer/,
  );
  usageError(
    () => createVolumeRequest(parse(volume, 'create', ['v', '--size', '1Gi', '--data-locality', 'local'])),
    /--data-locality: expected one of disabled, best-effort, strict-local, got "local"/,
  );
});

t('volume update: only what is given, selectors as StringList (empty clears)', () => {
  assert.equal(updateVolumeRequest(parse(volume, 'update', ['v', '--replicas', '5'])), {
    name: 'v',
    numberOfReplicas: 5,
  });
  assert.equal(
    updateVolumeRequest(
      parse(volume, 'update', [
        'v',
        '--data-locality',
        'strict-local',
        '--disk-selector',
        '',
        '--node-selector',
        'a,b',
      ]),
    ),
    { name: 'v', dataLocality: 'strict-local', diskSelector: { values: [] }, nodeSelector: { values: ['a', 'b'] } },
  );
  usageError(
    () => updateVolumeRequest(parse(volume, 'update', ['v'])),
    /nothing to update: give at least one of --replicas/,
  );
});

t('volume expand', () => {
  assert.equal(expandVolumeRequest(parse(volume, 'expand', ['v', '--size', '10Gi'])), { name: 'v', size: 10 * GiB });
  usageError(() => expandVolumeRequest(parse(volume, 'expand', ['v'])), /--size is required/);
});

t('node update', () => {
  assert.equal(
    updateNodeRequest(
      parse(node, 'update', ['node-1', '--allow-scheduling', 'false', '--evict', 'true', '--tags', 'a,b']),
    ),
    { nodeId: 'node-1', allowScheduling: false, evictionRequested: true, tags: { values: ['a', 'b'] } },
  );
  assert.equal(updateNodeRequest(parse(node, 'update', ['node-1', '--cordon', 'true'])), {
    nodeId: 'node-1',
    cordoned: true,
  });
  usageError(
    () => updateNodeRequest(parse(node, 'update', ['node-1', '--evict', 'maybe'])),
    /--evict: expected true or false, got "maybe"/,
  );
  usageError(() => updateNodeRequest(parse(node, 'update', ['node-1'])), /nothing to update/);
});

t('disk add and update', () => {
  assert.equal(addDiskRequest(parse(disk, 'add', ['node-1', '/mnt/d1', '--tags', 'ssd', '--reserved', '10Gi'])), {
    nodeId: 'node-1',
    path: '/mnt/d1',
    tags: ['ssd'],
    storageReserved: 10 * GiB,
  });
  assert.equal(
    addDiskRequest(
      parse(disk, 'add', ['node-1', '/mnt/d1', '--id', 'd1', '--maximum', '100Gi', '--available', '90Gi']),
    ),
    { nodeId: 'node-1', path: '/mnt/d1', diskId: 'd1', storageMaximum: 100 * GiB, storageAvailable: 90 * GiB },
  );
  usageError(
    () => addDiskRequest(parse(disk, 'add', ['node-1', '/d', '--maximum', '1Gi', '--available', '2Gi'])),
    /--available must not be more than --maximum/,
  );
  usageError(
    () => addDiskRequest(parse(disk, 'add', ['node-1', '/d', '--reserved', 'lots'])),
    /--reserved: invalid size "lots"/,
  );
  usageError(() => parse(disk, 'add', ['node-1']), /missing PATH/);
  assert.equal(
    updateDiskRequest(
      parse(disk, 'update', [
        'node-1',
        'disk-1',
        '--allow-scheduling',
        'false',
        '--evict',
        'true',
        '--reserved',
        '1Gi',
        '--tags',
        '',
      ]),
    ),
    {
      nodeId: 'node-1',
      diskId: 'disk-1',
      allowScheduling: false,
      evictionRequested: true,
      storageReserved: GiB,
      tags: { values: [] },
    },
  );
  usageError(() => updateDiskRequest(parse(disk, 'update', ['node-1', 'disk-1'])), /nothing to update/);
});

t('audit state --at: a seq or an ISO time', () => {
  assert.equal(parseAt(undefined), {});
  assert.equal(parseAt('42'), { atSeq: 42 });
  assert.equal(parseAt('2026-01-02T15:04:05Z'), { atTimeMs: Date.UTC(2026, 0, 2, 15, 4, 5) });
  usageError(() => parseAt('0'), /--at: a seq starts at 1/);
  usageError(() => parseAt('yesterday'), /--at: expected a seq \(e.g. 42\) or an ISO time/);
  usageError(() => parseAt('2026-13-45'), /--at: expected a seq/);
});

t('a refused command line makes no call and exits 2', async () => {
  const r = await cairn(['volume', 'create', 'v', '--size', '1Gi', '--replicas', '0'], {});
  assert.is(r.code, 2);
  assert.is(r.calls.length, 0);
  assert.is(r.err, 'cairn: --replicas: expected an integer of at least 1, got "0"; see "cairn volume create --help"\n');
});

t('each command sends what its flags say', async () => {
  const r = await cairn(['volume', 'attach', 'v', '--node', 'node-2', '--no-wait'], {
    attachVolume: async () => ({ name: 'v', state: 'attaching', attachedTo: 'node-2' }) as never,
  });
  assert.is(r.code, 0);
  assert.equal(r.calls, [{ method: 'attachVolume', request: { name: 'v', nodeId: 'node-2' } }]);
  assert.is(r.out, 'volume "v" attaching to node-2\n');
  // Without --no-wait it waits for the engine: -o json then carries the NBD endpoint.
  let polls = 0;
  const w = await cairn(['volume', 'attach', 'v', '--node', 'node-2', '-o', 'json'], {
    attachVolume: async () => volumeOf({ name: 'v', state: 'attaching', attachedTo: 'node-2' }),
    getVolume: async () =>
      ++polls < 3
        ? volumeOf({ name: 'v', state: 'attaching', attachedTo: 'node-2' })
        : volumeOf({ name: 'v', state: 'attached', attachedTo: 'node-2', endpoint: 'nbd://10.0.0.2:10809/v' }),
  });
  assert.is(w.code, 0, w.err);
  assert.is(JSON.parse(w.out).nbd, 'nbd://10.0.0.2:10809/v');
  assert.is(polls, 3);
  const s = await cairn(['settings', 'set', 'default-replica-count', '2'], {
    updateSettings: async () => ({
      settings: [{ name: 'default-replica-count', value: '2', default: '3', description: '', range: '' }],
      seq: 9,
    }),
  });
  assert.equal(s.calls[0]!.request, { values: { 'default-replica-count': '2' } });
  assert.is(s.out, 'setting default-replica-count = 2 (seq 9)\n');
  const sn = await cairn(['snapshot', 'create', 'v'], {
    createSnapshot: async () => ({ volume: 'v', name: 'snap-10', size: GiB, createdSeq: 10, createdMs: 0 }),
  });
  assert.equal(sn.calls[0]!.request, { volume: 'v', name: '' });
  const ev = await cairn(['events', '--from', '5'], { watchEvents: async function* () {} });
  assert.equal(ev.calls[0]!.request, { fromSeq: 5, follow: false });
});

t.run();
