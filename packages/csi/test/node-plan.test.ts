// The Node service's pure decisions: request validation with the spec's codes, staging and
// publishing against what is recorded, expansion, mkfsParams splitting, mountinfo and blkid parsing.
import { requiredPrograms } from '../src/host-tools.js';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as grpc from '@grpc/grpc-js';
import { boundDetails, CsiError, redact } from '../src/errors.js';
import {
  expandCapabilityCheck,
  expandDecision,
  formatDecision,
  isPublishMount,
  locate,
  stagingMountOptions,
  growFsCommand,
  mkfsCommand,
  mountAt,
  nbdClientArgs,
  nbdSocketOf,
  parseBlkid,
  parseLookup,
  parseMountInfo,
  parsePublishRequest,
  parseStageRequest,
  parseVolumeAndPath,
  publishDecision,
  recordFileName,
  splitShellWords,
  stageDecision,
  usageOf,
} from '../src/node-plan.js';
import type { StageRecord, StageRequestInput } from '../src/node-plan.js';
import type { VolumeCapability__Output } from '../src/types.js';

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    assert.instance(e, CsiError);
    return grpc.status[(e as CsiError).code]!;
  }
  return 'OK';
}

type Mode = NonNullable<VolumeCapability__Output['accessMode']>['mode'];
const mountCap = (fsType = '', mode = 'SINGLE_NODE_WRITER'): VolumeCapability__Output => ({
  accessMode: { mode: mode as Mode },
  mount: { fsType, mountFlags: ['noatime'], volumeMountGroup: '' },
  accessType: 'mount',
});
const blockCap = (mode = 'SINGLE_NODE_WRITER'): VolumeCapability__Output => ({
  accessMode: { mode: mode as Mode },
  block: {},
  accessType: 'block',
});
const stageIn = (o: Partial<StageRequestInput> = {}): StageRequestInput => ({
  volumeId: 'v1',
  stagingTargetPath: '/stage/v1',
  volumeCapability: mountCap(),
  publishContext: { nbdUrl: 'nbd://10.0.0.1:10809/v1' },
  volumeContext: {},
  ...o,
});

test('stage request: fsType from the capability, else publish_context, else volume_context, else ext4; mkfsParams split', () => {
  assert.equal(parseStageRequest(stageIn()).access, {
    kind: 'mount',
    fsType: 'ext4',
    mountFlags: ['noatime'],
    mkfsParams: [],
  });
  assert.is(
    (parseStageRequest(stageIn({ volumeContext: { fsType: 'xfs' } })).access as { fsType: string }).fsType,
    'xfs',
  );
  assert.is(
    (
      parseStageRequest(
        stageIn({ volumeContext: { fsType: 'xfs' }, publishContext: { nbdUrl: 'nbd://h:1/v', fsType: 'ext4' } }),
      ).access as { fsType: string }
    ).fsType,
    'ext4',
  );
  assert.is(
    (
      parseStageRequest(
        stageIn({ volumeCapability: mountCap('xfs'), publishContext: { nbdUrl: 'nbd://h:1/v', fsType: 'ext4' } }),
      ).access as { fsType: string }
    ).fsType,
    'xfs',
  );
  // New volumes are made with Longhorn's ext4 or xfs only (FS_TYPES), but a volume recorded with
  // ext3 or ext2 before that still stages (STAGED_FS_TYPES); anything else is refused.
  assert.is(
    (parseStageRequest(stageIn({ volumeCapability: mountCap('ext3') })).access as { fsType: string }).fsType,
    'ext3',
  );
  assert.is(
    (parseStageRequest(stageIn({ volumeCapability: mountCap('ext2') })).access as { fsType: string }).fsType,
    'ext2',
  );
  assert.is(
    code(() => parseStageRequest(stageIn({ volumeCapability: mountCap('btrfs') }))),
    'INVALID_ARGUMENT',
  );
  const p = parseStageRequest(
    stageIn({
      publishContext: {
        nbdUrl: 'nbd://h:1/v',
        mkfsParams: `-L 'my vol' -E "lazy_itable_init=0,root_owner=0:0" -M a\\ b`,
      },
    }),
  );
  assert.equal((p.access as { mkfsParams: string[] }).mkfsParams, [
    '-L',
    'my vol',
    '-E',
    'lazy_itable_init=0,root_owner=0:0',
    '-M',
    'a b',
  ]);
  // The allowlist (mkfs-params.ts) applies at NodeStage too, against the fsType being made.
  assert.is(
    code(() => parseStageRequest(stageIn({ publishContext: { nbdUrl: 'nbd://h:1/v', mkfsParams: '-d /etc' } }))),
    'INVALID_ARGUMENT',
  );
  assert.is(
    code(() =>
      parseStageRequest(
        stageIn({
          volumeCapability: mountCap('xfs'),
          publishContext: { nbdUrl: 'nbd://h:1/v', mkfsParams: '-p /etc/proto' },
        }),
      ),
    ),
    'INVALID_ARGUMENT',
  );
  assert.equal(parseStageRequest(stageIn({ volumeCapability: blockCap() })).access, { kind: 'block' });
});

