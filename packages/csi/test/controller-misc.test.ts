// Paging tokens, the admin -> CSI error mapping, the in-flight guard and the volume views.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as grpc from '@grpc/grpc-js';
import type { Volume__Output } from '@cairn/api';
import { CsiError, redact } from '../src/index.js';
import { decodeToken, encodeToken, page } from '../src/controller-paging.js';
import { fromAdmin, toStatus } from '../src/errors.js';
import { checkSnapshotParameters } from '../src/controller-snapshot-params.js';
import { InFlight } from '../src/controller-inflight.js';
import { incompatibility } from '../src/controller-compat.js';
import { csiSnapshot, csiVolume, publishedNodes, volumeCondition, volumeContext } from '../src/controller-views.js';

const codeOf = (e: unknown): string => grpc.status[(e as CsiError).code];

function adminError(code: grpc.status, details: string): grpc.ServiceError {
  return Object.assign(new Error(`${code} ${grpc.status[code]}: ${details}`), {
    code,
    details,
    metadata: new grpc.Metadata(),
  });
}

test('paging: pages in id order, next_token until the end, every item exactly once', () => {
  const ids = ['c', 'a', 'e', 'b', 'd'];
  const seen: string[] = [];
  let token = '';
  let pages = 0;
  do {
    const p = page('vol', ids, (x) => x, 2, token);
    seen.push(...p.items);
    token = p.nextToken;
    pages++;
  } while (token);
  assert.equal(seen, ['a', 'b', 'c', 'd', 'e']);
  assert.is(pages, 3);
  assert.equal(
    page('vol', ids, (x) => x, 0, ''),
    { items: ['a', 'b', 'c', 'd', 'e'], nextToken: '' },
  );
  assert.equal(
    page('vol', ids, (x) => x, 5, ''),
    { items: ['a', 'b', 'c', 'd', 'e'], nextToken: '' },
    'exactly max_entries left: no token',
  );
  assert.equal(
    page('vol', [], (x: string) => x, 3, ''),
    { items: [], nextToken: '' },
  );
});

test('paging: a token survives the deletion of the item it points after', () => {
  const first = page('vol', ['a', 'b', 'c', 'd'], (x) => x, 2, '');
  assert.equal(first.items, ['a', 'b']);
  const rest = page('vol', ['a', 'c', 'd'], (x) => x, 2, first.nextToken);
  assert.equal(rest.items, ['c', 'd']);
  assert.is(decodeToken('snap', encodeToken('snap', 'pvc-1@snap-1')), 'pvc-1@snap-1');
});

test("paging: garbage tokens and the other list's tokens are ABORTED; negative max_entries INVALID_ARGUMENT", () => {
  for (const bad of ['garbage', 'vol:', 'vol:***', encodeToken('snap', 'x')]) {
    try {
      page('vol', ['a'], (x) => x, 0, bad);
      assert.unreachable(`token ${bad} accepted`);
    } catch (e) {
      assert.is(codeOf(e), 'ABORTED', bad);
      assert.match((e as Error).message, /starting_token .* is not a token this driver returned/);
    }
  }
  try {
    page('vol', ['a'], (x) => x, -1, '');
    assert.unreachable();
  } catch (e) {
    assert.is(codeOf(e), 'INVALID_ARGUMENT');
    assert.match((e as Error).message, /max_entries must not be negative/);
  }
});

test(
  "VolumeSnapshotClass parameters: Longhorn's type snap (or none) and the snapshotter's keys pass; " +
    'bak FAILED_PRECONDITION; bi and unknown keys INVALID_ARGUMENT',
  () => {
    const refusal = (p: Record<string, string>): string => {
      try {
        checkSnapshotParameters(p);
        return 'OK';
      } catch (e) {
        return `${codeOf(e)}: ${(e as Error).message}`;
      }
    };
    assert.is(refusal({}), 'OK');
    assert.is(
      refusal({
        type: 'snap',
        'csi.storage.k8s.io/volumesnapshot/name': 's',
        'csi.storage.k8s.io/volumesnapshotcontent/name': 'c',
      }),
      'OK',
    );
    assert.match(
      refusal({ type: 'bak', backupMode: 'full' }),
      /^FAILED_PRECONDITION: parameter type bak asks for a backup: no backup target is configured/,
    );
    assert.match(refusal({ type: 'bi' }), /^INVALID_ARGUMENT: parameter type bi \(a backing image\) is not supported/);
    assert.match(refusal({ type: 'snapshot' }), /^INVALID_ARGUMENT: parameter type "snapshot" is not valid/);
    assert.match(
      refusal({ type: 'snap', backupMode: 'full' }),
      /^INVALID_ARGUMENT: parameter backupMode applies to type bak/,
    );
    assert.match(
      refusal({ retention: '3' }),
      /^INVALID_ARGUMENT: parameter retention is not known: cairn's VolumeSnapshotClass parameters are type, backupMode/,
    );
  },
);

