// StorageClass parameters as users write them for Longhorn: every parameter Longhorn documents is
// accepted; the ones cairn implements act; the others are reported with a reason unless their
// value asks for what cairn does anyway; bad values and unknown keys are INVALID_ARGUMENT naming
// them. The StorageClasses below are Longhorn's own (docs, examples/, Helm chart) as published.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as grpc from '@grpc/grpc-js';
import {
  CsiError,
  STORAGE_CLASS_PARAMETERS,
  STORAGE_CLASS_PARAMETERS_ACTED_ON,
  STORAGE_CLASS_PARAMETERS_WITHOUT_EFFECT,
} from '../src/index.js';
import { parseParameters, parseStorageClass, REASONS, WITHOUT_EFFECT } from '../src/storage-class.js';

/** Asserts fn throws INVALID_ARGUMENT whose message matches every one of `res`. */
function refuses(fn: () => unknown, ...res: RegExp[]): void {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof CsiError, `a CsiError, got ${String(e)}`);
    assert.is(grpc.status[(e as CsiError).code], 'INVALID_ARGUMENT', (e as Error).message);
    for (const re of res) assert.match((e as Error).message, re);
    return;
  }
  assert.unreachable(`expected INVALID_ARGUMENT matching ${res.join(', ')}`);
}

const keysOf = (p: Record<string, string>): string[] => parseStorageClass(p).unsupported.map((u) => u.key);

// longhorn/website content/docs/1.13.0/references/storage-class-parameters.md: the sample with
// every commented parameter switched on, values as written (quoted, as Kubernetes needs them).
const DOCS_SAMPLE = {
  backupTargetName: 'default',
  numberOfReplicas: '3',
  staleReplicaTimeout: '2880',
  fromBackup: '',
  fsType: 'ext4',
  mkfsParams: '',
  migratable: 'false',
  encrypted: 'false',
  dataLocality: 'disabled',
  replicaAutoBalance: 'ignored',
  diskSelector: 'ssd,fast',
  nodeSelector: 'storage,fast',
  recurringJobSelector:
    '[{"name":"snap-group", "isGroup":true},\n                          {"name":"backup", "isGroup":false}]',
  backingImageName: '',
  backingImageChecksum: '',
  backingImageDataSourceType: '',
  backingImageDataSourceParameters: '',
  unmapMarkSnapChainRemoved: 'ignored',
  disableRevisionCounter: 'false',
  replicaSoftAntiAffinity: 'ignored',
  replicaZoneSoftAntiAffinity: 'ignored',
  replicaDiskSoftAntiAffinity: 'ignored',
  nfsOptions: 'soft,timeo=150,retrans=3',
  dataEngine: 'v1',
  freezeFSForSnapshot: 'ignored',
  strictTopology: 'false',
};

test("Longhorn's documented sample StorageClass parses; only nfsOptions is reported; the recurringJobSelector is read", () => {
  const r = parseStorageClass(DOCS_SAMPLE);
  assert.equal(r.volume, {
    numberOfReplicas: 3,
    staleReplicaTimeout: 2880,
    fsType: 'ext4',
    mkfsParams: '',
    dataLocality: 'disabled',
    replicaAutoBalance: 'ignored',
    diskSelector: ['fast', 'ssd'],
    nodeSelector: ['fast', 'storage'],
    replicaSoftAntiAffinity: 'default',
    replicaZoneSoftAntiAffinity: 'default',
    replicaDiskSoftAntiAffinity: 'default',
  });
  assert.equal(r.unsupported, [{ key: 'nfsOptions', value: 'soft,timeo=150,retrans=3', reason: REASONS.rwx }]);
  assert.equal(r.recurringJobSelector, [
    { name: 'snap-group', isGroup: true },
    { name: 'backup', isGroup: false },
  ]);
  assert.is(r.fromBackup, '');
  assert.is(r.kubernetes, null);
});