test('stage request: each missing or bad field is INVALID_ARGUMENT', () => {
  assert.is(
    code(() => parseStageRequest(stageIn({ volumeId: '' }))),
    'INVALID_ARGUMENT',
  );
  assert.is(
    code(() => parseStageRequest(stageIn({ stagingTargetPath: '' }))),
    'INVALID_ARGUMENT',
  );
  assert.is(
    code(() => parseStageRequest(stageIn({ stagingTargetPath: 'x' }))),
    'INVALID_ARGUMENT',
  );
  assert.is(
    code(() => parseStageRequest(stageIn({ volumeCapability: null }))),
    'INVALID_ARGUMENT',
  );
  assert.is(
    code(() => parseStageRequest(stageIn({ volumeCapability: mountCap('', 'UNKNOWN') }))),
    'INVALID_ARGUMENT',
  );
  assert.is(
    code(() => parseStageRequest(stageIn({ volumeCapability: mountCap('zfs') }))),
    'INVALID_ARGUMENT',
  );
  assert.is(
    code(() => parseStageRequest(stageIn({ publishContext: {} }))),
    'INVALID_ARGUMENT',
  );
  assert.is(
    code(() => parseStageRequest(stageIn({ publishContext: { nbdUrl: 'http://x' } }))),
    'INVALID_ARGUMENT',
  );
  assert.is(
    code(() => parseStageRequest(stageIn({ publishContext: { nbdUrl: 'nbd://[::1' } }))),
    'INVALID_ARGUMENT',
    'not a URL at all (found by the fuzz pass)',
  );
  assert.is(
    code(() => parseStageRequest(stageIn({ publishContext: { nbdUrl: 'nbd://h/v', mkfsParams: "'open" } }))),
    'INVALID_ARGUMENT',
  );
});

const rec = (o: Partial<StageRecord> = {}): StageRecord => ({
  volumeId: 'v1',
  stagingPath: '/stage/v1',
  nbdUrl: 'nbd://10.0.0.1:10809/v1',
  accessMode: 'SINGLE_NODE_WRITER',
  access: { kind: 'mount', fsType: 'ext4', mountFlags: ['noatime'], mkfsParams: [] },
  attach: { kind: 'nbdfuse', fuseDir: '/s/f' },
  device: '/dev/loop3',
  publishes: {},
  ...o,
});