test('error mapping: admin refusals keep their meaning and message; faults become INTERNAL or UNAVAILABLE', () => {
  const cases: [grpc.status, string][] = [
    [grpc.status.INVALID_ARGUMENT, 'INVALID_ARGUMENT'],
    [grpc.status.NOT_FOUND, 'NOT_FOUND'],
    [grpc.status.ALREADY_EXISTS, 'ALREADY_EXISTS'],
    [grpc.status.FAILED_PRECONDITION, 'FAILED_PRECONDITION'],
    [grpc.status.RESOURCE_EXHAUSTED, 'RESOURCE_EXHAUSTED'],
    [grpc.status.ABORTED, 'ABORTED'],
    [grpc.status.UNAVAILABLE, 'UNAVAILABLE'],
    [grpc.status.DEADLINE_EXCEEDED, 'DEADLINE_EXCEEDED'],
    [grpc.status.CANCELLED, 'UNAVAILABLE'],
    [grpc.status.DATA_LOSS, 'INTERNAL'],
    [grpc.status.INTERNAL, 'INTERNAL'],
    [grpc.status.UNAUTHENTICATED, 'INTERNAL'],
  ];
  for (const [code, want] of cases) {
    const e = fromAdmin(adminError(code, 'volume "v" does not exist'));
    assert.ok(e instanceof CsiError);
    assert.is(codeOf(e), want, grpc.status[code]);
    assert.match(e.message, /volume "v" does not exist/);
  }
  assert.match(
    (fromAdmin(adminError(grpc.status.UNAUTHENTICATED, 'a valid bearer token is required')) as CsiError).message,
    /refused the CSI controller's credentials/,
  );
  const own = new CsiError(grpc.status.OUT_OF_RANGE, 'x');
  assert.is(fromAdmin(own), own, 'a CsiError passes through');
  const boom = new TypeError('boom');
  assert.is(fromAdmin(boom), boom, 'anything else stays a fault of the plugin (toStatus: INTERNAL with an id)');
});

test('error status: a refusal keeps its code and message; a fault goes to the CO as INTERNAL with an id, in full to the log only', () => {
  const refusal = toStatus(new CsiError(grpc.status.NOT_FOUND, 'volume "v" does not exist'));
  assert.equal([grpc.status[refusal.code], refusal.details], ['NOT_FOUND', 'volume "v" does not exist']);
  const fault = toStatus(new Error('mount: /var/lib/kubelet/plugins/x: wrong fs type'));
  assert.is(grpc.status[fault.code], 'INTERNAL');
  const id = /^internal error ([0-9a-f]{8}) /.exec(fault.details)?.[1];
  assert.ok(id, fault.details);
  assert.not.match(fault.details, /kubelet|mount/, 'no host path or command text reaches the CO');
  assert.match(fault.logged, new RegExp(`error ${id}: Error: mount: /var/lib/kubelet/plugins/x: wrong fs type`));
  assert.is.not(toStatus(new Error('x')).details, toStatus(new Error('x')).details, 'each fault has its own id');
});

test('in-flight guard: a second operation on a held key is ABORTED naming the first; keys are released after', async () => {
  const g = new InFlight();
  let release!: () => void;
  const first = g.run(
    ['volume "v"'],
    'ControllerPublishVolume',
    () => new Promise<string>((r) => (release = () => r('done'))),
  );
  await g
    .run(['volume "v"'], 'DeleteVolume', async () => 'x')
    .then(
      () => assert.unreachable('second operation ran'),
      (e: CsiError) => {
        assert.is(codeOf(e), 'ABORTED');
        assert.match(
          e.message,
          /ControllerPublishVolume is already in flight for volume "v", so this DeleteVolume was not started/,
        );
      },
    );
  assert.is(await g.run(['volume "w"'], 'DeleteVolume', async () => 'other volume'), 'other volume');
  release();
  assert.is(await first, 'done');
  assert.equal(g.held(), []);
  await g
    .run(['volume "v"'], 'x', async () => {
      throw new Error('fails');
    })
    .catch(() => undefined);
  assert.equal(g.held(), [], 'released after a failure too');
});