test("longhorn/longhorn examples/storageclass.yaml and the Helm chart's default class parse", () => {
  // examples/storageclass.yaml with its commented lines on.
  const example = {
    numberOfReplicas: '3',
    staleReplicaTimeout: '2880',
    fromBackup: '',
    fsType: 'ext4',
    mkfsParams: '-I 256 -b 4096 -O ^metadata_csum,^64bit',
    backingImage: 'bi-test',
    backingImageDataSourceType: 'download',
    backingImageDataSourceParameters:
      '{"url": "https://backing-image-example.s3-region.amazonaws.com/test-backing-image"}',
    backingImageChecksum: 'SHA512 checksum of the backing image',
    unmapMarkSnapChainRemoved: 'ignored',
    diskSelector: 'ssd,fast',
    nodeSelector: 'storage,fast',
    recurringJobSelector:
      '[{"name":"snap-group", "isGroup":true},\n                          {"name":"backup", "isGroup":false}]',
    nfsOptions: 'soft,timeo=150,retrans=3',
  };
  assert.equal(keysOf(example), [
    'backingImage',
    'backingImageChecksum',
    'backingImageDataSourceParameters',
    'backingImageDataSourceType',
    'nfsOptions',
  ]);
  assert.is(parseStorageClass(example).volume.mkfsParams, '-I 256 -b 4096 -O ^metadata_csum,^64bit');
  // chart/templates/storageclass.yaml rendered with chart/values.yaml's defaults: Longhorn turns
  // the revision counter off by default; cairn keeps it, and says so.
  const helm = {
    numberOfReplicas: '3',
    staleReplicaTimeout: '30',
    fromBackup: '',
    fsType: 'ext4',
    dataLocality: 'disabled',
    disableRevisionCounter: 'true',
    dataEngine: 'v1',
  };
  const r = parseStorageClass(helm);
  assert.equal(r.unsupported, [{ key: 'disableRevisionCounter', value: 'true', reason: REASONS.revisionCounter }]);
  assert.equal(r.volume, { numberOfReplicas: 3, staleReplicaTimeout: 30, fsType: 'ext4', dataLocality: 'disabled' });
});

// Every parameter in Longhorn's docs 0.8-1.13 (storage-class-parameters.md and the StorageClasses
// in its pages), examples/ and chart/, and what longhorn-manager's csi/ reads from a StorageClass.
const DOCUMENTED = [
  'numberOfReplicas',
  'staleReplicaTimeout',
  'fromBackup',
  'fsType',
  'mkfsParams',
  'migratable',
  'encrypted',
  'dataLocality',
  'replicaAutoBalance',
  'diskSelector',
  'nodeSelector',
  'recurringJobSelector',
  'recurringJobs',
  'backingImage',
  'backingImageName',
  'backingImageChecksum',
  'backingImageDataSourceType',
  'backingImageDataSourceParameters',
  'backingImageMinNumberOfCopies',
  'backingImageNodeSelector',
  'backingImageDiskSelector',
  'backingImageURL',
  'baseImage',
  'unmapMarkSnapChainRemoved',
  'disableRevisionCounter',
  'replicaSoftAntiAffinity',
  'replicaZoneSoftAntiAffinity',
  'replicaDiskSoftAntiAffinity',
  'nfsOptions',
  'shareManagerNodeSelector',
  'shareManagerTolerations',
  'dataEngine',
  'backendStoreDriver',
  'dataLayout.type',
  'dataLayout.mode',
  'dataLayout.dataChunks',
  'dataLayout.parityChunks',
  'dataLayout.stripSizeKB',
  'freezeFilesystemForSnapshot',
  'freezeFSForSnapshot',
  'backupTargetName',
  'strictTopology',
  'backupBlockSize',
  'cloneMode',
  'frontend',
  'ublkNumberOfQueue',
  'ublkQueueDepth',
  'nvmeTcpNrIoQueues',
  'volumeTopology',
  'storageCapacityMode',
];