test('stageDecision: new -> stage; same -> ensure; another path, capability or export -> ALREADY_EXISTS', () => {
  assert.is(stageDecision(null, parseStageRequest(stageIn())), 'stage');
  assert.is(stageDecision(rec(), parseStageRequest(stageIn())), 'ensure');
  // mkfsParams only matter the first time: a different value is not a conflict.
  assert.is(
    stageDecision(
      rec(),
      parseStageRequest(stageIn({ publishContext: { nbdUrl: 'nbd://10.0.0.1:10809/v1', mkfsParams: '-m 0' } })),
    ),
    'ensure',
  );
  assert.is(
    code(() => stageDecision(rec(), parseStageRequest(stageIn({ stagingTargetPath: '/other' })))),
    'ALREADY_EXISTS',
  );
  assert.is(
    code(() => stageDecision(rec(), parseStageRequest(stageIn({ volumeCapability: blockCap() })))),
    'ALREADY_EXISTS',
  );
  assert.is(
    code(() => stageDecision(rec(), parseStageRequest(stageIn({ volumeCapability: mountCap('xfs') })))),
    'ALREADY_EXISTS',
  );
  assert.is(
    code(() =>
      stageDecision(rec(), parseStageRequest(stageIn({ publishContext: { nbdUrl: 'nbd://10.0.0.2:10809/v1' } }))),
    ),
    'ALREADY_EXISTS',
  );
});

const pubIn = (o: Record<string, unknown> = {}) =>
  parsePublishRequest({
    volumeId: 'v1',
    stagingTargetPath: '/stage/v1',
    targetPath: '/pods/a',
    readonly: false,
    volumeCapability: mountCap(),
    publishContext: {},
    volumeContext: {},
    ...o,
  });

test('publish: validation and decisions against the stage record', () => {
  assert.is(
    code(() => pubIn({ targetPath: '' })),
    'INVALID_ARGUMENT',
  );
  assert.is(
    code(() => pubIn({ volumeCapability: null })),
    'INVALID_ARGUMENT',
  );
  assert.is(
    code(() => pubIn({ stagingTargetPath: '' })),
    'FAILED_PRECONDITION',
  );
  for (const targetPath of ['/stage/v1', '/stage/v1/', '/stage/v1/inner'])
    assert.is(
      code(() => pubIn({ targetPath })),
      'INVALID_ARGUMENT',
      targetPath,
    );
  assert.is(pubIn({ targetPath: '/stage/v10' }).targetPath, '/stage/v10', 'a sibling path is fine');
  assert.is(
    pubIn({ volumeCapability: mountCap('', 'SINGLE_NODE_READER_ONLY') }).readonly,
    true,
    'a reader-only mode publishes read-only',
  );
  assert.is(
    pubIn({ publishContext: { readonly: 'true' } }).readonly,
    true,
    'a read-only controller publish publishes read-only',
  );
  assert.is(
    code(() => publishDecision(null, pubIn())),
    'NOT_FOUND',
  );
  assert.is(
    code(() => publishDecision(rec({ stagingPath: '/x' }), pubIn())),
    'FAILED_PRECONDITION',
  );
  assert.is(
    code(() => publishDecision(rec(), pubIn({ volumeCapability: blockCap() }))),
    'FAILED_PRECONDITION',
  );
  assert.is(
    code(() => publishDecision(rec({ device: undefined }), pubIn())),
    'FAILED_PRECONDITION',
  );
  assert.is(publishDecision(rec(), pubIn()), 'publish');
});

