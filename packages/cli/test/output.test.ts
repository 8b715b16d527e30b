// What people and programs see: tables, detail blocks, JSON, event lines.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { decodeEvent, encodeEvent, SCHEMA_VERSION } from '@cairn/metadata';
import type { EventDraft } from '@cairn/metadata';
import { keyValues, size, table, time } from '../src/output.js';
import { volumeDetail, volumesTable } from '../src/commands/volume.js';
import { nodesTable } from '../src/commands/node.js';
import { eventLine, eventSummary, eventType } from '../src/event-text.js';
import { cairn, disk, node, volume } from './support.js';

const t = suite('output');

t('tables pad columns to the widest cell, two spaces apart, no trailing blanks', () => {
  assert.is(
    table(
      ['A', 'LONGER', 'C'],
      [
        ['xxxx', 'y', ''],
        ['z', 'w', 'end'],
      ],
    ),
    'A     LONGER  C\nxxxx  y\nz     w       end\n',
  );
  assert.is(
    keyValues([
      ['a', '1'],
      ['long key', '2'],
    ]),
    'a:         1\nlong key:  2\n',
  );
});

t('sizes and times', () => {
  assert.is(size(0), '0');
  assert.is(size(1536 * 2 ** 20), '1.5Gi');
  assert.is(size(10 * 2 ** 40), '10Ti');
  assert.is(size(512), '512');
  assert.is(time(0), '-');
  assert.is(time(Date.UTC(2026, 0, 2, 3, 4, 5, 678)), '2026-01-02T03:04:05Z');
});

t('volume ls table', () => {
  const out = volumesTable([
    volume(),
    volume({
      name: 'vol-b',
      size: 5 * 2 ** 20,
      state: 'attached',
      attachedTo: 'node-2',
      robustness: 'degraded',
      replicas: [],
    }),
  ]);
  assert.is(
    out,
    [
      'NAME   SIZE  STATE     ROBUSTNESS  REPLICAS  RUNNING  LOCALITY  ATTACHED-TO',
      'vol-a  1Gi   detached  healthy     3/3       3        disabled  -',
      'vol-b  5Mi   attached  degraded    0/3       0        disabled  node-2',
      '',
    ].join('\n'),
  );
  assert.is(volumesTable([]), 'no volumes\n');
});

t('volume get: details and the replica table', () => {
  const out = volumeDetail(volume({ unschedulable: 'no node with tag ssd' }));
  assert.match(out, /^name:\s+vol-a$/m);
  assert.match(out, /^size:\s+1Gi \(1073741824 bytes\)$/m);
  assert.match(out, /^unschedulable:\s+no node with tag ssd$/m);
  assert.match(out, /^REPLICA\s+NODE\s+DISK\s+STATE\s+TRIGGER\s+ADDRESS\s+FAILED$/m);
  assert.match(out, /^vol-a-r2\s+node-2\s+disk-1\s+running\s+new\s+127\.0\.0\.1:9502\s+-$/m);
});

t("volume ls shows the CO's name when a volume was made through CSI, so users find their PVC's volume", () => {
  const out = volumesTable([
    volume({ name: 'pvc-1', csiName: 'pvc-1' }),
    volume({ name: 'csi-abc', csiName: 'Data Volume' }),
    volume({ name: 'vol-b' }),
  ]);
  assert.is(
    out,
    [
      'NAME     CSI-NAME     SIZE  STATE     ROBUSTNESS  REPLICAS  RUNNING  LOCALITY  ATTACHED-TO',
      'pvc-1    pvc-1        1Gi   detached  healthy     3/3       3        disabled  -',
      'csi-abc  Data Volume  1Gi   detached  healthy     3/3       3        disabled  -',
      'vol-b    -            1Gi   detached  healthy     3/3       3        disabled  -',
      '',
    ].join('\n'),
  );
});

t('volume get shows the CSI name, the PVC and the parameters accepted without effect', () => {
  const v = volume({
    name: 'csi-abc',
    csiName: 'Data Volume',
    kubernetes: { pvcNamespace: 'shop', pvcName: 'data', pvName: 'pv-data' },
    unsupportedParameters: [{ key: 'recurringJobSelector', value: '[]', reason: 'recurring jobs are not built' }],
  });
  const out = volumeDetail(v);
  assert.match(out, /^csi name:\s+Data Volume$/m);
  assert.match(out, /^pvc:\s+shop\/data$/m);
  assert.match(out, /^pv:\s+pv-data$/m);
  assert.match(out, /^unsupported parameter:\s+recurringJobSelector=\[\]: recurring jobs are not built$/m);
  const plain = volumeDetail(volume());
  assert.not.match(plain, /csi name|pvc:|unsupported/);
});