test('every documented Longhorn parameter is known, in exactly one of the two lists', () => {
  const all: readonly string[] = STORAGE_CLASS_PARAMETERS;
  for (const k of DOCUMENTED) assert.ok(all.includes(k), `${k} is known`);
  assert.equal([...all].sort(), [...DOCUMENTED].sort(), 'and nothing else');
  const acted: readonly string[] = STORAGE_CLASS_PARAMETERS_ACTED_ON;
  const inert: readonly string[] = STORAGE_CLASS_PARAMETERS_WITHOUT_EFFECT;
  assert.equal(
    acted.filter((k) => inert.includes(k)),
    [],
    'no parameter both acts and has no effect',
  );
  assert.equal(Object.keys(WITHOUT_EFFECT).sort(), [...inert].sort(), 'every parameter without effect has a rule');
  for (const [k, r] of Object.entries(WITHOUT_EFFECT))
    assert.ok(r.reason.length > 20, `${k} has a reason a user can read`);
});

test("the parameters cairn implements take Longhorn's values", () => {
  assert.equal(
    parseParameters({
      numberOfReplicas: '2',
      staleReplicaTimeout: '30',
      dataLocality: 'best-effort',
      diskSelector: 'ssd, fast,ssd',
      nodeSelector: 'storage',
      replicaAutoBalance: 'least-effort',
      fsType: 'xfs',
      mkfsParams: ' -m 0 ',
      replicaSoftAntiAffinity: 'enabled',
      replicaZoneSoftAntiAffinity: 'disabled',
      replicaDiskSoftAntiAffinity: 'ignored',
    }),
    {
      numberOfReplicas: 2,
      staleReplicaTimeout: 30,
      dataLocality: 'best-effort',
      diskSelector: ['fast', 'ssd'],
      nodeSelector: ['storage'],
      replicaAutoBalance: 'least-effort',
      fsType: 'xfs',
      mkfsParams: '-m 0',
      replicaSoftAntiAffinity: 'enabled',
      replicaZoneSoftAntiAffinity: 'disabled',
      replicaDiskSoftAntiAffinity: 'default',
    },
  );
  assert.equal(parseParameters({}), {});
  // Longhorn's 0 is "the default timeout": left to cairn's default, not asked for as 0 minutes.
  assert.equal(parseParameters({ staleReplicaTimeout: '0' }), {});
  assert.equal(parseParameters({ dataLocality: 'strict-local', numberOfReplicas: '1' }), {
    dataLocality: 'strict-local',
    numberOfReplicas: 1,
  });
});

test('a bad value of a parameter cairn implements is INVALID_ARGUMENT naming it and the value', () => {
  refuses(() => parseParameters({ numberOfReplicas: 'x' }), /parameter numberOfReplicas "x" is not an integer/);
  refuses(() => parseParameters({ numberOfReplicas: '0' }), /numberOfReplicas must be from 1 to 20, got 0/);
  refuses(() => parseParameters({ numberOfReplicas: '21' }), /numberOfReplicas must be from 1 to 20/);
  refuses(() => parseParameters({ staleReplicaTimeout: '-5' }), /parameter staleReplicaTimeout "-5"/);
  refuses(
    () => parseParameters({ dataLocality: 'nearby' }),
    /dataLocality "nearby" is not valid: use one of disabled, best-effort, strict-local/,
  );
  refuses(
    () => parseParameters({ replicaAutoBalance: 'always' }),
    /replicaAutoBalance "always".*ignored, disabled, least-effort, best-effort/,
  );
  refuses(() => parseParameters({ diskSelector: 'fast,n@pe' }), /diskSelector: tag "n@pe"/);
  refuses(() => parseParameters({ nodeSelector: 'a b' }), /nodeSelector: tag "a b"/);
  refuses(() => parseParameters({ fsType: 'ntfs' }), /fsType "ntfs".*ext4, xfs/);
  refuses(
    () => parseParameters({ mkfsParams: '-m 0\n-rf' }),
    /parameter mkfsParams "-m 0\\n-rf" is not valid: use one line/,
  );
  refuses(
    () => parseParameters({ dataLocality: 'strict-local', numberOfReplicas: '3' }),
    /strict-local needs numberOfReplicas 1/,
  );
  // Longhorn's words, not true/false nor cairn's admin word "default".
  for (const k of ['replicaSoftAntiAffinity', 'replicaZoneSoftAntiAffinity', 'replicaDiskSoftAntiAffinity']) {
    refuses(
      () => parseParameters({ [k]: 'true' }),
      new RegExp(`parameter ${k} "true" is not valid: use one of ignored, enabled, disabled`),
    );
    refuses(() => parseParameters({ [k]: 'default' }), new RegExp(`parameter ${k} "default"`));
  }
});