test("a second NodePublishVolume: the spec's table (SINGLE_NODE_MULTI_WRITER advertised)", () => {
  const first = pubIn();
  const published = rec({
    publishes: { '/pods/a': { readonly: false, access: first.access, accessMode: first.accessMode } },
  });
  // T1=T2, P1=P2: OK. T1=T2, P1!=P2 (readonly, mode, mount flags, staging path): ALREADY_EXISTS.
  assert.is(publishDecision(published, pubIn()), 'ensure');
  assert.is(
    code(() => publishDecision(published, pubIn({ readonly: true }))),
    'ALREADY_EXISTS',
  );
  assert.is(
    code(() => publishDecision(published, pubIn({ volumeCapability: mountCap('', 'SINGLE_NODE_MULTI_WRITER') }))),
    'ALREADY_EXISTS',
  );
  assert.is(
    code(() =>
      publishDecision(
        published,
        pubIn({
          volumeCapability: { ...mountCap(), mount: { fsType: '', mountFlags: ['sync'], volumeMountGroup: '' } },
        }),
      ),
    ),
    'ALREADY_EXISTS',
  );
  assert.is(
    code(() => publishDecision(published, pubIn({ stagingTargetPath: '/stage/other' }))),
    'ALREADY_EXISTS',
  );
  assert.is(
    publishDecision(rec({ publishes: { '/pods/a': { readonly: false } } }), pubIn()),
    'ensure',
    'a record from before capabilities were kept',
  );
  // T1!=T2: SINGLE_NODE_MULTI_WRITER, SINGLE_NODE_WRITER and reader-only allow it, with other flags too.
  assert.is(
    publishDecision(published, pubIn({ targetPath: '/pods/b' })),
    'publish',
    'SINGLE_NODE_WRITER: two pods of a node',
  );
  assert.is(publishDecision(published, pubIn({ targetPath: '/pods/b', readonly: true })), 'publish');
  assert.is(
    publishDecision(
      published,
      pubIn({ targetPath: '/pods/b', volumeCapability: mountCap('', 'SINGLE_NODE_MULTI_WRITER') }),
    ),
    'publish',
  );
  // SINGLE_NODE_SINGLE_WRITER: one target, whatever the flags, in either order.
  const single = pubIn({ targetPath: '/pods/b', volumeCapability: mountCap('', 'SINGLE_NODE_SINGLE_WRITER') });
  assert.is(
    code(() => publishDecision(published, single)),
    'FAILED_PRECONDITION',
  );
  assert.is(
    code(() => publishDecision(published, { ...single, readonly: true })),
    'FAILED_PRECONDITION',
  );
  const singly = rec({
    publishes: { '/pods/b': { readonly: false, access: single.access, accessMode: single.accessMode } },
  });
  assert.is(publishDecision(singly, single), 'ensure');
  assert.is(
    code(() => publishDecision(singly, pubIn({ targetPath: '/pods/c' }))),
    'FAILED_PRECONDITION',
  );
});

test('exceeds capabilities: MULTI_NODE_* access modes are FAILED_PRECONDITION at stage and publish', () => {
  for (const mode of ['MULTI_NODE_READER_ONLY', 'MULTI_NODE_SINGLE_WRITER', 'MULTI_NODE_MULTI_WRITER']) {
    assert.is(
      code(() => parseStageRequest(stageIn({ volumeCapability: mountCap('', mode) }))),
      'FAILED_PRECONDITION',
      mode,
    );
    assert.is(
      code(() => pubIn({ volumeCapability: blockCap(mode) })),
      'FAILED_PRECONDITION',
      mode,
    );
  }
  for (const mode of [
    'SINGLE_NODE_WRITER',
    'SINGLE_NODE_READER_ONLY',
    'SINGLE_NODE_SINGLE_WRITER',
    'SINGLE_NODE_MULTI_WRITER',
  ]) {
    assert.is(
      code(() => parseStageRequest(stageIn({ volumeCapability: mountCap('', mode) }))),
      'OK',
      mode,
    );
  }
});

test('a read-only controller publish: staged ro, and a stage that differs in it is ALREADY_EXISTS', () => {
  const ro = parseStageRequest(stageIn({ publishContext: { nbdUrl: 'nbd://10.0.0.1:10809/v1', readonly: 'true' } }));
  assert.is(ro.readonly, true);
  assert.is(parseStageRequest(stageIn()).readonly, false);
  assert.is(
    code(() => stageDecision(rec(), ro)),
    'ALREADY_EXISTS',
  );
  assert.is(stageDecision(rec({ readonly: true }), ro), 'ensure');
  assert.equal(
    stagingMountOptions({ kind: 'mount', fsType: 'ext4', mountFlags: [], mkfsParams: [] }, 'SINGLE_NODE_WRITER', true),
    ['ro'],
  );
});