t('volume get and ls -o json carry the CSI name, the PVC and the unsupported parameters', async () => {
  const v = volume({
    csiName: 'Data',
    kubernetes: { pvcNamespace: 'ns', pvcName: 'data', pvName: 'pvc-1' },
    unsupportedParameters: [{ key: 'k', value: 'v', reason: 'r' }],
  });
  const got = JSON.parse(
    (await cairn(['volume', 'get', 'vol-a', '-o', 'json'], { getVolume: async () => v })).out,
  ) as Record<string, unknown>;
  const listed = JSON.parse(
    (
      await cairn(['volume', 'ls', '-o', 'json'], {
        listVolumes: async () => ({ volumes: [v], total: 1, counts: null }),
      })
    ).out,
  ) as Record<string, unknown>[];
  for (const j of [got, listed[0]!]) {
    assert.is(j['csiName'], 'Data');
    assert.equal(j['kubernetes'], { pvcNamespace: 'ns', pvcName: 'data', pvName: 'pvc-1' });
    assert.equal(j['unsupportedParameters'], [{ key: 'k', value: 'v', reason: 'r' }]);
  }
});

t('volume get shows how far a rebuild has copied', () => {
  const v = volume();
  v.replicas[2] = { ...v.replicas[2]!, state: 'rebuilding', rebuildProgress: 42 };
  assert.match(volumeDetail(v), /^vol-a-r3\s+node-3\s+disk-1\s+rebuilding 42%\s+new/m);
});

t('volume get -o json has the documented fields', async () => {
  const r = await cairn(['volume', 'get', 'vol-a', '-o', 'json'], { getVolume: async () => volume() });
  assert.is(r.code, 0);
  const v = JSON.parse(r.out) as Record<string, unknown>;
  assert.equal(Object.keys(v).slice(0, 3), ['name', 'size', 'state']);
  for (const k of ['name', 'size', 'state', 'robustness', 'numberOfReplicas', 'dataLocality', 'attachedTo', 'replicas'])
    assert.ok(k in v, k);
  assert.is(v['size'], 2 ** 30);
  const rs = v['replicas'] as Record<string, unknown>[];
  for (const k of ['id', 'node', 'disk', 'state']) assert.ok(k in rs[0]!, k);
});

t('every read command takes -o json', async () => {
  const impl = {
    listVolumes: async () => ({ volumes: [volume()], total: 1, counts: null }),
    listNodes: async () => ({ nodes: [node(), node({ id: 'node-2', disks: [disk({ nodeId: 'node-2' })] })] }),
    getSettings: async () => ({
      settings: [{ name: 'a', value: '1', default: '1', description: 'd', range: 'r' }],
      seq: 3,
    }),
    listSnapshots: async () => ({ snapshots: [{ volume: 'v', name: 's', size: 1, createdSeq: 2, createdMs: 3 }] }),
    getClusterInfo: async () => ({ managerId: 'm1', leaderId: 'm1', seq: 5, stateHash: 'h' }),
    explainVolume: async () => ({
      volume: volume(),
      lines: [{ seq: 8, timeMs: 0, replicaId: 'vol-a-r1', text: 'placed' }],
    }),
  };
  for (const argv of [
    ['volume', 'ls'],
    ['node', 'ls'],
    ['node', 'get', 'node-2'],
    ['disk', 'ls'],
    ['disk', 'ls', 'node-2'],
    ['settings', 'get'],
    ['settings', 'get', 'a'],
    ['snapshot', 'ls', 'v'],
    ['info'],
    ['audit', 'explain', 'vol-a'],
  ]) {
    const r = await cairn([...argv, '-o', 'json'], impl);
    assert.is(r.code, 0, argv.join(' '));
    JSON.parse(r.out);
  }
  const d = await cairn(['disk', 'ls', 'node-2', '-o', 'json'], impl);
  assert.equal(
    (JSON.parse(d.out) as { nodeId: string }[]).map((x) => x.nodeId),
    ['node-2'],
  );
  const bad = await cairn(['volume', 'ls', '-o', 'yaml'], impl);
  assert.is(bad.code, 2);
  assert.match(bad.err, /-o\/--output: expected table or json, got "yaml"/);
});

t('node ls shows down reasons', () => {
  const out = nodesTable([node({ state: 'down', downReason: 'lease expired', tags: ['a', 'b'] })]);
  assert.match(out, /node-1\s+zone-a\s+down \(lease expired\)\s+yes\s+no\s+no\s+a,b\s+1\s+127\.0\.0\.1:9500/);
});