// For each parameter without effect: a value that asks for what cairn does (quiet), one that
// asks for something else (reported), and one Longhorn would refuse too (bad).
const INERT_CASES: Array<[string, quiet: string[], reported: string, bad: string]> = [
  ['backupTargetName', ['', 'default'], 'offsite', 'a\nb'],
  ['backupBlockSize', [''], '16Mi', 'big'],
  ['migratable', ['false', 'False', '0', 'f'], 'true', 'maybe'],
  ['encrypted', ['false', 'FALSE'], 'true', 'yes'],
  ['nfsOptions', [''], 'hard,sync', 'hard\nsync'],
  ['shareManagerNodeSelector', [''], 'zone=east', 'a\u0000'],
  ['shareManagerTolerations', [''], 'key=value:NoSchedule', 'a\tb'],
  ['dataEngine', ['v1', ''], 'v2', 'v3'],
  ['backendStoreDriver', ['v1', ''], 'v2', 'spdk'],
  ['frontend', ['', 'blockdev'], 'ublk', 'nbd'],
  ['ublkNumberOfQueue', ['0'], '4', 'four'],
  ['ublkQueueDepth', ['0'], '128', '-1'],
  ['nvmeTcpNrIoQueues', ['0'], '2', '2.5'],
  ['dataLayout.type', ['replicated', ''], 'sharded', 'striped'],
  ['dataLayout.mode', ['raid1', ''], 'erasureCoding', 'raid5'],
  ['dataLayout.dataChunks', ['0'], '4', 'x'],
  ['dataLayout.parityChunks', ['0'], '2', '-2'],
  ['dataLayout.stripSizeKB', ['0'], '64', '64k'],
  ['disableRevisionCounter', ['false'], 'true', 'off'],
  ['unmapMarkSnapChainRemoved', ['ignored', 'disabled'], 'enabled', 'on'],
  ['freezeFilesystemForSnapshot', ['ignored', 'disabled'], 'enabled', 'true'],
  ['freezeFSForSnapshot', ['ignored', 'disabled'], 'enabled', 'yes'],
  ['cloneMode', ['', 'full-copy'], 'linked-clone', 'shallow'],
  ['strictTopology', ['false'], 'true', 'strict'],
  ['volumeTopology', ['', 'any'], 'zonal', 'global'],
  ['storageCapacityMode', [''], 'zone', 'region'],
  ['backingImage', [''], 'bi-test', 'bi\ntest'],
  ['backingImageName', [''], 'bi-test', 'bi\ntest'],
  ['backingImageChecksum', [''], 'abc123', 'a\nb'],
  ['backingImageDataSourceType', [''], 'download', 'ftp'],
  ['backingImageDataSourceParameters', ['', '{}'], '{"url":"https://example.com/img"}', '{"url":1}'],
  ['backingImageMinNumberOfCopies', [''], '2', 'two'],
  ['backingImageNodeSelector', [''], 'node1', 'n@de'],
  ['backingImageDiskSelector', [''], 'disk1', 'd!sk'],
  ['backingImageURL', [''], 'https://example.com/img', 'a\nb'],
  ['baseImage', [''], 'rancher/vm-ubuntu', 'a\nb'],
];