test('NodeGetVolumeStats / NodeExpandVolume lookups: INVALID_ARGUMENT for a missing field, NOT_FOUND for a path the volume is not at', () => {
  const q = (o: Record<string, string> = {}) =>
    parseLookup({ volumeId: 'v1', volumePath: '/stage/v1', stagingTargetPath: '', ...o });
  assert.is(
    code(() => q({ volumeId: '' })),
    'INVALID_ARGUMENT',
  );
  assert.is(
    code(() => q({ volumePath: '' })),
    'INVALID_ARGUMENT',
  );
  assert.is(
    code(() => q({ volumeId: 'x'.repeat(129) })),
    'INVALID_ARGUMENT',
  );
  const published = rec({ publishes: { '/pods/a': { readonly: false } } });
  assert.is(locate(published, q()), published);
  assert.is(locate(published, q({ volumePath: '/pods/a', stagingTargetPath: '/stage/v1' })), published);
  assert.is(
    code(() => locate(null, q())),
    'NOT_FOUND',
  );
  // csi-sanity's "some/path": relative, so no volume can be there.
  for (const volumePath of ['some/path', '/pods/b', 'constructor', '__proto__'])
    assert.is(
      code(() => locate(published, q({ volumePath }))),
      'NOT_FOUND',
      volumePath,
    );
  assert.is(
    code(() => locate(published, q({ stagingTargetPath: '/stage/elsewhere' }))),
    'NOT_FOUND',
  );
});

test('NodeExpandVolume: a capability that is not the staged one is INVALID_ARGUMENT (exceeds capabilities)', () => {
  assert.is(
    code(() => expandCapabilityCheck(rec(), null)),
    'OK',
  );
  assert.is(
    code(() => expandCapabilityCheck(rec(), mountCap())),
    'OK',
    'no fs_type: whatever is staged',
  );
  assert.is(
    code(() => expandCapabilityCheck(rec(), mountCap('ext4'))),
    'OK',
  );
  assert.is(
    code(() => expandCapabilityCheck(rec(), mountCap('xfs'))),
    'INVALID_ARGUMENT',
  );
  assert.is(
    code(() => expandCapabilityCheck(rec(), blockCap())),
    'INVALID_ARGUMENT',
  );
  assert.is(
    code(() => expandCapabilityCheck(rec({ access: { kind: 'block' } }), mountCap())),
    'INVALID_ARGUMENT',
  );
});

test('a mount at a target is this publish only when it binds the staging mount or the device node', () => {
  const [staging, bind, other, dev] = parseMountInfo(
    [
      '40 30 7:3 / /stage/v1 rw,relatime shared:1 - ext4 /dev/loop3 rw',
      '41 30 7:3 / /pods/a rw,relatime shared:1 - ext4 /dev/loop3 rw',
      '42 30 0:50 / /pods/b rw - tmpfs tmpfs rw',
      '43 30 0:5 /loop3 /pods/c rw - devtmpfs udev rw',
    ].join('\n'),
  );
  assert.ok(isPublishMount(bind!, { stagingMount: staging! }));
  assert.not.ok(isPublishMount(other!, { stagingMount: staging! }));
  assert.not.ok(isPublishMount(bind!, { stagingMount: null }));
  assert.ok(isPublishMount(dev!, { device: '/dev/loop3' }));
  assert.not.ok(isPublishMount(dev!, { device: '/dev/loop4' }));
  assert.not.ok(isPublishMount(other!, { device: '/dev/loop3' }));
});