function vol(o: Partial<Volume__Output> = {}): Volume__Output {
  const r = (id: string, node: string, state: string, failedReason = '') => ({
    id,
    node,
    disk: 'disk-1',
    state,
    address: '',
    trigger: 'new',
    failedReason,
    rebuildProgress: 0,
  });
  return {
    name: 'pvc-1',
    size: 2 ** 30,
    state: 'detached',
    robustness: 'healthy',
    numberOfReplicas: 3,
    dataLocality: 'disabled',
    attachedTo: '',
    endpoint: '',
    replicas: [r('r1', 'node-1', 'running'), r('r2', 'node-2', 'running'), r('r3', 'node-3', 'running')],
    diskSelector: [],
    nodeSelector: [],
    replicaAutoBalance: 'ignored',
    staleReplicaTimeout: 2880,
    unschedulable: '',
    createdSeq: 1,
    fsType: 'ext4',
    accessMode: 'rwo',
    seq: 2,
    replicaSoftAntiAffinity: 'default',
    replicaZoneSoftAntiAffinity: 'default',
    replicaDiskSoftAntiAffinity: 'default',
    dataSource: '',
    dataSourceReady: true,
    mkfsParams: '',
    autoAttachReason: '',
    autoAttachedNode: '',
    waiting: '',
    csiName: '',
    kubernetes: null,
    unsupportedParameters: [],
    restore: null,
    labels: {},
    recurringJobs: [],
    ...o,
  };
}

test('views: volume_context from the volume; published nodes; content source from the data source', () => {
  assert.equal(volumeContext(vol()), { fsType: 'ext4' });
  assert.equal(volumeContext(vol({ fsType: 'xfs', mkfsParams: '-K' })), { fsType: 'xfs', mkfsParams: '-K' });
  assert.equal(publishedNodes(vol({ state: 'attached', attachedTo: 'node-2' })), ['node-2']);
  assert.equal(publishedNodes(vol({ state: 'attaching', attachedTo: 'node-2' })), ['node-2']);
  assert.equal(publishedNodes(vol({ state: 'detaching', attachedTo: 'node-2' })), []);
  assert.equal(csiVolume(vol({ dataSource: 'snap://a/b' })).contentSource, { snapshot: { snapshotId: 'a@b' } });
  assert.equal(csiVolume(vol(), null, { volume: { volumeId: 'src' } }).contentSource, { volume: { volumeId: 'src' } });
  assert.is(csiVolume(vol()).contentSource, undefined);
  const s = csiSnapshot({ volume: 'pvc-1', name: 'snap-1', size: 4096, createdSeq: 9, createdMs: 1_700_000_000_123 });
  assert.equal(s, {
    sizeBytes: 4096,
    snapshotId: 'pvc-1@snap-1',
    sourceVolumeId: 'pvc-1',
    creationTime: { seconds: 1_700_000_000, nanos: 123_000_000 },
    readyToUse: true,
  });
});

