// openEtcd's options: what goes together, and that TLS is never silently dropped (the endpoints'
// scheme must agree with the credentials). The attacks on a running etcd are in test/etcd-auth.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { etcdHosts, openEtcd, readEtcdCredentials } from '../src/index.js';

const t = suite('etcd client options');
const pem = Buffer.from('not parsed before a call');

t('bare host:port gets https with TLS, http without', () => {
  assert.equal(etcdHosts('127.0.0.1:2379, 127.0.0.1:2381', true), ['https://127.0.0.1:2379', 'https://127.0.0.1:2381']);
  assert.equal(etcdHosts(['127.0.0.1:2379'], false), ['http://127.0.0.1:2379']);
  assert.throws(() => etcdHosts(' , ', false), /no etcd endpoints/);
});

t('an endpoint whose scheme disagrees with the credentials is refused, not dialled another way', () => {
  assert.throws(() => etcdHosts('https://a:2379', false), /https:\/\/ but no CA/);
  assert.throws(
    () => etcdHosts('https://a:2379,http://b:2379', true),
    /http:\/\/b:2379 is http:\/\/ but a CA was given/,
  );
  assert.throws(() => openEtcd('https://127.0.0.1:2379'), /no CA/);
});

t('a certificate needs its key, a user a password, and either needs the CA (never sent in clear)', () => {
  assert.throws(() => openEtcd('127.0.0.1:2379', { ca: pem, cert: pem }), /needs its key/);
  assert.throws(() => openEtcd('127.0.0.1:2379', { ca: pem, user: 'u' }), /needs a password/);
  assert.throws(() => openEtcd('127.0.0.1:2379', { cert: pem, key: pem }), /only sent over TLS/);
  assert.throws(() => openEtcd('127.0.0.1:2379', { user: 'u', password: 'p' }), /only sent over TLS/);
});

t('readEtcdCredentials reads the files and checks the same pairs, as the flags name them', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cairn-etcd-creds-'));
  try {
    for (const f of ['ca', 'crt', 'key']) writeFileSync(join(dir, f), `${f} pem`);
    writeFileSync(join(dir, 'pw'), 's3cret\n');
    const c = readEtcdCredentials({
      ca: join(dir, 'ca'),
      cert: join(dir, 'crt'),
      key: join(dir, 'key'),
      user: 'mgr',
      passwordFile: join(dir, 'pw'),
    });
    assert.is(c.ca!.toString(), 'ca pem');
    assert.is(c.cert!.toString(), 'crt pem');
    assert.is(c.key!.toString(), 'key pem');
    assert.is(c.user, 'mgr');
    assert.is(c.password, 's3cret', "the file's final newline is not part of the password");
    assert.equal(readEtcdCredentials({}), {}, 'no flags: plain etcd');
    assert.throws(
      () => readEtcdCredentials({ ca: join(dir, 'ca'), cert: join(dir, 'crt') }),
      /--etcd-cert and --etcd-key go together/,
    );
    assert.throws(
      () => readEtcdCredentials({ ca: join(dir, 'ca'), user: 'mgr' }),
      /--etcd-user and --etcd-password-file go together/,
    );
    assert.throws(() => readEtcdCredentials({ cert: join(dir, 'crt'), key: join(dir, 'key') }), /need --etcd-ca/);
    assert.throws(() => readEtcdCredentials({ ca: join(dir, 'missing') }), /ENOENT/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

t.run();