test("Probe's dependencies: nbdfuse and fusermount3, or nbd-client; mount, losetup, mkfs.ext4 either way", () => {
  for (const p of ['mount', 'losetup', 'mkfs.ext4', 'nbdinfo'])
    assert.ok(requiredPrograms(false).includes(p) && requiredPrograms(true).includes(p), p);
  assert.ok(requiredPrograms(false).includes('nbdfuse') && !requiredPrograms(false).includes('nbd-client'));
  assert.ok(requiredPrograms(true).includes('nbd-client') && !requiredPrograms(true).includes('nbdfuse'));
});

test('expandDecision: grow the fs, re-attach when unpublished, FAILED_PRECONDITION when published, OUT_OF_RANGE past the export', () => {
  const base = { volumeId: 'v1', deviceBytes: 100, exportBytes: 100, requiredBytes: 100, published: [] as string[] };
  assert.is(expandDecision(base), 'fs');
  assert.is(expandDecision({ ...base, requiredBytes: 0 }), 'fs');
  assert.is(expandDecision({ ...base, exportBytes: 200, requiredBytes: 200 }), 'reattach');
  assert.is(expandDecision({ ...base, exportBytes: 200, requiredBytes: 0 }), 'reattach');
  assert.is(
    code(() => expandDecision({ ...base, exportBytes: 200, requiredBytes: 200, published: ['/pods/a'] })),
    'FAILED_PRECONDITION',
  );
  assert.is(
    code(() => expandDecision({ ...base, requiredBytes: 300 })),
    'OUT_OF_RANGE',
  );
  assert.is(
    code(() => expandDecision({ ...base, exportBytes: 200, requiredBytes: 150, limitBytes: 150 })),
    'OUT_OF_RANGE',
    'the device would pass limit_bytes',
  );
  assert.is(expandDecision({ ...base, limitBytes: 100 }), 'fs');
});

test('staging mount options: mount_flags, ro for reader-only modes, nouuid for xfs', () => {
  const ext4 = { kind: 'mount' as const, fsType: 'ext4', mountFlags: ['noatime'], mkfsParams: [] };
  assert.equal(stagingMountOptions(ext4, 'SINGLE_NODE_WRITER'), ['noatime']);
  assert.equal(stagingMountOptions(ext4, 'MULTI_NODE_READER_ONLY'), ['ro', 'noatime']);
  assert.equal(stagingMountOptions({ ...ext4, fsType: 'xfs' }, 'SINGLE_NODE_WRITER'), ['noatime', 'nouuid']);
  assert.equal(stagingMountOptions({ ...ext4, fsType: 'xfs', mountFlags: ['nouuid'] }, 'SINGLE_NODE_WRITER'), [
    'nouuid',
  ]);
  assert.equal(stagingMountOptions({ kind: 'block' }, 'SINGLE_NODE_WRITER'), []);
});

test('no value of a request becomes an option of nbd-client: a host starting with - is refused', () => {
  // nbd://-d:1/v parses (URL hostname "-d") and would have run `nbd-client -d 1 /dev/nbd0 ...`.
  for (const url of ['nbd://-d:1/v', 'nbd://-o/v', 'nbds://-N:1/v']) {
    assert.is(
      code(() => parseStageRequest(stageIn({ publishContext: { nbdUrl: url } }))),
      'INVALID_ARGUMENT',
      url,
    );
    assert.is(
      code(() => nbdClientArgs(url, '/dev/nbd0')),
      'INVALID_ARGUMENT',
      url,
    );
  }
  assert.is(
    code(() => nbdClientArgs('nbd://h:1/v', '-d')),
    'INVALID_ARGUMENT',
  );
  assert.equal(nbdClientArgs('nbd://10.0.0.1:10809/-vol', '/dev/nbd0'), [
    '10.0.0.1',
    '10809',
    '/dev/nbd0',
    '-name',
    '-vol',
    '-block-size',
    '4096',
    '-connections',
    '4',
  ]);
  assert.equal(nbdClientArgs('nbd://host/v', '/dev/nbd1'), [
    'host',
    '10809',
    '/dev/nbd1',
    '-name',
    'v',
    '-block-size',
    '4096',
    '-connections',
    '4',
  ]);
});

