// The mkfsParams allowlist: options that read or write host files, or put the filesystem on
// another device, are refused; a value cannot smuggle an option; ordinary tuning passes.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { checkMkfsParams } from '../src/mkfs-params.js';

function refusal(fsType: string, params: string): string {
  try {
    checkMkfsParams(fsType, params);
  } catch (e) {
    return (e as Error).message;
  }
  return 'accepted';
}

test('ext: host-file and other-device options are refused, naming the option', () => {
  for (const fs of ['ext4', 'ext3', 'ext2']) {
    assert.match(
      refusal(fs, '-d /etc'),
      /option -d is not allowed/,
      `${fs} -d populates the volume from a host directory`,
    );
    assert.match(refusal(fs, '-d/etc'), /option -d is not allowed/);
    assert.match(refusal(fs, '-m 0 -d /etc'), /-d/);
    assert.match(refusal(fs, '-l /etc/shadow'), /option -l/, 'bad-blocks list read from a host file');
    assert.match(refusal(fs, '-z /tmp/undo'), /option -z/, 'undo file written on the host');
    assert.match(refusal(fs, '-J device=/dev/sda'), /-J device/, 'journal on a host device');
    assert.match(refusal(fs, '-E offset=4096'), /-E offset/);
    assert.match(refusal(fs, '-c'), /option -c/);
  }
});

test('xfs: protofile, data file, log or realtime device, config file are refused', () => {
  assert.match(refusal('xfs', '-p /etc/protofile'), /option -p/);
  assert.match(refusal('xfs', '-d file,name=/etc/passwd'), /-d file/);
  assert.match(refusal('xfs', '-d su=64k,name=/x'), /-d name/);
  assert.match(refusal('xfs', '-l logdev=/dev/sda'), /-l logdev/);
  assert.match(refusal('xfs', '-l internal=0'), /internal must be 1/);
  assert.match(refusal('xfs', '-r rtdev=/dev/sda'), /option -r/);
  assert.match(refusal('xfs', '-c options=/etc/x'), /option -c/);
});

test('a value may not be an option, -- is refused, a stray word is refused', () => {
  assert.match(refusal('ext4', '-L -d /etc'), /-L has value "-d"/, 'a label cannot smuggle -d');
  assert.match(refusal('xfs', '-L -p'), /-L has value "-p"/);
  assert.match(refusal('ext4', '-L ""'), /may not be empty/);
  assert.match(refusal('ext4', '--'), /"--" is not allowed/);
  assert.match(refusal('ext4', '-- /etc'), /"--" is not allowed/);
  assert.match(refusal('ext4', '--root-directory=/etc'), /not allowed/);
  assert.match(refusal('ext4', '/dev/sda'), /not an option/, 'mkfs would take it as the device');
  assert.match(refusal('ext4', '-L'), /needs a value/);
  assert.match(refusal('ext4', '-jd'), /own word/);
  assert.match(refusal('btrfs', '-m 0'), /not accepted/);
  assert.match(refusal('ext4', "-L 'unterminated"), /unterminated/);
});

test('ordinary tuning passes and is split like a shell', () => {
  assert.equal(checkMkfsParams('ext4', ''), []);
  assert.equal(
    checkMkfsParams(
      'ext4',
      `-L 'my vol' -m 0 -b 4096 -I 256 -i 16384 -N 1000 -O ^has_journal,metadata_csum -T small -j -J size=64 -E "lazy_itable_init=0,root_owner=0:0,stride=16"`,
    ),
    [
      '-L',
      'my vol',
      '-m',
      '0',
      '-b',
      '4096',
      '-I',
      '256',
      '-i',
      '16384',
      '-N',
      '1000',
      '-O',
      '^has_journal,metadata_csum',
      '-T',
      'small',
      '-j',
      '-J',
      'size=64',
      '-E',
      'lazy_itable_init=0,root_owner=0:0,stride=16',
    ],
  );
  assert.equal(checkMkfsParams('ext4', '-m0 -Lx'), ['-m0', '-Lx']);
  assert.equal(
    checkMkfsParams(
      'xfs',
      '-b size=4096 -m crc=1,reflink=1 -i size=512 -l size=64m,internal=1 -n ftype=1 -d su=64k,sw=4 -L data',
    ),
    [
      '-b',
      'size=4096',
      '-m',
      'crc=1,reflink=1',
      '-i',
      'size=512',
      '-l',
      'size=64m,internal=1',
      '-n',
      'ftype=1',
      '-d',
      'su=64k,sw=4',
      '-L',
      'data',
    ],
  );
});

test.run();