test('parameters without effect: quiet when the value asks for what cairn does, else reported with the reason; bad values refused', () => {
  assert.equal(
    INERT_CASES.map((c) => c[0]).sort(),
    [...STORAGE_CLASS_PARAMETERS_WITHOUT_EFFECT].sort(),
    'a case for each',
  );
  for (const [key, quiet, reported, bad] of INERT_CASES) {
    for (const v of quiet)
      assert.equal(
        parseStorageClass({ [key]: v }),
        { volume: {}, unsupported: [], kubernetes: null, fromBackup: '', encrypted: false },
        `${key} "${v}" is quiet`,
      );
    // encrypted is the one refused instead (see its own test below).
    if (key !== 'encrypted')
      assert.equal(
        parseStorageClass({ [key]: reported }).unsupported,
        [{ key, value: reported, reason: WITHOUT_EFFECT[key as keyof typeof WITHOUT_EFFECT].reason }],
        `${key} "${reported}" is reported`,
      );
    refuses(() => parseStorageClass({ [key]: bad }), new RegExp(`^parameter ${key.replace('.', '\\.')}\\b`));
    try {
      parseStorageClass({ [key]: bad });
    } catch (e) {
      const m = (e as Error).message;
      assert.ok(
        m.includes(bad) || m.includes(JSON.stringify(bad)),
        `${key}: "${m}" names the value ${JSON.stringify(bad)}`,
      );
    }
  }
  // The value is named too.
  refuses(
    () => parseStorageClass({ migratable: 'maybe' }),
    /parameter migratable "maybe" is not valid: use true or false/,
  );
  refuses(
    () => parseStorageClass({ dataEngine: 'v3' }),
    /parameter dataEngine "v3" is not valid: use one of "", v1, v2/,
  );
});