test("the agent's unix socket URL: nbd-client -unix PATH; the socket must be named, as an absolute path", () => {
  const url = 'nbd+unix:///pvc-1?socket=/var/lib/cairn/run/nbd.sock';
  assert.is(parseStageRequest(stageIn({ publishContext: { nbdUrl: url } })).nbdUrl, url);
  assert.equal(nbdClientArgs(url, '/dev/nbd2'), [
    '-unix',
    '/var/lib/cairn/run/nbd.sock',
    '/dev/nbd2',
    '-name',
    'pvc-1',
    '-block-size',
    '4096',
    '-connections',
    '4',
  ]);
  assert.is(nbdSocketOf('nbd+unix:///v?socket=/a%20b/nbd.sock'), '/a b/nbd.sock');
  assert.is(nbdSocketOf('nbd://h:1/v?socket=/x'), undefined, 'a TCP URL has no socket');
  for (const bad of [
    'nbd+unix:///v',
    'nbd+unix:///v?socket=',
    'nbd+unix:///v?socket=-d',
    'nbd+unix:///v?socket=rel/nbd.sock',
  ]) {
    assert.is(
      code(() => parseStageRequest(stageIn({ publishContext: { nbdUrl: bad } }))),
      'INVALID_ARGUMENT',
      bad,
    );
    assert.is(
      code(() => nbdClientArgs(bad, '/dev/nbd0')),
      'INVALID_ARGUMENT',
      bad,
    );
  }
});

test('mkfs, grow and format decisions', () => {
  assert.equal(mkfsCommand('ext4', ['-m', '0'], '/dev/loop1'), ['mkfs.ext4', ['-q', '-F', '-m', '0', '/dev/loop1']]);
  assert.equal(mkfsCommand('xfs', [], '/dev/loop1'), ['mkfs.xfs', ['-q', '/dev/loop1']]);
  assert.equal(growFsCommand('ext4', '/dev/loop1', '/s'), ['resize2fs', ['/dev/loop1']]);
  assert.equal(growFsCommand('xfs', '/dev/loop1', '/s'), ['xfs_growfs', ['/s']]);
  assert.is(formatDecision({}, 'ext4', '/dev/loop1'), 'mkfs');
  assert.is(formatDecision({ type: 'ext4' }, 'ext4', '/dev/loop1'), 'use');
  assert.is(
    code(() => formatDecision({ type: 'xfs' }, 'ext4', '/dev/loop1')),
    'FAILED_PRECONDITION',
  );
  assert.is(
    code(() => formatDecision({ ptType: 'gpt' }, 'ext4', '/dev/loop1')),
    'FAILED_PRECONDITION',
  );
  assert.equal(parseBlkid('DEVNAME=/dev/loop1\nUUID=abc\nBLOCK_SIZE=4096\nTYPE=ext4\n'), { type: 'ext4' });
  assert.equal(parseBlkid('DEVNAME=/dev/loop1\nPTUUID=x\nPTTYPE=gpt\n'), { ptType: 'gpt' });
});

test('splitShellWords splits like a shell (no expansion)', () => {
  assert.equal(splitShellWords(''), []);
  assert.equal(splitShellWords('  -m 0   -L x '), ['-m', '0', '-L', 'x']);
  assert.equal(splitShellWords(`-L "a \\"b\\" c" -O '^has_journal' x""y ''`), [
    '-L',
    'a "b" c',
    '-O',
    '^has_journal',
    'xy',
    '',
  ]);
  assert.equal(splitShellWords('$HOME `id`'), ['$HOME', '`id`']);
  assert.throws(() => splitShellWords('"open'), /unterminated/);
  assert.throws(() => splitShellWords('x\\'), /trailing backslash/);
});

