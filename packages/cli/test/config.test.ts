// Connection resolution: flags, then environment, then cluster.json (what `cairn up` writes).
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { resolveConnection } from '../src/config.js';
import { CliError, UsageError } from '../src/errors.js';

let dir = '';
const t = suite('config');

t.before.each(() => {
  dir = mkdtempSync(join(tmpdir(), 'cairn-cli-config-'));
  mkdirSync(join(dir, '.cairn'));
  writeFileSync(join(dir, '.cairn', 'token'), 'secret-1\n', { mode: 0o600 });
  writeFileSync(
    join(dir, '.cairn', 'cluster.json'),
    JSON.stringify({
      admin: '127.0.0.1:7000',
      token: join(dir, '.cairn', 'token'),
      etcd: ['http://127.0.0.1:2379'],
      manager: { pid: 1 },
      nodes: [],
    }),
  );
});
t.after.each(() => rmSync(dir, { recursive: true, force: true }));

function fails(f: () => unknown, cls: new (...a: never[]) => Error, re: RegExp): void {
  try {
    f();
  } catch (e) {
    assert.instance(e, cls);
    assert.match((e as Error).message, re);
    return;
  }
  assert.unreachable(`expected ${cls.name} matching ${re}`);
}

t('defaults to ./.cairn/cluster.json and reads the token file it names', () => {
  const c = resolveConnection({}, {}, dir);
  assert.is(c.endpoint, '127.0.0.1:7000');
  assert.is(c.token, 'secret-1');
  assert.is(c.tokenSource, join(dir, '.cairn', 'token'));
  assert.is(c.clusterFile, join(dir, '.cairn', 'cluster.json'));
  assert.is(c.timeoutMs, 60_000);
});

t('a relative token path is relative to cluster.json', () => {
  mkdirSync(join(dir, 'other'));
  writeFileSync(join(dir, 'other', 'tok'), 'secret-2');
  writeFileSync(join(dir, 'other', 'c.json'), JSON.stringify({ admin: 'h:2', token: 'tok' }));
  const c = resolveConnection({ cluster: 'other/c.json' }, {}, dir);
  assert.is(c.endpoint, 'h:2');
  assert.is(c.token, 'secret-2');
  const e = resolveConnection({}, { CAIRN_CLUSTER: join(dir, 'other', 'c.json') }, '/');
  assert.is(e.token, 'secret-2');
});

t('flags beat the environment, which beats cluster.json', () => {
  const env = { CAIRN_ENDPOINT: '127.0.0.1:7000', CAIRN_TOKEN: 'from-env', CAIRN_TIMEOUT: '5s' };
  assert.is(resolveConnection({}, env, dir).token, 'from-env');
  assert.is(resolveConnection({}, env, dir).tokenSource, 'CAIRN_TOKEN');
  assert.is(resolveConnection({}, env, dir).timeoutMs, 5000);
  const f = resolveConnection({ endpoint: '127.0.0.1:7000', token: 'from-flag', timeout: '2m' }, env, dir);
  assert.is(f.token, 'from-flag');
  assert.is(f.tokenSource, '--token');
  assert.is(f.timeoutMs, 120_000);
  writeFileSync(join(dir, 'tf'), 'from-file\n');
  assert.is(resolveConnection({ 'token-file': 'tf' }, {}, dir).token, 'from-file');
  assert.is(resolveConnection({}, { CAIRN_TOKEN_FILE: join(dir, 'tf') }, dir).token, 'from-file');
});

t("cluster.json's token is not sent to a different endpoint unless the file was named", () => {
  const c = resolveConnection({ endpoint: 'elsewhere:1' }, {}, dir);
  assert.is(c.endpoint, 'elsewhere:1');
  assert.is(c.token, undefined);
  assert.is(c.tokenSource, '');
  const named = resolveConnection({ endpoint: 'elsewhere:1', cluster: '.cairn/cluster.json' }, {}, dir);
  assert.is(named.token, 'secret-1');
});

t('works without any cluster.json when endpoint and token are given', () => {
  const c = resolveConnection({}, { CAIRN_ENDPOINT: 'h:9', CAIRN_TOKEN: 'x' }, tmpdir());
  assert.is(c.endpoint, 'h:9');
  assert.is(c.clusterFile, undefined);
});

t('a TLS CA from a flag, the environment or cluster.json', () => {
  writeFileSync(join(dir, 'ca.pem'), 'PEM');
  assert.is(resolveConnection({ 'tls-ca': 'ca.pem' }, {}, dir).tlsCa?.toString(), 'PEM');
  assert.is(resolveConnection({}, { CAIRN_TLS_CA: join(dir, 'ca.pem') }, dir).tlsCa?.toString(), 'PEM');
  writeFileSync(
    join(dir, '.cairn', 'cluster.json'),
    JSON.stringify({ admin: 'h:1', token: 'token', tlsCa: '../ca.pem' }),
  );
  assert.is(resolveConnection({}, {}, dir).tlsCa?.toString(), 'PEM');
  assert.is(resolveConnection({}, {}, dir).tlsCa !== undefined, true);
  fails(
    () => resolveConnection({ 'tls-ca': 'nope.pem' }, {}, dir),
    CliError,
    /cannot read the TLS CA file .*nope\.pem: ENOENT/,
  );
});

t('clear errors for what is missing or broken', () => {
  fails(
    () => resolveConnection({}, {}, tmpdir()),
    CliError,
    /no cluster to talk to: .*cluster\.json does not exist; start one with "cairn up", or give --endpoint/,
  );
  fails(
    () => resolveConnection({ cluster: 'missing.json' }, {}, dir),
    CliError,
    /cannot read cluster file .*missing\.json: ENOENT/,
  );
  writeFileSync(join(dir, 'bad.json'), '{ not json');
  fails(
    () => resolveConnection({ cluster: 'bad.json' }, {}, dir),
    CliError,
    /cluster file .*bad\.json is not valid JSON/,
  );
  writeFileSync(join(dir, 'noadmin.json'), '{"token": "x"}');
  fails(() => resolveConnection({ cluster: 'noadmin.json' }, {}, dir), CliError, /has no "admin" address/);
  rmSync(join(dir, '.cairn', 'token'));
  fails(() => resolveConnection({}, {}, dir), CliError, /cannot read token file .*token.*: ENOENT/);
  writeFileSync(join(dir, '.cairn', 'token'), '  \n');
  fails(() => resolveConnection({}, {}, dir), CliError, /token file .* is empty/);
  fails(() => resolveConnection({ token: '' }, {}, dir), CliError, /the token from --token is empty/);
  fails(
    () => resolveConnection({ timeout: 'later' }, { CAIRN_ENDPOINT: 'h:1' }, dir),
    UsageError,
    /--timeout: expected a duration/,
  );
});

t.run();
