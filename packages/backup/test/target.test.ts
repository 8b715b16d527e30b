// Target and backup URLs, credential files: the forms accepted (Longhorn's s3://BUCKET@REGION/
// PREFIX, file:///PATH), their canonical spelling, and every refusal naming what is wrong.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { BackupError, backupUrl, parseBackupUrl, parseCredentialFile, parseTargetUrl } from '../src/index.js';

const test = suite('backup targets');

const refused = (fn: () => unknown, code: string, mention: string | RegExp): void => {
  try {
    fn();
  } catch (e) {
    assert.instance(e, BackupError);
    assert.is((e as BackupError).code, code);
    const msg = (e as Error).message;
    assert.ok(
      typeof mention === 'string' ? msg.includes(mention) : mention.test(msg),
      `"${msg}" should mention ${String(mention)}`,
    );
    return;
  }
  assert.unreachable(`accepted, should be refused mentioning ${String(mention)}`);
};

test("s3 targets in Longhorn's form parse to bucket, region, prefix and a canonical URL", () => {
  assert.equal(parseTargetUrl('s3://backupbucket@us-east-1/'), {
    kind: 's3',
    bucket: 'backupbucket',
    region: 'us-east-1',
    prefix: '',
    url: 's3://backupbucket@us-east-1/',
  });
  assert.equal(parseTargetUrl('s3://backupbucket@us-east-1'), {
    kind: 's3',
    bucket: 'backupbucket',
    region: 'us-east-1',
    prefix: '',
    url: 's3://backupbucket@us-east-1/',
  });
  assert.equal(parseTargetUrl('s3://b.k-1@eu-central-1/cluster/a/'), {
    kind: 's3',
    bucket: 'b.k-1',
    region: 'eu-central-1',
    prefix: 'cluster/a',
    url: 's3://b.k-1@eu-central-1/cluster/a',
  });
});

test('file targets name an absolute directory', () => {
  assert.equal(parseTargetUrl('file:///mnt/backups/'), {
    kind: 'file',
    path: '/mnt/backups',
    url: 'file:///mnt/backups',
  });
  assert.equal(parseTargetUrl('file://localhost/srv/b'), { kind: 'file', path: '/srv/b', url: 'file:///srv/b' });
});

test('bad target URLs are refused, naming what is wrong', () => {
  refused(() => parseTargetUrl(''), 'INVALID', 'is empty');
  refused(() => parseTargetUrl('s3://bucket/'), 'INVALID', 'region is required');
  refused(() => parseTargetUrl('s3://Bad_Bucket@us-east-1/'), 'INVALID', 'bucket "Bad_Bucket"');
  refused(() => parseTargetUrl('s3://ab@us-east-1/'), 'INVALID', 'bucket "ab"');
  refused(() => parseTargetUrl('s3://bucket@US EAST/'), 'INVALID', 'region "US EAST"');
  refused(() => parseTargetUrl('s3://bucket@us-east-1/a//b'), 'INVALID', 'empty segment');
  refused(() => parseTargetUrl('s3://bucket@us-east-1/a/../b'), 'INVALID', '".."');
  refused(() => parseTargetUrl('s3://bucket@us-east-1/a%20b'), 'INVALID', 'segment "a%20b"');
  refused(() => parseTargetUrl('s3://bucket@us-east-1/?backup=x&volume=y'), 'INVALID', 'query string');
  refused(() => parseTargetUrl('file://host/mnt'), 'INVALID', 'localhost');
  refused(() => parseTargetUrl('file:///'), 'INVALID', 'root directory');
  refused(() => parseTargetUrl('nfs://server:/export'), 'INVALID', 'nfs:// targets are not supported');
  refused(() => parseTargetUrl('/mnt/backups'), 'INVALID', 'no supported scheme');
  refused(() => parseTargetUrl(' s3://bucket@us-east-1/'), 'INVALID', 'spaces');
});