test('recurringJobs (the older inline list) and recurringJobSelector: JSON of the right shape, else INVALID_ARGUMENT naming the parameter', () => {
  const ok = (key: 'recurringJobs' | 'recurringJobSelector', v: string): void => {
    const r = parseStorageClass({ [key]: v });
    assert.equal(r.unsupported, [], `${key} ${v} is acted on`);
    assert.ok(r[key]?.length, `${key} ${v} is read`);
  };
  for (const v of ['', '[]', 'null'])
    assert.equal(
      parseStorageClass({ recurringJobSelector: v, recurringJobs: v === 'null' ? '' : v }),
      { volume: {}, unsupported: [], kubernetes: null, fromBackup: '', encrypted: false },
      `"${v}" asks for nothing`,
    );
  // What the manager gets: names, tasks and crons as given, fields in any case, absent numbers 0.
  assert.equal(
    parseStorageClass({
      recurringJobs: '[{"Name":"snap","TASK":"snapshot","Cron":"0 * * * *","retain":2,"labels":{"a":"b"}}]',
    }).recurringJobs,
    [{ name: 'snap', task: 'snapshot', cron: '0 * * * *', retain: 2, concurrency: 0, groups: [], labels: { a: 'b' } }],
  );
  // Longhorn 1.1's documented example, then the later fields.
  ok(
    'recurringJobs',
    '[{"name":"snap", "task":"snapshot", "cron":"*/1 * * * *", "retain":1},\n' +
      ' {"name":"backup", "task":"backup", "cron":"*/2 * * * *", "retain":1,\n  "labels": {"interval":"2m"}}]',
  );
  ok(
    'recurringJobs',
    '[{"name":"trim","task":"filesystem-trim","cron":"0 3 * * sun","retain":0,"groups":["default"],"concurrency":2}]',
  );
  ok(
    'recurringJobs',
    '[{"name":"d","task":"snapshot-cleanup","cron":"@daily"},{"name":"e","task":"backup-force-create","cron":"@every 1h30m"}]',
  );
  ok('recurringJobs', '[{"name":"m","task":"snapshot","cron":"CRON_TZ=UTC 0-30/10 1,13 1-15 jan-jun mon-fri"}]');
  // Go's encoding/json, Longhorn's reader, matches field names in any case.
  ok('recurringJobs', '[{"Name":"snap","TASK":"snapshot","Cron":"0 * * * *"}]');
  ok('recurringJobSelector', '[{"name":"snap-group","isGroup":true},{"name":"backup"}]');
  ok('recurringJobSelector', '[{"Name":"backup","IsGroup":false}]');

  const bad = (key: string, v: string, why: RegExp): void =>
    refuses(() => parseStorageClass({ [key]: v }), new RegExp(`^parameter ${key} is not valid`), why);
  bad('recurringJobs', 'snap', /not JSON/);
  bad('recurringJobs', '{"name":"snap","task":"snapshot","cron":"* * * * *"}', /not a list/);
  bad('recurringJobs', '["snap"]', /\[0\] is not an object/);
  bad('recurringJobs', '[{"name":"snap","task":"snapshot"}]', /\[0\] has no cron/);
  bad('recurringJobs', '[{"name":"","task":"snapshot","cron":"* * * * *"}]', /\[0\]\.name must be a non-empty string/);
  bad(
    'recurringJobs',
    '[{"name":"s","task":"snapshot","cron":"* * * * *"},{"name":"b","task":"copy","cron":"* * * * *"}]',
    /\[1\]\.task must be one of snapshot, .*filesystem-trim/,
  );
  bad('recurringJobs', '[{"name":"s","task":"snapshot","cron":"* * * * * *"}]', /\[0\]\.cron .*give 5 fields/);
  bad('recurringJobs', '[{"name":"s","task":"snapshot","cron":"60 * * * *"}]', /minute "60" is not valid/);
  bad('recurringJobs', '[{"name":"s","task":"snapshot","cron":"0 0 * 13 *"}]', /month "13" is not valid/);
  bad('recurringJobs', '[{"name":"s","task":"snapshot","cron":"*/0 * * * *"}]', /minute "\*\/0" is not valid/);
  bad('recurringJobs', '[{"name":"s","task":"snapshot","cron":"@sometimes"}]', /\[0\]\.cron/);
  bad(
    'recurringJobs',
    '[{"name":"s","task":"snapshot","cron":"* * * * *","retain":-1}]',
    /\[0\]\.retain must be a whole number/,
  );
  bad(
    'recurringJobs',
    '[{"name":"s","task":"snapshot","cron":"* * * * *","retain":"1"}]',
    /\[0\]\.retain must be a whole number/,
  );
  bad('recurringJobs', '[{"name":"s","task":"snapshot","cron":"* * * * *","concurrency":1.5}]', /\[0\]\.concurrency/);
  bad(
    'recurringJobs',
    '[{"name":"s","task":"snapshot","cron":"* * * * *","groups":"default"}]',
    /\[0\]\.groups must be a list of strings/,
  );
  bad(
    'recurringJobs',
    '[{"name":"s","task":"snapshot","cron":"* * * * *","labels":{"a":1}}]',
    /\[0\]\.labels must be an object of strings/,
  );
  bad(
    'recurringJobs',
    '[{"name":"s","task":"snapshot","cron":"* * * * *","retian":3}]',
    /\[0\] has an unknown field "retian"/,
  );
  bad('recurringJobSelector', '[{"isGroup":true}]', /\[0\] has no name/);
  bad('recurringJobSelector', '[{"name":"b","isGroup":"true"}]', /\[0\]\.isGroup must be true or false/);
  bad('recurringJobSelector', '[{"name":"b","group":true}]', /unknown field "group"/);
  bad('recurringJobSelector', '"backup"', /not a list/);
});