t('event lines: seq, time, actor, type, summary', () => {
  const ev = (d: EventDraft, seq = 1) =>
    decodeEvent(
      encodeEvent({
        ...d,
        seq,
        timeMs: Date.UTC(2026, 0, 1),
        actor: 'manager/m1',
        cause: '',
        schemaVersion: SCHEMA_VERSION,
      }),
      seq,
    );
  const placed = ev(
    { replicaScheduled: { replicaId: 'v-r1', volume: 'v', nodeId: 'node-1', diskId: 'disk-1', trigger: 'new' } },
    42,
  );
  assert.is(eventType(placed), 'ReplicaScheduled');
  assert.is(
    eventLine(placed),
    '    42  2026-01-01T00:00:00Z  manager/m1        ReplicaScheduled       v-r1 of v on node-1/disk-1 (new)\n',
  );
  const created = ev({
    volumeCreated: {
      name: 'v',
      spec: { size: 2 ** 30, numberOfReplicas: 3, dataLocality: 'DATA_LOCALITY_BEST_EFFORT', nodeSelector: ['ssd'] },
    },
  });
  assert.is(eventSummary(created), 'v size=1Gi replicas=3 locality=best-effort node-selector=ssd');
  // Made through CSI: the CO's name (when it is not the id), the PVC, and the StorageClass parameters without effect.
  const viaCsi = ev({
    volumeCreated: {
      name: 'csi-abc',
      spec: { size: 2 ** 30, numberOfReplicas: 1, dataLocality: 'DATA_LOCALITY_DISABLED' },
      csiName: 'Data Volume',
      kubernetes: { pvcNamespace: 'shop', pvcName: 'db', pvName: 'pvc-1' },
      unsupportedParameters: [{ key: 'nfsOptions', value: 'hard', reason: 'no RWX' }],
    },
  });
  assert.is(
    eventSummary(viaCsi),
    'csi-abc size=1Gi replicas=1 locality=disabled csi-name="Data Volume" pvc=shop/db ignored-parameters=nfsOptions="hard"',
  );
  assert.is(eventSummary(ev({ settingsChanged: { values: { b: '2', a: '1' } } })), 'a=1 b=2');
  assert.is(eventSummary(ev({ nodeDown: { nodeId: 'node-3', reason: 'lease expired' } })), 'node-3: lease expired');
  assert.is(eventSummary(ev({ volumeSchedulable: { name: 'v' } })), 'v: every replica placed');
});

t('audit verify: the report, and exit 1 on a mismatch, a broken chain or a bad snapshot', async () => {
  const report = {
    seq: 9,
    liveHash: 'h',
    replayHash: 'h',
    ok: true,
    events: 9,
    headSeq: 9,
    chainFromSeq: 1,
    brokenSeq: 0,
    problem: '',
    snapshots: [],
    projectionError: '',
  };
  const ok = await cairn(['audit', 'verify'], { verify: async () => report });
  assert.is(ok.code, 0);
  assert.match(ok.out, /^result:\s+ok/m);
  assert.match(ok.out, /^hash chain:\s+holds from seq 1 to the head/m);
  const bad = await cairn(['audit', 'verify', '-o', 'json'], {
    verify: async () => ({ ...report, liveHash: 'h1', replayHash: 'h2', ok: false }),
  });
  assert.is(bad.code, 1);
  assert.is((JSON.parse(bad.out) as { ok: boolean }).ok, false);
  assert.is(bad.err, 'cairn: audit verify failed: at seq 9 the live hash is h1 but the replay gives h2\n');
  const broken = await cairn(['audit', 'verify'], {
    verify: async () => ({
      ...report,
      seq: 6,
      ok: false,
      events: 6,
      headSeq: 12,
      brokenSeq: 7,
      problem: 'its bytes do not give its chain hash',
      projectionError: "the log's hash chain is broken at seq 7",
      snapshots: [
        { seq: 4, ok: true, detail: '' },
        { seq: 8, ok: false, detail: 'not checked: after the break at seq 7' },
      ],
    }),
  });
  assert.is(broken.code, 1);
  assert.is(
    broken.err,
    'cairn: audit verify failed: the log is broken at seq 7: its bytes do not give its chain hash\n',
  );
  assert.match(broken.out, /^hash chain:\s+BROKEN at seq 7/m);
  assert.match(broken.out, /^projection:\s+STOPPED: the log's hash chain is broken at seq 7/m);
  assert.match(broken.out, /^snapshot 8:\s+BAD: not checked/m);
  const snap = await cairn(['audit', 'verify'], {
    verify: async () => ({
      ...report,
      ok: false,
      snapshots: [{ seq: 8, ok: false, detail: "its chain hash 00 is not the log's ab" }],
    }),
  });
  assert.is(
    snap.err,
    "cairn: audit verify failed: the snapshot at seq 8 does not match the log: its chain hash 00 is not the log's ab\n",
  );
});

t('help goes to stdout with exit 0; a bare group prints its help to stderr with exit 2', async () => {
  const h = await cairn(['volume', 'create', '--help']);
  assert.is(h.code, 0);
  assert.match(h.out, /^usage: cairn volume create NAME \[flags\]/);
  assert.match(h.out, /--size SIZE\s+size, e.g. 512Mi, 1Gi, 2Ti \(required unless --from-backup/);
  const g = await cairn(['disk']);
  assert.is(g.code, 2);
  assert.match(g.err, /usage: cairn disk <command>/);
  const top = await cairn(['help']);
  assert.match(top.out, /audit\s+the state at a past seq/);
  const u = await cairn(['volum', 'ls']);
  assert.is(u.code, 2);
  assert.is(u.err, 'cairn: unknown command "volum"; see "cairn help"\n');
  const us = await cairn(['volume', 'frob']);
  assert.is(us.err, 'cairn: unknown command "volume frob"; see "cairn volume --help"\n');
});

t.run();