test('idempotent CreateVolume: only what the request states must match the existing volume', () => {
  const v = vol({ size: 64 * 2 ** 20, numberOfReplicas: 3, mkfsParams: '-m 0', diskSelector: ['ssd'] });
  const ask = { range: null, params: {}, fsType: null, source: null };
  assert.is(incompatibility(v, ask), null);
  assert.is(
    incompatibility(v, {
      ...ask,
      range: { requiredBytes: 32 * 2 ** 20, limitBytes: 0 },
      params: { numberOfReplicas: 3, diskSelector: ['ssd'] },
      fsType: 'ext4',
    }),
    null,
  );
  assert.match(
    incompatibility(v, { ...ask, range: { requiredBytes: 128 * 2 ** 20, limitBytes: 0 } })!,
    /its size 67108864 is outside capacity_range \[134217728, no limit\]/,
  );
  assert.is(incompatibility(v, { ...ask, params: { numberOfReplicas: 2 } }), 'numberOfReplicas is 3, requested 2');
  assert.is(incompatibility(v, { ...ask, params: { diskSelector: [] } }), 'diskSelector is ["ssd"], requested []');
  assert.is(incompatibility(v, { ...ask, fsType: 'xfs' }), 'fsType is "ext4", requested "xfs"');
  assert.is(incompatibility(v, { ...ask, params: { mkfsParams: '' } }), 'mkfsParams is "-m 0", requested ""');
  const fromSnap = vol({ dataSource: 'snap://pvc-1/s1' });
  assert.is(incompatibility(fromSnap, { ...ask, source: { kind: 'snapshot', volume: 'pvc-1', snapshot: 's1' } }), null);
  assert.match(
    incompatibility(fromSnap, { ...ask, source: { kind: 'volume', volume: 'pvc-1' } })!,
    /volume_content_source is "snap:\/\/pvc-1\/s1", requested "vol:\/\/pvc-1"/,
  );
  assert.match(incompatibility(fromSnap, ask)!, /volume_content_source/);
  const soft = vol({ replicaSoftAntiAffinity: 'enabled' });
  assert.is(
    incompatibility(soft, {
      ...ask,
      params: { replicaSoftAntiAffinity: 'enabled', replicaZoneSoftAntiAffinity: 'default' },
    }),
    null,
  );
  assert.is(
    incompatibility(soft, { ...ask, params: { replicaSoftAntiAffinity: 'disabled' } }),
    'replicaSoftAntiAffinity is "enabled", requested "disabled"',
  );
  assert.is(
    incompatibility(soft, { ...ask, params: { replicaDiskSoftAntiAffinity: 'enabled' } }),
    'replicaDiskSoftAntiAffinity is "default", requested "enabled"',
  );
  // fromBackup (the StorageClass parameter): the volume restored from that backup, or none.
  const url = 's3://b@us-east-1/?backup=backup-1&volume=v';
  const restored = vol({
    restore: {
      backup: url,
      restored: url,
      state: 'completed',
      progress: 100,
      error: '',
      standby: false,
      activating: false,
    },
  });
  assert.is(incompatibility(restored, { ...ask, fromBackup: url }), null);
  assert.is(
    incompatibility(restored, { ...ask, fromBackup: url.replace('backup-1', 'backup-2') }),
    `fromBackup is ${JSON.stringify(url)}, requested ${JSON.stringify(url.replace('backup-1', 'backup-2'))}`,
  );
  assert.is(incompatibility(v, { ...ask, fromBackup: url }), `fromBackup is "", requested ${JSON.stringify(url)}`);
});

test('condition: abnormal when degraded or faulted or unschedulable, saying which replicas and why', () => {
  assert.equal(volumeCondition(vol()), { abnormal: false, message: 'healthy: 3/3 replicas running' });
  const r = (id: string, node: string, state: string, failedReason = '') => ({
    id,
    node,
    disk: 'disk-1',
    state,
    address: '',
    trigger: 'new',
    failedReason,
    rebuildProgress: 0,
  });
  const degraded = volumeCondition(
    vol({
      robustness: 'degraded',
      numberOfReplicas: 4,
      replicas: [
        r('r1', 'node-1', 'running'),
        r('r2', 'node-2', 'failed', 'connection refused'),
        r('r3', 'node-3', 'running'),
      ],
      unschedulable: '1 of 4 replicas cannot be placed: AntiAffinityNode x3 (seq 38)',
    }),
  );
  assert.is(degraded.abnormal, true);
  assert.match(degraded.message!, /^degraded: 2\/4 replicas running/);
  assert.match(degraded.message!, /replica r2 on node-2 failed: connection refused/);
  assert.match(degraded.message!, /2 replica\(s\) unschedulable: 1 of 4 replicas cannot be placed/);
  const faulted = volumeCondition(vol({ robustness: 'faulted', replicas: [r('r1', 'node-1', 'failed', 'disk gone')] }));
  assert.is(faulted.abnormal, true);
  assert.match(faulted.message!, /faulted: no replica running; replica r1 on node-1 failed: disk gone/);
  assert.is(volumeCondition(vol({ robustness: 'unknown', replicas: [] })).abnormal, false, 'just created');
  assert.is(volumeCondition(vol({ robustness: 'unknown', replicas: [], unschedulable: 'no disk' })).abnormal, true);
});

test('logs: refused requests are logged without secrets or mount flags', () => {
  const req = {
    name: 'pvc-1',
    secrets: { password: 'hunter2' },
    volumeCapabilities: [
      { mount: { fsType: 'ext4', mountFlags: ['password=hunter2', 'ro'] }, accessMode: { mode: 'SINGLE_NODE_WRITER' } },
    ],
  };
  const line = JSON.stringify(redact(req));
  assert.not.match(line, /hunter2/);
  assert.match(line, /"fsType":"ext4"/);
  assert.match(line, /"mountFlags":\["\*\*\*stripped\*\*\*","\*\*\*stripped\*\*\*"\]/);
});

test.run();