test('fromBackup: absent or empty is nothing; a URL is handed on (CreateVolume restores it), not reported', () => {
  assert.is(parseStorageClass({}).fromBackup, '');
  assert.equal(parseStorageClass({ fromBackup: '' }), {
    volume: {},
    unsupported: [],
    kubernetes: null,
    fromBackup: '',
    encrypted: false,
  });
  const url = 's3://backupbucket@us-east-1?volume=minio-vol01&backup=backup-eeb2782d5b2f42bb';
  assert.equal(parseStorageClass({ fromBackup: url, numberOfReplicas: '2' }), {
    volume: { numberOfReplicas: 2 },
    unsupported: [],
    kubernetes: null,
    fromBackup: url,
    encrypted: false,
  });
  refuses(
    () => parseStorageClass({ fromBackup: 'x'.repeat(4097) }),
    /^parameter fromBackup is 4097 bytes long: at most 4096$/,
  );
  assert.is(parseStorageClass({ fromBackup: 'x'.repeat(4096) }).fromBackup.length, 4096);
  refuses(
    () => parseStorageClass({ fromBackup: 's3://a\nb' }),
    /parameter fromBackup "s3:\/\/a\\nb" is not valid: use one line/,
  );
});

test('an unknown parameter is INVALID_ARGUMENT naming it, suggesting the likely one and listing the known ones', () => {
  refuses(
    () => parseParameters({ numberOfReplica: '3' }),
    /^parameter numberOfReplica is not known \(did you mean numberOfReplicas\?\): cairn's StorageClass parameters are numberOfReplicas, /,
    /freezeFSForSnapshot/,
  );
  refuses(() => parseParameters({ datalocality: 'disabled' }), /did you mean dataLocality\?/);
  refuses(() => parseParameters({ FSTYPE: 'ext4' }), /did you mean fsType\?/);
  refuses(() => parseParameters({ share: 'true' }), /^parameter share is not known: /);
  // The first bad key by name is the one named, whatever order the map came in.
  refuses(() => parseParameters({ zzz: '1', aaa: '1' }), /^parameter aaa is not known/);
});

test("the provisioner's csi.storage.k8s.io/* keys are skipped; the PVC they name is returned", () => {
  const r = parseStorageClass({
    'csi.storage.k8s.io/pvc/name': 'data',
    'csi.storage.k8s.io/pvc/namespace': 'apps',
    'csi.storage.k8s.io/pv/name': 'pvc-1',
    'csi.storage.k8s.io/fstype': 'ext4',
    'csi.storage.k8s.io/provisioner-secret-name': 'longhorn-crypto',
    numberOfReplicas: '1',
  });
  assert.equal(r, {
    volume: { numberOfReplicas: 1 },
    unsupported: [],
    kubernetes: { pvcNamespace: 'apps', pvcName: 'data', pvName: 'pvc-1' },
    fromBackup: '',
    encrypted: false,
  });
});

test('unsupported parameters come sorted by key with their values verbatim', () => {
  const r = parseStorageClass({ nfsOptions: ' hard ', dataEngine: 'v2', migratable: 'false' });
  assert.equal(r.unsupported, [
    { key: 'dataEngine', value: 'v2', reason: REASONS.engine },
    { key: 'nfsOptions', value: ' hard ', reason: REASONS.rwx },
  ]);
});

test(
  'encrypted "true" is not a warning but a refusal to make (CreateVolume answers FAILED_PRECONDITION): ' +
    'data its owner believes encrypted must not be stored in clear',
  () => {
    const r = parseStorageClass({ encrypted: 'true', nfsOptions: 'hard' });
    assert.is(r.encrypted, true);
    assert.equal(
      r.unsupported.map((u) => u.key),
      ['nfsOptions'],
    );
    assert.is(parseStorageClass({ encrypted: 'false' }).encrypted, false);
  },
);

test.run();