test("backup URLs are the target's and ?backup=&volume=, and parse back", () => {
  const u = backupUrl('s3://backupbucket@us-east-1', 'pvc-1', 'backup-0a1b');
  assert.is(u, 's3://backupbucket@us-east-1/?backup=backup-0a1b&volume=pvc-1');
  assert.equal(parseBackupUrl(u), { target: 's3://backupbucket@us-east-1/', volume: 'pvc-1', backup: 'backup-0a1b' });
  const f = backupUrl('file:///mnt/b/', 'v1', 'b1');
  assert.is(f, 'file:///mnt/b?backup=b1&volume=v1');
  assert.equal(parseBackupUrl('file:///mnt/b?volume=v1&backup=b1'), {
    target: 'file:///mnt/b',
    volume: 'v1',
    backup: 'b1',
  });
});

test('bad backup URLs and names are refused by name', () => {
  refused(() => parseBackupUrl('s3://b3b@us-east-1/'), 'INVALID', 'no ?backup=NAME&volume=VOLUME');
  refused(() => parseBackupUrl('s3://b3b@us-east-1/?volume=v'), 'INVALID', 'no backup= parameter');
  refused(() => parseBackupUrl('s3://b3b@us-east-1/?backup=b'), 'INVALID', 'no volume= parameter');
  refused(() => parseBackupUrl('s3://b3b@us-east-1/?backup=b&volume=v&x=1'), 'INVALID', 'unknown parameter "x"');
  refused(() => parseBackupUrl('s3://b3b@us-east-1/?backup=../x&volume=v'), 'INVALID', 'backup name "../x"');
  refused(() => backupUrl('s3://b3b@us-east-1/', 'a/b', 'b'), 'INVALID', 'volume name "a/b"');
  refused(() => parseBackupUrl('s3://b3b/?backup=b&volume=v'), 'INVALID', 'region is required');
});

test("credential files: KEY=VALUE lines or JSON with Longhorn's names", () => {
  assert.equal(
    parseCredentialFile(
      '# comment\nAWS_ACCESS_KEY_ID=AK\nexport AWS_SECRET_ACCESS_KEY="s e=c"\n\nAWS_ENDPOINTS=http://minio:9000, http://other\nAWS_CERT=ignored\n',
    ),
    { accessKeyId: 'AK', secretAccessKey: 's e=c', endpoint: 'http://minio:9000' },
  );
  assert.equal(
    parseCredentialFile('{"AWS_ACCESS_KEY_ID":"AK","AWS_SECRET_ACCESS_KEY":"SK","AWS_REGION":"eu-west-1"}'),
    { accessKeyId: 'AK', secretAccessKey: 'SK', region: 'eu-west-1' },
  );
  assert.equal(parseCredentialFile(''), {});
});

test('bad credential files are refused without quoting the secrets', () => {
  refused(() => parseCredentialFile('AWS_ACCESS_KEY_ID=AK'), 'INVALID', 'must be given together');
  refused(
    () => parseCredentialFile('AWS_ACCESS_KEY_ID=AK\nAWS_SECRET_ACCESS_KEY=topsecret\nAWS_ENDPOINTS=minio:9000'),
    'INVALID',
    'AWS_ENDPOINTS is not an http',
  );
  refused(() => parseCredentialFile('{"AWS_ACCESS_KEY_ID": 5}'), 'INVALID', 'AWS_ACCESS_KEY_ID is not a string');
  refused(() => parseCredentialFile('{not json'), 'INVALID', 'not valid JSON');
  refused(() => parseCredentialFile('AWS_SECRET_ACCESS_KEY topsecret'), 'INVALID', 'line 1 is not KEY=VALUE');
  try {
    parseCredentialFile('AWS_SECRET_ACCESS_KEY=topsecret');
  } catch (e) {
    assert.not.ok((e as Error).message.includes('topsecret'));
  }
});

test.run();