test('mountinfo: escaped paths, fs type, source, the topmost mount wins', () => {
  const text = [
    '36 35 98:0 / /mnt/with\\040space rw,noatime master:1 - ext4 /dev/loop1 rw,errors=continue',
    '37 35 98:0 / /pods/a ro,relatime shared:2 - ext4 /dev/loop1 rw',
    '38 37 0:44 / /pods/a rw - tmpfs tmpfs rw',
    '39 35 0:45 / /state/fuse/v1.d rw,nosuid,nodev - fuse nbdfuse rw,user_id=0,group_id=0',
  ].join('\n');
  const m = parseMountInfo(text);
  assert.is(m.length, 4);
  assert.is(m[0]!.mountPoint, '/mnt/with space');
  assert.equal([m[1]!.fsType, m[1]!.source, m[1]!.options], ['ext4', '/dev/loop1', ['ro', 'relatime']]);
  assert.is(mountAt(m, '/pods/a')!.fsType, 'tmpfs');
  assert.is(mountAt(m, '/pods/b'), null);
  assert.is(mountAt(m, '/state/fuse/v1.d')!.fsType, 'fuse');
});

test('usage from statfs and block size; record file names are safe', () => {
  assert.equal(usageOf({ kind: 'block', bytes: 1024 }), [{ unit: 'BYTES', total: 1024 }]);
  assert.equal(usageOf({ kind: 'mount', bsize: 4096, blocks: 100, bfree: 40, bavail: 30, files: 50, ffree: 20 }), [
    { unit: 'BYTES', total: 409600, available: 122880, used: 245760 },
    { unit: 'INODES', total: 50, available: 20, used: 30 },
  ]);
  assert.is(recordFileName('pvc-1'), 'pvc-1.json');
  assert.is(recordFileName('../etc/passwd'), '%2E%2E%2Fetc%2Fpasswd.json');
  assert.is(recordFileName('..'), '%2E%2E.json');
});

test('found by the fuzz pass: a volume_id over 128 bytes is INVALID_ARGUMENT (it would be ENAMETOOLONG as a record file name)', () => {
  const long = 'x'.repeat(129);
  assert.is(
    code(() => parseStageRequest(stageIn({ volumeId: long }))),
    'INVALID_ARGUMENT',
  );
  assert.is(
    code(() => parseVolumeAndPath(long, '/t', 'target_path')),
    'INVALID_ARGUMENT',
  );
  assert.is(
    code(() => parseVolumeAndPath('\u00e9'.repeat(65), '/t', 'target_path')),
    'INVALID_ARGUMENT',
    '128 bytes, not characters',
  );
  assert.is(
    code(() => parseVolumeAndPath('x'.repeat(128), '/t', 'target_path')),
    'OK',
  );
  // 128 bytes that encode to 384 characters still make a file name of at most 255, each its own.
  const dots = recordFileName('.'.repeat(128));
  assert.ok(dots.length <= 255 - '.tmp'.length, dots);
  assert.is.not(dots, recordFileName(`${'.'.repeat(127)}x`));
  assert.is(recordFileName('\u00e9'.repeat(64)), recordFileName('\u00e9'.repeat(64)), 'the same id, the same name');
});

test('found by the fuzz pass: an error message quoting a huge value is cut to 2 KiB (a bigger trailer wedges the connection)', () => {
  assert.is(boundDetails('short'), 'short');
  const cut = boundDetails(`volume ${'x'.repeat(1_000_000)} is not staged`);
  assert.ok(Buffer.byteLength(cut) <= 2048);
  assert.match(cut, /^volume x+\.\.\. \(\d+ bytes in all\)$/);
});

test('logs never see mount_flags (they may hold credentials)', () => {
  const out = JSON.stringify(
    redact({ volumeCapability: { mount: { fsType: 'ext4', mountFlags: ['user=a', 'password=b'] } } }),
  );
  assert.not.match(out, /password=b|user=a/);
  assert.match(out, /"fsType":"ext4"/);
});

test.run();
